// JavaScript, JSX, TypeScript, TSX (one walker; TS adds interfaces, enums, type
// aliases, namespaces and annotations): functions (declared, and const f = () => ..),
// classes (methods, fields, accessors), object-literal methods, prototype methods,
// ES imports/exports and require(), calls, new, JSX components, extends/implements.
#include <unordered_map>

#include "actors/parser/extractors.hpp"
#include "actors/parser/grammars.hpp"
#include "actors/parser/symbols.hpp"
#include "schema/module_paths.hpp"

namespace cg {
namespace {

enum sym : int {
  s_none = 0,
  s_function_decl,
  s_generator_decl,
  s_function_expr,
  s_arrow,
  s_class_decl,
  s_abstract_class,
  s_class,
  s_method_def,
  s_method_sig,
  s_abstract_method_sig,
  s_interface,
  s_type_alias,
  s_enum,
  s_enum_body,
  s_enum_assignment,
  s_module,
  s_internal_module,
  s_lexical_decl,
  s_variable_decl,
  s_declarator,
  s_public_field,
  s_field_def,
  s_property_sig,
  s_import,
  s_import_clause,
  s_named_imports,
  s_import_specifier,
  s_namespace_import,
  s_export,
  s_export_clause,
  s_export_specifier,
  s_call,
  s_new,
  s_member,
  s_class_heritage,
  s_extends,
  s_implements,
  s_extends_type,
  s_assignment,
  s_type_annotation,
  s_required_param,
  s_optional_param,
  s_function_sig,
  s_decorator,
  s_jsx_open,
  s_jsx_self_closing,
  s_type_identifier,
  s_nested_type,
  s_generic_type,
  s_import_require,
  s_class_body,
  s_object,
  s_pair,
  s_identifier,
  s_property_identifier,
  s_private_property,
  s_this,
  s_super,
  s_string,
  s_template_string,
  s_comment,
  s_statement_block,
  s_accessibility,
  s_ambient,
  s_string_fragment,
  s_predefined_type,
  s_formal_parameters,
  s_expression_statement,
  s_nested_identifier,
  s_generator_expr,
  s_kw_static,
  s_kw_async,
  s_kw_get,
  s_kw_set,
  s_kw_abstract,
  s_kw_readonly,
  s_kw_declare,
  s_export_default_kw,
  s_namespace_export,
  s_type_arguments,
  s_parenthesized,
  s_kw_star,
  s_construct_sig,
  s_type_parameters,
  s_type_parameter,
  s_array_type,
};

enum fld : int {
  f_name = 1,
  f_body,
  f_parameters,
  f_return_type,
  f_value,
  f_type,
  f_left,
  f_right,
  f_function,
  f_constructor,
  f_object,
  f_property,
  f_source,
  f_alias,
  f_declaration,
  f_key,
  f_arguments,
  f_pattern,
  f_module,
  f_decorator,
  f_type_parameters,
};

struct tables {
  symbol_codes sym;
  field_ids fld;
  explicit tables(language l)
      : sym(grammar_for(l), {{"function_declaration", s_function_decl},
                             {"generator_function_declaration", s_generator_decl},
                             {"function_expression", s_function_expr},
                             {"function", s_function_expr},
                             {"generator_function", s_generator_expr},
                             {"arrow_function", s_arrow},
                             {"class_declaration", s_class_decl},
                             {"abstract_class_declaration", s_abstract_class},
                             {"class", s_class},
                             {"method_definition", s_method_def},
                             {"method_signature", s_method_sig},
                             {"abstract_method_signature", s_abstract_method_sig},
                             {"interface_declaration", s_interface},
                             {"type_alias_declaration", s_type_alias},
                             {"enum_declaration", s_enum},
                             {"enum_body", s_enum_body},
                             {"enum_assignment", s_enum_assignment},
                             {"module", s_module},
                             {"internal_module", s_internal_module},
                             {"lexical_declaration", s_lexical_decl},
                             {"variable_declaration", s_variable_decl},
                             {"variable_declarator", s_declarator},
                             {"public_field_definition", s_public_field},
                             {"field_definition", s_field_def},
                             {"property_signature", s_property_sig},
                             {"import_statement", s_import},
                             {"import_clause", s_import_clause},
                             {"named_imports", s_named_imports},
                             {"import_specifier", s_import_specifier},
                             {"namespace_import", s_namespace_import},
                             {"export_statement", s_export},
                             {"export_clause", s_export_clause},
                             {"export_specifier", s_export_specifier},
                             {"call_expression", s_call},
                             {"new_expression", s_new},
                             {"member_expression", s_member},
                             {"class_heritage", s_class_heritage},
                             {"extends_clause", s_extends},
                             {"implements_clause", s_implements},
                             {"extends_type_clause", s_extends_type},
                             {"assignment_expression", s_assignment},
                             {"type_annotation", s_type_annotation},
                             {"required_parameter", s_required_param},
                             {"optional_parameter", s_optional_param},
                             {"function_signature", s_function_sig},
                             {"decorator", s_decorator},
                             {"jsx_opening_element", s_jsx_open},
                             {"jsx_self_closing_element", s_jsx_self_closing},
                             {"type_identifier", s_type_identifier},
                             {"nested_type_identifier", s_nested_type},
                             {"generic_type", s_generic_type},
                             {"import_require_clause", s_import_require},
                             {"class_body", s_class_body},
                             {"object", s_object},
                             {"pair", s_pair},
                             {"identifier", s_identifier},
                             {"property_identifier", s_property_identifier},
                             {"private_property_identifier", s_private_property},
                             {"this", s_this},
                             {"super", s_super},
                             {"string", s_string},
                             {"template_string", s_template_string},
                             {"comment", s_comment},
                             {"statement_block", s_statement_block},
                             {"accessibility_modifier", s_accessibility},
                             {"ambient_declaration", s_ambient},
                             {"string_fragment", s_string_fragment},
                             {"predefined_type", s_predefined_type},
                             {"formal_parameters", s_formal_parameters},
                             {"expression_statement", s_expression_statement},
                             {"nested_identifier", s_nested_identifier},
                             {"'static", s_kw_static},
                             {"'async", s_kw_async},
                             {"'get", s_kw_get},
                             {"'set", s_kw_set},
                             {"'abstract", s_kw_abstract},
                             {"'readonly", s_kw_readonly},
                             {"'declare", s_kw_declare},
                             {"'default", s_export_default_kw},
                             {"namespace_export", s_namespace_export},
                             {"type_arguments", s_type_arguments},
                             {"parenthesized_expression", s_parenthesized},
                             {"'*", s_kw_star},
                             {"construct_signature", s_construct_sig},
                             {"type_parameters", s_type_parameters},
                             {"type_parameter", s_type_parameter},
                             {"array_type", s_array_type}}),
        fld(grammar_for(l), {{"name", f_name},
                             {"body", f_body},
                             {"parameters", f_parameters},
                             {"return_type", f_return_type},
                             {"value", f_value},
                             {"type", f_type},
                             {"left", f_left},
                             {"right", f_right},
                             {"function", f_function},
                             {"constructor", f_constructor},
                             {"object", f_object},
                             {"property", f_property},
                             {"source", f_source},
                             {"alias", f_alias},
                             {"declaration", f_declaration},
                             {"key", f_key},
                             {"arguments", f_arguments},
                             {"pattern", f_pattern},
                             {"module", f_module},
                             {"decorator", f_decorator},
                             {"type_parameters", f_type_parameters}}) {}
};

const tables& tables_for(language l) {
  static const tables js(language::javascript), ts(language::typescript), tsx(language::tsx);
  if (l == language::typescript) return ts;
  if (l == language::tsx) return tsx;
  return js;
}

bool is_upper_constant(std::string_view name) {
  bool letter = false;
  for (char c : name) {
    if (c >= 'a' && c <= 'z') return false;
    if (c >= 'A' && c <= 'Z') letter = true;
  }
  return letter;
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'' || s.front() == '`'))
    return std::string(s.substr(1, s.size() - 2));
  return std::string(s);
}

