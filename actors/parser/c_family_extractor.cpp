// C and C++: namespaces, classes/structs/unions (members, access, bases), enums and
// enumerators, functions and methods (in-class and out-of-line Foo::bar, constructors,
// destructors, operators, templates), prototypes (flagged declaration), typedefs and
// using-aliases, globals, fields, macros, #include and using-directives, calls
// (plain, qualified, member, new) and type references. Preprocessor conditionals
// are walked through, so definitions inside #if blocks are found.
#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "actors/parser/extractors.hpp"
#include "actors/parser/grammars.hpp"
#include "actors/parser/symbols.hpp"

namespace cg {
namespace {

enum sym : int {
  s_none = 0,
  s_function_def,
  s_declaration,
  s_field_decl,
  s_function_declarator,
  s_pointer_declarator,
  s_reference_declarator,
  s_qualified_identifier,
  s_class,
  s_struct,
  s_union,
  s_enum,
  s_enumerator,
  s_enumerator_list,
  s_namespace,
  s_template_decl,
  s_type_definition,
  s_alias_decl,
  s_preproc_def,
  s_preproc_function_def,
  s_preproc_include,
  s_call,
  s_field_expression,
  s_new,
  s_base_clause,
  s_field_decl_list,
  s_access_specifier,
  s_using_decl,
  s_namespace_identifier,
  s_template_function,
  s_template_type,
  s_destructor_name,
  s_operator_name,
  s_init_declarator,
  s_linkage_spec,
  s_friend_decl,
  s_declaration_list,
  s_parameter_decl,
  s_type_identifier,
  s_preproc_ifdef,
  s_preproc_if,
  s_preproc_else,
  s_preproc_elif,
  s_storage_class,
  s_virtual,
  s_attributed_declarator,
  s_array_declarator,
  s_parenthesized_declarator,
  s_identifier,
  s_field_identifier,
  s_comment,
  s_compound_statement,
  s_string_literal,
  s_system_lib_string,
  s_primitive_type,
  s_template_method,
  s_nested_namespace,
  s_namespace_alias,
  s_optional_parameter_decl,
  s_variadic_parameter_decl,
  s_type_descriptor,
  s_sized_type,
  s_pure_virtual,
  s_lambda,
  s_concept,
  s_char_literal,
  s_function_field_declarator,
  s_raw_string,
  s_operator_cast,
  s_dependent_name,
  s_preproc_call,
  s_preproc_elifdef,
  s_template_params,
  s_type_param_decl,
  s_optional_type_param_decl,
  s_variadic_type_param_decl,
};

enum fld : int {
  f_name = 1,
  f_body,
  f_declarator,
  f_parameters,
  f_type,
  f_value,
  f_function,
  f_argument,
  f_field,
  f_scope,
  f_path,
  f_arguments,
};

struct tables {
  symbol_codes sym;
  field_ids fld;
  explicit tables(language l)
      : sym(grammar_for(l), {{"function_definition", s_function_def},
                             {"declaration", s_declaration},
                             {"field_declaration", s_field_decl},
                             {"function_declarator", s_function_declarator},
                             {"pointer_declarator", s_pointer_declarator},
                             {"reference_declarator", s_reference_declarator},
                             {"qualified_identifier", s_qualified_identifier},
                             {"class_specifier", s_class},
                             {"struct_specifier", s_struct},
                             {"union_specifier", s_union},
                             {"enum_specifier", s_enum},
                             {"enumerator", s_enumerator},
                             {"enumerator_list", s_enumerator_list},
                             {"namespace_definition", s_namespace},
                             {"template_declaration", s_template_decl},
                             {"type_definition", s_type_definition},
                             {"alias_declaration", s_alias_decl},
                             {"preproc_def", s_preproc_def},
                             {"preproc_function_def", s_preproc_function_def},
                             {"preproc_include", s_preproc_include},
                             {"call_expression", s_call},
                             {"field_expression", s_field_expression},
                             {"new_expression", s_new},
                             {"base_class_clause", s_base_clause},
                             {"field_declaration_list", s_field_decl_list},
                             {"access_specifier", s_access_specifier},
                             {"using_declaration", s_using_decl},
                             {"namespace_identifier", s_namespace_identifier},
                             {"template_function", s_template_function},
                             {"template_type", s_template_type},
                             {"destructor_name", s_destructor_name},
                             {"operator_name", s_operator_name},
                             {"init_declarator", s_init_declarator},
                             {"linkage_specification", s_linkage_spec},
                             {"friend_declaration", s_friend_decl},
                             {"declaration_list", s_declaration_list},
                             {"parameter_declaration", s_parameter_decl},
                             {"type_identifier", s_type_identifier},
                             {"preproc_ifdef", s_preproc_ifdef},
                             {"preproc_if", s_preproc_if},
                             {"preproc_else", s_preproc_else},
                             {"preproc_elif", s_preproc_elif},
                             {"preproc_elifdef", s_preproc_elifdef},
                             {"storage_class_specifier", s_storage_class},
                             {"virtual", s_virtual},
                             {"attributed_declarator", s_attributed_declarator},
                             {"array_declarator", s_array_declarator},
                             {"parenthesized_declarator", s_parenthesized_declarator},
                             {"identifier", s_identifier},
                             {"field_identifier", s_field_identifier},
                             {"comment", s_comment},
                             {"compound_statement", s_compound_statement},
                             {"string_literal", s_string_literal},
                             {"system_lib_string", s_system_lib_string},
                             {"primitive_type", s_primitive_type},
                             {"template_method", s_template_method},
                             {"nested_namespace_specifier", s_nested_namespace},
                             {"namespace_alias_definition", s_namespace_alias},
                             {"optional_parameter_declaration", s_optional_parameter_decl},
                             {"variadic_parameter_declaration", s_variadic_parameter_decl},
                             {"type_descriptor", s_type_descriptor},
                             {"sized_type_specifier", s_sized_type},
                             {"pure_virtual_clause", s_pure_virtual},
                             {"lambda_expression", s_lambda},
                             {"concept_definition", s_concept},
                             {"char_literal", s_char_literal},
                             {"function_field_declarator", s_function_field_declarator},
                             {"raw_string_literal", s_raw_string},
                             {"operator_cast", s_operator_cast},
                             {"dependent_name", s_dependent_name},
                             {"preproc_call", s_preproc_call},
                             {"template_parameter_list", s_template_params},
                             {"type_parameter_declaration", s_type_param_decl},
                             {"optional_type_parameter_declaration", s_optional_type_param_decl},
                             {"variadic_type_parameter_declaration", s_variadic_type_param_decl}}),
        fld(grammar_for(l), {{"name", f_name},
                             {"body", f_body},
                             {"declarator", f_declarator},
                             {"parameters", f_parameters},
                             {"type", f_type},
                             {"value", f_value},
                             {"function", f_function},
                             {"argument", f_argument},
                             {"field", f_field},
                             {"scope", f_scope},
                             {"path", f_path},
                             {"arguments", f_arguments}}) {}
};

const tables& tables_for(language l) {
  static const tables c(language::c), cpp(language::cpp);
  return l == language::cpp ? cpp : c;
}

class c_family_extractor final : public extractor {
 public:
  c_family_extractor(const extract_input& in, file_extract& out)
      : extractor(in, out, "::"), T(tables_for(in.lang)), cpp_(in.lang == language::cpp) {}

