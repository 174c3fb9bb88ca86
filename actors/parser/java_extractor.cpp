// Java: package, classes, interfaces, enums, records, annotation types (nested and
// local too), methods, constructors, fields, constants, enum constants, imports
// (single, on-demand, static), calls, object creation, super/this constructor
// calls, extends/implements, annotations and type references.
#include "actors/parser/extractors.hpp"
#include "actors/parser/grammars.hpp"
#include "actors/parser/symbols.hpp"

namespace cg {
namespace {

enum sym : int {
  s_none = 0,
  s_class,
  s_interface,
  s_enum,
  s_record,
  s_annotation_type,
  s_method,
  s_constructor,
  s_compact_constructor,
  s_field,
  s_constant,
  s_enum_constant,
  s_annotation_element,
  s_package,
  s_import,
  s_invocation,
  s_creation,
  s_explicit_ctor,
  s_superclass,
  s_super_interfaces,
  s_extends_interfaces,
  s_type_list,
  s_local_var,
  s_declarator,
  s_formal_param,
  s_spread_param,
  s_modifiers,
  s_scoped_identifier,
  s_generic_type,
  s_scoped_type_identifier,
  s_type_identifier,
  s_identifier,
  s_class_body,
  s_enum_body,
  s_enum_body_decls,
  s_interface_body,
  s_annotation_body,
  s_marker_annotation,
  s_annotation,
  s_line_comment,
  s_block_comment,
  s_asterisk,
  s_field_access,
  s_this,
  s_super,
  s_string_literal,
  s_array_type,
  s_kw_static,
  s_lambda,
  s_block,
  s_enhanced_for,
  s_type_parameters,
  s_type_parameter,
};

enum fld : int {
  f_name = 1,
  f_body,
  f_parameters,
  f_type,
  f_declarator,
  f_value,
  f_object,
  f_arguments,
  f_superclass,
  f_interfaces,
  f_constructor,
  f_scope,
  f_field,
  f_type_parameters,
};

struct tables {
  symbol_codes sym;
  field_ids fld;
  tables()
      : sym(grammar_for(language::java), {{"class_declaration", s_class},
                                          {"interface_declaration", s_interface},
                                          {"enum_declaration", s_enum},
                                          {"record_declaration", s_record},
                                          {"annotation_type_declaration", s_annotation_type},
                                          {"method_declaration", s_method},
                                          {"constructor_declaration", s_constructor},
                                          {"compact_constructor_declaration", s_compact_constructor},
                                          {"field_declaration", s_field},
                                          {"constant_declaration", s_constant},
                                          {"enum_constant", s_enum_constant},
                                          {"annotation_type_element_declaration", s_annotation_element},
                                          {"package_declaration", s_package},
                                          {"import_declaration", s_import},
                                          {"method_invocation", s_invocation},
                                          {"object_creation_expression", s_creation},
                                          {"explicit_constructor_invocation", s_explicit_ctor},
                                          {"superclass", s_superclass},
                                          {"super_interfaces", s_super_interfaces},
                                          {"extends_interfaces", s_extends_interfaces},
                                          {"type_list", s_type_list},
                                          {"local_variable_declaration", s_local_var},
                                          {"variable_declarator", s_declarator},
                                          {"formal_parameter", s_formal_param},
                                          {"spread_parameter", s_spread_param},
                                          {"modifiers", s_modifiers},
                                          {"scoped_identifier", s_scoped_identifier},
                                          {"generic_type", s_generic_type},
                                          {"scoped_type_identifier", s_scoped_type_identifier},
                                          {"type_identifier", s_type_identifier},
                                          {"identifier", s_identifier},
                                          {"class_body", s_class_body},
                                          {"enum_body", s_enum_body},
                                          {"enum_body_declarations", s_enum_body_decls},
                                          {"interface_body", s_interface_body},
                                          {"annotation_type_body", s_annotation_body},
                                          {"marker_annotation", s_marker_annotation},
                                          {"annotation", s_annotation},
                                          {"line_comment", s_line_comment},
                                          {"block_comment", s_block_comment},
                                          {"asterisk", s_asterisk},
                                          {"field_access", s_field_access},
                                          {"this", s_this},
                                          {"super", s_super},
                                          {"string_literal", s_string_literal},
                                          {"array_type", s_array_type},
                                          {"'static", s_kw_static},
                                          {"lambda_expression", s_lambda},
                                          {"block", s_block},
                                          {"enhanced_for_statement", s_enhanced_for},
                                          {"type_parameters", s_type_parameters},
                                          {"type_parameter", s_type_parameter}}),
        fld(grammar_for(language::java), {{"name", f_name},
                                          {"body", f_body},
                                          {"parameters", f_parameters},
                                          {"type", f_type},
                                          {"declarator", f_declarator},
                                          {"value", f_value},
                                          {"object", f_object},
                                          {"arguments", f_arguments},
                                          {"superclass", f_superclass},
                                          {"interfaces", f_interfaces},
                                          {"constructor", f_constructor},
                                          {"scope", f_scope},
                                          {"field", f_field},
                                          {"type_parameters", f_type_parameters}}) {}
};

const tables& T() {
  static const tables t;
  return t;
}

class java_extractor final : public extractor {
 public:
  java_extractor(const extract_input& in, file_extract& out) : extractor(in, out, ".") {}

