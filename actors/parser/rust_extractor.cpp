// Rust: modules, structs/enums/unions/traits, impl blocks (methods are qualified by
// their type: crate::module::Type::method), fields, variants, consts/statics, type
// aliases, macros, use trees with aliases, calls (plain, path, method, struct
// literals, macros), trait bounds and trait impls.
#include <algorithm>
#include <unordered_map>
#include <vector>

#include "actors/parser/extractors.hpp"
#include "actors/parser/grammars.hpp"
#include "actors/parser/symbols.hpp"
#include "schema/module_paths.hpp"

namespace cg {
namespace {

enum sym : int {
  s_none = 0,
  s_function,
  s_function_sig,
  s_struct,
  s_enum,
  s_union,
  s_trait,
  s_impl,
  s_mod,
  s_type_item,
  s_const,
  s_static,
  s_macro_def,
  s_use,
  s_use_as,
  s_use_list,
  s_scoped_use_list,
  s_use_wildcard,
  s_scoped_identifier,
  s_identifier,
  s_call,
  s_field_expression,
  s_generic_function,
  s_field_decl,
  s_enum_variant,
  s_let,
  s_struct_expression,
  s_associated_type,
  s_foreign_mod,
  s_declaration_list,
  s_generic_type,
  s_scoped_type_identifier,
  s_type_identifier,
  s_macro_invocation,
  s_extern_crate,
  s_parameter,
  s_self_parameter,
  s_trait_bounds,
  s_line_comment,
  s_block_comment,
  s_attribute_item,
  s_visibility,
  s_function_modifiers,
  s_self,
  s_crate,
  s_super,
  s_source_file,
  s_block,
  s_field_declaration_list,
  s_enum_variant_list,
  s_token_tree,
  s_string_literal,
  s_inner_attribute,
  s_type_arguments,
  s_closure,
  s_reference_type,
  s_dynamic_type,
  s_abstract_type,
  s_async,
  s_const_kw,
  s_unsafe,
  s_type_parameters,
  s_constrained_type_parameter,
  s_optional_type_parameter,
};

enum fld : int {
  f_name = 1,
  f_body,
  f_parameters,
  f_return_type,
  f_type,
  f_trait,
  f_value,
  f_function,
  f_field,
  f_path,
  f_alias,
  f_argument,
  f_list,
  f_bounds,
  f_macro,
  f_pattern,
  f_type_parameters,
  f_left,
};

struct tables {
  symbol_codes sym;
  field_ids fld;
  tables()
      : sym(grammar_for(language::rust), {{"function_item", s_function},
                                          {"function_signature_item", s_function_sig},
                                          {"struct_item", s_struct},
                                          {"enum_item", s_enum},
                                          {"union_item", s_union},
                                          {"trait_item", s_trait},
                                          {"impl_item", s_impl},
                                          {"mod_item", s_mod},
                                          {"type_item", s_type_item},
                                          {"const_item", s_const},
                                          {"static_item", s_static},
                                          {"macro_definition", s_macro_def},
                                          {"use_declaration", s_use},
                                          {"use_as_clause", s_use_as},
                                          {"use_list", s_use_list},
                                          {"scoped_use_list", s_scoped_use_list},
                                          {"use_wildcard", s_use_wildcard},
                                          {"scoped_identifier", s_scoped_identifier},
                                          {"identifier", s_identifier},
                                          {"call_expression", s_call},
                                          {"field_expression", s_field_expression},
                                          {"generic_function", s_generic_function},
                                          {"field_declaration", s_field_decl},
                                          {"enum_variant", s_enum_variant},
                                          {"let_declaration", s_let},
                                          {"struct_expression", s_struct_expression},
                                          {"associated_type", s_associated_type},
                                          {"foreign_mod_item", s_foreign_mod},
                                          {"declaration_list", s_declaration_list},
                                          {"generic_type", s_generic_type},
                                          {"scoped_type_identifier", s_scoped_type_identifier},
                                          {"type_identifier", s_type_identifier},
                                          {"macro_invocation", s_macro_invocation},
                                          {"extern_crate_declaration", s_extern_crate},
                                          {"parameter", s_parameter},
                                          {"self_parameter", s_self_parameter},
                                          {"trait_bounds", s_trait_bounds},
                                          {"line_comment", s_line_comment},
                                          {"block_comment", s_block_comment},
                                          {"attribute_item", s_attribute_item},
                                          {"visibility_modifier", s_visibility},
                                          {"function_modifiers", s_function_modifiers},
                                          {"self", s_self},
                                          {"crate", s_crate},
                                          {"super", s_super},
                                          {"source_file", s_source_file},
                                          {"block", s_block},
                                          {"field_declaration_list", s_field_declaration_list},
                                          {"enum_variant_list", s_enum_variant_list},
                                          {"token_tree", s_token_tree},
                                          {"string_literal", s_string_literal},
                                          {"inner_attribute_item", s_inner_attribute},
                                          {"type_arguments", s_type_arguments},
                                          {"closure_expression", s_closure},
                                          {"reference_type", s_reference_type},
                                          {"dynamic_type", s_dynamic_type},
                                          {"abstract_type", s_abstract_type},
                                          {"'async", s_async},
                                          {"'const", s_const_kw},
                                          {"'unsafe", s_unsafe},
                                          {"type_parameters", s_type_parameters},
                                          {"constrained_type_parameter", s_constrained_type_parameter},
                                          {"optional_type_parameter", s_optional_type_parameter}}),
        fld(grammar_for(language::rust), {{"name", f_name},
                                          {"body", f_body},
                                          {"parameters", f_parameters},
                                          {"return_type", f_return_type},
                                          {"type", f_type},
                                          {"trait", f_trait},
                                          {"value", f_value},
                                          {"function", f_function},
                                          {"field", f_field},
                                          {"path", f_path},
                                          {"alias", f_alias},
                                          {"argument", f_argument},
                                          {"list", f_list},
                                          {"bounds", f_bounds},
                                          {"macro", f_macro},
                                          {"pattern", f_pattern},
                                          {"type_parameters", f_type_parameters},
                                          {"left", f_left}}) {}
};

const tables& T() {
  static const tables t;
  return t;
}

class rust_extractor final : public extractor {
 public:
  rust_extractor(const extract_input& in, file_extract& out) : extractor(in, out, "::") {}