class js_extractor final : public extractor {
 public:
  js_extractor(const extract_input& in, file_extract& out) : extractor(in, out, "."), T(tables_for(in.lang)) {}

 private:
  const tables& T;

  struct ctx {
    uint32_t scope = 0;        // receives definitions
    uint32_t cls = 0;          // enclosing class (for this.x)
    bool in_function = false;  // locals are not definitions
    bool exported = false;     // inside an export statement
    TSNode wrapper{};          // export statement / decorators around the declaration
  };

  void extract(TSNode root) override {
    set_module_scope(js_module_path(in_.path));
    ctx c;
    descend(root, [&](TSNode n) { visit(n, c); });
  }

  TSNode whole_of(TSNode n, const ctx& c) const { return null(c.wrapper) ? n : c.wrapper; }

  std::string doc_for(TSNode n, const ctx& c) { return doc_above(ts_node_start_point(whole_of(n, c)).row); }

  void type_parameters(TSNode owner) {
    TSNode tp = field(owner, T.fld[f_type_parameters]);
    if (null(tp)) return;
    for_named_children(tp, [&](TSNode p, TSFieldId) {
      if (T.sym(p) != s_type_parameter) return;
      TSNode nm = field(p, T.fld[f_name]);
      if (!null(nm)) add_type_parameter(str(nm));
    });
  }