 private:
  struct ctx {
    uint32_t scope = 0;
    uint32_t cls = 0;
    bool in_interface = false;
    bool in_method = false;
  };

  void extract(TSNode root) override {
    ctx c;
    descend(root, [&](TSNode n) { visit(n, c); });
  }

  void modifiers(TSNode decl, def& d, bool in_interface, uint32_t target_for_refs, bool defer_refs) {
    bool any_vis = false;
    for_named_children(decl, [&](TSNode m, TSFieldId) {
      if (T().sym(m) != s_modifiers) return;
      for_children(m, [&](TSNode k, TSFieldId) {
        auto t = text(k);
        if (t == "public") {
          d.vis = visibility::public_;
          any_vis = true;
        } else if (t == "private") {
          d.vis = visibility::private_;
          any_vis = true;
        } else if (t == "protected") {
          d.vis = visibility::protected_;
          any_vis = true;
        } else if (t == "static")
          d.modifiers |= modifier::static_;
        else if (t == "abstract")
          d.modifiers |= modifier::abstract;
        else if (t == "final")
          d.modifiers |= modifier::final_;
        else if (t == "default")
          d.modifiers &= static_cast<uint16_t>(~modifier::abstract);
      });
    });
    if (!any_vis) d.vis = in_interface ? visibility::public_ : visibility::internal;
    (void)target_for_refs;
    (void)defer_refs;
  }

  void annotations(TSNode decl, uint32_t target) {
    for_named_children(decl, [&](TSNode m, TSFieldId) {
      if (T().sym(m) != s_modifiers) return;
      for_named_children(m, [&](TSNode a, TSFieldId) {
        int s = T().sym(a);
        if (s != s_marker_annotation && s != s_annotation) return;
        TSNode name = field(a, T().fld[f_name]);
        if (!null(name)) name_ref(name, target, edge_kind::references, 0);
        TSNode args = field(a, T().fld[f_arguments]);
        if (!null(args)) {
          ctx c;
          c.scope = target;
          visit(args, c);
        }
      });
    });
  }

  // class Box<T>, <T extends X> void f(): names that are parameters, not references.
  void type_parameters(TSNode owner) {
    TSNode tp = field(owner, T().fld[f_type_parameters]);
    if (null(tp)) return;
    for_named_children(tp, [&](TSNode p, TSFieldId) {
      if (T().sym(p) != s_type_parameter) return;
      for_named_children(p, [&](TSNode id, TSFieldId) {
        if (T().sym(id) == s_type_identifier || T().sym(id) == s_identifier) add_type_parameter(str(id));
      });
    });
  }