 private:
  enum class where { module, impl, trait, function, foreign };
  struct ctx {
    uint32_t scope = 0;      // receives definitions
    uint32_t ref_scope = 0;  // receives references
    where at = where::module;
    std::string impl_scope;  // qualified prefix of methods in an impl: mod::Type
    std::string self_type;   // the impl's type name
  };

  void extract(TSNode root) override {
    auto m = rust_module_path(in_.path);
    set_module_scope(m);
    out_.refs.package = m.substr(0, m.find("::"));
    ctx c;
    items(root, c);
  }

  // A container of items: everything but impl blocks first, so that an impl finds
  // its type's node even when it comes first in the file.
  void items(TSNode container, const ctx& c) {
    bool has_impl = false;
    for_children(container, [&](TSNode n, TSFieldId) {
      if (T().sym(n) == s_impl)
        has_impl = true;
      else
        visit(n, c);
    });
    if (has_impl)
      for_children(container, [&](TSNode n, TSFieldId) {
        if (T().sym(n) == s_impl) on_impl(n, c);
      });
  }

  visibility vis_of(TSNode item) {
    visibility v = visibility::private_;
    for_named_children(item, [&](TSNode ch, TSFieldId) {
      if (T().sym(ch) == s_visibility) {
        auto t = text(ch);
        v = t == "pub" ? visibility::public_ : visibility::internal;
      }
    });
    return v;
  }