  uint32_t define(node_kind kind, TSNode n, TSNode name, std::string name_text, const ctx& c, TSNode body,
                  uint16_t mods = 0) {
    type_parameters(n);
    def d;
    d.kind = kind;
    d.name = std::move(name_text);
    d.whole = whole_of(n, c);
    d.name_node = name;
    d.parent = c.scope;
    d.modifiers = mods;
    if (c.exported) d.modifiers |= modifier::exported;
    auto end = null(body) ? ts_node_end_byte(n) : ts_node_start_byte(body);
    d.signature = signature_of(ts_node_start_byte(n), end);
    while (!d.signature.empty() &&
           (d.signature.back() == ';' || d.signature.back() == '{' || d.signature.back() == ' '))
      d.signature.pop_back();
    d.doc = doc_for(n, c);
    if (TSNode rt = field(n, T.fld[f_return_type]); !null(rt))
      d.type_name = type_name(rt);
    else if (TSNode ty = field(n, T.fld[f_type]); !null(ty))
      d.type_name = type_name(ty);
    for_children(n, [&](TSNode ch, TSFieldId) {
      int s = T.sym(ch);
      if (s == s_accessibility) {
        auto t = text(ch);
        d.vis = t == "private" ? visibility::private_ : t == "protected" ? visibility::protected_ : visibility::public_;
      } else if (s == s_kw_static)
        d.modifiers |= modifier::static_;
      else if (s == s_kw_async)
        d.modifiers |= modifier::async;
      else if (s == s_kw_abstract)
        d.modifiers |= modifier::abstract;
      else if (s == s_kw_readonly)
        d.modifiers |= modifier::const_;
      else if (s == s_kw_declare)
        d.modifiers |= modifier::declaration;
      else if (s == s_kw_star)
        d.modifiers |= modifier::generator;
    });
    if (!null(name) && T.sym(name) == s_private_property) d.vis = visibility::private_;
    auto idx = add_def(std::move(d));
    if (c.scope == 0 && (kind == node_kind::class_ || kind == node_kind::function)) top_level_[at(idx).name] = idx;
    return idx;
  }

  ctx inner_ctx(const ctx& c, uint32_t scope, bool function) const {
    ctx i;
    i.scope = scope;
    i.cls = c.cls;
    i.in_function = function;
    return i;
  }

  void visit(TSNode n, const ctx& c) {
    switch (T.sym(n)) {
      case s_comment: note_comment(n); return;
      case s_export: on_export(n, c); return;
      case s_function_decl:
      case s_generator_decl:
      case s_function_sig: on_function_decl(n, c); return;
      case s_class_decl:
      case s_abstract_class: on_class(n, c, field(n, T.fld[f_name])); return;
      case s_interface: on_interface(n, c); return;
      case s_type_alias: {
        auto idx = define(node_kind::type_alias, n, field(n, T.fld[f_name]), str(field(n, T.fld[f_name])), c, TSNode{});
        type_refs(field(n, T.fld[f_value]), idx, edge_kind::references);
        return;
      }
      case s_enum: on_enum(n, c); return;
      case s_internal_module:
      case s_module: on_namespace(n, c); return;
      case s_lexical_decl:
      case s_variable_decl: on_variables(n, c); return;
      case s_import: on_import(n, c); return;
      case s_call: on_call(n, c); break;
      case s_new: on_new(n, c); break;
      case s_assignment:
        if (on_assignment(n, c)) return;
        break;
      case s_jsx_open:
      case s_jsx_self_closing: on_jsx(n, c); break;
      case s_class: {  // class expression
        on_class(n, c, field(n, T.fld[f_name]));
        return;
      }
      case s_function_expr:
      case s_generator_expr:
        if (TSNode name = field(n, T.fld[f_name]); !null(name)) {  // a named function expression
          ctx i = c;
          i.wrapper = TSNode{};
          i.exported = false;
          auto idx = define(node_kind::function, n, name, str(name), i, field(n, T.fld[f_body]),
                            T.sym(n) == s_generator_expr ? modifier::generator : 0);
          function_body(n, idx, i);
          return;
        }
        [[fallthrough]];
      case s_arrow: {
        // An anonymous function: its calls belong to the enclosing definition.
        ctx i = c;
        i.in_function = true;
        i.wrapper = TSNode{};
        i.exported = false;
        descend(n, [&](TSNode ch) { visit(ch, i); });
        return;
      }
      case s_ambient: {
        ctx i = c;
        descend(n, [&](TSNode ch) { visit(ch, i); });
        return;
      }
      case s_string:
      case s_string_fragment: return;
      default: break;
    }
    ctx i = c;
    i.wrapper = TSNode{};
    i.exported = false;
    descend(n, [&](TSNode ch) { visit(ch, i); });
  }

  // What a re-export (export { x } from './impl') binds, for files importing this one:
  // "import:DIR/./impl:x" (the resolver normalises the path and finds the file).
  std::string reexport_spec(const std::string& module, const std::string& name) const {
    std::string dir(directory_of(in_.path));
    return "import:" + (dir.empty() ? std::string(".") : dir) + "/" + module + ":" + name;
  }

