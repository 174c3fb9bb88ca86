// The value analysis: what a name, attribute or call result may hold, for the calls
// that names alone do not bind (a = func; a(), make().run(), self.handler.go(),
// handlers = [f, g]; for h in handlers: h()).
//
// Flow-insensitive, in the spirit of an assignment graph: the extractor records every
// value a name is bound to in a scope (assignments, unpacking, walrus, for targets,
// with targets, defaults, self.x = ...) and, for an unannotated function, what it
// returns or yields. Those value texts are evaluated here on demand:
//   ref:a.b     the value of a name path          call:P / call:V  what calling it returns
//   get:d       d.get(k), d.pop(k)                 elem:V           an element of V
//   in:V        a container holding V              anything else    a type as written
// Within a file every binding is seen; across files, a function's returns and a
// field's or variable's first value travel in the symbol's type_name. Sets are cut
// at max_value_set and chains at max_value_depth; capped() counts both.
#include <algorithm>

#include "actors/graph/resolver.hpp"
#include "actors/graph/resolver_util.hpp"
#include "schema/hash.hpp"
#include "schema/module_paths.hpp"

namespace cg {

using namespace resolve_util;

namespace {
// "a|b|c" -> views into the same (stable) text.
std::vector<std::string_view> alternatives(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    auto bar = s.find('|');
    if (bar != 0) out.push_back(s.substr(0, bar));
    if (bar == std::string_view::npos) break;
    s.remove_prefix(bar + 1);
  }
  return out;
}
template <class V>
V make_value(typename V::kind k, const symbol* s) {
  V v;
  v.k = k;
  v.sym = s;
  return v;
}
bool is_dunder(std::string_view n) { return n.size() > 4 && n.starts_with("__") && n.ends_with("__"); }

}  // namespace

void resolver::add(value_set& into, const value& v) {
  if (std::find(into.begin(), into.end(), v) != into.end()) return;
  if (into.size() >= max_value_set) {
    ++capped_;
    return;
  }
  into.push_back(v);
}

void resolver::add_all(value_set& into, const value_set& from) {
  for (const auto& v : from) add(into, v);
}

// A definition as a value: functions, classes and modules are objects; a variable or
// field holds what its recorded value text evaluates to.
resolver::value_set resolver::symbol_value(const symbol* s, int depth) {
  value_set out;
  if (!s) return out;
  if (s->kind == node_kind::import && s->type_name.starts_with("import:")) {
    auto t = follow_python_import(s, 0);
    if (t.how == resolution::external) add(out, {});
    if (t.sym) add_all(out, symbol_value(t.sym, depth + 1));
    return out;
  }
  if (s->kind == node_kind::import) return out;  // other languages' imports carry a path, not a value
  if (is_callable(s->kind) || is_type(s->kind) || s->kind == node_kind::file || is_container(s->kind)) {
    add(out, make_value<value>(value::kind::object, s));
    return out;
  }
  if (!s->type_name.empty()) {
    const symbol* scope = symbols_.parent_of(*s);
    for (auto part : alternatives(s->type_name)) add_all(out, eval(part, scope, depth + 1));
  }
  return out;
}

resolver::value_set resolver::name_values(std::string_view name, const symbol* scope, int depth) {
  value_set out;
  // Bindings of this file, innermost scope first; the first scope that binds the name
  // decides (Python's local, enclosing, global).
  std::string key;
  for (const symbol* s = scope; s; s = symbols_.parent_of(*s)) {
    scope_key(key, s->id, name);
    auto [lo, hi] = values_.equal_range(key);
    if (lo != hi) {
      for (auto it = lo; it != hi; ++it) add_all(out, eval(it->second, s, depth + 1));
      // A function's local name may also be a definition nested in it (a parameter
      // rebound by `def onerror(...)` when the caller passed none): both are its values.
      // A module-level name is also a definition other files may import: nothing more here.
      if (is_callable(s->kind))
        if (const symbol* d = child_named(s, name, want::any)) add_all(out, symbol_value(d, depth + 1));
      return out;
    }
    if (s->kind == node_kind::file) break;
  }
  if (name == "self" || name == "cls") {
    if (const symbol* t = enclosing_type(scope)) add(out, make_value<value>(value::kind::instance, t));
    return out;
  }
  if (scope && scope->file != path_ && lang_ == language::python)
    if (auto v = foreign_name_values(name, scope, depth); !v.empty()) return v;
  auto t = resolve_plain(name, scope, want::any);
  if (t.how == resolution::external) {
    add(out, {});
    return out;
  }
  return symbol_value(t.sym, depth);
}