  // <T, U: Bound, const N: usize>: names that are parameters, not references.
  void type_parameters(TSNode owner) {
    TSNode tp = field(owner, T().fld[f_type_parameters]);
    if (null(tp)) return;
    for_named_children(tp, [&](TSNode p, TSFieldId) {
      int s = T().sym(p);
      if (s == s_type_identifier)
        add_type_parameter(str(p));
      else if (s == s_constrained_type_parameter) {
        TSNode l = field(p, T().fld[f_left]);
        if (!null(l)) add_type_parameter(str(l));
      } else if (s == s_optional_type_parameter) {
        TSNode nm = field(p, T().fld[f_name]);
        if (!null(nm)) add_type_parameter(str(nm));
      }
    });
  }

  uint32_t def_item(TSNode n, node_kind kind, const ctx& c, TSNode body_or_null, uint16_t mods = 0) {
    type_parameters(n);
    TSNode name = field(n, T().fld[f_name]);
    def d;
    d.kind = kind;
    d.name = str(name);
    d.whole = n;
    d.name_node = name;
    d.parent = c.scope;
    d.vis = vis_of(n);
    d.modifiers = mods;
    if (d.vis == visibility::public_) d.modifiers |= modifier::exported;
    auto end = null(body_or_null) ? ts_node_end_byte(n) : ts_node_start_byte(body_or_null);
    d.signature = signature_of(ts_node_start_byte(n), end);
    if (!d.signature.empty() && d.signature.back() == ';') d.signature.pop_back();
    d.doc = doc_above(ts_node_start_point(n).row);
    if (TSNode rt = field(n, T().fld[f_return_type]); !null(rt))
      d.type_name = type_name(rt);
    else if (TSNode ty = field(n, T().fld[f_type]); !null(ty) && kind != node_kind::type_alias)
      d.type_name = type_name(ty);
    if (!c.impl_scope.empty()) d.qualified_name = join(c.impl_scope, d.name);
    auto idx = add_def(std::move(d));
    if (kind_is_type(kind)) local_types_[at(idx).name] = idx;
    return idx;
  }

  static bool kind_is_type(node_kind k) {
    return k == node_kind::struct_ || k == node_kind::enum_ || k == node_kind::union_ || k == node_kind::trait ||
           k == node_kind::type_alias;
  }

  void visit(TSNode n, const ctx& c) {
    switch (T().sym(n)) {
      case s_line_comment:
      case s_block_comment: note_comment(n); return;
      case s_attribute_item: extend_comment_run(n); return;
      case s_inner_attribute: return;
      case s_function: on_function(n, c, false); return;
      case s_function_sig: on_function(n, c, true); return;
      case s_struct: on_struct(n, c, node_kind::struct_); return;
      case s_union: on_struct(n, c, node_kind::union_); return;
      case s_enum: on_enum(n, c); return;
      case s_trait: on_trait(n, c); return;
      case s_impl: on_impl(n, c); return;
      case s_mod: on_mod(n, c); return;
      case s_foreign_mod: {
        TSNode body = field(n, T().fld[f_body]);
        ctx inner = c;
        inner.at = where::foreign;
        if (!null(body)) items(body, inner);
        return;
      }
      case s_type_item: {
        auto idx = def_item(n, node_kind::type_alias, c, TSNode{});
        type_refs(field(n, T().fld[f_type]), idx, edge_kind::references);
        return;
      }
      case s_associated_type: def_item(n, node_kind::type_alias, c, TSNode{}); return;
      case s_const:
      case s_static: {
        uint16_t mods = T().sym(n) == s_static ? modifier::static_ : modifier::const_;
        auto kind = T().sym(n) == s_const ? node_kind::constant : node_kind::variable;
        TSNode value = field(n, T().fld[f_value]);
        auto idx = def_item(n, kind, c, value, mods);
        type_refs(field(n, T().fld[f_type]), idx, edge_kind::type_of);
        if (!null(value)) {
          ctx inner = c;
          inner.ref_scope = idx;
          visit(value, inner);
        }
        return;
      }
      case s_macro_def: def_item(n, node_kind::macro, c, TSNode{}); return;
      case s_use: on_use(n, c); return;
      case s_extern_crate: {
        TSNode name = field(n, T().fld[f_name]);
        TSNode alias = field(n, T().fld[f_alias]);
        std::string local = str(null(alias) ? name : alias);
        auto imp = import_node(n, n, local, "::" + str(name), c);  // a crate: never module-relative
        add_import(imp, str(name), "", local, n);
        return;
      }
      case s_call: on_call(n, c); break;
      case s_macro_invocation: {
        TSNode m = field(n, T().fld[f_macro]);
        if (!null(m)) ref_path(m, c.ref_scope, edge_kind::calls, 0);
        for_children(n, [&](TSNode ch, TSFieldId) {
          if (T().sym(ch) == s_token_tree) token_calls(ch, c.ref_scope);
        });
        return;
      }
      case s_struct_expression: {
        TSNode name = field(n, T().fld[f_name]);
        if (!null(name)) ref_path(name, c.ref_scope, edge_kind::calls, ref_flag::constructor);
        break;
      }
      case s_let: on_let(n, c); break;
      case s_string_literal:
      case s_token_tree: return;
      default: break;
    }
    descend(n, [&](TSNode ch) { visit(ch, c); });
  }