  void on_export(TSNode n, const ctx& c) {
    TSNode decl = field(n, T.fld[f_declaration]);
    TSNode source = field(n, T.fld[f_source]);
    ctx e = c;
    e.exported = true;
    e.wrapper = n;
    if (!null(decl)) {
      visit(decl, e);
      return;
    }
    if (!null(source)) {  // export ... from './x': a dependency like an import
      std::string module = unquote(text(source));
      bool any = false;
      for_named_children(n, [&](TSNode ch, TSFieldId) {
        if (T.sym(ch) == s_export_clause) {
          for_named_children(ch, [&](TSNode spec, TSFieldId) {
            if (T.sym(spec) != s_export_specifier) return;
            TSNode name = field(spec, T.fld[f_name]);
            TSNode alias = field(spec, T.fld[f_alias]);
            std::string nm = str(name);
            std::string local = null(alias) ? nm : str(alias);
            auto imp = import_node(n, spec, local, c);
            if (module.starts_with(".")) at(imp).type_name = str(reexport_spec(module, nm));
            add_import(imp, module, nm, "", spec, module.starts_with(".") ? 1 : 0);
            any = true;
          });
        }
      });
      if (!any) {
        auto imp = import_node(n, n, "*", c);
        if (module.starts_with(".")) at(imp).type_name = str(reexport_spec(module, ""));
        add_import(imp, module, "*", "", n, module.starts_with(".") ? 1 : 0);
      }
      return;
    }
    // export default <expression>; export { a, b }
    for_named_children(n, [&](TSNode ch, TSFieldId) {
      int s = T.sym(ch);
      if (s == s_class)
        on_class(ch, e, field(ch, T.fld[f_name]));
      else if (s == s_function_expr || s == s_arrow || s == s_generator_expr) {
        TSNode name = field(ch, T.fld[f_name]);
        auto idx = define(node_kind::function, ch, name, null(name) ? std::string("default") : str(name), e,
                          field(ch, T.fld[f_body]));
        function_body(ch, idx, e);
      } else if (s != s_export_clause && s != s_comment) {
        visit(ch, c);
      }
    });
  }

  void on_function_decl(TSNode n, const ctx& c) {
    TSNode name = field(n, T.fld[f_name]);
    TSNode body = field(n, T.fld[f_body]);
    uint16_t mods = null(body) ? modifier::declaration : 0;
    if (T.sym(n) == s_generator_decl) mods |= modifier::generator;
    auto idx = define(node_kind::function, n, name, str(name), c, body, mods);
    function_body(n, idx, c);
  }

  // Parameters, return type and body of any function-like node defined as idx.
  void function_body(TSNode fn, uint32_t idx, const ctx& c) {
    type_parameters(fn);
    if (at(idx).type_name.empty())
      if (TSNode rt = field(fn, T.fld[f_return_type]); !null(rt)) at(idx).type_name = type_name(rt);
    ctx i = inner_ctx(c, idx, true);
    TSNode params = field(fn, T.fld[f_parameters]);
    if (!null(params)) {
      for_named_children(params, [&](TSNode p, TSFieldId) {
        int ps = T.sym(p);
        if (ps != s_required_param && ps != s_optional_param) {
          visit(p, i);
          return;
        }
        TSNode pat = field(p, T.fld[f_pattern]);
        TSNode type = field(p, T.fld[f_type]);
        if (!null(type)) {
          type_refs(type, idx, edge_kind::references);
          if (!null(pat) && T.sym(pat) == s_identifier) add_binding(idx, str(pat), type_name(type));
        }
        // constructor(private readonly db: Db): a parameter property is a field too.
        bool property = false;
        for_children(p, [&](TSNode ch, TSFieldId) {
          int s = T.sym(ch);
          if (s == s_accessibility || s == s_kw_readonly) property = true;
        });
        if (property && c.cls != 0 && !null(pat) && T.sym(pat) == s_identifier) {
          ctx fc = inner_ctx(c, c.cls, false);
          auto f = define(node_kind::field, p, pat, str(pat), fc, TSNode{});
          if (!null(type)) {
            type_refs(type, f, edge_kind::type_of);
            add_binding(c.cls, "this." + at(f).name, type_name(type));
          }
        }
        TSNode value = field(p, T.fld[f_value]);
        if (!null(value)) visit(value, i);
      });
    } else {
      TSNode single = ts_node_child_by_field_name(fn, "parameter", 9);
      (void)single;
    }
    type_refs(field(fn, T.fld[f_return_type]), idx, edge_kind::references);
    TSNode body = field(fn, T.fld[f_body]);
    if (!null(body)) visit_block(body, i);
  }

  void visit_block(TSNode body, const ctx& c) {
    if (T.sym(body) == s_statement_block || T.sym(body) == s_class_body)
      for_children(body, [&](TSNode ch, TSFieldId) { visit(ch, c); });
    else
      visit(body, c);  // arrow function with an expression body
  }

  void on_class(TSNode n, const ctx& c, TSNode name) {
    TSNode body = field(n, T.fld[f_body]);
    std::string nm = null(name) ? (c.exported ? std::string("default") : std::string()) : str(name);
    if (nm.empty()) {  // anonymous class expression: members still get visited
      ctx i = c;
      i.wrapper = TSNode{};
      if (!null(body)) visit_block(body, i);
      return;
    }
    uint16_t mods = T.sym(n) == s_abstract_class ? modifier::abstract : 0;
    auto idx = define(node_kind::class_, n, name, nm, c, body, mods);
    class_members(n, body, idx, c);
  }

  void class_members(TSNode n, TSNode body, uint32_t idx, const ctx& c) {
    for_named_children(n, [&](TSNode ch, TSFieldId) {
      if (T.sym(ch) == s_class_heritage)
        heritage(ch, idx);
      else if (T.sym(ch) == s_decorator)
        decorator(ch, idx, c);
    });
    if (null(body)) return;
    ctx i = inner_ctx(c, idx, false);
    i.cls = idx;
    add_binding(idx, "this", at(idx).name);
    for_children(body, [&](TSNode m, TSFieldId) {
      int s = T.sym(m);
      if (s == s_method_def || s == s_method_sig || s == s_abstract_method_sig)
        on_method(m, i);
      else if (s == s_public_field || s == s_field_def || s == s_property_sig)
        on_field(m, i);
      else if (s == s_comment)
        note_comment(m);
      else if (s == s_decorator)
        decorator(m, idx, c);
      else
        visit(m, inner_ctx(i, idx, true));
    });
  }

