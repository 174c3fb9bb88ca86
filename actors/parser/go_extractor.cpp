// Go: package clause, functions, methods (qualified and parented by their receiver
// type: dir.Type.Method), structs (fields, embedded types), interfaces (methods,
// embedded interfaces), other named types and aliases, consts and vars, imports with
// aliases, calls (plain, pkg.F, x.M), composite literals.
#include <unordered_map>

#include "actors/parser/extractors.hpp"
#include "actors/parser/grammars.hpp"
#include "actors/parser/symbols.hpp"

namespace cg {
namespace {

enum sym : int {
  s_none = 0,
  s_function,
  s_method,
  s_type_decl,
  s_type_spec,
  s_type_alias,
  s_struct_type,
  s_interface_type,
  s_field_decl,
  s_field_decl_list,
  s_method_elem,
  s_const_decl,
  s_const_spec,
  s_var_decl,
  s_var_spec,
  s_var_spec_list,
  s_import_decl,
  s_import_spec,
  s_import_spec_list,
  s_package_clause,
  s_call,
  s_selector,
  s_composite,
  s_short_var,
  s_param_decl,
  s_variadic_param,
  s_pointer_type,
  s_qualified_type,
  s_generic_type,
  s_type_elem,
  s_func_literal,
  s_type_identifier,
  s_package_identifier,
  s_dot,
  s_blank,
  s_identifier,
  s_field_identifier,
  s_comment,
  s_expression_list,
  s_unary,
  s_interpreted_string,
  s_raw_string,
  s_block,
  s_parameter_list,
  s_type_parameter_declaration,
};

enum fld : int {
  f_name = 1,
  f_body,
  f_parameters,
  f_result,
  f_receiver,
  f_type,
  f_value,
  f_path,
  f_function,
  f_field,
  f_operand,
  f_left,
  f_right,
  f_package,
  f_type_parameters,
};

struct tables {
  symbol_codes sym;
  field_ids fld;
  tables()
      : sym(grammar_for(language::go), {{"function_declaration", s_function},
                                        {"method_declaration", s_method},
                                        {"type_declaration", s_type_decl},
                                        {"type_spec", s_type_spec},
                                        {"type_alias", s_type_alias},
                                        {"struct_type", s_struct_type},
                                        {"interface_type", s_interface_type},
                                        {"field_declaration", s_field_decl},
                                        {"field_declaration_list", s_field_decl_list},
                                        {"method_elem", s_method_elem},
                                        {"const_declaration", s_const_decl},
                                        {"const_spec", s_const_spec},
                                        {"var_declaration", s_var_decl},
                                        {"var_spec", s_var_spec},
                                        {"var_spec_list", s_var_spec_list},
                                        {"import_declaration", s_import_decl},
                                        {"import_spec", s_import_spec},
                                        {"import_spec_list", s_import_spec_list},
                                        {"package_clause", s_package_clause},
                                        {"call_expression", s_call},
                                        {"selector_expression", s_selector},
                                        {"composite_literal", s_composite},
                                        {"short_var_declaration", s_short_var},
                                        {"parameter_declaration", s_param_decl},
                                        {"variadic_parameter_declaration", s_variadic_param},
                                        {"pointer_type", s_pointer_type},
                                        {"qualified_type", s_qualified_type},
                                        {"generic_type", s_generic_type},
                                        {"type_elem", s_type_elem},
                                        {"func_literal", s_func_literal},
                                        {"type_identifier", s_type_identifier},
                                        {"package_identifier", s_package_identifier},
                                        {"dot", s_dot},
                                        {"blank_identifier", s_blank},
                                        {"identifier", s_identifier},
                                        {"field_identifier", s_field_identifier},
                                        {"comment", s_comment},
                                        {"expression_list", s_expression_list},
                                        {"unary_expression", s_unary},
                                        {"interpreted_string_literal", s_interpreted_string},
                                        {"raw_string_literal", s_raw_string},
                                        {"block", s_block},
                                        {"parameter_list", s_parameter_list},
                                        {"type_parameter_declaration", s_type_parameter_declaration}}),
        fld(grammar_for(language::go), {{"name", f_name},
                                        {"body", f_body},
                                        {"parameters", f_parameters},
                                        {"result", f_result},
                                        {"receiver", f_receiver},
                                        {"type", f_type},
                                        {"value", f_value},
                                        {"path", f_path},
                                        {"function", f_function},
                                        {"field", f_field},
                                        {"operand", f_operand},
                                        {"left", f_left},
                                        {"right", f_right},
                                        {"package", f_package},
                                        {"type_parameters", f_type_parameters}}) {}
};

const tables& T() {
  static const tables t;
  return t;
}

bool exported_name(std::string_view n) { return !n.empty() && n[0] >= 'A' && n[0] <= 'Z'; }

std::string unquote(std::string_view s) {
  if (s.size() >= 2) return std::string(s.substr(1, s.size() - 2));
  return std::string(s);
}

class go_extractor final : public extractor {
 public:
  go_extractor(const extract_input& in, file_extract& out) : extractor(in, out, ".") {}