// A name in another file's scope (what b.g returns is make() of b's imports): that
// file's definitions, innermost scope out, then a definition that file imports by the
// name (this file's imports and bindings do not apply there).
resolver::value_set resolver::foreign_name_values(std::string_view name, const symbol* scope, int depth) {
  value_set out;
  bool in_function = false;
  for (const symbol* s = scope; s; s = symbols_.parent_of(*s)) {
    if (s == scope || !is_type(s->kind))  // a class body is not an enclosing scope
      if (const symbol* c = child_named(s, name, want::any)) return symbol_value(c, depth);
    in_function = in_function || is_callable(s->kind);
    if (s->kind != node_kind::file) continue;
    // Inside a function, not a module: its parameters and locals are not symbols, and
    // one named like an imported module (path, os) would shadow it unseen.
    if (const symbol* via = import_child(s, name)) {
      auto t = follow_python_import(via, 0);
      if (t.how == resolution::external) add(out, {});
      if (t.sym && !(in_function && t.sym->kind == node_kind::file)) add_all(out, symbol_value(t.sym, depth + 1));
    }
    break;
  }
  return out;
}

resolver::value_set resolver::eval_path(std::string_view path, const symbol* scope, int depth) {
  auto parts = split_path(path);
  if (parts.empty()) return {};
  // A part may end in calls or subscripts: Holder().h, make()[0].run.
  auto apply_suffixes = [&](value_set v, std::string_view suffixes) {
    for (; suffixes.size() >= 2 && !v.empty(); suffixes.remove_prefix(2))
      v = suffixes[0] == '(' ? call_values(v, depth) : elements(v, depth);
    return v;
  };
  auto split_suffixes = [](std::string_view part) {
    size_t n = part.size();
    while (n >= 2 && (part.substr(n - 2, 2) == "()" || part.substr(n - 2, 2) == "[]")) n -= 2;
    return n;
  };
  size_t n0 = split_suffixes(parts[0]);
  value_set cur = apply_suffixes(name_values(parts[0].substr(0, n0), scope, depth), parts[0].substr(n0));
  for (size_t i = 1; i < parts.size() && !cur.empty(); ++i) {
    size_t n = split_suffixes(parts[i]);
    cur = apply_suffixes(member_values(cur, parts[i].substr(0, n), depth), parts[i].substr(n));
  }
  return cur;
}

resolver::value_set resolver::eval(std::string_view text, const symbol* scope, int depth) {
  if (depth > max_value_depth || ++value_steps_ > max_value_steps) {
    ++capped_;
    return {};
  }
  std::string key;
  scope_key(key, scope ? scope->id : 0, text);
  if (auto it = value_memo_.find(key); it != value_memo_.end()) return it->second;
  value_memo_.emplace(key, value_set{});  // in progress: a cycle reads nothing
  auto out = eval_uncached(text, scope, depth);
  value_memo_[key] = out;
  return out;
}

resolver::value_set resolver::eval_uncached(std::string_view text, const symbol* scope, int depth) {
  auto has_prefix = [](std::string_view t) {
    return t.starts_with("ref:") || t.starts_with("call:") || t.starts_with("get:") || t.starts_with("elem:") ||
           t.starts_with("in:") || t.starts_with("at:") || t.starts_with("def:") || t.starts_with("deco:");
  };
  if (text.starts_with("ref:")) return eval_path(text.substr(4), scope, depth);
  if (text.starts_with("at:")) {  // a text evaluated in another scope: an argument at its call site
    auto colon = text.find(':', 3);
    node_id id = 0;
    if (colon == std::string_view::npos || !parse_id(text.substr(3, colon - 3), id)) return {};
    return eval(text.substr(colon + 1), symbols_.find(id), depth + 1);
  }
  if (text.starts_with("deco:")) {  // deco:PATH:NAME, a decorated definition (resolver::decorated_here)
    auto rest = text.substr(5);
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return {};
    auto wrapped = call_values(eval_path(rest.substr(0, colon), scope, depth + 1), depth + 1);
    if (std::any_of(wrapped.begin(), wrapped.end(), [](const value& v) { return v.sym != nullptr; })) return wrapped;
    value_set out;  // a decorator from outside the project: taken as returning what it decorates
    if (const symbol* d = child_named(scope, rest.substr(colon + 1), want::any)) add_all(out, symbol_value(d, depth));
    return out;
  }
  if (text.starts_with("def:")) {  // the definition itself, not what its name is rebound to
    value_set out;
    if (const symbol* d = child_named(scope, text.substr(4), want::any)) add_all(out, symbol_value(d, depth));
    return out;
  }
  if (text.starts_with("call:")) {
    auto callee = text.substr(5);
    return call_values(has_prefix(callee) ? eval(callee, scope, depth + 1) : eval_path(callee, scope, depth), depth);
  }
  if (text.starts_with("elem:")) return elements(eval(text.substr(5), scope, depth + 1), depth);
  if (text.starts_with("in:")) return {{value::kind::container, nullptr, text.substr(3), scope}};
  if (text.starts_with("get:")) {  // d.get(k): an element of a container, else whatever .get returns
    auto base = eval_path(text.substr(4), scope, depth);
    value_set out = elements(base, depth);
    value_set others;
    for (const auto& v : base)
      if (v.k != value::kind::container) add(others, v);
    if (!others.empty()) add_all(out, call_values(member_values(others, "get", depth), depth));
    return out;
  }
  // A type as written (an annotation, a literal's builtin type).
  auto t = resolve_type_text(text, scope);
  if (t.sym && is_type(t.sym->kind)) return {make_value<value>(value::kind::instance, t.sym)};
  if (t.how == resolution::external) return {value{}};
  return {};
}