  void decorator(TSNode d, uint32_t target, const ctx& c) {
    TSNode e = ts_node_named_child(d, 0);
    if (null(e)) return;
    if (T.sym(e) == s_identifier)
      add_ref(target, edge_kind::calls, str(e), "", e);
    else if (T.sym(e) == s_member)
      member_ref(e, target, edge_kind::calls, 0);
    else
      visit(e, inner_ctx(c, target, true));
  }

  void heritage(TSNode h, uint32_t idx) {
    for_named_children(h, [&](TSNode clause, TSFieldId) {
      int s = T.sym(clause);
      if (s == s_extends) {
        TSNode v = field(clause, T.fld[f_value]);
        if (null(v)) return;
        if (T.sym(v) == s_identifier)
          add_ref(idx, edge_kind::inherits, str(v), "", v);
        else if (T.sym(v) == s_member)
          member_ref(v, idx, edge_kind::inherits, ref_flag::scoped);
        else
          visit(v, inner_ctx(ctx{}, idx, true));  // mixin(Base) calls
      } else if (s == s_implements) {
        for_named_children(clause, [&](TSNode t, TSFieldId) { type_refs(t, idx, edge_kind::implements, true); });
      } else if (s == s_identifier) {  // JS grammar: class_heritage holds the expression directly
        add_ref(idx, edge_kind::inherits, str(clause), "", clause);
      } else if (s == s_member) {
        member_ref(clause, idx, edge_kind::inherits, ref_flag::scoped);
      }
    });
  }

  void on_method(TSNode m, const ctx& c) {
    TSNode name = field(m, T.fld[f_name]);
    TSNode body = field(m, T.fld[f_body]);
    std::string nm = str(name);
    node_kind kind = nm == "constructor" && T.sym(m) == s_method_def ? node_kind::constructor : node_kind::method;
    uint16_t mods = null(body) ? modifier::declaration : 0;
    if (T.sym(m) == s_abstract_method_sig) mods |= modifier::abstract;
    bool accessor = false;
    for_children(m, [&](TSNode ch, TSFieldId) {
      if (T.sym(ch) == s_kw_get || T.sym(ch) == s_kw_set) accessor = true;
    });
    auto idx = define(accessor ? node_kind::property : kind, m, name, nm, c, body, mods);
    // Accessors share a name: get and set of one property are one node's two spans.
    for_children(m, [&](TSNode ch, TSFieldId) {
      if (T.sym(ch) == s_decorator) decorator(ch, idx, c);
    });
    function_body(m, idx, c);
  }

  void on_field(TSNode f, const ctx& c) {
    TSNode name = field(f, T.fld[f_name]);
    if (null(name)) return;  // error recovery: a field with no name defines nothing
    TSNode value = field(f, T.fld[f_value]);
    TSNode type = field(f, T.fld[f_type]);
    bool callable = !null(value) && (T.sym(value) == s_arrow || T.sym(value) == s_function_expr);
    node_kind kind =
        callable ? node_kind::method : (T.sym(f) == s_property_sig ? node_kind::property : node_kind::field);
    auto idx = define(kind, f, name, str(name), c, callable ? field(value, T.fld[f_body]) : TSNode{});
    if (!null(type)) {
      type_refs(type, idx, edge_kind::type_of);
      add_binding(c.cls, "this." + at(idx).name, type_name(type));
    }
    for_children(f, [&](TSNode ch, TSFieldId) {
      if (T.sym(ch) == s_decorator) decorator(ch, idx, c);
    });
    if (callable)
      function_body(value, idx, c);
    else if (!null(value)) {
      if (T.sym(value) == s_new) new_binding(c.cls, "this." + at(idx).name, value);
      visit(value, inner_ctx(c, idx, true));
    }
  }

  void on_interface(TSNode n, const ctx& c) {
    TSNode name = field(n, T.fld[f_name]);
    TSNode body = field(n, T.fld[f_body]);
    auto idx = define(node_kind::interface, n, name, str(name), c, body);
    for_named_children(n, [&](TSNode ch, TSFieldId) {
      if (T.sym(ch) == s_extends_type)
        for_named_children(ch, [&](TSNode t, TSFieldId) { type_refs(t, idx, edge_kind::inherits, true); });
    });
    if (null(body)) return;
    ctx i = inner_ctx(c, idx, false);
    i.cls = idx;
    for_children(body, [&](TSNode m, TSFieldId) {
      int s = T.sym(m);
      if (s == s_method_sig)
        on_method(m, i);
      else if (s == s_construct_sig) {  // new (...): T
        auto idx = define(node_kind::method, m, TSNode{}, "new", i, TSNode{}, modifier::declaration);
        function_body(m, idx, i);
      } else if (s == s_property_sig)
        on_field(m, i);
      else if (s == s_comment)
        note_comment(m);
    });
  }