  // A path in expression or type position: name, its qualifier and flags.
  void ref_path(TSNode p, uint32_t scope, edge_kind k, uint8_t flags) {
    int s = T().sym(p);
    if (s == s_generic_type || s == s_generic_function) {
      TSNode inner = field(p, T().fld[s == s_generic_type ? f_type : f_function]);
      if (!null(inner)) ref_path(inner, scope, k, flags);
      return;
    }
    if (s == s_identifier || s == s_type_identifier) {
      add_ref(scope, k, str(p), "", p, flags);
      return;
    }
    if (s == s_scoped_identifier || s == s_scoped_type_identifier) {
      TSNode name = field(p, T().fld[f_name]);
      TSNode path = field(p, T().fld[f_path]);
      if (null(name)) return;
      std::string q = null(path) ? std::string() : str(path);
      if (!null(path) && T().sym(path) == s_generic_type) {
        TSNode t = field(path, T().fld[f_type]);
        if (!null(t)) q = str(t);
      }
      add_ref(scope, k, str(name), std::move(q), name, flags | ref_flag::scoped);
      return;
    }
    if (s == s_field_expression) {
      TSNode value = field(p, T().fld[f_value]);
      TSNode fieldn = field(p, T().fld[f_field]);
      if (null(fieldn)) return;
      std::string q = "()";
      if (!null(value)) {
        int vs = T().sym(value);
        if (vs == s_identifier || vs == s_self || vs == s_field_expression) q = str(value);
        if (vs == s_call) {  // make().run(), Config::load().path(): by the callee's declared return type
          TSNode fn = field(value, T().fld[f_function]);
          if (!null(fn) && (T().sym(fn) == s_identifier || T().sym(fn) == s_scoped_identifier)) q = str(fn) + "()";
        }
      }
      add_ref(scope, k, str(fieldn), std::move(q), fieldn, flags | ref_flag::member);
    }
  }