 private:
  struct ctx {
    uint32_t scope = 0;
    bool in_function = false;
  };

  void extract(TSNode root) override {
    auto slash = in_.path.find_last_of('/');
    dir_ = slash == std::string_view::npos ? std::string() : str(in_.path.substr(0, slash));
    set_module_scope(dir_);
    ctx c;
    // Types first so that methods find their receiver's node in this file.
    for_children(root, [&](TSNode n, TSFieldId) {
      int s = T().sym(n);
      if (s == s_method) return;
      visit(n, c);
    });
    for_children(root, [&](TSNode n, TSFieldId) {
      if (T().sym(n) == s_comment)
        note_comment(n);
      else if (T().sym(n) == s_method)
        on_function(n, c, true);
    });
  }

  uint32_t define(node_kind kind, TSNode whole, TSNode name, const ctx& c, TSNode body, std::string qname = {},
                  uint32_t parent = UINT32_MAX) {
    def d;
    d.kind = kind;
    d.name = str(name);
    d.whole = whole;
    d.name_node = name;
    d.parent = parent == UINT32_MAX ? c.scope : parent;
    d.qualified_name = std::move(qname);
    if (exported_name(d.name)) {
      d.vis = visibility::public_;
      d.modifiers |= modifier::exported;
    } else {
      d.vis = visibility::internal;
    }
    auto end = null(body) ? ts_node_end_byte(whole) : ts_node_start_byte(body);
    d.signature = signature_of(ts_node_start_byte(whole), end);
    d.doc = doc_above(ts_node_start_point(whole).row);
    return add_def(std::move(d));
  }

  void visit(TSNode n, const ctx& c) {
    switch (T().sym(n)) {
      case s_comment: note_comment(n); return;
      case s_package_clause: {
        TSNode id = ts_node_named_child(n, 0);
        if (null(id)) return;
        out_.refs.package = str(id);
        if (dir_.empty()) set_module_scope(out_.refs.package);
        def d;
        d.kind = node_kind::package;
        d.name = str(id);
        d.whole = n;
        d.name_node = id;
        d.qualified_name = scope_of(0).empty() ? d.name : scope_of(0);
        d.doc = doc_above(ts_node_start_point(n).row);
        d.signature = signature_of(ts_node_start_byte(n), ts_node_end_byte(n));
        add_def(std::move(d));
        return;
      }
      case s_function: on_function(n, c, false); return;
      case s_method: on_function(n, c, true); return;
      case s_type_decl: {
        for_children(n, [&](TSNode spec, TSFieldId) {
          int s = T().sym(spec);
          if (s == s_type_spec || s == s_type_alias)
            on_type(spec, T().sym(n) == s_type_decl && ts_node_named_child_count(n) == 1 ? n : spec, c);
          else if (s == s_comment)
            note_comment(spec);
        });
        return;
      }
      case s_const_decl:
      case s_var_decl: on_values(n, c); return;
      case s_import_decl: on_import(n, c); return;
      case s_call: on_call(n, c); break;
      case s_composite: {
        TSNode type = field(n, T().fld[f_type]);
        if (!null(type)) type_ref(type, c.scope, edge_kind::calls, ref_flag::constructor);
        break;
      }
      case s_short_var: on_short_var(n, c); break;
      case s_interpreted_string:
      case s_raw_string: return;
      default: break;
    }
    descend(n, [&](TSNode ch) { visit(ch, c); });
  }