  uint32_t define(node_kind kind, TSNode n, TSNode name, const ctx& c, TSNode body, uint16_t mods = 0) {
    type_parameters(n);
    def d;
    d.kind = kind;
    d.name = str(name);
    d.whole = n;
    d.name_node = name;
    d.parent = c.scope;
    d.modifiers = mods;
    modifiers(n, d, c.in_interface, 0, false);
    if (c.in_interface && (kind == node_kind::method) && null(body) && !(d.modifiers & modifier::static_))
      d.modifiers |= modifier::abstract;
    if (null(body) && (kind == node_kind::method || kind == node_kind::constructor))
      d.modifiers |= modifier::declaration;
    if (d.vis == visibility::public_) d.modifiers |= modifier::exported;
    auto end = null(body) ? ts_node_end_byte(n) : ts_node_start_byte(body);
    // The signature starts after annotations: skip the modifiers node's annotations.
    uint32_t start = ts_node_start_byte(n);
    d.signature = signature_of(start, end);
    while (!d.signature.empty() && (d.signature.back() == ';' || d.signature.back() == ' ')) d.signature.pop_back();
    d.doc = doc_above(ts_node_start_point(n).row);
    d.type_name = type_name(field(n, T().fld[f_type]));
    auto idx = add_def(std::move(d));
    annotations(n, idx);
    return idx;
  }

  void visit(TSNode n, const ctx& c) {
    switch (T().sym(n)) {
      case s_line_comment:
      case s_block_comment: note_comment(n); return;
      case s_package: {
        TSNode name{};
        for_named_children(n, [&](TSNode ch, TSFieldId) {
          if (T().sym(ch) == s_identifier || T().sym(ch) == s_scoped_identifier) name = ch;
        });
        if (null(name)) return;
        std::string pkg = str(name);
        set_module_scope(pkg);
        out_.refs.package = pkg;
        def d;
        d.kind = node_kind::package;
        d.name = pkg;
        d.qualified_name = pkg;
        d.whole = n;
        d.name_node = name;
        d.signature = signature_of(ts_node_start_byte(n), ts_node_end_byte(n));
        d.doc = doc_above(ts_node_start_point(n).row);
        add_def(std::move(d));
        return;
      }
      case s_import: on_import(n, c); return;
      case s_class:
      case s_record: on_type(n, c, node_kind::class_); return;
      case s_interface: on_type(n, c, node_kind::interface); return;
      case s_annotation_type: on_type(n, c, node_kind::interface); return;
      case s_enum: on_type(n, c, node_kind::enum_); return;
      case s_invocation: on_invocation(n, c); break;
      case s_creation: {
        TSNode type = field(n, T().fld[f_type]);
        if (!null(type)) name_ref(type, c.scope, edge_kind::calls, ref_flag::constructor);
        break;
      }
      case s_explicit_ctor: {
        TSNode ctor = field(n, T().fld[f_constructor]);
        if (!null(ctor)) {
          bool sup = T().sym(ctor) == s_super;
          add_ref(c.scope, edge_kind::calls, "<init>", sup ? "super" : "this", ctor,
                  sup ? ref_flag::super_ : ref_flag::member);
        }
        break;
      }
      case s_local_var: on_local(n, c); break;
      case s_enhanced_for: {  // for (Shape s : shapes)
        TSNode type = field(n, T().fld[f_type]);
        TSNode name = field(n, T().fld[f_name]);
        auto tn = type_name(type);
        if (!null(name) && !tn.empty() && tn != "var") add_binding(c.scope, str(name), tn);
        type_refs(type, c.scope, edge_kind::references);
        break;
      }
      case s_string_literal: return;
      default: break;
    }
    descend(n, [&](TSNode ch) { visit(ch, c); });
  }