  void on_enum(TSNode n, const ctx& c) {
    TSNode name = field(n, T.fld[f_name]);
    TSNode body = field(n, T.fld[f_body]);
    auto idx = define(node_kind::enum_, n, name, str(name), c, body);
    if (null(body)) return;
    ctx i = inner_ctx(c, idx, false);
    for_named_children(body, [&](TSNode m, TSFieldId) {
      int s = T.sym(m);
      if (s == s_comment) {
        note_comment(m);
        return;
      }
      TSNode nm = s == s_enum_assignment ? field(m, T.fld[f_name]) : m;
      if (null(nm)) return;
      auto t = T.sym(nm);
      if (t == s_property_identifier || t == s_identifier || t == s_string)
        define(node_kind::enum_member, m, nm, unquote(text(nm)), i, TSNode{});
    });
  }

  void on_namespace(TSNode n, const ctx& c) {
    TSNode name = field(n, T.fld[f_name]);
    TSNode body = field(n, T.fld[f_body]);
    if (null(name)) return;
    std::string nm = unquote(text(name));
    auto idx = define(T.sym(name) == s_string ? node_kind::module : node_kind::namespace_, n, name, str(nm), c, body);
    if (!null(body)) visit_block(body, inner_ctx(c, idx, false));
  }

  void on_variables(TSNode n, const ctx& c) {
    bool is_const = text(n).starts_with("const");
    for_named_children(n, [&](TSNode d, TSFieldId) {
      if (T.sym(d) == s_comment) {
        note_comment(d);
        return;
      }
      if (T.sym(d) != s_declarator) return;
      TSNode name = field(d, T.fld[f_name]);
      TSNode value = field(d, T.fld[f_value]);
      TSNode type = field(d, T.fld[f_type]);
      int vs = null(value) ? 0 : T.sym(value);
      if (!null(value) && vs == s_call && require_import(n, d, name, value, c)) return;
      if (null(name) || T.sym(name) != s_identifier) {
        if (!null(value)) visit(value, c);
        return;
      }
      ctx dc = c;
      dc.wrapper = null(c.wrapper) ? n : c.wrapper;
      if (vs == s_arrow || vs == s_function_expr || vs == s_generator_expr) {
        auto idx = define(node_kind::function, d, name, str(name), dc, field(value, T.fld[f_body]),
                          vs == s_generator_expr ? modifier::generator : 0);
        for_children(value, [&](TSNode ch, TSFieldId) {
          if (T.sym(ch) == s_kw_async) at(idx).modifiers |= modifier::async;
        });
        function_body(value, idx, c);
        return;
      }
      if (vs == s_class) {
        TSNode cname = field(value, T.fld[f_name]);
        auto idx = define(node_kind::class_, d, name, str(name), dc, field(value, T.fld[f_body]));
        (void)cname;
        class_members(value, field(value, T.fld[f_body]), idx, c);
        return;
      }
      if (!null(type)) {
        add_binding(c.scope, str(name), type_name(type));
      } else if (vs == s_new) {
        new_binding(c.scope, str(name), value);
      } else if (vs == s_call) {  // const x = make(): whatever make returns
        TSNode fn = field(value, T.fld[f_function]);
        if (!null(fn) && (T.sym(fn) == s_identifier || T.sym(fn) == s_member))
          add_binding(c.scope, str(name), "call:" + str(fn));
      }
      if (c.in_function) {  // a local: not a definition, but its value may call things
        if (!null(type)) type_refs(type, c.scope, edge_kind::references);
        if (!null(value)) visit(value, c);
        return;
      }
      std::string nm = str(name);
      node_kind kind = is_const && is_upper_constant(nm) ? node_kind::constant : node_kind::variable;
      auto idx = define(kind, d, name, nm, dc, TSNode{}, is_const ? modifier::const_ : 0);
      if (!null(type)) type_refs(type, idx, edge_kind::type_of);
      if (!null(value)) {
        if (vs == s_object)
          object_members(value, idx, c);
        else
          visit(value, inner_ctx(c, idx, true));
      }
    });
  }

  // const { a, b: c } = require('m') / const m = require('m')
  bool require_import(TSNode decl, TSNode d, TSNode name, TSNode call, const ctx& c) {
    TSNode fn = field(call, T.fld[f_function]);
    if (null(fn) || text(fn) != "require") return false;
    TSNode args = field(call, T.fld[f_arguments]);
    TSNode arg = null(args) ? args : ts_node_named_child(args, 0);
    if (null(arg) || T.sym(arg) != s_string) return false;
    std::string module = unquote(text(arg));
    uint8_t level = module.starts_with(".") ? 1 : 0;
    if (!null(name) && T.sym(name) == s_identifier) {
      auto imp = import_node(decl, d, str(name), c);
      add_import(imp, module, "", str(name), d, level);
      return true;
    }
    if (!null(name)) {  // object pattern
      for_named_children(name, [&](TSNode p, TSFieldId) {
        std::string nm, alias;
        if (T.sym(p) == s_pair) {
          nm = str(field(p, T.fld[f_key]));
          alias = str(field(p, T.fld[f_value]));
        } else {
          nm = alias = str(p);
        }
        if (alias.empty()) return;
        auto imp = import_node(decl, p, alias, c);
        add_import(imp, module, nm, alias, p, level);
      });
    }
    return true;
  }