  // A type name in expression or type position: Foo, pkg.Foo, *Foo, Foo[T].
  void type_ref(TSNode t, uint32_t scope, edge_kind k, uint8_t flags) {
    while (!null(t) && (T().sym(t) == s_pointer_type || T().sym(t) == s_generic_type)) {
      t = T().sym(t) == s_generic_type ? field(t, T().fld[f_type]) : ts_node_named_child(t, 0);
    }
    if (null(t)) return;
    int s = T().sym(t);
    if (s == s_type_identifier) {
      add_ref(scope, k, str(t), "", t, flags);
    } else if (s == s_qualified_type) {
      TSNode pkg = field(t, T().fld[f_package]);
      TSNode name = field(t, T().fld[f_name]);
      if (!null(name))
        add_ref(scope, k, str(name), null(pkg) ? std::string() : str(pkg), name, flags | ref_flag::scoped);
    }
  }

  // Every named type inside a type expression (maps, slices, funcs, channels).
  void type_refs(TSNode t, uint32_t scope, edge_kind k) {
    if (null(t)) return;
    int s = T().sym(t);
    if (s == s_type_identifier || s == s_qualified_type) {
      type_ref(t, scope, k, 0);
      return;
    }
    for_named_children(t, [&](TSNode ch, TSFieldId) { type_refs(ch, scope, k); });
  }

  std::string type_name(TSNode t) {
    while (!null(t) && (T().sym(t) == s_pointer_type || T().sym(t) == s_generic_type))
      t = T().sym(t) == s_generic_type ? field(t, T().fld[f_type]) : ts_node_named_child(t, 0);
    if (null(t)) return {};
    int s = T().sym(t);
    if (s == s_type_identifier || s == s_qualified_type) return str(t);
    return {};
  }

  void type_parameters(TSNode owner) {
    TSNode tp = field(owner, T().fld[f_type_parameters]);
    if (null(tp)) return;
    for_named_children(tp, [&](TSNode d, TSFieldId) {
      if (T().sym(d) != s_type_parameter_declaration) return;
      for_children(d, [&](TSNode ch, TSFieldId fid) {
        if (fid == T().fld[f_name]) add_type_parameter(str(ch));
      });
    });
  }

  void on_function(TSNode n, const ctx& c, bool method) {
    type_parameters(n);
    TSNode name = field(n, T().fld[f_name]);
    TSNode body = field(n, T().fld[f_body]);
    uint32_t idx;
    std::string recv_var, recv_type;
    if (method) {
      TSNode recv = field(n, T().fld[f_receiver]);
      if (!null(recv)) {
        TSNode p = ts_node_named_child(recv, 0);
        if (!null(p)) {
          TSNode pn = field(p, T().fld[f_name]);
          if (!null(pn)) recv_var = str(pn);
          recv_type = type_name(field(p, T().fld[f_type]));
        }
      }
      uint32_t parent = c.scope;
      if (auto it = types_.find(recv_type); it != types_.end()) parent = it->second;
      std::string qname = recv_type.empty() ? std::string() : join(join(scope_of(0), recv_type), str(name));
      idx = define(node_kind::method, n, name, c, body, qname, parent);
    } else {
      idx = define(node_kind::function, n, name, c, body);
    }
    if (null(body)) at(idx).modifiers |= modifier::declaration;
    at(idx).type_name = type_name(field(n, T().fld[f_result]));
    if (!recv_var.empty() && !recv_type.empty()) add_binding(idx, recv_var, recv_type);
    params(field(n, T().fld[f_parameters]), idx);
    type_refs(field(n, T().fld[f_result]), idx, edge_kind::references);
    ctx i;
    i.scope = idx;
    i.in_function = true;
    if (!null(body)) visit(body, i);
  }