  // Calls written in a macro's tokens, which the grammar leaves unparsed
  // (assert_eq!(area(&s), 4), println!("{}", p.norm()), vec![Point::new(1, 2)]): a name
  // right before a parenthesised group is a call to it, `a::b(` a path call, `x.m(` and
  // `self.m(` a method call on that receiver, `f().m(` one on a value; a nested `m!(` a
  // macro. Keywords, `fn f(` and macro_rules fragments (`$f(`) are not calls.
  void token_calls(TSNode tree, uint32_t scope, int depth = 0) {
    if (depth > 64) return;  // nesting that deep is not code a person wrote
    // ts_node_child(i) walks from the first child: gather them once (a big macro call
    // has thousands of tokens).
    std::vector<TSNode> kids;
    kids.reserve(ts_node_child_count(tree));
    for_children(tree, [&](TSNode ch, TSFieldId) { kids.push_back(ch); });
    auto kind = [&](size_t i) { return std::string_view(ts_node_type(kids[i])); };
    auto ident = [&](size_t i) {
      int s = T().sym(kids[i]);
      return s == s_identifier || s == s_self || s == s_super || s == s_crate;
    };
    for (size_t i = 0; i < kids.size(); ++i) {
      TSNode group = kids[i];
      if (T().sym(group) != s_token_tree) continue;
      token_calls(group, scope, depth + 1);
      if (i == 0 || ts_node_child_count(group) == 0 || std::string_view(ts_node_type(ts_node_child(group, 0))) != "(")
        continue;
      size_t at = i - 1;
      bool is_macro = kind(at) == "!";
      if (is_macro) {
        if (at == 0) continue;
        --at;
      }
      if (T().sym(kids[at]) != s_identifier) continue;
      TSNode name = kids[at];
      if (token_keyword(text(name))) continue;
      size_t j = at;
      std::string q;
      while (j >= 2 && kind(j - 1) == "::" && ident(j - 2)) {
        q = q.empty() ? str(kids[j - 2]) : str(kids[j - 2]) + "::" + q;
        j -= 2;
      }
      if (j >= 1 && (kind(j - 1) == "$" || text(kids[j - 1]) == "fn")) continue;
      if (!q.empty()) {
        add_ref(scope, edge_kind::calls, str(name), std::move(q), name, ref_flag::scoped);
      } else if (!is_macro && j >= 2 && kind(j - 1) == ".") {
        int rs = T().sym(kids[j - 2]);
        bool simple = (rs == s_identifier || rs == s_self) && !(j >= 3 && kind(j - 3) == ".");
        add_ref(scope, edge_kind::calls, str(name), simple ? str(kids[j - 2]) : std::string("()"), name,
                ref_flag::member);
      } else if (j == 0 || kind(j - 1) != ".") {
        add_ref(scope, edge_kind::calls, str(name), "", name, 0);
      }
    }
  }

  static bool token_keyword(std::string_view w) {
    static constexpr std::string_view words[] = {"if",  "while", "match", "return", "in",   "for",   "let",  "fn", "as",
                                                 "mut", "ref",   "move",  "else",   "loop", "where", "impl", "dyn"};
    return std::find(std::begin(words), std::end(words), w) != std::end(words);
  }

  // Every named type in a type expression: Vec<Foo>, &mut Bar, io::Result<T>.
  void type_refs(TSNode t, uint32_t scope, edge_kind k) {
    if (null(t)) return;
    int s = T().sym(t);
    if (s == s_type_identifier || s == s_scoped_type_identifier) {
      ref_path(t, scope, k, 0);
      return;
    }
    if (s == s_generic_type) {
      ref_path(t, scope, k, 0);
      TSNode args = ts_node_child_by_field_name(t, "type_arguments", 14);
      if (!null(args)) for_named_children(args, [&](TSNode a, TSFieldId) { type_refs(a, scope, k); });
      return;
    }
    for_named_children(t, [&](TSNode ch, TSFieldId) { type_refs(ch, scope, k); });
  }

