// Python: modules, classes, functions/methods (nested too), fields, module
// variables and constants, imports with aliases, calls, bases, annotations.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "actors/parser/extractors.hpp"
#include "actors/parser/grammars.hpp"
#include "actors/parser/symbols.hpp"
#include "schema/module_paths.hpp"

namespace cg {
namespace {

enum sym : int {
  s_none = 0,
  s_function,
  s_class,
  s_decorated,
  s_decorator,
  s_import,
  s_import_from,
  s_future,
  s_aliased_import,
  s_dotted_name,
  s_relative_import,
  s_import_prefix,
  s_wildcard,
  s_call,
  s_attribute,
  s_identifier,
  s_expression_statement,
  s_assignment,
  s_block,
  s_string,
  s_string_content,
  s_comment,
  s_typed_param,
  s_typed_default_param,
  s_type,
  s_subscript,
  s_keyword_argument,
  s_type_alias,
  s_pattern_list,
  s_tuple_pattern,
  s_generic_type,
  s_parameters,
  s_lambda,
  s_default_parameter,
  s_list_splat_pattern,
  s_dict_splat_pattern,
  s_return,
  s_yield,
  s_raise,
  s_for,
  s_named_expression,
  s_with_item,
  s_as_pattern,
  s_list,
  s_tuple,
  s_set,
  s_expression_list,
  s_dictionary,
  s_pair,
  s_conditional,
  s_boolean_operator,
  s_parenthesized,
  s_await,
  s_argument_list,
  s_list_splat,
  s_dictionary_splat,
};

enum fld : int {
  f_name = 1,
  f_body,
  f_parameters,
  f_return_type,
  f_superclasses,
  f_definition,
  f_module_name,
  f_alias,
  f_function,
  f_object,
  f_attribute,
  f_left,
  f_right,
  f_type,
  f_value,
  f_arguments,
};

struct tables {
  symbol_codes sym;
  field_ids fld;
  tables()
      : sym(grammar_for(language::python), {{"function_definition", s_function},
                                            {"class_definition", s_class},
                                            {"decorated_definition", s_decorated},
                                            {"decorator", s_decorator},
                                            {"import_statement", s_import},
                                            {"import_from_statement", s_import_from},
                                            {"future_import_statement", s_future},
                                            {"aliased_import", s_aliased_import},
                                            {"dotted_name", s_dotted_name},
                                            {"relative_import", s_relative_import},
                                            {"import_prefix", s_import_prefix},
                                            {"wildcard_import", s_wildcard},
                                            {"call", s_call},
                                            {"attribute", s_attribute},
                                            {"identifier", s_identifier},
                                            {"expression_statement", s_expression_statement},
                                            {"assignment", s_assignment},
                                            {"block", s_block},
                                            {"string", s_string},
                                            {"string_content", s_string_content},
                                            {"comment", s_comment},
                                            {"typed_parameter", s_typed_param},
                                            {"typed_default_parameter", s_typed_default_param},
                                            {"type", s_type},
                                            {"subscript", s_subscript},
                                            {"keyword_argument", s_keyword_argument},
                                            {"type_alias_statement", s_type_alias},
                                            {"pattern_list", s_pattern_list},
                                            {"tuple_pattern", s_tuple_pattern},
                                            {"generic_type", s_generic_type},
                                            {"parameters", s_parameters},
                                            {"lambda", s_lambda},
                                            {"default_parameter", s_default_parameter},
                                            {"list_splat_pattern", s_list_splat_pattern},
                                            {"dictionary_splat_pattern", s_dict_splat_pattern},
                                            {"return_statement", s_return},
                                            {"yield", s_yield},
                                            {"raise_statement", s_raise},
                                            {"for_statement", s_for},
                                            {"named_expression", s_named_expression},
                                            {"with_item", s_with_item},
                                            {"as_pattern", s_as_pattern},
                                            {"list", s_list},
                                            {"tuple", s_tuple},
                                            {"set", s_set},
                                            {"expression_list", s_expression_list},
                                            {"dictionary", s_dictionary},
                                            {"pair", s_pair},
                                            {"conditional_expression", s_conditional},
                                            {"boolean_operator", s_boolean_operator},
                                            {"parenthesized_expression", s_parenthesized},
                                            {"await", s_await},
                                            {"argument_list", s_argument_list},
                                            {"list_splat", s_list_splat},
                                            {"dictionary_splat", s_dictionary_splat}}),
        fld(grammar_for(language::python), {{"name", f_name},
                                            {"body", f_body},
                                            {"parameters", f_parameters},
                                            {"return_type", f_return_type},
                                            {"superclasses", f_superclasses},
                                            {"definition", f_definition},
                                            {"module_name", f_module_name},
                                            {"alias", f_alias},
                                            {"function", f_function},
                                            {"object", f_object},
                                            {"attribute", f_attribute},
                                            {"left", f_left},
                                            {"right", f_right},
                                            {"type", f_type},
                                            {"value", f_value},
                                            {"arguments", f_arguments}}) {}
};

const tables& T() {
  static const tables t;
  return t;
}

bool is_upper_constant(std::string_view name) {
  bool letter = false;
  for (char c : name) {
    if (c >= 'a' && c <= 'z') return false;
    if (c >= 'A' && c <= 'Z') letter = true;
  }
  return letter;
}

std::string cleandoc(std::string_view s) {
  // Like inspect.cleandoc: strip the first line, dedent the rest by their common indent.
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (true) {
    auto eol = s.find('\n', pos);
    lines.push_back(s.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos));
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  size_t indent = std::string_view::npos;
  for (size_t i = 1; i < lines.size(); ++i) {
    auto l = lines[i];
    auto first = l.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) indent = std::min(indent, first);
  }
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto l = lines[i];
    if (i == 0) {
      auto f = l.find_first_not_of(" \t\r");
      l = f == std::string_view::npos ? std::string_view{} : l.substr(f);
    } else if (indent != std::string_view::npos && l.size() >= indent) {
      l = l.substr(indent);
    } else {
      auto f = l.find_first_not_of(" \t\r");
      l = f == std::string_view::npos ? std::string_view{} : l.substr(f);
    }
    while (!l.empty() && (l.back() == ' ' || l.back() == '\r' || l.back() == '\t')) l.remove_suffix(1);
    if (!out.empty() || !l.empty()) {
      if (!out.empty() || i > 0) out.push_back('\n');
      out.append(l);
    }
  }
  while (!out.empty() && out.front() == '\n') out.erase(out.begin());
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class python_extractor final : public extractor {
 public:
  python_extractor(const extract_input& in, file_extract& out) : extractor(in, out, ".") {}

 private:
  using value_list = std::vector<std::string>;
  using local_values = std::unordered_map<std::string, value_list>;
  static constexpr size_t max_values = 8;  // per expression and per function's returns

  struct ctx {
    uint32_t scope = 0;              // node receiving definitions and references
    uint32_t cls = 0;                // enclosing class (0: none)
    bool class_body = false;         // directly in a class body
    std::string self_name;           // first parameter of the enclosing method ("self")
    value_list* returns = nullptr;   // what the enclosing function returns or yields
    local_values* locals = nullptr;  // the enclosing function's names and their values
  };

  void extract(TSNode root) override {
    set_module_scope(python_module_path(in_.path));
    ctx c;
    descend(root, [&](TSNode n) { visit(n, c); });
  }

  void visit(TSNode n, const ctx& c) {
    switch (T().sym(n)) {
      case s_function: on_function(n, n, c); return;
      case s_class: on_class(n, n, c); return;
      case s_decorated: on_decorated(n, c); return;
      case s_import: on_import(n, c); return;
      case s_import_from: on_import_from(n, c); return;
      case s_future: return;
      case s_call: on_call(n, c); break;
      case s_assignment: on_assignment(n, c); break;
      case s_type_alias: on_type_alias(n, c); return;
      case s_comment: return;
      case s_string:  // a third of all nodes are strings' parts: only an f-string's hold code
        if (!is_format_string(n) && !ts_node_has_error(n)) return;
        break;
      case s_return: on_return(n, c, false); break;
      case s_yield: on_return(n, c, true); break;
      case s_raise: on_raise(n, c); break;
      case s_for: bind_target(field(n, T().fld[f_left]), field(n, T().fld[f_right]), "elem:", c); break;
      case s_named_expression: bind_target(field(n, T().fld[f_name]), field(n, T().fld[f_value]), "", c); break;
      case s_with_item: on_with_item(n, c); break;
      default: break;
    }
    descend(n, [&](TSNode ch) { visit(ch, c); });
  }

  // f"...", rf'...', F"""...""": the prefix before the first quote names it.
  bool is_format_string(TSNode n) const {
    for (char ch : text(n)) {
      if (ch == '"' || ch == '\'') return false;
      if (ch == 'f' || ch == 'F') return true;
    }
    return false;
  }

  std::string docstring_of(TSNode body) {
    if (null(body)) return {};
    // The first statement only (not a walk over the whole body, which visit makes).
    TSNode stmt = ts_node_named_child(body, 0);
    if (null(stmt) || T().sym(stmt) != s_expression_statement) return {};
    TSNode s = ts_node_named_child(stmt, 0);
    if (null(s) || T().sym(s) != s_string) return {};
    std::string raw;
    for_named_children(s, [&](TSNode part, TSFieldId) {
      if (T().sym(part) == s_string_content) raw.append(text(part));
    });
    return str(cleandoc(raw));
  }

  void on_decorated(TSNode n, const ctx& c) {
    TSNode def = field(n, T().fld[f_definition]);
    if (null(def)) {
      descend(n, [&](TSNode ch) { visit(ch, c); });
      return;
    }
    if (T().sym(def) == s_function)
      on_function(def, n, c);
    else if (T().sym(def) == s_class)
      on_class(def, n, c);
  }

  // Decorators are applied where the definition is made: calls from the definition.
  void decorators(TSNode decorated, uint32_t target, uint16_t& mods, const ctx& outer) {
    if (decorated.id == nullptr) return;
    ctx dc = outer;
    dc.scope = target;
    std::vector<std::string> applied;  // the decorators written as a path, outermost first
    for_named_children(decorated, [&](TSNode d, TSFieldId) {
      if (T().sym(d) != s_decorator) return;
      TSNode e = ts_node_named_child(d, 0);
      if (null(e)) return;
      auto t = text(e);
      if (t == "staticmethod")
        mods |= modifier::static_;
      else if (t == "abstractmethod" || t == "abc.abstractmethod")
        mods |= modifier::abstract;
      int s = T().sym(e);
      if (s == s_identifier)
        add_ref(target, edge_kind::calls, str(e), "", e);
      else if (s == s_attribute)
        ref_attribute(e, target, edge_kind::calls, 0);
      else
        visit(e, dc);
      if (is_path(e)) applied.push_back(str(e));
    });
    bind_decorated(applied, target, outer);
  }

  // @a @b def f: f = a(b(f)). The name holds what the outermost returns, evaluated by
  // the resolver as the project's wrapper when there is one, else the definition itself
  // ("deco:a:f"); each decorator's first parameter is what the next one in returned.
  void bind_decorated(const std::vector<std::string>& applied, uint32_t target, const ctx& outer) {
    if (applied.empty()) return;
    for (const auto& d : applied)
      if (d == "staticmethod" || d == "classmethod" || d == "property" || d.ends_with(".setter") ||
          d.ends_with(".getter") || d.ends_with(".deleter") || d.ends_with("abstractmethod") || d.ends_with("overload"))
        return;
    const std::string name(at(target).name);
    for (size_t i = 0; i < applied.size(); ++i)
      add_binding(outer.scope, "()" + applied[i] + "#0",
                  i + 1 < applied.size() ? "call:" + applied[i + 1] : "def:" + name);
    add_binding(outer.scope, name, "deco:" + applied.front() + ":" + name);
  }

  void ref_attribute(TSNode attr, uint32_t scope, edge_kind k, uint8_t flags) {
    TSNode obj = field(attr, T().fld[f_object]);
    TSNode name = field(attr, T().fld[f_attribute]);
    if (null(name)) return;
    std::string qual;
    if (!null(obj)) {
      int os = T().sym(obj);
      if (os == s_identifier || os == s_attribute) {
        qual = str(obj);
        flags |= ref_flag::member;
      } else if (os == s_call && text(field(obj, T().fld[f_function])) == "super") {
        qual = "super";
        flags |= ref_flag::super_;
      } else if (os == s_call && is_path(field(obj, T().fld[f_function]))) {
        qual = str(field(obj, T().fld[f_function])) + "()";  // make().run(): the value analysis follows it
        flags |= ref_flag::member;
      } else if (const char* lt = literal_type(obj)) {  // "a, b".split(): a method of str
        qual = lt;
        flags |= ref_flag::member;
      } else if (os == s_subscript && is_path(field(obj, T().fld[f_value]))) {
        qual = str(field(obj, T().fld[f_value])) + "[]";
        flags |= ref_flag::member;
      } else {
        qual = "()";
        flags |= ref_flag::member;
      }
    }
    add_ref(scope, k, str(name), std::move(qual), name, flags);
  }

  // Names of types in an annotation: Foo, mod.Foo, Optional[Foo] -> refs of kind k.
  void type_refs(TSNode t, uint32_t scope, edge_kind k) {
    if (null(t)) return;
    int s = T().sym(t);
    if (s == s_identifier) {
      add_ref(scope, k, str(t), "", t);
      return;
    }
    if (s == s_attribute) {
      ref_attribute(t, scope, k, 0);
      return;
    }
    if (s == s_string) return;  // forward references in quotes are not followed
    for_named_children(t, [&](TSNode ch, TSFieldId) { type_refs(ch, scope, k); });
  }

  void on_function(TSNode fn, TSNode whole, const ctx& c) {
    TSNode name = field(fn, T().fld[f_name]);
    TSNode body = field(fn, T().fld[f_body]);
    TSNode params = field(fn, T().fld[f_parameters]);
    def d;
    d.name = str(name);
    d.whole = whole;
    d.name_node = name;
    d.parent = c.scope;
    d.kind = c.class_body ? (d.name == "__init__" ? node_kind::constructor : node_kind::method) : node_kind::function;
    if (text(fn).starts_with("async")) d.modifiers |= modifier::async;  // its first token
    if (d.name.size() > 1 && d.name[0] == '_' && !(d.name.starts_with("__") && d.name.ends_with("__")))
      d.vis = visibility::private_;
    auto sig_end = null(body) ? ts_node_end_byte(fn) : ts_node_start_byte(body);
    d.signature = signature_of(ts_node_start_byte(fn), sig_end);
    if (!d.signature.empty() && d.signature.back() == ':') d.signature.pop_back();
    d.doc = docstring_of(body);
    if (TSNode rt = field(fn, T().fld[f_return_type]); !null(rt)) d.type_name = str(rt);
    uint16_t mods = 0;
    uint32_t idx = add_def(std::move(d));
    if (whole.id != fn.id) decorators(whole, idx, mods, c);
    at(idx).modifiers |= mods;

    ctx inner;
    inner.scope = idx;
    inner.cls = c.cls;
    inner.self_name = c.self_name;
    value_list returns;
    local_values locals;
    inner.returns = &returns;
    inner.locals = &locals;
    bool is_method = c.class_body && !(mods & modifier::static_);
    bool first_param = true;
    std::string param_list;  // "self,x,*,key,*args,**kw": where call sites' arguments land
    if (!null(params)) {
      for_named_children(params, [&](TSNode p, TSFieldId) {
        int ps = T().sym(p);
        if (ps != s_comment) {
          auto written = text(p);
          written = written.substr(0, written.find_first_of(":="));
          while (!written.empty() && (written.back() == ' ' || written.back() == '\n')) written.remove_suffix(1);
          if (!written.empty()) param_list.append(param_list.empty() ? "" : ",").append(written);
        }
        std::string pname;
        TSNode ptype{};
        if (ps == s_identifier) {
          pname = str(p);
        } else if (ps == s_typed_param) {
          TSNode id = ts_node_named_child(p, 0);
          if (!null(id) && T().sym(id) == s_identifier) pname = str(id);
          ptype = field(p, T().fld[f_type]);
        } else if (ps == s_typed_default_param || ps == s_default_parameter) {
          TSNode id = field(p, T().fld[f_name]);
          if (!null(id) && T().sym(id) == s_identifier) pname = str(id);
          ptype = field(p, T().fld[f_type]);
          TSNode value = field(p, T().fld[f_value]);
          if (!null(value)) {
            visit(value, c);  // defaults run in the enclosing scope
            value_list vals;
            value_texts(value, vals);
            for (auto& v : vals) add_binding(idx, pname, v);
          }
        }
        if (first_param && is_method && !pname.empty()) {
          inner.self_name = pname;
          add_binding(idx, pname, at(c.cls).name);
        } else if (!null(ptype)) {
          add_binding(idx, pname, str(ptype));
          type_refs(ptype, idx, edge_kind::references);
        }
        first_param = false;
      });
    }
    add_binding(idx, "()", param_list);
    type_refs(field(fn, T().fld[f_return_type]), idx, edge_kind::references);
    if (!null(body)) for_children(body, [&](TSNode ch, TSFieldId) { visit(ch, inner); });
    // Unannotated: what it returns (or yields), for values that flow out of calls.
    if (at(idx).type_name.empty() && !returns.empty()) {
      std::string joined;
      for (auto& r : returns) joined += (joined.empty() ? "" : "|") + r;
      at(idx).type_name = str(joined);
    }
  }

  void on_class(TSNode cls, TSNode whole, const ctx& c) {
    TSNode name = field(cls, T().fld[f_name]);
    TSNode body = field(cls, T().fld[f_body]);
    def d;
    d.kind = node_kind::class_;
    d.name = str(name);
    d.whole = whole;
    d.name_node = name;
    d.parent = c.scope;
    auto sig_end = null(body) ? ts_node_end_byte(cls) : ts_node_start_byte(body);
    d.signature = signature_of(ts_node_start_byte(cls), sig_end);
    if (!d.signature.empty() && d.signature.back() == ':') d.signature.pop_back();
    d.doc = docstring_of(body);
    if (d.name.size() > 1 && d.name[0] == '_') d.vis = visibility::private_;
    uint16_t mods = 0;
    uint32_t idx = add_def(std::move(d));
    if (whole.id != cls.id) decorators(whole, idx, mods, c);

    TSNode supers = field(cls, T().fld[f_superclasses]);
    if (!null(supers)) {
      for_named_children(supers, [&](TSNode a, TSFieldId) {
        int s = T().sym(a);
        if (s == s_identifier) {
          add_ref(idx, edge_kind::inherits, str(a), "", a);
        } else if (s == s_attribute) {
          ref_attribute(a, idx, edge_kind::inherits, ref_flag::scoped);
        } else if (s == s_subscript) {  // Generic[T], Base[int]
          TSNode v = field(a, T().fld[f_value]);
          if (!null(v) && T().sym(v) == s_identifier)
            add_ref(idx, edge_kind::inherits, str(v), "", v);
          else if (!null(v) && T().sym(v) == s_attribute)
            ref_attribute(v, idx, edge_kind::inherits, ref_flag::scoped);
        } else if (s == s_keyword_argument) {  // metaclass=Meta
          TSNode v = field(a, T().fld[f_value]);
          if (!null(v)) type_refs(v, idx, edge_kind::references);
        } else {
          visit(a, c);
        }
      });
    }
    ctx inner;
    inner.scope = idx;
    inner.cls = idx;
    inner.class_body = true;
    if (!null(body)) for_children(body, [&](TSNode ch, TSFieldId) { visit(ch, inner); });
  }

  void on_import(TSNode n, const ctx& c) {
    for_named_children(n, [&](TSNode item, TSFieldId) {
      int s = T().sym(item);
      std::string module, alias;
      TSNode site = item;
      if (s == s_dotted_name) {
        module = str(item);
        alias = module.substr(0, module.find('.'));  // `import a.b` binds a
      } else if (s == s_aliased_import) {
        module = str(field(item, T().fld[f_name]));
        alias = str(field(item, T().fld[f_alias]));
      } else {
        return;
      }
      uint32_t imp = import_node(n, item, alias, c);
      // What the bound name holds, for other files (`import a.b` binds the package a).
      at(imp).type_name = str("import:" + (s == s_dotted_name ? alias : module));
      add_import(imp, module, "", alias, site, 0);
    });
  }

  void on_import_from(TSNode n, const ctx& c) {
    TSNode mod = field(n, T().fld[f_module_name]);
    std::string module;
    uint8_t level = 0;
    if (!null(mod)) {
      if (T().sym(mod) == s_relative_import) {
        for_named_children(mod, [&](TSNode part, TSFieldId) {
          if (T().sym(part) == s_import_prefix)
            level = static_cast<uint8_t>(ts_node_end_byte(part) - ts_node_start_byte(part));
          else if (T().sym(part) == s_dotted_name)
            module = str(part);
        });
      } else {
        module = str(mod);
      }
    }
    bool any = false;
    for_children(n, [&](TSNode item, TSFieldId fid) {
      int s = T().sym(item);
      if (s == s_wildcard) {
        uint32_t imp = import_node(n, item, "*", c);
        at(imp).type_name = str("import:" + absolute_module(module, level));
        add_import(imp, module, "*", "", item, level);
        any = true;
        return;
      }
      if (fid != T().fld[f_name]) return;
      std::string name, alias;
      if (s == s_dotted_name) {
        name = str(item);
        alias = name;
      } else if (s == s_aliased_import) {
        name = str(field(item, T().fld[f_name]));
        alias = str(field(item, T().fld[f_alias]));
      } else {
        return;
      }
      uint32_t imp = import_node(n, item, alias, c);
      at(imp).type_name = str("import:" + absolute_module(module, level) + ":" + name);
      add_import(imp, module, name, alias, item, level);
      any = true;
    });
    (void)any;
  }

  // A relative import's module made absolute against this file (from ..a import b).
  std::string absolute_module(const std::string& module, uint8_t level) const {
    if (level == 0) return module;
    std::string base = python_module_path(in_.path);
    bool is_init = in_.path.ends_with("__init__.py") || in_.path.ends_with("__init__.pyi");
    int drop = level - (is_init ? 1 : 0);
    for (int k = 0; k < drop; ++k) {
      auto dot = base.rfind('.');
      base = dot == std::string::npos ? std::string() : base.substr(0, dot);
    }
    if (module.empty()) return base;
    return base.empty() ? module : base + "." + module;
  }

  uint32_t import_node(TSNode stmt, TSNode item, const std::string& alias, const ctx& c) {
    def d;
    d.kind = node_kind::import;
    d.name = alias;
    d.whole = item;
    d.name_node = item;
    d.parent = c.scope;
    d.signature = signature_of(ts_node_start_byte(stmt), ts_node_end_byte(stmt));
    return add_def(std::move(d));
  }

  void on_call(TSNode n, const ctx& c) {
    TSNode fn = field(n, T().fld[f_function]);
    if (null(fn)) return;
    int s = T().sym(fn);
    if (s == s_identifier) {
      add_ref(c.scope, edge_kind::calls, str(fn), "", fn);
    } else if (s == s_attribute) {
      ref_attribute(fn, c.scope, edge_kind::calls, 0);
    } else if (s == s_call && is_path(field(fn, T().fld[f_function]))) {
      // f()(): calls what f returns; "()" names that value.
      add_ref(c.scope, edge_kind::calls, "()", str(field(fn, T().fld[f_function])), fn, ref_flag::member);
    } else if (s == s_subscript && is_path(field(fn, T().fld[f_value]))) {
      // table[key](): calls an element of table; "[]" names it.
      add_ref(c.scope, edge_kind::calls, "[]", str(field(fn, T().fld[f_value])), fn, ref_flag::member);
    }
    if (s == s_identifier || (s == s_attribute && is_path(fn)))
      bind_arguments(str(fn), field(n, T().fld[f_arguments]), c);
  }

  // The values passed at a call, for the parameters they land in: bindings "()CALLEE#SLOT"
  // in the caller's scope, SLOT a position or a keyword (actors/graph/value_flow.cpp).
  // Literals are left out: they hold no calls. After *xs the positions are unknown.
  void bind_arguments(const std::string& callee, TSNode args, const ctx& c) {
    if (null(args) || T().sym(args) != s_argument_list) return;
    uint32_t position = 0;
    bool positions_known = true;
    for_named_children(args, [&](TSNode a, TSFieldId) {
      int s = T().sym(a);
      std::string slot;
      TSNode value = a;
      if (s == s_keyword_argument) {
        slot = text(field(a, T().fld[f_name]));
        value = field(a, T().fld[f_value]);
      } else if (s == s_list_splat || s == s_dictionary_splat) {
        positions_known = false;
        return;
      } else if (s == s_comment) {
        return;
      } else if (positions_known) {
        slot = std::to_string(position++);
      } else {
        return;
      }
      value_list vals;
      value_texts(value, vals);
      for (auto& v : vals)
        if (v.starts_with("ref:") || v.starts_with("call:") || v.starts_with("in:") || v.starts_with("elem:") ||
            v.starts_with("get:"))
          add_binding(c.scope, "()" + callee + "#" + slot, v);
    });
  }

  static void push_value(value_list& out, std::string v) {
    if (out.size() < max_values && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  }

  // A path of names: a, a.b.c (identifiers and attributes only).
  bool is_path(TSNode n) const {
    int s = T().sym(n);
    if (s == s_identifier) return true;
    if (s != s_attribute) return false;
    TSNode o = field(n, T().fld[f_object]);
    return !null(o) && is_path(o);
  }

  // What an expression may evaluate to, as value texts the resolver evaluates
  // (actors/graph/value_flow.hpp): ref:PATH, call:PATH or call:VALUE, get:PATH
  // (d.get(k)), elem:VALUE (a subscript, an iteration), in:VALUE (a container
  // holding it), or a builtin type for literals.
  void value_texts(TSNode e, value_list& out, int depth = 0) {
    if (null(e) || depth > 4 || out.size() >= max_values) return;
    auto wrap = [&](TSNode inner, const char* prefix) {
      value_list in;
      value_texts(inner, in, depth + 1);
      for (auto& t : in) push_value(out, prefix + t);
    };
    switch (T().sym(e)) {
      case s_identifier:
      case s_attribute:
        if (is_path(e)) push_value(out, "ref:" + str(e));
        return;
      case s_call: {
        TSNode fn = field(e, T().fld[f_function]);
        if (null(fn)) return;
        if (T().sym(fn) == s_attribute && is_path(fn)) {
          auto attr = text(field(fn, T().fld[f_attribute]));
          if (attr == "get" || attr == "pop" || attr == "setdefault") {
            push_value(out, "get:" + str(field(fn, T().fld[f_object])));
            return;
          }
        }
        if (is_path(fn))
          push_value(out, "call:" + str(fn));
        else
          wrap(fn, "call:");
        return;
      }
      case s_subscript: wrap(field(e, T().fld[f_value]), "elem:"); return;
      case s_list:
      case s_tuple:
      case s_set:
      case s_expression_list:
        for_named_children(e, [&](TSNode el, TSFieldId) { wrap(el, "in:"); });
        push_value(out, literal_type(e) ? literal_type(e) : "tuple");
        return;
      case s_dictionary:
        for_named_children(e, [&](TSNode pr, TSFieldId) {
          if (T().sym(pr) == s_pair) wrap(field(pr, T().fld[f_value]), "in:");
        });
        push_value(out, "dict");
        return;
      case s_conditional: {
        uint32_t i = 0;
        for_named_children(e, [&](TSNode part, TSFieldId) {
          if (i++ != 1) value_texts(part, out, depth + 1);  // the middle one is the condition
        });
        return;
      }
      case s_boolean_operator:
        value_texts(field(e, T().fld[f_left]), out, depth + 1);
        value_texts(field(e, T().fld[f_right]), out, depth + 1);
        return;
      case s_parenthesized:
      case s_await: value_texts(ts_node_named_child(e, 0), out, depth + 1); return;
      default:
        if (auto lt = literal_type(e)) push_value(out, lt);
        return;
    }
  }

  // Binds the names of an assignment-like target (x, a, b) to the values of `value`;
  // `prefix` "elem:" for iterations (for x in value).
  void bind_target(TSNode target, TSNode value, const char* prefix, const ctx& c) {
    if (null(target) || null(value)) return;
    int ts = T().sym(target);
    if (ts == s_identifier) {
      value_list vals;
      value_texts(value, vals);
      bind_name(str(target), vals, prefix, c);
      return;
    }
    if (ts != s_pattern_list && ts != s_tuple_pattern) return;
    std::vector<TSNode> names, values;
    for_named_children(target, [&](TSNode n, TSFieldId) { names.push_back(n); });
    int vs = T().sym(value);
    if (*prefix == 0 && (vs == s_expression_list || vs == s_tuple))
      for_named_children(value, [&](TSNode n, TSFieldId) { values.push_back(n); });
    for (size_t i = 0; i < names.size(); ++i) {
      if (T().sym(names[i]) != s_identifier) continue;
      value_list vals;
      if (values.size() == names.size()) {  // a, b = f, g: pairwise
        value_texts(values[i], vals);
        bind_name(str(names[i]), vals, "", c);
      } else {  // a, b = pair; for k, v in items: an element each
        value_texts(value, vals);
        bind_name(str(names[i]), vals, *prefix ? "elem:elem:" : "elem:", c);
      }
    }
  }

  void bind_name(const std::string& name, const value_list& vals, std::string_view prefix, const ctx& c) {
    for (auto& v : vals) {
      std::string t = std::string(prefix) + v;
      add_binding(c.scope, name, t);
      if (c.locals) push_value((*c.locals)[name], std::move(t));
    }
  }

  void on_with_item(TSNode n, const ctx& c) {
    TSNode v = field(n, T().fld[f_value]);
    if (null(v) || T().sym(v) != s_as_pattern) return;
    TSNode alias = field(v, T().fld[f_alias]);
    TSNode id = null(alias) ? alias : ts_node_named_child(alias, 0);
    if (!null(id)) bind_target(id, ts_node_named_child(v, 0), "", c);
  }

  // return x / yield x: what the function gives its callers. A name bound in the
  // function is replaced by its values, so that callers in other files see them.
  void on_return(TSNode n, const ctx& c, bool is_yield) {
    if (!c.returns) return;
    TSNode e = ts_node_named_child(n, 0);
    if (null(e)) return;
    value_list vals;
    value_texts(e, vals);
    bool from = is_yield && text(n).starts_with("yield from");
    auto give = [&](const std::string& v) { push_value(*c.returns, is_yield ? (from ? "in:elem:" : "in:") + v : v); };
    for (auto& v : vals) {
      if (c.locals && v.starts_with("ref:") && v.find('.') == std::string::npos)
        if (auto it = c.locals->find(v.substr(4)); it != c.locals->end()) {
          for (auto& lv : it->second) give(lv);
          continue;
        }
      give(v);
    }
  }

  // raise E: E is instantiated (when it is a class; the resolver checks).
  void on_raise(TSNode n, const ctx& c) {
    TSNode e = ts_node_named_child(n, 0);
    if (null(e)) return;
    int s = T().sym(e);
    if (s == s_identifier)
      add_ref(c.scope, edge_kind::calls, str(e), "", e, ref_flag::raised);
    else if (s == s_attribute && is_path(e))
      ref_attribute(e, c.scope, edge_kind::calls, ref_flag::raised);
  }

  // The builtin type of a literal: [] -> list, {} -> dict, "" -> str, ...
  static const char* literal_type(TSNode n) {
    std::string_view t = ts_node_type(n);
    if (t == "list" || t == "list_comprehension") return "list";
    if (t == "dictionary" || t == "dictionary_comprehension") return "dict";
    if (t == "set" || t == "set_comprehension") return "set";
    if (t == "tuple") return "tuple";
    if (t == "string" || t == "concatenated_string") return "str";
    if (t == "integer") return "int";
    if (t == "float") return "float";
    return nullptr;
  }

  // Module variables and constants, class fields, self.x fields; local type knowledge
  // and the values names are bound to.
  void on_assignment(TSNode n, const ctx& c) {
    TSNode left = field(n, T().fld[f_left]);
    TSNode right = field(n, T().fld[f_right]);
    TSNode type = field(n, T().fld[f_type]);
    if (null(left)) return;
    int ls = T().sym(left);
    std::string type_text;
    if (!null(type))
      type_text = str(type);
    else if (!null(right) && literal_type(right))
      type_text = literal_type(right);
    else if (!null(right) && T().sym(right) == s_call) {
      TSNode callee = field(right, T().fld[f_function]);
      int cs = null(callee) ? 0 : T().sym(callee);
      if (cs == s_identifier || cs == s_attribute) type_text = "call:" + str(callee);  // the result of a call
    }
    value_list vals;
    if (!type_text.empty() && !null(type)) vals.push_back(type_text);
    if (!null(right)) value_texts(right, vals);
    auto define = [&](TSNode id) {
      std::string name = str(id);
      if (c.scope == 0 || (c.class_body && c.scope == c.cls)) {
        if (!defined_.insert({c.scope, name}).second) return;
        def d;
        d.kind =
            c.class_body ? node_kind::field : (is_upper_constant(name) ? node_kind::constant : node_kind::variable);
        d.name = name;
        d.whole = n;
        d.name_node = id;
        d.parent = c.scope;
        d.signature =
            signature_of(ts_node_start_byte(n), null(right) ? ts_node_end_byte(n) : ts_node_start_byte(right));
        if (!d.signature.empty() && d.signature.back() == '=') d.signature.pop_back();
        while (!d.signature.empty() && d.signature.back() == ' ') d.signature.pop_back();
        if (name.size() > 1 && name[0] == '_') d.vis = visibility::private_;
        d.type_name = type_text;
        if (d.type_name.empty())  // x = f, x = make(): what it holds, for other files' value analysis
          for (size_t k = 0; k < vals.size() && k < 4; ++k) d.type_name += (k ? "|" : "") + vals[k];
        uint32_t idx = add_def(std::move(d));
        if (!null(type)) type_refs(type, idx, edge_kind::type_of);
      }
    };
    if (ls == s_identifier) {
      define(left);
      bind_name(str(left), vals, "", c);
      if (!type_text.empty() && std::find(vals.begin(), vals.end(), type_text) == vals.end())
        add_binding(c.scope, str(left), type_text);
    } else if (ls == s_pattern_list || ls == s_tuple_pattern) {
      if (c.scope == 0 || c.class_body)
        for_named_children(left, [&](TSNode id, TSFieldId) {
          if (T().sym(id) == s_identifier) define(id);
        });
      bind_target(left, right, "", c);
    } else if (ls == s_attribute && c.cls != 0 && !c.self_name.empty()) {
      TSNode obj = field(left, T().fld[f_object]);
      TSNode attr = field(left, T().fld[f_attribute]);
      if (!null(obj) && !null(attr) && text(obj) == c.self_name) {
        std::string name = str(attr);
        if (defined_.insert({c.cls, name}).second) {
          def d;
          d.kind = node_kind::field;
          d.name = name;
          d.whole = n;
          d.name_node = attr;
          d.parent = c.cls;
          d.signature = signature_of(ts_node_start_byte(left), ts_node_end_byte(left));
          if (name.size() > 1 && name[0] == '_') d.vis = visibility::private_;
          d.type_name = type_text;
          uint32_t idx = add_def(std::move(d));
          if (!null(type)) type_refs(type, idx, edge_kind::type_of);
        }
        for (auto& v : vals) add_binding(c.cls, "self." + name, v);
        if (!type_text.empty() && std::find(vals.begin(), vals.end(), type_text) == vals.end())
          add_binding(c.cls, "self." + name, type_text);
      }
    }
  }

  void on_type_alias(TSNode n, const ctx& c) {
    TSNode left = field(n, T().fld[f_left]);
    TSNode right = field(n, T().fld[f_right]);
    def d;
    d.kind = node_kind::type_alias;
    TSNode id = null(left) ? left : ts_node_named_child(left, 0);
    if (!null(id) && T().sym(id) == s_generic_type) id = ts_node_named_child(id, 0);
    d.name = null(id) ? std::string() : str(id);
    if (d.name.empty()) return;
    d.whole = n;
    d.name_node = id;
    d.parent = c.scope;
    d.signature = signature_of(ts_node_start_byte(n), ts_node_end_byte(n));
    uint32_t idx = add_def(std::move(d));
    type_refs(right, idx, edge_kind::references);
  }

  struct pair_hash {
    size_t operator()(const std::pair<uint32_t, std::string>& p) const {
      return std::hash<std::string>()(p.second) ^ (static_cast<size_t>(p.first) * 0x9e3779b97f4a7c15ull);
    }
  };
  std::unordered_set<std::pair<uint32_t, std::string>, pair_hash> defined_;
};

}  // namespace

void extract_python(const extract_input& in, TSNode root, file_extract& out) {
  python_extractor x(in, out);
  x.run(root);
}

}  // namespace cg
