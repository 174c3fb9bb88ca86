#include "actors/graph/resolver.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "actors/graph/builtins.hpp"
#include "actors/graph/resolver_util.hpp"
#include "schema/hash.hpp"
#include "schema/module_paths.hpp"

namespace cg {

using namespace resolve_util;

namespace {

// Languages where a method body sees its class's members (and inherited ones) unqualified.
bool class_scope_visible(language l) { return l == language::java || l == language::cpp; }

bool is_base_edge(edge_kind k) { return k == edge_kind::inherits || k == edge_kind::implements; }

}  // namespace

void resolution_counts::add(const edge& e) {
  auto k = static_cast<size_t>(e.kind);
  if (e.how == resolution::unresolved)
    unresolved[k] += 1;
  else if (e.how == resolution::external)
    external[k] += 1;
  else
    resolved[k] += 1;
}

void resolution_counts::merge(const resolution_counts& o) {
  for (int k = 0; k < edge_kind_count; ++k) {
    resolved[k] += o.resolved[k];
    external[k] += o.external[k];
    unresolved[k] += o.unresolved[k];
  }
}

resolver::resolver(const symbol_table& symbols, bases_fn bases) : symbols_(symbols), bases_(std::move(bases)) {}

bool resolver::is_open(const symbol* type) const {
  if (open_types_.count(type->id)) return true;
  return !local_bases_.count(type->id) && open_fn_ && open_fn_(type->id);
}

void resolver::scope_key(std::string& into, node_id scope, std::string_view name) {
  into.resize(9 + name.size());
  for (int i = 0; i < 8; ++i) into[static_cast<size_t>(i)] = static_cast<char>(scope >> (56 - 8 * i));
  into[8] = '\0';
  std::copy(name.begin(), name.end(), into.begin() + 9);
}

void resolver::begin_file(std::string_view path, language lang, const file_references& refs) {
  path_ = path;
  lang_ = lang;
  refs_ = &refs;
  file_ = symbols_.file_node(path);
  sep_ = qualifier_separator(lang);
  imports_by_alias_.clear();
  wildcard_imports_.clear();
  import_cache_.clear();
  global_cache_.clear();
  bindings_.clear();
  for (size_t i = 0; i < refs.imports.size(); ++i) {
    const auto& imp = refs.imports[i];
    if (imp.name == "*") wildcard_imports_.push_back(i);
    if (!imp.alias.empty()) imports_by_alias_.emplace(imp.alias, i);
  }
  values_.clear();
  value_memo_.clear();
  owned_values_.clear();
  std::vector<argument> args;
  // Pass A resolves bases only: by names, imports and declared types, not by values.
  if (!bases_only_) values_.reserve(refs.bindings.size());
  for (const auto& b : refs.bindings) {
    std::string_view var = b.variable;
    if (var.size() > 2 && var.starts_with("()")) {  // an argument at a call site: "()CALLEE#SLOT"
      auto hash = var.rfind('#');
      if (hash != std::string_view::npos && hash > 2)
        args.push_back({b.scope, var.substr(2, hash - 2), var.substr(hash + 1), b.type});
      continue;
    }
    std::string_view t = b.type;
    bool value_text = t.starts_with("ref:") || t.starts_with("in:") || t.starts_with("elem:") ||
                      t.starts_with("get:") || t.starts_with("call:call:") || t.starts_with("call:get:") ||
                      t.starts_with("call:elem:") || t.starts_with("deco:") || var == "()";
    if (bases_only_ && value_text) continue;
    std::string key;
    scope_key(key, b.scope, b.variable);
    if (!bases_only_) values_.emplace(key, b.type);
    if (!value_text) bindings_.emplace(std::move(key), b.type);  // a type: the first binding of a name wins
  }
  outgoing_.clear();
  if (!bases_only_ && (!args.empty() || !incoming_.empty())) bind_arguments(args);
  incoming_.clear();  // given for this file only
}

bool resolver::suits(const symbol& s, want w) const {
  if (s.kind == node_kind::import || s.kind == node_kind::file) return false;
  switch (w) {
    case want::callable: return is_callable(s.kind) || is_type(s.kind) || s.kind == node_kind::enum_member;
    case want::type: return is_type(s.kind);
    case want::any: return true;
  }
  return false;
}

namespace {
// Between two definitions a lookup finds equally fit, whether s should win over the one
// found first (the symbol table lists them in source order, so the answer never depends
// on ids): definitions over declarations (a prototype, an abstract member), functions
// and types over fields and variables of the same name (a method over the instance
// attribute that shadows it: the attribute's values come from its bindings), and in
// Python the later of two definitions in one file (what the name is bound to last).
bool outranks(const symbol& s, const symbol& found) {
  bool s_decl = s.modifiers & modifier::declaration, f_decl = found.modifiers & modifier::declaration;
  if (s_decl != f_decl) return f_decl;
  bool s_def = is_callable(s.kind) || is_type(s.kind), f_def = is_callable(found.kind) || is_type(found.kind);
  if (s_def != f_def) return s_def;
  return s.lang == language::python && s.file == found.file && s.line > found.line;
}
}  // namespace

const symbol* resolver::child_named(const symbol* scope, std::string_view name, want w) const {
  if (!scope) return nullptr;
  const symbol* found = nullptr;
  const bool scope_is_type = is_type(scope->kind);
  auto consider = [&](const symbol& s) {
    if (!suits(s, w)) return;
    // Methods defined outside their type (Foo::bar, Go receivers, Rust impls of
    // other files' types) are not plain names of the enclosing namespace or file.
    if (!scope_is_type && (s.kind == node_kind::method || s.kind == node_kind::constructor)) return;
    if (!found || outranks(s, *found)) found = &s;
  };
  auto kids = symbols_.children(scope->id);
  auto same = symbols_.named(name);
  if (kids.size() <= same.size()) {
    for (auto i : kids)
      if (symbols_.at(i).name == name) consider(symbols_.at(i));
  } else {
    for (auto i : same)
      if (symbols_.at(i).parent == scope->id) consider(symbols_.at(i));
  }
  if (!found && is_container(scope->kind)) {  // namespaces and packages span files
    auto q = std::string(scope->qualified_name) + std::string(qualifier_separator(scope->lang)) + std::string(name);
    for (auto i : symbols_.qualified(q)) consider(symbols_.at(i));
  }
  return found;
}

const symbol* resolver::best(std::span<const uint32_t> candidates, std::string_view, want w) const {
  const symbol* pick = nullptr;
  size_t pick_score = 0;
  int count = 0;
  for (auto i : candidates) {
    const auto& s = symbols_.at(i);
    if (!suits(s, w)) continue;
    ++count;
    // Nearest by directory, definitions over declarations.
    size_t score = common_prefix(s.file, path_) * 2 + ((s.modifiers & modifier::declaration) ? 0 : 1);
    if (s.file == path_) score += 1u << 20;
    if (!pick || score > pick_score || (score == pick_score && outranks(s, *pick))) {
      pick = &s;
      pick_score = score;
    }
  }
  return count == 0 ? nullptr : pick;
}

const symbol* resolver::enclosing_type(const symbol* s) const {
  for (int guard = 0; s && guard < 64; ++guard) {
    if (is_type(s->kind)) return s;
    s = symbols_.parent_of(*s);
  }
  return nullptr;
}

const symbol* resolver::member_of(const symbol* type, std::string_view name, want w, int depth) {
  if (!type || depth > 8) return nullptr;
  if (auto c = child_named(type, name, w)) return c;
  // Members defined elsewhere: Rust impls and Go methods in other files, C++ out-of-line.
  auto q = std::string(type->qualified_name) + std::string(qualifier_separator(type->lang)) + std::string(name);
  if (auto b = best(symbols_.qualified(q), name, w)) return b;
  if (type->lang == language::rust)
    if (auto m = rust_impl_elsewhere(type, name, w)) return m;
  if (type->lang == language::python) {  // the method resolution order, not depth first
    for (const symbol* b : mro(type)) {
      if (b == type) continue;
      if (auto c = child_named(b, name, w)) return c;
    }
    return nullptr;
  }
  for (auto b : bases_of(type))
    if (b != type->id)
      if (auto m = member_of(symbols_.find(b), name, w, depth + 1)) return m;
  return nullptr;
}

std::vector<node_id> resolver::bases_of(const symbol* type) {
  if (auto it = local_bases_.find(type->id); it != local_bases_.end()) return it->second;
  return bases_ ? bases_(type->id) : std::vector<node_id>{};
}

namespace {
// C3: merges the bases' linearisations and the list of bases; empty when they admit none.
std::vector<const symbol*> c3_merge(std::vector<std::vector<const symbol*>> seqs) {
  std::vector<const symbol*> out;
  for (;;) {
    seqs.erase(std::remove_if(seqs.begin(), seqs.end(), [](const auto& q) { return q.empty(); }), seqs.end());
    if (seqs.empty()) return out;
    const symbol* pick = nullptr;
    for (const auto& q : seqs) {
      const symbol* head = q.front();
      bool in_tail = std::any_of(seqs.begin(), seqs.end(),
                                 [&](const auto& o) { return std::find(o.begin() + 1, o.end(), head) != o.end(); });
      if (!in_tail) {
        pick = head;
        break;
      }
    }
    if (!pick) return {};
    out.push_back(pick);
    for (auto& q : seqs)
      if (!q.empty() && q.front() == pick) q.erase(q.begin());
  }
}
}  // namespace

const std::vector<const symbol*>& resolver::mro(const symbol* type) {
  if (auto it = mro_cache_.find(type->id); it != mro_cache_.end()) return it->second;
  mro_cache_.try_emplace(type->id);  // empty while it is computed: a cycle of bases ends here
  std::vector<const symbol*> bases;
  for (auto b : bases_of(type))
    if (const symbol* s = symbols_.find(b); s && s != type) bases.push_back(s);
  std::vector<std::vector<const symbol*>> seqs;
  for (auto* b : bases) {
    auto m = mro(b);  // a copy: the cache may rehash
    if (m.empty()) m.push_back(b);
    seqs.push_back(std::move(m));
  }
  seqs.push_back(bases);
  std::vector<const symbol*> out{type};
  auto merged = c3_merge(seqs);
  if (merged.empty() && !bases.empty()) {  // no C3 order: depth first, each type once
    for (auto& q : seqs)
      for (auto* s : q)
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  } else {
    out.insert(out.end(), merged.begin(), merged.end());
  }
  auto& stored = mro_cache_[type->id];
  stored = std::move(out);
  return stored;
}

const symbol* resolver::constructor_of(const symbol* type) {
  switch (type->lang) {
    case language::python: {
      const symbol* c = member_of(type, "__init__", want::callable);
      return c && is_callable(c->kind) ? c : nullptr;
    }
    case language::javascript:
    case language::jsx:
    case language::typescript:
    case language::tsx: {
      const symbol* c = member_of(type, "constructor", want::callable);
      return c && is_callable(c->kind) ? c : nullptr;
    }
    case language::java:
    case language::cpp: {
      const symbol* c = child_named(type, type->name, want::callable);
      return c && (c->kind == node_kind::constructor || c->kind == node_kind::method) ? prefer_definition(c) : nullptr;
    }
    default: return nullptr;
  }
}

const symbol* resolver::prefer_definition(const symbol* s) const {
  if (!s || !(s->modifiers & modifier::declaration) || !(lang_ == language::c || lang_ == language::cpp)) return s;
  for (auto i : symbols_.qualified(s->qualified_name)) {
    const auto& d = symbols_.at(i);
    if (d.kind == s->kind && !(d.modifiers & modifier::declaration)) return &d;
  }
  return s;
}

// A type as written ("Foo", "pkg.Foo", "Vec<T>", "call:make_foo") to its definition.
namespace {
struct nesting_guard {
  int& n;
  explicit nesting_guard(int& counter) : n(++counter) {}
  ~nesting_guard() { --n; }
  bool too_deep() const { return n > 12; }
};
}  // namespace

resolver::target resolver::resolve_type_text(std::string_view text, const symbol* source, int depth) {
  nesting_guard guard(nesting_);
  if (depth > 4 || guard.too_deep()) return {};
  if (text.starts_with("call:")) {  // the value a call returns
    auto callee = text.substr(5);
    auto parts = split_path(callee);
    if (parts.empty()) return {};
    auto qualifier = callee.substr(0, callee.size() - parts.back().size());
    while (!qualifier.empty() && (qualifier.back() == ':' || qualifier.back() == '.')) qualifier.remove_suffix(1);
    target fn = parts.size() == 1 ? resolve_plain(parts[0], source, want::callable)
                                  : resolve_qualified(parts.back(), qualifier, 0, source, want::callable);
    if (!fn.sym) return fn.how == resolution::external ? fn : target{};
    if (is_type(fn.sym->kind)) return {fn.sym, resolution::member};
    if (fn.sym->type_name.empty()) return {};
    return resolve_type_text(fn.sym->type_name, fn.sym, depth + 1);
  }
  auto t = bare_type(text);
  if (t.empty()) return {};
  if (t == "Self" || t == "self" || t == "this") {
    if (auto e = enclosing_type(source)) return {e, resolution::member};
    return receiver_type("self", source);
  }
  auto parts = split_path(t);
  if (parts.size() == 1) {
    for (const symbol* s = source; s; s = symbols_.parent_of(*s))  // enclosing types by name
      if (is_type(s->kind) && s->name == t) return {s, resolution::member};
    auto r = resolve_plain(t, source, want::type);
    if (r.sym && !is_type(r.sym->kind)) return {};
    return r;
  }
  auto owner = resolve_path(join(parts, ".", 0, parts.size() - 1), source);
  if (owner.how == resolution::external) return owner;
  if (!owner.sym) return {};
  const symbol* m = nullptr;
  if (owner.sym->kind == node_kind::file)
    m = child_named(owner.sym, parts.back(), want::type);
  else if (is_type(owner.sym->kind))
    m = member_of(owner.sym, parts.back(), want::type);
  else {
    m = child_named(owner.sym, parts.back(), want::type);
    if (!m && owner.sym->kind == node_kind::package && lang_ == language::go)
      for (auto f : symbols_.files_in_dir(directory_of(owner.sym->file)))
        if ((m = child_named(&symbols_.at(f), parts.back(), want::type))) break;
  }
  if (!m) return {};
  return {m, owner.how};
}

// The declared type of a field (or the return type of a method) of a type.
resolver::target resolver::type_of_member(const symbol* type, std::string_view member, int depth) {
  std::string key;
  for (const char* prefix : {"self.", "this."}) {  // local knowledge of this file first
    scope_key(key, type->id, prefix);
    key.append(member);
    if (auto it = bindings_.find(key); it != bindings_.end()) return resolve_type_text(it->second, type, depth + 1);
  }
  const symbol* m = member_of(type, member, want::any);
  if (!m || m->type_name.empty()) return {};
  return resolve_type_text(m->type_name, m, depth + 1);
}

// The type of a receiver expression: self/this, a typed variable, self.field chains,
// and (Java, C++) a field of the enclosing class named without `this`.
resolver::target resolver::receiver_type(std::string_view receiver, const symbol* source) {
  nesting_guard guard(nesting_);
  if (guard.too_deep()) return {};
  auto parts = split_path(receiver);
  if (parts.empty()) return {};
  target type;
  std::string key;
  for (const symbol* s = source; s && !type.sym && type.how != resolution::external; s = symbols_.parent_of(*s)) {
    scope_key(key, s->id, parts[0]);
    if (auto it = bindings_.find(key); it != bindings_.end()) type = resolve_type_text(it->second, s);
    if (s->kind == node_kind::file) break;
  }
  if (!type.sym && type.how != resolution::external &&
      (parts[0] == "self" || parts[0] == "this" || parts[0] == "cls" || parts[0] == "Self")) {
    if (auto e = enclosing_type(source)) type = {e, resolution::member};
  }
  if (!type.sym && type.how != resolution::external && class_scope_visible(lang_) && parts[0] != "this") {
    // An implicit this: a field of the enclosing class (or of the out-of-line method's class).
    const symbol* cls = enclosing_type(source);
    if (!cls) cls = receiver_type("this", source).sym;
    if (cls) type = type_of_member(cls, parts[0], 0);
  }
  for (size_t i = 1; type.sym && i < parts.size(); ++i) type = type_of_member(type.sym, parts[i], 0);
  return type;
}

resolver::target resolver::resolve_plain(std::string_view name, const symbol* source, want w) {
  if (name == "Self") {  // Rust: the type of the enclosing impl or trait
    if (auto e = enclosing_type(source)) return {e, resolution::member};
    auto self = receiver_type("self", source);
    if (self.sym) return {self.sym, resolution::member};
  }
  // 1. Lexical scopes, innermost first.
  for (const symbol* s = source; s; s = symbols_.parent_of(*s)) {
    bool visible = s == source || !is_type(s->kind) || class_scope_visible(lang_);
    if (visible)
      if (auto c = child_named(s, name, w))
        return {c, s->kind == node_kind::file ? resolution::local : resolution::local};
    if (is_type(s->kind) && class_scope_visible(lang_))
      if (auto m = member_of(s, name, w)) return {m, resolution::member};
    if (s->kind == node_kind::file) break;
  }
  if (!source && file_)
    if (auto c = child_named(file_, name, w)) return {c, resolution::local};
  // Java, C++: members of the class of an out-of-line method (`this` is bound).
  if (class_scope_visible(lang_) && source && !enclosing_type(source)) {
    std::string key;
    scope_key(key, source->id, "this");
    if (bindings_.count(key)) {
      auto self = receiver_type("this", source);
      if (self.sym)
        if (auto m = member_of(self.sym, name, w)) return {prefer_definition(m), resolution::member};
    }
  }
  // 2. Names bound by imports.
  auto [lo, hi] = imports_by_alias_.equal_range(std::string(name));
  for (auto it = lo; it != hi; ++it) {
    auto t = resolve_import(it->second);
    if (t.how == resolution::external) return t;
    // import { x } from './m' where m lacks x binds the module only for its imports edge.
    bool named_import = !refs_->imports[it->second].name.empty() && refs_->imports[it->second].name != "*";
    if (t.sym && t.sym->kind == node_kind::file && w != want::any && named_import &&
        (lang_ == language::javascript || lang_ == language::jsx || lang_ == language::typescript ||
         lang_ == language::tsx))
      continue;
    // A Rust call through a `use` of a module (a macro of that name the index lacks).
    if (t.sym && lang_ == language::rust && w != want::any &&
        (t.sym->kind == node_kind::file || t.sym->kind == node_kind::module))
      continue;
    if (t.sym) return {t.sym, resolution::import};
  }
  // 3. Everything a wildcard import brings in.
  for (auto i : wildcard_imports_) {
    auto t = resolve_import(i);
    if (!t.sym) continue;
    if (auto c = lang_ == language::rust ? rust_member(t.sym, name, w, 0) : child_named(t.sym, name, w))
      return {c, resolution::import};
    if (lang_ == language::python && t.sym->kind == node_kind::file) {  // what that module star-imports in turn
      auto m = python_member(t.sym, name, 0, nullptr);
      if (m.sym && suits(*m.sym, w)) return {m.sym, resolution::import};
    }
  }
  // 4. The package or module the file belongs to.
  switch (lang_) {
    case language::go:
      for (auto f : symbols_.files_in_dir(directory_of(path_)))
        if (auto c = child_named(&symbols_.at(f), name, w)) return {c, resolution::package};
      break;
    case language::java:
      if (!refs_->package.empty())
        if (auto b = best(symbols_.qualified(refs_->package + "." + std::string(name)), name, w))
          return {b, resolution::package};
      break;
    case language::c:
    case language::cpp:
      for (size_t i = 0; i < refs_->imports.size(); ++i) {
        auto t = resolve_import(i);
        if (t.sym && t.sym->kind == node_kind::file)
          if (auto c = child_named(t.sym, name, w)) return {c, resolution::import};
      }
      break;
    default: break;
  }
  // 5. The language's own runtime.
  if (is_builtin_name(lang_, name)) return {nullptr, resolution::external};
  // 6. C, C++ and script-style JS share one global namespace.
  if (lang_ == language::c || lang_ == language::cpp || lang_ == language::javascript || lang_ == language::jsx) {
    // Common names (`apply`, `impl`) have thousands of candidates in a big tree, and a
    // file asks for the same name many times: the answer is memoised per file.
    std::string key(name);
    key.push_back(static_cast<char>('0' + static_cast<int>(w)));
    if (auto it = global_cache_.find(key); it != global_cache_.end()) return it->second;
    target t;
    auto cands = symbols_.top_level_named(name);
    if (auto b = best(cands, name, w)) {
      int n = 0;
      for (auto i : cands)
        if (suits(symbols_.at(i), w) && ++n > 1) break;
      t = {b, n == 1 ? resolution::global : resolution::heuristic};
    }
    global_cache_.emplace(std::move(key), t);
    return t;
  }
  return {};
}

resolver::target resolver::resolve_qualified(std::string_view name, std::string_view qualifier, uint8_t flags,
                                             const symbol* source, want w) {
  if (flags & ref_flag::super_) {
    const symbol* type = enclosing_type(source);
    if (!type) return {};
    if (type->lang == language::python) {  // super().m: the next type in the MRO that defines m
      const auto& order = mro(type);
      for (const symbol* b : order)
        if (b != type)
          if (auto m = child_named(b, name, w)) return {m, resolution::member};
      // object's own (__init__, __new__) or a base outside the project's.
      bool open = std::any_of(order.begin(), order.end(), [&](const symbol* t) { return is_open(t); });
      if (open || (name.size() > 4 && name.starts_with("__") && name.ends_with("__"))) return external_target();
      return {};
    }
    std::vector<node_id> bases;
    if (auto it = local_bases_.find(type->id); it != local_bases_.end())
      bases = it->second;
    else if (bases_)
      bases = bases_(type->id);
    for (auto b : bases) {
      const symbol* base = symbols_.find(b);
      if (!base) continue;
      if (name == "<init>" || name == "constructor") {  // super(...) calls the base constructor
        if (auto ctor = member_of(base, name == "<init>" ? base->name : "constructor", want::callable))
          return {ctor, resolution::member};
        return {base, resolution::member};
      }
      if (auto m = member_of(base, name, w)) return {m, resolution::member};
    }
    return {};
  }
  if (qualifier == "()") return {};                              // a call result: receiver type unknown
  if (qualifier.ends_with("()") && lang_ != language::python) {  // make().run(): by make's declared return type
    auto recv = resolve_type_text("call:" + std::string(qualifier.substr(0, qualifier.size() - 2)), source);
    if (recv.how == resolution::external) return external_target();
    if (recv.sym && is_type(recv.sym->kind))
      if (auto m = member_of(recv.sym, name, w)) return {prefer_definition(m), resolution::member};
    return {};
  }
  if (name == "<init>" && qualifier == "this") {
    const symbol* type = enclosing_type(source);
    if (auto ctor = type ? member_of(type, type->name, want::callable) : nullptr) return {ctor, resolution::member};
    return {};
  }
  // A receiver whose type we know.
  auto recv = receiver_type(qualifier, source);
  if (recv.how == resolution::external) return {nullptr, resolution::external};
  if (recv.sym) {
    if (auto m = member_of(recv.sym, name, w)) return {prefer_definition(m), resolution::member};
    return {};
  }
  // A module, package, namespace or type path.
  auto owner = resolve_path(qualifier, source);
  if (owner.how == resolution::external) return owner;
  if (owner.sym) {
    const symbol* m = nullptr;
    if (lang_ == language::rust && !is_type(owner.sym->kind)) {
      m = rust_member(owner.sym, name, w, 0);
    } else if (owner.sym->kind == node_kind::file) {
      m = child_named(owner.sym, name, w);
      if (!m && lang_ == language::python) {
        auto t = python_member(owner.sym, name, 0, nullptr);
        if (t.how == resolution::external) return t;
        m = t.sym && (suits(*t.sym, w) || t.sym->kind == node_kind::file) ? t.sym : nullptr;
      }
    } else if (is_type(owner.sym->kind)) {
      m = member_of(owner.sym, name, w);
    } else {
      m = child_named(owner.sym, name, w);
      if (!m && owner.sym->kind == node_kind::package && lang_ == language::go)
        for (auto f : symbols_.files_in_dir(directory_of(owner.sym->file)))
          if ((m = child_named(&symbols_.at(f), name, w))) break;
    }
    if (m) return {m, owner.how == resolution::import ? resolution::import : resolution::package};
    // A project's own `namespace std { ... }` (specialisations of std::hash and the like)
    // does not make std::move the project's.
    if ((lang_ == language::cpp || lang_ == language::c) && is_builtin_qualifier(lang_, qualifier))
      return external_target();
    return {};
  }
  if (is_builtin_qualifier(lang_, qualifier)) return {nullptr, resolution::external};
  return {};
}

resolver::target resolver::resolve_ref(const raw_ref& r) {
  const symbol* source = symbols_.find(r.source);
  want w = r.kind == edge_kind::calls ? want::callable
           : (r.kind == edge_kind::inherits || r.kind == edge_kind::implements || r.kind == edge_kind::references ||
              r.kind == edge_kind::type_of)
               ? want::type
               : want::any;
  auto run = [&](want wanted) {
    return r.qualifier.empty() ? resolve_plain(r.name, source, wanted)
                               : resolve_qualified(r.name, r.qualifier, r.flags, source, wanted);
  };
  // new Foo(), Foo{}, <Foo />: the type itself, else a function that builds one.
  target t = run((r.flags & ref_flag::constructor) ? want::type : w);
  if ((r.flags & ref_flag::constructor) && !t.sym && t.how != resolution::external) t = run(w);
  t.sym = prefer_definition(t.sym);
  return t;
}

void resolver::emit(std::vector<edge>& out, node_id source, edge_kind kind, const target& t, std::string_view name,
                    std::string_view written, edge_site site) {
  edge e;
  e.source = source;
  e.kind = kind;
  e.how = t.sym ? (t.how == resolution::unresolved ? resolution::local : t.how)
                : (t.how == resolution::external ? resolution::external : resolution::unresolved);
  e.target = t.sym ? t.sym->id : unresolved_target_id(name);
  e.target_name = std::string(written);
  e.sites.push_back(site);
  out.push_back(std::move(e));
}

std::vector<edge> resolver::resolve_bases(std::string_view path, language lang, const file_references& refs) {
  begin_file(path, lang, refs);
  std::vector<edge> out;
  for (const auto& r : refs.refs) {
    if (!is_base_edge(r.kind)) continue;
    auto t = resolve_ref(r);
    std::string written = r.qualifier.empty() ? r.name : r.qualifier + std::string(sep_) + r.name;
    emit(out, r.source, r.kind, t, r.name, written, r.site);
    if (!t.sym && r.kind == edge_kind::inherits) open_types_.insert(r.source);
    if (t.sym && t.sym->id != r.source) {
      auto& known = local_bases_[r.source];
      if (std::find(known.begin(), known.end(), t.sym->id) == known.end()) {
        known.push_back(t.sym->id);
        mro_cache_.clear();
        interface_methods_.clear();  // an interface's embedded ones count
      }
    }
  }
  if (lang == language::go) go_implements(out);
  return out;
}

std::vector<resolver::cross_argument> resolver::preview_outgoing(std::string_view path, language lang,
                                                                 const file_references& refs) {
  begin_file(path, lang, refs);
  return take_outgoing();
}

std::vector<edge> resolver::resolve_file(std::string_view path, language lang, const file_references& refs) {
  std::vector<edge> raw = resolve_bases(path, lang, refs);
  for (size_t i = 0; i < refs.imports.size(); ++i) {
    const auto& imp = refs.imports[i];
    auto t = resolve_import(i);
    std::string written = imp.module;
    if (!imp.name.empty())
      written +=
          (written.empty() ? "" : std::string(lang == language::rust || lang == language::cpp ? "::" : ".")) + imp.name;
    if (written.empty()) continue;
    emit(raw, imp.source, edge_kind::imports, t, imp.name.empty() ? imp.module : imp.name, written, imp.site);
  }
  for (const auto& r : refs.refs) {
    if (is_base_edge(r.kind)) continue;
    bool value_call = r.name == "()" || r.name == "[]";  // f()(), table[k](): only values say
    auto t = value_call ? target{} : resolve_ref(r);
    if (t.sym && t.sym->id == r.source && r.kind != edge_kind::calls) continue;  // a type naming itself
    std::string qual = r.qualifier == "()" ? "<expr>" : r.qualifier;             // a call result or other expression
    std::string written =
        qual.empty() ? r.name
        : r.name == "()" || r.name == "[]"
            ? qual + r.name  // f()(), table[k]()
            : qual + std::string((r.flags & ref_flag::member) && lang_ != language::rust ? "." : sep_) + r.name;
    std::vector<target> targets{t};
    if (r.kind == edge_kind::calls && !t.sym && t.how != resolution::external && lang_ == language::python) {
      auto found = call_targets(r, symbols_.find(r.source));  // what the names hold
      if (!found.empty()) targets = std::move(found);
    } else if (r.kind == edge_kind::calls && r.qualifier.empty() && lang_ == language::python &&
               decorated_here(t.sym)) {
      // @logged def work(): work() calls what logged returned (its wrapper) when that is
      // the project's; a decorator from outside (functools.cache) keeps the definition.
      auto found = call_targets(r, symbols_.find(r.source));
      if (std::any_of(found.begin(), found.end(), [](const target& x) { return x.sym != nullptr; }))
        targets = std::move(found);
    } else if (r.kind == edge_kind::calls && !r.qualifier.empty() && lang_ == language::python && t.sym &&
               t.sym->kind == node_kind::method && decorated_here(t.sym)) {
      // self.run() or svc.run() where the class binds run to what @logged returned.
      auto found = targets_of(name_values(t.sym->name, symbols_.parent_of(*t.sym), 0), r);
      if (std::any_of(found.begin(), found.end(), [](const target& x) { return x.sym != nullptr; }))
        targets = std::move(found);
    }
    for (const auto& one : targets) {
      if (r.kind == edge_kind::calls && is_instantiation(r, one)) {
        emit_instantiation(raw, r, one, written);
        continue;
      }
      if (r.flags & ref_flag::raised) continue;  // raise e: not a call
      emit(raw, r.source, r.kind, one, r.name, written, r.site);
    }
  }
  overrides(raw);

  // One edge per (source, kind, target), with every site.
  std::map<std::tuple<node_id, uint8_t, node_id>, size_t> index;
  std::vector<edge> out;
  out.reserve(raw.size());
  for (auto& e : raw) {
    auto key = std::make_tuple(e.source, static_cast<uint8_t>(e.kind), e.target);
    auto [it, fresh] = index.emplace(key, out.size());
    if (fresh) {
      out.push_back(std::move(e));
    } else {
      auto& into = out[it->second];
      into.sites.insert(into.sites.end(), e.sites.begin(), e.sites.end());
    }
  }
  for (auto& e : out)
    if (e.sites.size() > 1) {
      std::sort(e.sites.begin(), e.sites.end(), [](const edge_site& a, const edge_site& b) {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
      });
      e.sites.erase(std::unique(e.sites.begin(), e.sites.end()), e.sites.end());
    }
  return out;
}

bool resolver::is_instantiation(const raw_ref& r, const target& t) const {
  if (!t.sym || !is_type(t.sym->kind)) return false;
  if (r.flags & (ref_flag::constructor | ref_flag::raised)) return true;
  return lang_ == language::python && t.sym->kind == node_kind::class_;  // C(): always an instance
}

void resolver::emit_instantiation(std::vector<edge>& out, const raw_ref& r, const target& t, std::string_view written) {
  emit(out, r.source, edge_kind::instantiates, t, r.name, written, r.site);
  if (const symbol* ctor = constructor_of(t.sym))
    emit(out, r.source, edge_kind::calls, {ctor, t.how}, r.name, written, r.site);
}

// A method overrides the nearest same-named method through each of its type's bases.
void resolver::overrides(std::vector<edge>& out) {
  if (!file_) return;
  for (auto i : symbols_.in_file(path_)) {
    const auto& m = symbols_.at(i);
    if (m.kind != node_kind::method) continue;
    const symbol* owner = symbols_.find(m.parent);
    if (!owner || !is_type(owner->kind)) continue;
    std::vector<node_id> bases;
    if (auto it = local_bases_.find(owner->id); it != local_bases_.end())
      bases = it->second;
    else if (bases_)
      bases = bases_(owner->id);
    for (auto b : bases) {
      const symbol* base = symbols_.find(b);
      if (!base || base->id == owner->id) continue;
      if (const symbol* over = member_of(base, m.name, want::callable)) {
        if (over->id == m.id || !is_callable(over->kind)) continue;
        edge e;
        e.source = m.id;
        e.target = over->id;
        e.kind = edge_kind::overrides;
        e.how = resolution::member;
        e.target_name = std::string(over->qualified_name);
        e.sites.push_back({m.line, 0});
        out.push_back(std::move(e));  // and on: with several bases, it overrides the method of each
      }
    }
  }
}

}  // namespace cg