  void on_function(TSNode n, const ctx& c, bool signature_only) {
    TSNode body = field(n, T().fld[f_body]);
    node_kind kind = (c.at == where::impl || c.at == where::trait) ? node_kind::method : node_kind::function;
    uint16_t mods = 0;
    if (signature_only) mods |= modifier::declaration;
    for_children(n, [&](TSNode ch, TSFieldId) {
      if (T().sym(ch) == s_function_modifiers)
        for_children(ch, [&](TSNode m, TSFieldId) {
          if (T().sym(m) == s_async)
            mods |= modifier::async;
          else if (T().sym(m) == s_const_kw)
            mods |= modifier::const_;
        });
    });
    auto idx = def_item(n, kind, c, body, mods);
    if (c.at == where::trait || c.at == where::impl) {
      if (at(idx).vis == visibility::private_ && c.at == where::trait) at(idx).vis = visibility::public_;
    }
    ctx inner = c;
    inner.scope = idx;
    inner.ref_scope = idx;
    inner.at = where::function;
    inner.impl_scope.clear();
    TSNode params = field(n, T().fld[f_parameters]);
    if (!null(params)) {
      for_named_children(params, [&](TSNode p, TSFieldId) {
        int ps = T().sym(p);
        if (ps == s_self_parameter && !c.self_type.empty()) {
          add_binding(idx, "self", c.self_type);
        } else if (ps == s_parameter) {
          TSNode pat = field(p, T().fld[f_pattern]);
          TSNode type = field(p, T().fld[f_type]);
          if (!null(pat) && T().sym(pat) == s_identifier && !null(type)) add_binding(idx, str(pat), type_name(type));
          type_refs(type, idx, edge_kind::references);
        }
      });
    }
    type_refs(field(n, T().fld[f_return_type]), idx, edge_kind::references);
    if (!null(body)) items(body, inner);
  }

  // The nominal type of a type expression: &mut Foo<T> -> Foo, io::Error -> io::Error.
  // The type a value of this written type has its methods on: through references,
  // `dyn Trait`, `impl Trait` and Box<T> (whose own methods forward to T's); Rc<T> and
  // Arc<T> stay themselves (rc.clone() is Rc's, not T's); Vec<T> is Vec.
  std::string type_name(TSNode t, bool through_pointers = true) {
    while (!null(t)) {
      int s = T().sym(t);
      if (s == s_reference_type) {
        t = field(t, T().fld[f_type]);
      } else if (s == s_dynamic_type || s == s_abstract_type) {
        t = ts_node_child_by_field_name(t, "trait", 5);
      } else if (s == s_generic_type) {
        TSNode base = field(t, T().fld[f_type]);
        TSNode args = ts_node_child_by_field_name(t, "type_arguments", 14);
        auto b = null(base) ? std::string_view() : text(base);
        if (through_pointers && b == "Box" && !null(args) && ts_node_named_child_count(args) == 1)
          t = ts_node_named_child(args, 0);
        else
          t = base;
      } else {
        break;
      }
    }
    if (null(t)) return {};
    int s = T().sym(t);
    if (s == s_type_identifier || s == s_scoped_type_identifier || s == s_identifier) return str(t);
    return {};
  }

  void on_struct(TSNode n, const ctx& c, node_kind kind) {
    TSNode body = field(n, T().fld[f_body]);
    auto idx = def_item(n, kind, c, body);
    ctx inner = c;
    inner.scope = idx;
    inner.ref_scope = idx;
    inner.impl_scope.clear();
    if (!null(body)) fields(body, inner);
  }

  void fields(TSNode body, const ctx& c) {
    for_children(body, [&](TSNode f, TSFieldId) {
      int s = T().sym(f);
      if (s == s_line_comment || s == s_block_comment) {
        note_comment(f);
      } else if (s == s_attribute_item) {
        extend_comment_run(f);
      } else if (s == s_field_decl) {
        auto idx = def_item(f, node_kind::field, c, TSNode{});
        TSNode type = field(f, T().fld[f_type]);
        type_refs(type, idx, edge_kind::type_of);
        auto tn = type_name(type);
        if (!tn.empty()) add_binding(c.scope, "self." + at(idx).name, tn);
      } else if (ts_node_is_named(f)) {
        type_refs(f, c.scope, edge_kind::type_of);  // tuple struct fields
      }
    });
  }