 private:
  const tables& T;
  bool cpp_;

  struct ctx {
    uint32_t scope = 0;        // receives definitions
    uint32_t cls = 0;          // enclosing class/struct/union
    bool in_function = false;  // locals are not definitions
    visibility access = visibility::none;
    TSNode wrapper{};  // template declaration around the item
  };

  void extract(TSNode root) override {
    ctx c;
    descend(root, [&](TSNode n) { visit(n, c); });
  }

  TSNode whole_of(TSNode n, const ctx& c) const { return null(c.wrapper) ? n : c.wrapper; }

  // The declarator chain: where the name is, and the function declarator if any.
  struct decl_info {
    TSNode name{};         // identifier, field_identifier, qualified_identifier, destructor_name, ...
    TSNode function{};     // the function_declarator
    bool pointer = false;  // a pointer/array to something (a function pointer is a variable)
  };

  // `T *f(args)` is pointer_declarator(function_declarator(f)): a function returning a
  // pointer. `T (*f)(args)` is function_declarator(parenthesized(pointer(f))): a
  // function pointer, i.e. a variable. So a pointer met before the function
  // declarator belongs to the return type; one met inside it makes a variable.
  decl_info unwrap(TSNode d) {
    decl_info info;
    bool in_function = false;
    for (int guard = 0; guard < 64 && !null(d); ++guard) {
      int s = T.sym(d);
      if (s == s_function_declarator || s == s_function_field_declarator) {
        if (null(info.function)) info.function = d;
        in_function = true;
        // `ATTR_MACRO\nname (args)` / `uint64_t\nname (args)` after an unknown type:
        // the parser takes the word before the name as the declarator and leaves the
        // real name in an ERROR right before the parameters.
        TSNode real{};
        for_children(d, [&](TSNode ch, TSFieldId) {
          if (ts_node_symbol(ch) != error_symbol) return;
          uint32_t k = ts_node_named_child_count(ch);
          TSNode last = k ? ts_node_named_child(ch, k - 1) : TSNode{};
          if (!null(last) && (T.sym(last) == s_identifier || T.sym(last) == s_field_identifier)) real = last;
        });
        if (!null(real)) {
          info.name = real;
          break;
        }
        d = field(d, T.fld[f_declarator]);
      } else if (s == s_pointer_declarator || s == s_reference_declarator || s == s_array_declarator ||
                 s == s_init_declarator) {
        if (in_function && (s == s_pointer_declarator || s == s_array_declarator)) info.pointer = true;
        TSNode inner = field(d, T.fld[f_declarator]);
        if (null(inner)) inner = ts_node_named_child(d, ts_node_named_child_count(d) - 1);
        if (s == s_reference_declarator) inner = ts_node_named_child(d, 0);
        d = inner;
      } else if (s == s_operator_cast) {  // operator bool() const
        info.name = d;
        if (null(info.function)) info.function = field(d, T.fld[f_declarator]);
        break;
      } else if (s == s_attributed_declarator || s == s_parenthesized_declarator) {
        d = ts_node_named_child(d, 0);
      } else {
        info.name = d;
        break;
      }
    }
    if (info.pointer) info.function = TSNode{};  // a function pointer is a variable
    return info;
  }