resolver::value_set resolver::member_values(const value_set& of, std::string_view name, int depth) {
  value_set out;
  std::string key;
  for (const auto& v : of) {
    if (v.k == value::kind::external || v.k == value::kind::container) {  // list.append, str.join, ...
      add(out, {});
      continue;
    }
    const symbol* s = v.sym;
    if (!s) continue;
    if (is_type(s->kind)) {
      bool found = false;
      for (const symbol* t : mro(s)) {
        // What this file binds: class attributes and self.x = ... in its methods.
        for (std::string_view var : {std::string(name), "self." + std::string(name)}) {
          scope_key(key, t->id, var);
          auto [lo, hi] = values_.equal_range(key);
          for (auto it = lo; it != hi; ++it) {
            add_all(out, eval(it->second, t, depth + 1));
            found = true;
          }
        }
        if (found) break;
        if (const symbol* m = child_named(t, name, want::any)) {
          add_all(out, symbol_value(m, depth));
          found = true;
          break;
        }
      }
      // Not defined in the project's part of the hierarchy: object's own (__class__,
      // __eq__) or inherited from a base outside the project.
      if (!found &&
          (is_dunder(name) || std::any_of(mro(s).begin(), mro(s).end(), [&](const symbol* t) { return is_open(t); })))
        add(out, {});
      continue;
    }
    if (s->kind == node_kind::file) {  // a module: its definitions, what it imports, its submodules
      if (s->lang != language::python) {
        if (const symbol* m = child_named(s, name, want::any)) add_all(out, symbol_value(m, depth));
        continue;
      }
      auto t = python_member(s, name, 0, nullptr);
      if (t.how == resolution::external) add(out, {});
      if (t.sym) add_all(out, symbol_value(t.sym, depth));
      continue;
    }
    if (is_container(s->kind))
      if (const symbol* m = child_named(s, name, want::any)) add_all(out, symbol_value(m, depth));
  }
  return out;
}

resolver::value_set resolver::call_values(const value_set& callee, int depth) {
  value_set out;
  for (const auto& v : callee) {
    if (v.k == value::kind::external) {
      add(out, {});
      continue;
    }
    if (v.k != value::kind::object || !v.sym) continue;
    const symbol* s = v.sym;
    if (is_type(s->kind)) {
      add(out, make_value<value>(value::kind::instance, s));
    } else if (is_callable(s->kind) && !s->type_name.empty()) {
      for (auto part : alternatives(s->type_name)) add_all(out, eval(part, s, depth + 1));
    }
  }
  return out;
}

resolver::value_set resolver::elements(const value_set& of, int depth) {
  value_set out;
  for (const auto& v : of) {
    if (v.k == value::kind::container)
      add_all(out, eval(v.element, v.scope, depth + 1));
    else if (v.k == value::kind::external)
      add(out, {});
  }
  return out;
}

// The targets of a call the names did not bind, from the values of its callee.
std::vector<resolver::target> resolver::call_targets(const raw_ref& r, const symbol* source) {
  if (!source) return {};
  value_steps_ = 0;
  value_set callee;
  if (r.qualifier.empty()) {
    callee = name_values(r.name, source, 0);
  } else if (r.flags & ref_flag::super_) {
    return {};
  } else {
    std::string_view q = r.qualifier;
    if (r.name == "()") return targets_of(call_values(eval_path(q, source, 0), 0), r);
    if (r.name == "[]") return targets_of(elements(eval_path(q, source, 0), 0), r);
    value_set base;
    if (q.ends_with("()"))
      base = call_values(eval_path(q.substr(0, q.size() - 2), source, 0), 0);
    else if (q.ends_with("[]"))
      base = elements(eval_path(q.substr(0, q.size() - 2), source, 0), 0);
    else if (q != "()")
      base = eval_path(q, source, 0);
    callee = member_values(base, r.name, 0);
  }
  return targets_of(callee, r);
}