  // A type or name in reference position: Foo, pkg.Foo, Foo<T>, Outer.Inner.
  void name_ref(TSNode t, uint32_t scope, edge_kind k, uint8_t flags) {
    if (null(t)) return;
    int s = T().sym(t);
    if (s == s_generic_type) {
      for_named_children(t, [&](TSNode ch, TSFieldId) {
        int cs = T().sym(ch);
        if (cs == s_type_identifier || cs == s_scoped_type_identifier)
          name_ref(ch, scope, k, flags);
        else
          type_refs(ch, scope, edge_kind::references);  // type arguments
      });
      return;
    }
    if (s == s_type_identifier || s == s_identifier) {
      add_ref(scope, k, str(t), "", t, flags);
      return;
    }
    if (s == s_scoped_type_identifier || s == s_scoped_identifier) {
      auto full = text(t);
      auto dot = full.rfind('.');
      if (dot == std::string_view::npos) {
        add_ref(scope, k, str(full), "", t, flags);
        return;
      }
      std::string q = str(full.substr(0, dot));
      // Strip generic arguments from the qualifier: Map.Entry<K,V> never has them, Outer<T>.Inner may.
      if (auto lt = q.find('<'); lt != std::string::npos) q.resize(lt);
      add_ref(scope, k, str(full.substr(dot + 1)), std::move(q), t, flags | ref_flag::scoped);
    }
  }

  void type_refs(TSNode t, uint32_t scope, edge_kind k) {
    if (null(t)) return;
    int s = T().sym(t);
    if (s == s_type_identifier || s == s_scoped_type_identifier || s == s_generic_type) {
      name_ref(t, scope, k, 0);
      return;
    }
    for_named_children(t, [&](TSNode ch, TSFieldId) { type_refs(ch, scope, k); });
  }

  std::string type_name(TSNode t) {
    if (null(t)) return {};
    int s = T().sym(t);
    if (s == s_generic_type) {
      TSNode inner = ts_node_named_child(t, 0);
      return type_name(inner);
    }
    if (s == s_type_identifier || s == s_scoped_type_identifier) return str(t);
    return {};
  }

  void on_type(TSNode n, const ctx& c, node_kind kind) {
    TSNode name = field(n, T().fld[f_name]);
    TSNode body = field(n, T().fld[f_body]);
    auto idx = define(kind, n, name, c, body);
    // extends / implements
    for_named_children(n, [&](TSNode ch, TSFieldId) {
      int s = T().sym(ch);
      if (s == s_superclass) {
        for_named_children(ch, [&](TSNode t, TSFieldId) { name_ref(t, idx, edge_kind::inherits, 0); });
      } else if (s == s_super_interfaces || s == s_extends_interfaces) {
        auto k = (s == s_super_interfaces) ? edge_kind::implements : edge_kind::inherits;
        for_named_children(ch, [&](TSNode list, TSFieldId) {
          if (T().sym(list) == s_type_list)
            for_named_children(list, [&](TSNode t, TSFieldId) { name_ref(t, idx, k, 0); });
        });
      }
    });
    ctx i;
    i.scope = idx;
    i.cls = idx;
    i.in_interface = kind == node_kind::interface;
    add_binding(idx, "this", at(idx).name);
    // record components are fields
    if (T().sym(n) == s_record) {
      TSNode params = field(n, T().fld[f_parameters]);
      if (!null(params))
        for_named_children(params, [&](TSNode p, TSFieldId) {
          if (T().sym(p) != s_formal_param) return;
          TSNode pn = field(p, T().fld[f_name]);
          if (null(pn)) return;
          auto f = define(node_kind::field, p, pn, i, TSNode{});
          at(f).vis = visibility::private_;
          type_refs(field(p, T().fld[f_type]), f, edge_kind::type_of);
        });
    }
    if (!null(body)) members(body, i);
  }