  void params(TSNode list, uint32_t idx) {
    if (null(list)) return;
    for_named_children(list, [&](TSNode p, TSFieldId) {
      int s = T().sym(p);
      if (s != s_param_decl && s != s_variadic_param) return;
      TSNode type = field(p, T().fld[f_type]);
      type_refs(type, idx, edge_kind::references);
      auto tn = type_name(type);
      if (tn.empty()) return;
      for_children(p, [&](TSNode ch, TSFieldId fid) {
        if (fid == T().fld[f_name]) add_binding(idx, str(ch), tn);
      });
    });
  }

  void on_type(TSNode spec, TSNode whole, const ctx& c) {
    type_parameters(spec);
    TSNode name = field(spec, T().fld[f_name]);
    TSNode type = field(spec, T().fld[f_type]);
    int ts = null(type) ? 0 : T().sym(type);
    node_kind kind = ts == s_struct_type ? node_kind::struct_
                     : ts == s_interface_type ? node_kind::interface
                                              : node_kind::type_alias;
    auto idx = define(kind, whole, name, c, TSNode{});
    at(idx).name_pos = start_of(name);
    if (c.scope == 0) types_[at(idx).name] = idx;
    if (kind == node_kind::struct_) {
      TSNode list = ts_node_named_child(type, 0);
      if (!null(list)) struct_fields(list, idx);
    } else if (kind == node_kind::interface) {
      for_children(type, [&](TSNode m, TSFieldId) {
        int s = T().sym(m);
        if (s == s_comment)
          note_comment(m);
        else if (s == s_method_elem) {
          ctx mc;
          mc.scope = idx;
          auto mi = define(node_kind::method, m, field(m, T().fld[f_name]), mc, TSNode{});
          at(mi).modifiers |= modifier::declaration | modifier::abstract;
          at(mi).type_name = type_name(field(m, T().fld[f_result]));
          params(field(m, T().fld[f_parameters]), mi);
          type_refs(field(m, T().fld[f_result]), mi, edge_kind::references);
        } else if (s == s_type_elem) {
          TSNode t = ts_node_named_child(m, 0);
          type_ref(t, idx, edge_kind::inherits, 0);
        }
      });
    } else {
      type_refs(type, idx, edge_kind::references);
    }
  }

  void struct_fields(TSNode list, uint32_t idx) {
    for_children(list, [&](TSNode f, TSFieldId) {
      int s = T().sym(f);
      if (s == s_comment) {
        note_comment(f);
        return;
      }
      if (s != s_field_decl) return;
      TSNode type = field(f, T().fld[f_type]);
      bool named = false;
      ctx fc;
      fc.scope = idx;
      for_children(f, [&](TSNode ch, TSFieldId fid) {
        if (fid != T().fld[f_name]) return;
        named = true;
        auto fi = define(node_kind::field, f, ch, fc, TSNode{});
        at(fi).name_pos = start_of(ch);
        at(fi).type_name = type_name(type);
        type_refs(type, fi, edge_kind::type_of);
        auto tn = type_name(type);
        if (!tn.empty()) add_binding(idx, "self." + at(fi).name, tn);
      });
      if (!named) type_ref(type, idx, edge_kind::inherits, 0);  // embedded: promoted members
    });
  }

  void on_values(TSNode decl, const ctx& c) {
    bool is_const = T().sym(decl) == s_const_decl;
    auto spec = [&](TSNode sp) {
      TSNode type = field(sp, T().fld[f_type]);
      TSNode value = field(sp, T().fld[f_value]);
      auto tn = type_name(type);
      for_children(sp, [&](TSNode ch, TSFieldId fid) {
        if (fid != T().fld[f_name] || T().sym(ch) != s_identifier) return;
        if (!tn.empty()) add_binding(c.scope, str(ch), tn);
        if (c.in_function || text(ch) == "_") return;
        TSNode whole = ts_node_named_child_count(decl) == 1 ? decl : sp;
        auto idx = define(is_const ? node_kind::constant : node_kind::variable, whole, ch, c, TSNode{});
        at(idx).name_pos = start_of(ch);
        at(idx).type_name = tn;
        if (is_const) at(idx).modifiers |= modifier::const_;
        type_refs(type, idx, edge_kind::type_of);
      });
      if (!null(value)) visit(value, c);
    };
    for_children(decl, [&](TSNode sp, TSFieldId) {
      int s = T().sym(sp);
      if (s == s_comment)
        note_comment(sp);
      else if (s == s_const_spec || s == s_var_spec)
        spec(sp);
      else if (s == s_var_spec_list)
        for_children(sp, [&](TSNode x, TSFieldId) {
          if (T().sym(x) == s_var_spec)
            spec(x);
          else if (T().sym(x) == s_comment)
            note_comment(x);
        });
    });
  }