  void on_enum(TSNode n, const ctx& c) {
    TSNode body = field(n, T().fld[f_body]);
    auto idx = def_item(n, node_kind::enum_, c, body);
    if (null(body)) return;
    ctx inner = c;
    inner.scope = idx;
    inner.ref_scope = idx;
    inner.impl_scope.clear();
    for_children(body, [&](TSNode v, TSFieldId) {
      int s = T().sym(v);
      if (s == s_line_comment || s == s_block_comment)
        note_comment(v);
      else if (s == s_attribute_item)
        extend_comment_run(v);
      else if (s == s_enum_variant) {
        TSNode vbody = field(v, T().fld[f_body]);
        auto vi = def_item(v, node_kind::enum_member, inner, TSNode{});
        if (!null(vbody)) {
          ctx vc = inner;
          vc.scope = vi;
          vc.ref_scope = vi;
          fields(vbody, vc);
        }
      }
    });
  }

  void on_trait(TSNode n, const ctx& c) {
    TSNode body = field(n, T().fld[f_body]);
    auto idx = def_item(n, node_kind::trait, c, body);
    TSNode bounds = field(n, T().fld[f_bounds]);
    if (!null(bounds))
      for_named_children(bounds, [&](TSNode b, TSFieldId) {
        int s = T().sym(b);
        if (s == s_type_identifier || s == s_scoped_type_identifier || s == s_generic_type)
          ref_path(b, idx, edge_kind::inherits, 0);
      });
    ctx inner;
    inner.scope = idx;
    inner.ref_scope = idx;
    inner.at = where::trait;
    inner.self_type = at(idx).name;
    if (!null(body)) items(body, inner);
  }

  void on_impl(TSNode n, const ctx& c) {
    type_parameters(n);
    TSNode type = field(n, T().fld[f_type]);
    TSNode trait = field(n, T().fld[f_trait]);
    TSNode body = field(n, T().fld[f_body]);
    std::string tname = type_name(type, false);  // impl<T> Deref for Box<T> is Box's
    std::string simple = tname.substr(tname.rfind(':') == std::string::npos ? 0 : tname.rfind(':') + 1);
    uint32_t owner = c.scope;
    if (auto it = local_types_.find(simple); it != local_types_.end()) owner = it->second;
    if (!null(trait)) ref_path(trait, owner, edge_kind::implements, 0);
    ctx inner;
    inner.scope = owner;
    inner.ref_scope = owner;
    inner.at = where::impl;
    inner.impl_scope = simple.empty() ? scope_of(c.scope) : join(scope_of(c.scope), simple);
    inner.self_type = simple;
    if (!null(body)) items(body, inner);
  }

  void on_mod(TSNode n, const ctx& c) {
    TSNode body = field(n, T().fld[f_body]);
    auto idx = def_item(n, node_kind::module, c, body, null(body) ? modifier::declaration : 0);
    if (null(body)) return;
    ctx inner;
    inner.scope = idx;
    inner.ref_scope = idx;
    items(body, inner);
  }

  // An import node: `alias` is the name it binds ("*" for a glob); its type_name is
  // "use:" + the path as written (the resolver follows it when another module
  // re-exports through this one: `pub use self::inner::*`, `pub use crate::a::B`).
  uint32_t import_node(TSNode stmt, TSNode item, const std::string& alias, const std::string& path, const ctx& c) {
    def d;
    d.kind = node_kind::import;
    d.name = alias;
    d.type_name = "use:" + path;
    d.whole = item;
    d.name_node = item;
    d.parent = c.scope;
    d.vis = vis_of(stmt);
    d.signature = signature_of(ts_node_start_byte(stmt), ts_node_end_byte(stmt));
    return add_def(std::move(d));
  }

  void on_use(TSNode n, const ctx& c) {
    TSNode arg = field(n, T().fld[f_argument]);
    if (!null(arg)) use_tree(n, arg, "", c);
  }

  static std::string join_path(const std::string& a, std::string_view b) {
    if (a.empty()) return std::string(b);
    if (b.empty()) return a;
    return a + "::" + std::string(b);
  }