  void members(TSNode body, const ctx& c) {
    for_children(body, [&](TSNode m, TSFieldId) {
      int s = T().sym(m);
      switch (s) {
        case s_line_comment:
        case s_block_comment: note_comment(m); break;
        case s_method:
        case s_annotation_element: on_method(m, c, node_kind::method); break;
        case s_constructor:
        case s_compact_constructor: on_method(m, c, node_kind::constructor); break;
        case s_field:
        case s_constant: on_field(m, c, s == s_constant); break;
        case s_enum_constant: {
          TSNode name = field(m, T().fld[f_name]);
          auto idx = define(node_kind::enum_member, m, name, c, TSNode{});
          at(idx).vis = visibility::public_;
          at(idx).modifiers |= modifier::static_ | modifier::final_;
          TSNode args = field(m, T().fld[f_arguments]);
          ctx i = c;
          i.scope = idx;
          if (!null(args)) visit(args, i);
          TSNode cbody = field(m, T().fld[f_body]);
          if (!null(cbody)) members(cbody, i);
          break;
        }
        case s_enum_body_decls: members(m, c); break;
        case s_class:
        case s_record:
        case s_interface:
        case s_annotation_type:
        case s_enum: visit(m, c); break;
        default:
          if (ts_node_is_named(m)) visit(m, c);  // initializer blocks
          break;
      }
    });
  }

  void on_method(TSNode m, const ctx& c, node_kind kind) {
    TSNode name = field(m, T().fld[f_name]);
    TSNode body = field(m, T().fld[f_body]);
    auto idx = define(kind, m, name, c, body);
    type_refs(field(m, T().fld[f_type]), idx, edge_kind::references);
    TSNode params = field(m, T().fld[f_parameters]);
    if (!null(params))
      for_named_children(params, [&](TSNode p, TSFieldId) {
        int s = T().sym(p);
        if (s != s_formal_param && s != s_spread_param) return;
        TSNode type = field(p, T().fld[f_type]);
        if (null(type) && s == s_spread_param) type = ts_node_named_child(p, 0);
        type_refs(type, idx, edge_kind::references);
        TSNode pn = field(p, T().fld[f_name]);
        auto tn = type_name(type);
        if (!null(pn) && !tn.empty()) add_binding(idx, str(pn), tn);
      });
    ctx i = c;
    i.scope = idx;
    i.in_method = true;
    i.in_interface = false;
    if (!null(body)) visit(body, i);
  }

  void on_field(TSNode f, const ctx& c, bool constant) {
    TSNode type = field(f, T().fld[f_type]);
    auto tn = type_name(type);
    for_children(f, [&](TSNode d, TSFieldId fid) {
      if (fid != T().fld[f_declarator]) return;
      TSNode name = field(d, T().fld[f_name]);
      if (null(name)) return;
      def_count_ = 0;
      auto idx = define(constant ? node_kind::constant : node_kind::field, f, name, c, TSNode{});
      if (constant) at(idx).modifiers |= modifier::static_ | modifier::final_;
      type_refs(type, idx, edge_kind::type_of);
      if (!tn.empty()) add_binding(c.cls, "this." + at(idx).name, tn);
      TSNode value = field(d, T().fld[f_value]);
      if (!null(value)) {
        ctx i = c;
        i.scope = idx;
        visit(value, i);
      }
    });
  }

  void on_local(TSNode n, const ctx& c) {
    TSNode type = field(n, T().fld[f_type]);
    auto tn = type_name(type);
    type_refs(type, c.scope, edge_kind::references);
    if (tn.empty() || tn == "var") {
      // var x = new Foo(): take the created type
      for_children(n, [&](TSNode d, TSFieldId fid) {
        if (fid != T().fld[f_declarator]) return;
        TSNode name = field(d, T().fld[f_name]);
        TSNode value = field(d, T().fld[f_value]);
        if (!null(name) && !null(value) && T().sym(value) == s_creation) {
          auto vt = type_name(field(value, T().fld[f_type]));
          if (!vt.empty()) add_binding(c.scope, str(name), vt);
        }
      });
      return;
    }
    for_children(n, [&](TSNode d, TSFieldId fid) {
      if (fid != T().fld[f_declarator]) return;
      TSNode name = field(d, T().fld[f_name]);
      if (!null(name)) add_binding(c.scope, str(name), tn);
    });
  }