std::vector<resolver::target> resolver::targets_of(const value_set& callee, const raw_ref& r) {
  std::vector<target> out;
  bool external = false;
  for (const auto& v : callee) {
    if (v.k == value::kind::external) external = true;
    if (v.k != value::kind::object || !v.sym) continue;
    if (!is_callable(v.sym->kind) && !is_type(v.sym->kind)) continue;
    if (std::none_of(out.begin(), out.end(), [&](const target& t) { return t.sym == v.sym; }))
      out.push_back({v.sym, r.qualifier.empty() ? resolution::local : resolution::member});
  }
  if (out.size() > 1)
    for (auto& t : out) t.how = resolution::possible;
  if (out.empty() && external) out.push_back({nullptr, resolution::external});
  return out;
}

// Each argument binds the parameter it lands in, for the callees of this file it reaches:
// positional by position (after self/cls when called on an instance or class), keywords
// by name, the rest into *args / **kwargs as containers. Values are evaluated where the
// call is (at:SCOPE:TEXT), lazily like every other binding.
void resolver::bind_arguments(const std::vector<argument>& args) {
  // A call's arguments come one after another with the same callee and scope: its
  // values are evaluated once, unless binding an argument added values (or the
  // evaluation was cut short), which could change them.
  value_set callee;
  const argument* last = nullptr;
  size_t values_after_last = 0;
  uint64_t capped_after_last = 0;
  for (const auto& a : args) {
    const symbol* scope = symbols_.find(a.scope);
    if (!scope) continue;
    bool same = last && last->scope == a.scope && last->callee == a.callee && values_.size() == values_after_last &&
                capped_ == capped_after_last;
    if (!same) {
      uint64_t capped_before = capped_;
      value_steps_ = 0;
      callee = eval_path(a.callee, scope, 0);
      if (capped_ != capped_before) capped_before = UINT64_MAX;  // never reused
      capped_after_last = capped_before == UINT64_MAX ? UINT64_MAX : capped_;
    }
    for (const auto& v : callee) bind_argument(a, v);
    last = &a;
    values_after_last = values_.size();
  }
  for (const auto& in : incoming_)  // other files' call sites, collected when they were resolved
    if (const symbol* f = symbols_.find(in.callee)) bind_parameter(f, in.skip, in.slot, in.scope, in.text);
  value_memo_.clear();  // values read before these bindings existed
}

void resolver::bind_argument(const argument& a, const value& callee) {
  if (callee.k != value::kind::object || !callee.sym) return;
  const symbol* f = callee.sym;
  size_t skip = 0;
  if (is_type(f->kind)) {  // C(x): C.__init__(self, x)
    f = constructor_of(f);
    skip = 1;
  } else if (f->kind == node_kind::method && !(f->modifiers & modifier::static_)) {
    skip = 1;  // obj.m(x), cls.m(x), self.m(x): the first parameter is bound already
  }
  if (!f || !is_callable(f->kind)) return;
  if (f->file == path_) return bind_parameter(f, skip, a.slot, a.scope, a.text);
  if (lang_ != language::python || f->lang != language::python) return;
  cross_argument out{std::string(f->file),       f->id,   std::string(a.slot),
                     static_cast<uint8_t>(skip), a.scope, std::string(a.text)};
  if (std::find(outgoing_.begin(), outgoing_.end(), out) == outgoing_.end()) outgoing_.push_back(std::move(out));
}

void resolver::bind_parameter(const symbol* f, size_t skip, std::string_view slot, node_id scope,
                              std::string_view text) {
  if (f->file != path_ || !is_callable(f->kind)) return;
  std::string key;
  scope_key(key, f->id, "()");
  auto list = values_.find(key);
  if (list == values_.end()) return;
  bool spread = false;  // into *args or **kwargs: a container of the arguments
  std::string_view name = parameter_for(list->second, slot, skip, spread);
  if (name.empty()) return;
  std::string value = (spread ? "in:at:" : "at:") + format_id(scope) + ":" + std::string(text);
  scope_key(key, f->id, name);
  for (auto [lo, hi] = values_.equal_range(key); lo != hi; ++lo)
    if (lo->second == value) return;
  values_.emplace(std::move(key), owned_values_.emplace_back(std::move(value)));
}

// A function or class of this file whose name the file binds again in the same scope
// (a decorator: @logged def work() binds work to what logged returns): calls by the name
// reach what it holds, not the definition.
bool resolver::decorated_here(const symbol* s) {
  if (!s || s->file != path_ || values_.empty()) return false;
  std::string key;
  scope_key(key, s->parent, s->name);
  return values_.count(key) > 0;
}

}  // namespace cg