  void use_tree(TSNode stmt, TSNode t, const std::string& prefix, const ctx& c) {
    int s = T().sym(t);
    if (s == s_identifier || s == s_scoped_identifier || s == s_self || s == s_crate || s == s_super) {
      std::string full = join_path(prefix, text(t));
      auto cut = full.rfind("::");
      std::string module = cut == std::string::npos ? std::string() : full.substr(0, cut);
      std::string name = cut == std::string::npos ? full : full.substr(cut + 2);
      if (name == "self") {  // use a::b::{self}
        auto cut2 = module.rfind("::");
        name = cut2 == std::string::npos ? module : module.substr(cut2 + 2);
        module = cut2 == std::string::npos ? std::string() : module.substr(0, cut2);
      }
      auto imp = import_node(stmt, t, name, join_path(module, name), c);
      add_import(imp, module, name, name, t);
    } else if (s == s_use_as) {
      TSNode path = field(t, T().fld[f_path]);
      TSNode alias = field(t, T().fld[f_alias]);
      std::string full = join_path(prefix, text(path));
      auto cut = full.rfind("::");
      std::string module = cut == std::string::npos ? std::string() : full.substr(0, cut);
      std::string name = cut == std::string::npos ? full : full.substr(cut + 2);
      auto imp = import_node(stmt, t, str(alias), full, c);
      add_import(imp, module, name, str(alias), t);
    } else if (s == s_use_wildcard) {
      std::string module = prefix;
      TSNode inner = ts_node_named_child(t, 0);
      if (!null(inner)) module = join_path(prefix, text(inner));
      auto imp = import_node(stmt, t, "*", module, c);
      add_import(imp, module, "*", "", t);
    } else if (s == s_scoped_use_list) {
      TSNode path = field(t, T().fld[f_path]);
      TSNode list = field(t, T().fld[f_list]);
      std::string p = null(path) ? prefix : join_path(prefix, text(path));
      if (!null(list)) use_tree(stmt, list, p, c);
    } else if (s == s_use_list) {
      for_named_children(t, [&](TSNode item, TSFieldId) { use_tree(stmt, item, prefix, c); });
    }
  }

  void on_call(TSNode n, const ctx& c) {
    TSNode fn = field(n, T().fld[f_function]);
    if (!null(fn)) ref_path(fn, c.ref_scope, edge_kind::calls, 0);
  }

  void on_let(TSNode n, const ctx& c) {
    TSNode pat = field(n, T().fld[f_pattern]);
    if (null(pat) || T().sym(pat) != s_identifier) return;
    TSNode type = field(n, T().fld[f_type]);
    std::string tn;
    if (!null(type)) {
      tn = type_name(type);
      type_refs(type, c.ref_scope, edge_kind::references);
    } else {
      TSNode value = field(n, T().fld[f_value]);
      if (!null(value) && T().sym(value) == s_struct_expression) {
        TSNode name = field(value, T().fld[f_name]);
        if (!null(name)) tn = type_name(name);
      } else if (!null(value) && T().sym(value) == s_call) {
        // let x = Foo::new(..) -> Foo (an associated constructor by convention)
        TSNode fn = field(value, T().fld[f_function]);
        if (!null(fn) && T().sym(fn) == s_scoped_identifier) {
          TSNode path = field(fn, T().fld[f_path]);
          if (!null(path) && (T().sym(path) == s_identifier || T().sym(path) == s_scoped_identifier)) {
            auto p = text(path);
            auto last = p.substr(p.rfind(':') == std::string_view::npos ? 0 : p.rfind(':') + 1);
            if (!last.empty() && last[0] >= 'A' && last[0] <= 'Z') tn = str(p);
          }
        }
        // let h = make(..), let c = config::load(..): what the callee is declared to return.
        if (tn.empty() && !null(fn) && (T().sym(fn) == s_identifier || T().sym(fn) == s_scoped_identifier))
          tn = "call:" + str(fn);
      }
    }
    if (!tn.empty()) add_binding(c.ref_scope, str(pat), tn);
  }

  std::unordered_map<std::string, uint32_t> local_types_;
};

}  // namespace

void extract_rust(const extract_input& in, TSNode root, file_extract& out) {
  rust_extractor x(in, out);
  x.run(root);
}

}  // namespace cg