  void object_members(TSNode obj, uint32_t owner, const ctx& c) {
    ctx i = inner_ctx(c, owner, false);
    for_named_children(obj, [&](TSNode m, TSFieldId) {
      int s = T.sym(m);
      if (s == s_method_def) {
        on_method(m, i);
      } else if (s == s_pair) {
        TSNode key = field(m, T.fld[f_key]);
        TSNode value = field(m, T.fld[f_value]);
        int vs = null(value) ? 0 : T.sym(value);
        if (!null(key) && (vs == s_arrow || vs == s_function_expr)) {
          auto idx = define(node_kind::method, m, key, unquote(text(key)), i, field(value, T.fld[f_body]));
          function_body(value, idx, i);
        } else if (!null(value)) {
          visit(value, inner_ctx(c, owner, true));
        }
      } else if (s == s_comment) {
        note_comment(m);
      } else {
        visit(m, inner_ctx(c, owner, true));
      }
    });
  }

  // Foo.prototype.bar = function () {}, exports.x = ..., this.x = ...
  bool on_assignment(TSNode n, const ctx& c) {
    TSNode left = field(n, T.fld[f_left]);
    TSNode right = field(n, T.fld[f_right]);
    if (null(left) || null(right) || T.sym(left) != s_member) return false;
    TSNode obj = field(left, T.fld[f_object]);
    TSNode prop = field(left, T.fld[f_property]);
    if (null(obj) || null(prop)) return false;
    int rs = T.sym(right);
    bool fn = rs == s_function_expr || rs == s_arrow;
    if (T.sym(obj) == s_this && c.cls != 0) {
      if (rs == s_new) new_binding(c.cls, "this." + str(prop), right);
      return false;
    }
    if (!fn || T.sym(obj) != s_member) return false;
    TSNode proto = field(obj, T.fld[f_property]);
    TSNode owner = field(obj, T.fld[f_object]);
    if (null(proto) || text(proto) != "prototype" || null(owner) || T.sym(owner) != s_identifier) return false;
    std::string cls = str(owner);
    uint32_t parent = 0;
    if (auto it = top_level_.find(cls); it != top_level_.end()) parent = it->second;
    ctx pc = inner_ctx(c, parent, false);
    def d;
    d.kind = node_kind::method;
    d.name = str(prop);
    d.whole = n;
    d.name_node = prop;
    d.parent = parent;
    d.qualified_name = join(parent ? scope_of(parent) : join(scope_of(0), cls), d.name);
    d.signature = signature_of(ts_node_start_byte(n), ts_node_start_byte(right));
    d.doc = doc_above(ts_node_start_point(n).row);
    auto idx = add_def(std::move(d));
    function_body(right, idx, pc);
    return true;
  }