  void on_import(TSNode decl, const ctx& c) {
    auto one = [&](TSNode spec) {
      TSNode path = field(spec, T().fld[f_path]);
      TSNode name = field(spec, T().fld[f_name]);
      if (null(path)) return;
      std::string module = unquote(text(path));
      std::string alias;
      std::string bound = "";
      if (!null(name)) {
        if (T().sym(name) == s_dot)
          bound = "*";
        else if (T().sym(name) != s_blank)
          alias = str(name);
      } else {
        auto slash = module.find_last_of('/');
        alias = slash == std::string::npos ? module : module.substr(slash + 1);
      }
      def d;
      d.kind = node_kind::import;
      d.name = alias.empty() ? module : alias;
      d.whole = spec;
      d.name_node = spec;
      d.parent = c.scope;
      d.signature = signature_of(ts_node_start_byte(spec), ts_node_end_byte(spec));
      auto imp = add_def(std::move(d));
      add_import(imp, module, bound, alias, spec);
    };
    for_named_children(decl, [&](TSNode ch, TSFieldId) {
      if (T().sym(ch) == s_import_spec)
        one(ch);
      else if (T().sym(ch) == s_import_spec_list)
        for_named_children(ch, [&](TSNode s, TSFieldId) {
          if (T().sym(s) == s_import_spec) one(s);
        });
    });
  }

  void on_call(TSNode n, const ctx& c) {
    TSNode fn = field(n, T().fld[f_function]);
    if (null(fn)) return;
    int s = T().sym(fn);
    if (s == s_identifier) {
      add_ref(c.scope, edge_kind::calls, str(fn), "", fn);
    } else if (s == s_selector) {
      TSNode operand = field(fn, T().fld[f_operand]);
      TSNode f = field(fn, T().fld[f_field]);
      if (null(f)) return;
      std::string q = "()";
      if (!null(operand) && (T().sym(operand) == s_identifier || T().sym(operand) == s_selector)) q = str(operand);
      add_ref(c.scope, edge_kind::calls, str(f), std::move(q), f, ref_flag::member);
    }
  }

  void on_short_var(TSNode n, const ctx& c) {
    TSNode left = field(n, T().fld[f_left]);
    TSNode right = field(n, T().fld[f_right]);
    if (null(left) || null(right)) return;
    if (ts_node_named_child_count(left) != 1 || ts_node_named_child_count(right) != 1) return;
    TSNode var = ts_node_named_child(left, 0);
    TSNode val = ts_node_named_child(right, 0);
    if (T().sym(val) == s_unary) val = field(val, T().fld[f_operand]);  // &Foo{}
    if (!null(val) && T().sym(val) == s_composite) {
      auto tn = type_name(field(val, T().fld[f_type]));
      if (!tn.empty()) add_binding(c.scope, str(var), tn);
    } else if (!null(val) && T().sym(val) == s_call) {  // c := NewCart(...): whatever NewCart returns
      TSNode fn = field(val, T().fld[f_function]);
      if (!null(fn) && (T().sym(fn) == s_identifier || T().sym(fn) == s_selector))
        add_binding(c.scope, str(var), "call:" + str(fn));
    }
  }

  std::string dir_;
  std::unordered_map<std::string, uint32_t> types_;
};

}  // namespace

void extract_go(const extract_input& in, TSNode root, file_extract& out) {
  go_extractor x(in, out);
  x.run(root);
}

}  // namespace cg