  // Splits a (possibly qualified) name: scope "ns::Foo" and the final name node.
  void split_name(TSNode n, std::string& scope, TSNode& last) {
    last = n;
    for (int guard = 0; guard < 32 && !null(last) && T.sym(last) == s_qualified_identifier; ++guard) {
      TSNode sc = field(last, T.fld[f_scope]);
      if (!null(sc)) {
        std::string part = str(sc);
        if (auto lt = part.find('<'); lt != std::string::npos) part.resize(lt);  // Foo<T>::bar
        scope = scope.empty() ? part : scope + "::" + part;
      }
      last = field(last, T.fld[f_name]);
    }
    if (!null(last) &&
        (T.sym(last) == s_template_function || T.sym(last) == s_template_type || T.sym(last) == s_template_method)) {
      TSNode inner = field(last, T.fld[f_name]);
      if (!null(inner)) last = inner;
    }
  }

  uint32_t define(node_kind kind, TSNode whole, TSNode name_node, std::string name, const ctx& c, TSNode body,
                  uint16_t mods = 0, std::string qname = {}, uint32_t parent = UINT32_MAX) {
    def d;
    d.kind = kind;
    d.name = std::move(name);
    d.whole = whole;
    d.name_node = name_node;
    d.parent = parent == UINT32_MAX ? c.scope : parent;
    d.modifiers = mods;
    d.vis = c.access;
    d.qualified_name = std::move(qname);
    auto end = null(body) ? ts_node_end_byte(whole) : ts_node_start_byte(body);
    d.signature = signature_of(ts_node_start_byte(whole), end);
    while (!d.signature.empty() &&
           (d.signature.back() == ';' || d.signature.back() == ' ' || d.signature.back() == '{'))
      d.signature.pop_back();
    d.doc = doc_above(ts_node_start_point(whole).row);
    return add_def(std::move(d));
  }

  void visit(TSNode n, const ctx& c) {
    switch (T.sym(n)) {
      case s_comment: note_comment(n); return;
      case s_function_def: on_function(n, c); return;
      case s_declaration:
      case s_field_decl: on_declaration(n, c); return;
      case s_class: on_record(n, c, node_kind::class_, visibility::private_); return;
      case s_struct: on_record(n, c, node_kind::struct_, visibility::public_); return;
      case s_union: on_record(n, c, node_kind::union_, visibility::public_); return;
      case s_enum: on_enum(n, c); return;
      case s_namespace: on_namespace(n, c); return;
      case s_template_decl: {
        if (TSNode params = ts_node_child_by_field_name(n, "parameters", 10); !null(params))
          for_named_children(params, [&](TSNode p, TSFieldId) {
            int ps = T.sym(p);
            if (ps == s_type_param_decl || ps == s_variadic_type_param_decl) {
              for_named_children(p, [&](TSNode id, TSFieldId) {
                if (T.sym(id) == s_type_identifier) add_type_parameter(str(id));
              });
            } else if (ps == s_optional_type_param_decl) {
              TSNode nm = field(p, T.fld[f_name]);
              if (!null(nm)) add_type_parameter(str(nm));
            }
          });
        ctx t = c;
        if (null(t.wrapper)) t.wrapper = n;
        descend(n, [&](TSNode ch) { visit(ch, t); });
        return;
      }
      case s_type_definition: on_typedef(n, c); return;
      case s_alias_decl: {
        TSNode name = field(n, T.fld[f_name]);
        if (null(name)) return;
        auto idx = define(node_kind::type_alias, whole_of(n, c), name, str(name), c, TSNode{});
        type_refs(field(n, T.fld[f_type]), idx, edge_kind::references);
        return;
      }
      case s_preproc_def:
      case s_preproc_function_def: {
        TSNode name = field(n, T.fld[f_name]);
        if (null(name)) return;
        TSNode value = field(n, T.fld[f_value]);
        def d;
        d.kind = node_kind::macro;
        d.name = str(name);
        d.whole = n;
        d.name_node = name;
        d.parent = c.scope;
        d.signature =
            signature_of(ts_node_start_byte(n), null(value) ? ts_node_end_byte(n) : ts_node_start_byte(value));
        d.doc = doc_above(ts_node_start_point(n).row);
        add_def(std::move(d));
        return;
      }
      case s_preproc_include: on_include(n, c); return;
      case s_using_decl: on_using(n, c); return;
      case s_namespace_alias: on_namespace_alias(n, c); return;
      case s_linkage_spec: {
        TSNode body = field(n, T.fld[f_body]);
        if (!null(body)) {
          if (T.sym(body) == s_declaration_list)
            for_children(body, [&](TSNode ch, TSFieldId) { visit(ch, c); });
          else
            visit(body, c);
        }
        return;
      }
      case s_call: on_call(n, c); break;
      case s_new: {
        TSNode type = field(n, T.fld[f_type]);
        if (!null(type)) type_ref(type, c.scope, edge_kind::calls, ref_flag::constructor);
        break;
      }
      case s_friend_decl: {  // an inline friend definition is a function of the enclosing namespace
        ctx f = c;
        f.scope = c.cls ? c.cls : c.scope;
        for_named_children(n, [&](TSNode ch, TSFieldId) {
          if (T.sym(ch) == s_function_def) on_function(ch, f, true);
        });
        return;
      }
      case s_access_specifier: return;
      case s_string_literal:
      case s_raw_string:
      case s_char_literal: return;
      default:
        if (ts_node_symbol(n) == error_symbol && !c.in_function) recover_record(n, c);
        break;
      case s_concept: {
        TSNode name = field(n, T.fld[f_name]);
        if (!null(name)) define(node_kind::type_alias, whole_of(n, c), name, str(name), c, TSNode{});
        return;
      }
    }
    ctx i = c;
    i.wrapper = TSNode{};
    descend(n, [&](TSNode ch) { visit(ch, i); });
  }