  void on_invocation(TSNode n, const ctx& c) {
    TSNode name = field(n, T().fld[f_name]);
    TSNode obj = field(n, T().fld[f_object]);
    if (null(name)) return;
    if (null(obj)) {
      bool sup = false;
      for_children(n, [&](TSNode ch, TSFieldId) {
        if (T().sym(ch) == s_super) sup = true;
      });
      if (sup)
        add_ref(c.scope, edge_kind::calls, str(name), "super", name, ref_flag::super_);
      else
        add_ref(c.scope, edge_kind::calls, str(name), "", name);
      return;
    }
    int os = T().sym(obj);
    std::string q = "()";
    uint8_t flags = ref_flag::member;
    if (os == s_identifier || os == s_field_access || os == s_this || os == s_scoped_identifier)
      q = str(obj);
    else if (auto chain = call_chain(obj); !chain.empty())  // make().run(), new C().run()
      q = std::move(chain);
    else if (os == s_super) {
      q = "super";
      flags |= ref_flag::super_;
    }
    add_ref(c.scope, edge_kind::calls, str(name), std::move(q), name, flags);
  }

  // A receiver that is itself a call, as "callee()" (builder().add()), for the resolver
  // to type by the callee's declared return type; empty when the callee is not a name.
  std::string call_chain(TSNode n) {
    int s = T().sym(n);
    if (s == s_identifier || s == s_this || s == s_field_access || s == s_scoped_identifier) return str(n);
    if (s == s_creation) {
      TSNode type = field(n, T().fld[f_type]);
      auto t = null(type) ? std::string() : type_name(type);
      return t.empty() ? t : t + "()";
    }
    if (s != s_invocation) return {};
    TSNode name = field(n, T().fld[f_name]);
    if (null(name)) return {};
    TSNode obj = field(n, T().fld[f_object]);
    if (null(obj)) return str(name) + "()";
    auto inner = call_chain(obj);
    return inner.empty() ? inner : inner + "." + str(name) + "()";
  }

  void on_import(TSNode n, const ctx& c) {
    TSNode path{};
    bool wildcard = false, is_static = false;
    for_children(n, [&](TSNode ch, TSFieldId) {
      int s = T().sym(ch);
      if (s == s_scoped_identifier || s == s_identifier)
        path = ch;
      else if (s == s_asterisk)
        wildcard = true;
      else if (s == s_kw_static)
        is_static = true;
    });
    if (null(path)) return;
    std::string full = str(path);
    std::string module, name;
    if (wildcard) {
      module = full;
      name = "*";
    } else {
      auto dot = full.rfind('.');
      module = dot == std::string::npos ? std::string() : full.substr(0, dot);
      name = dot == std::string::npos ? full : full.substr(dot + 1);
    }
    def d;
    d.kind = node_kind::import;
    d.name = name;
    d.whole = n;
    d.name_node = path;
    d.parent = c.scope;
    d.signature = signature_of(ts_node_start_byte(n), ts_node_end_byte(n));
    if (is_static) d.modifiers |= modifier::static_;
    auto imp = add_def(std::move(d));
    add_import(imp, module, name, wildcard ? std::string() : name, n);
  }

  int def_count_ = 0;
};

}  // namespace

void extract_java(const extract_input& in, TSNode root, file_extract& out) {
  java_extractor x(in, out);
  x.run(root);
}

}  // namespace cg