  void on_import(TSNode n, const ctx& c) {
    TSNode source = field(n, T.fld[f_source]);
    std::string module = null(source) ? std::string() : unquote(text(source));
    uint8_t level = module.starts_with(".") ? 1 : 0;
    bool any = false;
    for_named_children(n, [&](TSNode ch, TSFieldId) {
      int s = T.sym(ch);
      if (s == s_import_require) {  // import x = require('m')
        TSNode id = ts_node_named_child(ch, 0);
        TSNode src = field(ch, T.fld[f_source]);
        if (null(id) || null(src)) return;
        std::string m = unquote(text(src));
        auto imp = import_node(n, ch, str(id), c);
        add_import(imp, m, "", str(id), ch, m.starts_with(".") ? 1 : 0);
        any = true;
        return;
      }
      if (s != s_import_clause) return;
      for_named_children(ch, [&](TSNode part, TSFieldId) {
        int ps = T.sym(part);
        if (ps == s_identifier) {  // default import
          auto imp = import_node(n, part, str(part), c);
          add_import(imp, module, "default", str(part), part, level);
          any = true;
        } else if (ps == s_namespace_import) {
          TSNode id = ts_node_named_child(part, 0);
          if (null(id)) return;
          auto imp = import_node(n, part, str(id), c);
          add_import(imp, module, "", str(id), part, level);
          any = true;
        } else if (ps == s_named_imports) {
          for_named_children(part, [&](TSNode spec, TSFieldId) {
            if (T.sym(spec) != s_import_specifier) return;
            TSNode name = field(spec, T.fld[f_name]);
            TSNode alias = field(spec, T.fld[f_alias]);
            std::string nm = unquote(text(name));
            std::string local = null(alias) ? nm : str(alias);
            auto imp = import_node(n, spec, local, c);
            add_import(imp, module, nm, local, spec, level);
            any = true;
          });
        }
      });
    });
    if (!any && !module.empty()) {  // import './side-effect'
      auto imp = import_node(n, n, module, c);
      add_import(imp, module, "", "", n, level);
    }
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

  void member_ref(TSNode m, uint32_t scope, edge_kind k, uint8_t flags) {
    TSNode obj = field(m, T.fld[f_object]);
    TSNode prop = field(m, T.fld[f_property]);
    if (null(prop)) return;
    std::string q = "()";
    if (!null(obj)) {
      int os = T.sym(obj);
      if (os == s_identifier || os == s_this || os == s_member)
        q = str(obj);
      else if (auto chain = call_chain(obj); !chain.empty())  // make().run(), new C().run()
        q = std::move(chain);
      else if (os == s_super) {
        q = "super";
        flags |= ref_flag::super_;
      }
    }
    add_ref(scope, k, str(prop), std::move(q), prop, flags | ref_flag::member);
  }

  // A receiver that is itself a call, as "callee()" (connect().close()), for the
  // resolver to type by the callee's declared return type; empty when it is not a name.
  std::string call_chain(TSNode n) {
    int s = T.sym(n);
    if (s == s_identifier || s == s_this) return str(n);
    if (s == s_member) {
      TSNode obj = field(n, T.fld[f_object]);
      TSNode prop = field(n, T.fld[f_property]);
      if (null(obj) || null(prop)) return {};
      auto inner = call_chain(obj);
      return inner.empty() ? inner : inner + "." + str(prop);
    }
    if (s == s_new) {
      TSNode ctor = field(n, T.fld[f_constructor]);
      return !null(ctor) && T.sym(ctor) == s_identifier ? str(ctor) + "()" : std::string();
    }
    if (s != s_call) return {};
    TSNode fn = field(n, T.fld[f_function]);
    if (null(fn)) return {};
    auto inner = call_chain(fn);
    return inner.empty() ? inner : inner + "()";
  }

  void on_call(TSNode n, const ctx& c) {
    TSNode fn = field(n, T.fld[f_function]);
    if (null(fn)) return;
    int s = T.sym(fn);
    if (s == s_identifier)
      add_ref(c.scope, edge_kind::calls, str(fn), "", fn);
    else if (s == s_member)
      member_ref(fn, c.scope, edge_kind::calls, 0);
    else if (s == s_super)
      add_ref(c.scope, edge_kind::calls, "constructor", "super", fn, ref_flag::super_);
  }

  void on_new(TSNode n, const ctx& c) {
    TSNode ctor = field(n, T.fld[f_constructor]);
    if (null(ctor)) return;
    if (T.sym(ctor) == s_identifier)
      add_ref(c.scope, edge_kind::calls, str(ctor), "", ctor, ref_flag::constructor);
    else if (T.sym(ctor) == s_member)
      member_ref(ctor, c.scope, edge_kind::calls, ref_flag::constructor | ref_flag::scoped);
  }

  void new_binding(uint32_t scope, const std::string& var, TSNode new_expr) {
    TSNode ctor = field(new_expr, T.fld[f_constructor]);
    if (!null(ctor) && (T.sym(ctor) == s_identifier || T.sym(ctor) == s_member)) add_binding(scope, var, str(ctor));
  }

  void on_jsx(TSNode n, const ctx& c) {
    TSNode name = field(n, T.fld[f_name]);
    if (null(name)) return;
    auto t = text(name);
    if (t.empty() || !(t[0] >= 'A' && t[0] <= 'Z')) return;  // <div> is not a component
    if (T.sym(name) == s_identifier)
      add_ref(c.scope, edge_kind::calls, str(name), "", name, ref_flag::constructor);
    else if (T.sym(name) == s_member)
      member_ref(name, c.scope, edge_kind::calls, ref_flag::constructor | ref_flag::scoped);
  }

  // Named types in a type expression. top: in implements/extends lists, plain names.
  void type_refs(TSNode t, uint32_t scope, edge_kind k, bool top = false) {
    if (null(t)) return;
    int s = T.sym(t);
    if (s == s_type_identifier || (top && s == s_identifier)) {
      add_ref(scope, k, str(t), "", t);
      return;
    }
    if (s == s_nested_type) {
      TSNode mod = field(t, T.fld[f_module]);
      TSNode name = field(t, T.fld[f_name]);
      if (!null(name)) add_ref(scope, k, str(name), null(mod) ? std::string() : str(mod), name, ref_flag::scoped);
      return;
    }
    if (s == s_generic_type) {
      TSNode name = field(t, T.fld[f_name]);
      type_refs(name, scope, k, top);
      for_named_children(t, [&](TSNode ch, TSFieldId) {
        if (T.sym(ch) == s_type_arguments)
          for_named_children(ch, [&](TSNode a, TSFieldId) { type_refs(a, scope, edge_kind::references); });
      });
      return;
    }
    if (s == s_predefined_type || s == s_string) return;
    for_named_children(t, [&](TSNode ch, TSFieldId) { type_refs(ch, scope, k); });
  }

  std::string type_name(TSNode t) {
    while (!null(t)) {
      int s = T.sym(t);
      if (s == s_type_annotation)
        t = ts_node_named_child(t, 0);
      else if (s == s_generic_type)
        t = field(t, T.fld[f_name]);
      else
        break;
    }
    if (null(t)) return {};
    int s = T.sym(t);
    if (s == s_array_type) return "Array";
    if (s == s_type_identifier || s == s_nested_type || s == s_identifier) return str(t);
    return {};
  }

  std::unordered_map<std::string, uint32_t> top_level_;
};

}  // namespace

void extract_javascript(const extract_input& in, TSNode root, file_extract& out) {
  js_extractor x(in, out);
  x.run(root);
}

}  // namespace cg