  // A type name used as a type or constructor: Foo, ns::Foo, Foo<T>.
  void type_ref(TSNode t, uint32_t scope, edge_kind k, uint8_t flags) {
    if (null(t)) return;
    int s = T.sym(t);
    if (s == s_type_identifier) {
      add_ref(scope, k, str(t), "", t, flags);
    } else if (s == s_template_type) {
      type_ref(field(t, T.fld[f_name]), scope, k, flags);
      TSNode args = field(t, T.fld[f_arguments]);
      if (!null(args))
        for_named_children(args, [&](TSNode a, TSFieldId) { type_refs(a, scope, edge_kind::references); });
    } else if (s == s_qualified_identifier) {
      std::string q;
      TSNode last;
      split_name(t, q, last);
      if (!null(last)) add_ref(scope, k, str(last), std::move(q), last, flags | ref_flag::scoped);
    } else if (s == s_class || s == s_struct || s == s_union || s == s_enum) {
      TSNode name = field(t, T.fld[f_name]);
      if (!null(name) && null(field(t, T.fld[f_body]))) type_ref(name, scope, k, flags);
    }
  }

  void type_refs(TSNode t, uint32_t scope, edge_kind k) {
    if (null(t)) return;
    int s = T.sym(t);
    if (s == s_type_identifier || s == s_template_type || s == s_qualified_identifier) {
      type_ref(t, scope, k, 0);
      return;
    }
    if (s == s_primitive_type || s == s_sized_type) return;
    for_named_children(t, [&](TSNode ch, TSFieldId) { type_refs(ch, scope, k); });
  }

  std::string type_name(TSNode t) {
    if (null(t)) return {};
    int s = T.sym(t);
    if (s == s_type_identifier || s == s_qualified_identifier) return str(t);
    if (s == s_template_type) return type_name(field(t, T.fld[f_name]));
    if (s == s_class || s == s_struct || s == s_union) return type_name(field(t, T.fld[f_name]));
    return {};
  }

  bool has_storage(TSNode n, std::string_view what) {
    bool found = false;
    for_named_children(n, [&](TSNode ch, TSFieldId) {
      if (T.sym(ch) == s_storage_class && text(ch) == what) found = true;
    });
    return found;
  }

  bool has_child(TSNode n, int symbol) {
    bool found = false;
    for_children(n, [&](TSNode ch, TSFieldId) {
      if (T.sym(ch) == symbol) found = true;
    });
    return found;
  }

  static bool macro_like(std::string_view name) {
    if (name.size() < 2) return false;
    for (char ch : name)
      if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
    return true;
  }

  // Macros the parser cannot see through (`void f() NOEXCEPT {`, `PREFIX(T) f()`)
  // leave the real function declarator inside an ERROR node and a macro name as the
  // declarator: prefer the first function declarator with a non-macro name.
  decl_info function_info(TSNode n, TSNode decl) {
    auto info = unwrap(decl);
    bool suspicious = null(info.function) || null(info.name) || macro_like(text(info.name));
    if (!suspicious) return info;
    decl_info found;
    TSNode body = field(n, T.fld[f_body]);
    find_declarator_in_errors(n, body, false, found, 0);
    return null(found.function) ? info : found;
  }

  // Depth-first through the definition (not its body) for ERROR nodes holding a
  // function declarator with a real (non-macro) name.
  void find_declarator_in_errors(TSNode n, TSNode body, bool in_error, decl_info& found, int depth) {
    if (depth > 8 || !null(found.function)) return;
    for_named_children(n, [&](TSNode ch, TSFieldId) {
      if (!null(found.function) || ch.id == body.id) return;
      bool err = ts_node_symbol(ch) == error_symbol;
      if ((in_error || err) && T.sym(ch) == s_function_declarator) {
        auto cand = unwrap(ch);
        if (!null(cand.name) && !macro_like(text(cand.name))) {
          found = cand;
          return;
        }
      }
      if (T.sym(ch) != s_compound_statement && T.sym(ch) != s_parameter_decl)
        find_declarator_in_errors(ch, body, in_error || err, found, depth + 1);
    });
  }

  bool followed_by_directive(TSNode n) const {
    auto src = in_.source;
    size_t i = ts_node_end_byte(n);
    while (i < src.size() && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r' || src[i] == '\n')) ++i;
    return i < src.size() && src[i] == '#';
  }

  void recover_split_record(TSNode n, TSNode name, const ctx& c, node_kind kind) {
    std::string scope;
    TSNode last;
    split_name(name, scope, last);
    if (null(last)) return;
    ctx dc = c;
    if (dc.access == visibility::none) dc.access = visibility::public_;
    auto idx = define(kind, whole_of(n, c), last, str(last), dc, TSNode{});
    records_.emplace(at(idx).name, idx);
  }

  // `class X : public Base {` that the parser could not attach to its body (macros in
  // the body confused it) is left as an ERROR holding the keyword and the name:
  // keep the class, spanning the ERROR.
  void recover_record(TSNode err, const ctx& c) {
    bool keyword = false;
    node_kind kind = node_kind::class_;
    TSNode name{};
    for_children(err, [&](TSNode ch, TSFieldId) {
      if (!null(name)) return;
      auto t = text(ch);
      if (!ts_node_is_named(ch) && (t == "class" || t == "struct")) {
        keyword = true;
        kind = t == "class" ? node_kind::class_ : node_kind::struct_;
      } else if (keyword && T.sym(ch) == s_type_identifier) {
        name = ch;
      } else if (keyword && ts_node_is_named(ch)) {
        keyword = false;
      }
    });
    if (null(name)) return;
    ctx dc = c;
    if (dc.access == visibility::none) dc.access = visibility::public_;
    auto idx = define(kind, err, name, str(name), dc, TSNode{});
    records_.emplace(at(idx).name, idx);
    for_named_children(err, [&](TSNode ch, TSFieldId) {
      if (T.sym(ch) != s_base_clause) return;
      for_named_children(ch, [&](TSNode b, TSFieldId) {
        int bs = T.sym(b);
        if (bs == s_type_identifier || bs == s_qualified_identifier || bs == s_template_type)
          type_ref(b, idx, edge_kind::inherits, 0);
      });
    });
  }

  // The name users know a declarator by: "operator bool" for a conversion operator.
  std::string declared_name(TSNode last) {
    if (T.sym(last) == s_operator_cast) {
      TSNode type = field(last, T.fld[f_type]);
      return "operator " + (null(type) ? std::string() : str(type));
    }
    return str(last);
  }

  // struct s { .. } in a declaration's or definition's type position is a definition too.
  void visit_inline_record(TSNode type, const ctx& c) {
    if (null(type)) return;
    int ts = T.sym(type);
    if ((ts == s_struct || ts == s_class || ts == s_union || ts == s_enum) && !null(field(type, T.fld[f_body])))
      visit(type, c);
  }

  void on_function(TSNode n, const ctx& c, bool is_friend = false) {
    TSNode decl = field(n, T.fld[f_declarator]);
    TSNode body = field(n, T.fld[f_body]);
    visit_inline_record(field(n, T.fld[f_type]), c);
    auto info = function_info(n, decl);
    if (null(info.name)) {
      visit_body(body, c, c.scope);
      return;
    }
    std::string scope;
    TSNode last;
    split_name(info.name, scope, last);
    if (null(last)) return;
    std::string name = declared_name(last);
    uint16_t mods = 0;
    if (has_storage(n, "static")) mods |= modifier::static_;
    if (has_child(n, s_virtual)) mods |= modifier::virtual_;
    uint32_t parent = c.scope;
    uint32_t owner_cls = c.cls;
    std::string qname;
    node_kind kind = !is_friend && c.cls != 0 && c.scope == c.cls ? node_kind::method : node_kind::function;
    std::string cls_name = c.cls ? at(c.cls).name : std::string();
    if (!scope.empty()) {  // out-of-line member: void ns::Foo::bar() {}
      auto simple = scope.substr(scope.rfind(':') == std::string::npos ? 0 : scope.rfind(':') + 1);
      qname = join(join(scope_of(c.scope), scope), name);
      if (auto it = records_.find(scope); it != records_.end()) {
        parent = it->second;
        owner_cls = it->second;
      }
      kind = node_kind::method;
      cls_name = simple;
    }
    if (kind == node_kind::method && name == cls_name) kind = node_kind::constructor;
    ctx fc = c;
    if (kind == node_kind::function && !(mods & modifier::static_) && c.access == visibility::none)
      fc.access = visibility::public_;
    if (kind == node_kind::function && (mods & modifier::static_) && c.cls == 0) fc.access = visibility::private_;
    auto idx = define(kind, whole_of(n, c), last, name, fc, body, mods, qname, parent);
    at(idx).type_name = type_name(field(n, T.fld[f_type]));
    if (!cls_name.empty() && kind != node_kind::function) add_binding(idx, "this", cls_name);
    params(info.function, idx);
    type_refs(field(n, T.fld[f_type]), idx, edge_kind::references);
    ctx inner;
    inner.scope = idx;
    inner.cls = owner_cls;
    inner.in_function = true;
    // constructor initializer lists call member/base constructors
    for_named_children(n, [&](TSNode ch, TSFieldId) {
      if (T.sym(ch) != s_compound_statement && ch.id != decl.id && T.sym(ch) != s_type_identifier &&
          T.sym(ch) != s_primitive_type && T.sym(ch) != s_comment)
        if (ts_node_start_byte(ch) > ts_node_end_byte(decl)) visit(ch, inner);
    });
    visit_body(body, inner, idx);
  }

  void visit_body(TSNode body, const ctx& c, uint32_t) {
    if (null(body)) return;
    ctx i = c;
    i.wrapper = TSNode{};
    i.in_function = true;
    visit(body, i);
  }

  void params(TSNode fn_decl, uint32_t idx) {
    if (null(fn_decl)) return;
    TSNode list = field(fn_decl, T.fld[f_parameters]);
    if (null(list)) return;
    for_named_children(list, [&](TSNode p, TSFieldId) {
      int s = T.sym(p);
      if (s != s_parameter_decl && s != s_optional_parameter_decl && s != s_variadic_parameter_decl) return;
      TSNode type = field(p, T.fld[f_type]);
      type_refs(type, idx, edge_kind::references);
      auto tn = type_name(type);
      TSNode d = field(p, T.fld[f_declarator]);
      if (tn.empty() || null(d)) return;
      auto info = unwrap(d);
      if (!null(info.name) && T.sym(info.name) == s_identifier) add_binding(idx, str(info.name), tn);
    });
  }

  void on_declaration(TSNode n, const ctx& c) {
    TSNode type = field(n, T.fld[f_type]);
    visit_inline_record(type, c);
    bool is_extern = has_storage(n, "extern");
    bool is_static = has_storage(n, "static");
    auto tn = type_name(type);
    bool any = false;
    for_children(n, [&](TSNode d, TSFieldId fid) {
      if (fid != T.fld[f_declarator]) return;
      any = true;
      auto info = unwrap(d);
      if (null(info.name)) return;
      std::string scope;
      TSNode last;
      split_name(info.name, scope, last);
      if (null(last)) return;
      int ls = T.sym(last);
      bool named = ls == s_identifier || ls == s_field_identifier || ls == s_destructor_name || ls == s_operator_name ||
                   ls == s_type_identifier;
      if (!null(info.function)) {
        if (c.in_function || !named) return;  // local prototypes are rare and not definitions here
        // A prototype or in-class method declaration.
        bool in_class = c.cls != 0 && c.scope == c.cls;
        node_kind kind = in_class ? node_kind::method : node_kind::function;
        if (in_class && str(last) == at(c.cls).name) kind = node_kind::constructor;
        uint16_t mods = modifier::declaration;
        if (has_child(n, s_virtual)) mods |= modifier::virtual_;
        if (is_static) mods |= modifier::static_;
        bool pure = false;
        for_children(n, [&](TSNode ch, TSFieldId) {
          if (T.sym(ch) == s_pure_virtual || (T.sym(ch) == s_init_declarator)) pure = pure || text(ch).ends_with("= 0");
        });
        if (text(n).find("= 0") != std::string_view::npos) pure = true;
        if (pure) mods |= modifier::abstract;
        ctx fc = c;
        if (!in_class && fc.access == visibility::none)
          fc.access = is_static ? visibility::private_ : visibility::public_;
        std::string qname = scope.empty() ? std::string() : join(join(scope_of(c.scope), scope), str(last));
        auto idx = define(kind, whole_of(n, c), last, str(last), fc, TSNode{}, mods, qname);
        at(idx).type_name = tn;
        params(info.function, idx);
        type_refs(type, idx, edge_kind::references);
        return;
      }
      // A variable or field.
      if (!tn.empty() && ls == s_identifier) add_binding(c.scope, str(last), tn);
      if (!tn.empty() && ls == s_field_identifier && c.cls) add_binding(c.cls, "this." + str(last), tn);
      if (c.in_function || !named || is_extern) {
        if (c.in_function) {
          type_refs(type, c.scope, edge_kind::references);
          TSNode value = field(d, T.fld[f_value]);
          if (T.sym(d) == s_init_declarator && !null(value)) visit(value, c);
        }
        return;
      }
      bool in_class = c.cls != 0 && c.scope == c.cls;
      node_kind kind = in_class ? node_kind::field : node_kind::variable;
      uint16_t mods = is_static ? modifier::static_ : 0;
      if (text(type).find("const") != std::string_view::npos || text(n).starts_with("const")) mods |= modifier::const_;
      if (!in_class && (mods & modifier::const_) && kind == node_kind::variable) kind = node_kind::constant;
      ctx vc = c;
      if (!in_class && vc.access == visibility::none)
        vc.access = is_static ? visibility::private_ : visibility::public_;
      auto idx = define(kind, whole_of(n, c), last, str(last), vc, TSNode{}, mods);
      at(idx).type_name = tn;
      type_refs(type, idx, edge_kind::type_of);
      TSNode value = field(d, T.fld[f_value]);
      if (T.sym(d) == s_init_declarator && !null(value)) {
        ctx i = c;
        i.scope = idx;
        i.in_function = true;
        visit(value, i);
      }
    });
    if (!any && !null(type) && c.in_function) type_refs(type, c.scope, edge_kind::references);
  }

  void on_record(TSNode n, const ctx& c, node_kind kind, visibility default_access) {
    TSNode name = field(n, T.fld[f_name]);
    TSNode body = field(n, T.fld[f_body]);
    if (null(body)) {
      // A forward declaration or a use, unless the preprocessor splits the header
      // from its body (`struct X\n#if A\n : B\n#endif\n{`): then keep it.
      if (!null(name) && followed_by_directive(n)) recover_split_record(n, name, c, kind);
      return;
    }
    if (null(name)) {  // anonymous: members belong to the enclosing scope
      ctx i = c;
      i.wrapper = TSNode{};
      members(body, i, default_access);
      return;
    }
    std::string scope;
    TSNode last;
    split_name(name, scope, last);
    std::string nm = str(last);
    std::string qname = scope.empty() ? std::string() : join(join(scope_of(c.scope), scope), nm);
    ctx dc = c;
    if (dc.access == visibility::none) dc.access = visibility::public_;
    auto idx = define(kind, whole_of(n, c), last, nm, dc, body, 0, qname);
    records_[scope.empty() ? nm : scope + "::" + nm] = idx;
    if (!scope.empty()) records_.emplace(nm, idx);
    for_named_children(n, [&](TSNode ch, TSFieldId) {
      if (T.sym(ch) != s_base_clause) return;
      for_named_children(ch, [&](TSNode b, TSFieldId) {
        int bs = T.sym(b);
        if (bs == s_type_identifier || bs == s_qualified_identifier || bs == s_template_type)
          type_ref(b, idx, edge_kind::inherits, 0);
      });
    });
    ctx i;
    i.scope = idx;
    i.cls = idx;
    add_binding(idx, "this", nm);
    members(body, i, default_access);
  }

  void members(TSNode body, ctx i, visibility default_access) {
    i.access = default_access;
    i.wrapper = TSNode{};
    for_children(body, [&](TSNode m, TSFieldId) {
      int s = T.sym(m);
      if (s == s_access_specifier) {
        auto t = text(m);
        i.access = t.starts_with("public")      ? visibility::public_
                   : t.starts_with("protected") ? visibility::protected_
                                                : visibility::private_;
        return;
      }
      visit(m, i);
    });
  }

  void on_enum(TSNode n, const ctx& c) {
    TSNode name = field(n, T.fld[f_name]);
    TSNode body = field(n, T.fld[f_body]);
    if (null(body)) return;
    uint32_t owner = c.scope;
    ctx ec = c;
    if (!null(name)) {
      std::string scope;
      TSNode last;
      split_name(name, scope, last);
      ctx dc = c;
      if (dc.access == visibility::none) dc.access = visibility::public_;
      owner = define(node_kind::enum_, whole_of(n, c), last, str(last), dc, body);
      ec.scope = owner;
    }
    ec.wrapper = TSNode{};
    enumerators(body, ec);
  }

  void enumerators(TSNode list, const ctx& ec) {
    for_children(list, [&](TSNode e, TSFieldId) {
      int s = T.sym(e);
      if (s == s_comment) {
        note_comment(e);
      } else if (s == s_enumerator) {
        TSNode en = field(e, T.fld[f_name]);
        if (!null(en)) define(node_kind::enum_member, e, en, str(en), ec, TSNode{}, modifier::const_);
      } else if (s == s_preproc_if || s == s_preproc_ifdef || s == s_preproc_else || s == s_preproc_elif ||
                 s == s_preproc_elifdef) {
        enumerators(e, ec);
      }
    });
  }

  void on_namespace(TSNode n, const ctx& c) {
    TSNode name = field(n, T.fld[f_name]);
    TSNode body = field(n, T.fld[f_body]);
    ctx i = c;
    i.wrapper = TSNode{};
    i.access = visibility::none;
    if (!null(name)) {
      std::string nm = str(name);
      def d;
      d.kind = node_kind::namespace_;
      d.name = nm.substr(nm.rfind(':') == std::string::npos ? 0 : nm.rfind(':') + 1);
      d.qualified_name = join(scope_of(c.scope), nm);
      d.whole = n;
      d.name_node = name;
      d.parent = c.scope;
      d.signature = signature_of(ts_node_start_byte(n), null(body) ? ts_node_end_byte(n) : ts_node_start_byte(body));
      d.doc = doc_above(ts_node_start_point(n).row);
      i.scope = add_def(std::move(d));
    }
    if (!null(body)) for_children(body, [&](TSNode ch, TSFieldId) { visit(ch, i); });
  }

  void on_typedef(TSNode n, const ctx& c) {
    TSNode type = field(n, T.fld[f_type]);
    bool named_by_typedef = false;
    if (!null(type)) {
      int ts = T.sym(type);
      TSNode body = field(type, T.fld[f_body]);
      bool record = ts == s_struct || ts == s_class || ts == s_union || ts == s_enum;
      if (record && !null(body) && null(field(type, T.fld[f_name]))) {
        // typedef struct { ... } point;  the struct is known by the typedef's name.
        TSNode first{};
        for_children(n, [&](TSNode d, TSFieldId fid) {
          if (fid == T.fld[f_declarator] && null(first)) first = d;
        });
        auto info = null(first) ? decl_info{} : unwrap(first);
        if (!null(info.name) && null(info.function) && !info.pointer && T.sym(first) == T.sym(info.name)) {
          named_by_typedef = true;
          node_kind kind = ts == s_enum    ? node_kind::enum_
                           : ts == s_union ? node_kind::union_
                           : ts == s_class ? node_kind::class_
                                           : node_kind::struct_;
          ctx dc = c;
          if (dc.access == visibility::none) dc.access = visibility::public_;
          auto idx = define(kind, whole_of(n, c), info.name, str(info.name), dc, body);
          records_.emplace(at(idx).name, idx);
          ctx i;
          i.scope = idx;
          if (kind == node_kind::enum_) {
            enumerators(body, i);
          } else {
            i.cls = idx;
            add_binding(idx, "this", at(idx).name);
            members(body, i, visibility::public_);
          }
        }
      }
      if (!named_by_typedef) visit_inline_record(type, c);
    }
    bool first_declarator = true;
    for_children(n, [&](TSNode d, TSFieldId fid) {
      if (fid != T.fld[f_declarator]) return;
      bool named_here = named_by_typedef && first_declarator;
      first_declarator = false;
      if (named_here) return;
      auto info = unwrap(d);
      if (null(info.name)) return;
      ctx dc = c;
      if (dc.access == visibility::none) dc.access = visibility::public_;
      auto idx = define(node_kind::type_alias, whole_of(n, c), info.name, str(info.name), dc, TSNode{});
      type_refs(type, idx, edge_kind::references);
    });
  }

  void on_include(TSNode n, const ctx& c) {
    TSNode path = field(n, T.fld[f_path]);
    if (null(path)) return;
    auto t = text(path);
    if (t.size() < 2) return;
    bool quoted = T.sym(path) == s_string_literal;
    std::string module = str(t.substr(1, t.size() - 2));
    def d;
    d.kind = node_kind::import;
    d.name = module;
    d.whole = n;
    d.name_node = path;
    d.parent = c.scope;
    d.signature = signature_of(ts_node_start_byte(n), ts_node_end_byte(n));
    auto imp = add_def(std::move(d));
    add_import(imp, module, "", "", path, quoted ? 1 : 0);
  }

  void on_using(TSNode n, const ctx& c) {
    bool is_namespace = text(n).find("namespace") != std::string_view::npos;
    TSNode target = ts_node_named_child(n, ts_node_named_child_count(n) - 1);
    if (null(target)) return;
    std::string full = str(target);
    std::string module, name;
    if (is_namespace) {
      module = full;
      name = "*";
    } else {
      auto cut = full.rfind("::");
      module = cut == std::string::npos ? std::string() : full.substr(0, cut);
      name = cut == std::string::npos ? full : full.substr(cut + 2);
    }
    def d;
    d.kind = node_kind::import;
    d.name = is_namespace ? full : name;
    d.whole = n;
    d.name_node = target;
    d.parent = c.scope;
    d.signature = signature_of(ts_node_start_byte(n), ts_node_end_byte(n));
    auto imp = add_def(std::move(d));
    add_import(imp, module, name, is_namespace ? std::string() : name, n);
  }

  // namespace fs = std::filesystem; an import whose alias names the namespace, so that
  // fs::exists(p) resolves as std::filesystem::exists(p) (external here).
  void on_namespace_alias(TSNode n, const ctx& c) {
    uint32_t count = ts_node_named_child_count(n);
    if (count < 2) return;
    TSNode alias = ts_node_named_child(n, 0), target = ts_node_named_child(n, count - 1);
    std::string module = str(target);
    module.erase(std::remove_if(module.begin(), module.end(), [](char ch) { return std::isspace(ch); }), module.end());
    if (module.starts_with("::")) module.erase(0, 2);
    if (module.empty()) return;
    def d;
    d.kind = node_kind::import;
    d.name = str(alias);
    d.whole = n;
    d.name_node = alias;
    d.parent = c.scope;
    d.signature = signature_of(ts_node_start_byte(n), ts_node_end_byte(n));
    auto imp = add_def(std::move(d));
    add_import(imp, module, "", str(alias), n);
  }

  void on_call(TSNode n, const ctx& c) {
    TSNode fn = field(n, T.fld[f_function]);
    if (null(fn)) return;
    int s = T.sym(fn);
    if (s == s_identifier) {
      add_ref(c.scope, edge_kind::calls, str(fn), "", fn);
    } else if (s == s_template_function) {
      TSNode name = field(fn, T.fld[f_name]);
      if (!null(name)) add_ref(c.scope, edge_kind::calls, str(name), "", name);
    } else if (s == s_qualified_identifier) {
      std::string q;
      TSNode last;
      split_name(fn, q, last);
      if (!null(last)) add_ref(c.scope, edge_kind::calls, str(last), std::move(q), last, ref_flag::scoped);
    } else if (s == s_field_expression) {
      TSNode arg = field(fn, T.fld[f_argument]);
      TSNode f = field(fn, T.fld[f_field]);
      if (null(f)) return;
      if (T.sym(f) == s_template_method || T.sym(f) == s_qualified_identifier) {
        std::string q;
        TSNode last;
        split_name(f, q, last);
        f = last;
        if (null(f)) return;
      }
      std::string qual = "()";
      if (!null(arg)) {
        int as = T.sym(arg);
        if (as == s_identifier || as == s_field_expression || text(arg) == "this") qual = str(arg);
      }
      add_ref(c.scope, edge_kind::calls, str(f), std::move(qual), f, ref_flag::member);
    } else if (s == s_type_identifier || s == s_template_type) {  // Foo(...) functional cast / construction
      type_ref(fn, c.scope, edge_kind::calls, ref_flag::constructor);
    }
  }

  std::unordered_map<std::string, uint32_t> records_;
};

}  // namespace

void extract_c_family(const extract_input& in, TSNode root, file_extract& out) {
  c_family_extractor x(in, out);
  x.run(root);
}

}  // namespace cg
