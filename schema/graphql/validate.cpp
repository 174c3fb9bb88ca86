// The validation rules of spec section 5, one pass per operation and fragment with
// the type information the rules need. Messages follow graphql-js (without its
// "Did you mean" suggestions).
#include "schema/graphql/validate.hpp"

#include "schema/graphql/overlap.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace cg::gql {
namespace {

struct var_usage {
  std::string name;
  type_ref type;  // the location's type (empty name: unknown)
  bool known = false;
  bool location_default = false;
  location loc;
};

class validator {
 public:
  validator(const schema& s, const document& d, size_t max) : s_(s), d_(d), max_(max) {}

  std::vector<gql_error> run() {
    for (const auto& [name, loc] : d_.type_system)
      err(name.empty() ? "The schema definition is not executable."
                       : "The \"" + name + "\" definition is not executable.",
          {loc});
    std::map<std::string, int> op_names;
    size_t anonymous = 0;
    for (const auto& op : d_.operations) {
      if (op.name.empty())
        ++anonymous;
      else if (++op_names[op.name] == 2)
        err("There can be only one operation named \"" + op.name + "\".", {op.loc});
    }
    if (anonymous && d_.operations.size() > 1)
      for (const auto& op : d_.operations)
        if (op.name.empty()) err("This anonymous operation must be the only defined operation.", {op.loc});
    std::map<std::string, int> frag_names;
    for (const auto& f : d_.fragments) {
      if (++frag_names[f.name] == 2) err("There can be only one fragment named \"" + f.name + "\".", {f.loc});
      frags_.emplace(f.name, &f);
    }
    // Fragments: each validated once, in its own type.
    for (const auto& f : d_.fragments) {
      current_ = &frag_info_[f.name];
      directives(f.directives, "FRAGMENT_DEFINITION");
      const type_info* t = s_.type(f.type_condition);
      if (!t)
        err("Unknown type \"" + f.type_condition + "\".", {f.loc});
      else if (!t->composite())
        err("Fragment \"" + f.name + "\" cannot condition on non composite type \"" + f.type_condition + "\".",
            {f.loc});
      visit_set(t && t->composite() ? t : nullptr, f.sel);
    }
    for (const auto& op : d_.operations) operation_(op);
    // Unused fragments, cycles.
    std::unordered_set<std::string> used;
    for (const auto& op : d_.operations) reach(op_info_[&op].spreads, used);
    for (const auto& f : d_.fragments)
      if (!used.count(f.name)) err("Fragment \"" + f.name + "\" is never used.", {f.loc});
    cycles();
    return std::move(errors_);
  }

 private:
  struct info {  // what one operation or fragment uses
    std::vector<var_usage> vars;
    std::vector<std::string> spreads;
  };

  void err(std::string msg, std::vector<location> locs) {
    if (errors_.size() >= max_) return;
    errors_.push_back({std::move(msg), std::move(locs), {}, {}});
  }

  void reach(const std::vector<std::string>& spreads, std::unordered_set<std::string>& seen) {
    for (const auto& s : spreads) {
      if (!frags_.count(s) || seen.count(s)) continue;
      seen.insert(s);
      reach(frag_info_[s].spreads, seen);
    }
  }

  void cycles() {
    std::unordered_set<std::string> done;
    for (const auto& f : d_.fragments) {
      if (done.count(f.name)) continue;
      std::vector<std::string> path;  // the spreads walked, and where they are
      std::vector<location> path_locs;
      std::unordered_map<std::string, size_t> on_path;
      std::function<void(const std::string&)> dfs = [&](const std::string& name) {
        if (done.count(name)) return;
        done.insert(name);
        on_path[name] = path.size();
        auto it = frags_.find(name);
        if (it != frags_.end())
          for (const auto& spread : spread_nodes(it->second->sel)) {
            auto at = on_path.find(spread.first);
            if (at == on_path.end()) {
              path.push_back(spread.first);
              path_locs.push_back(spread.second);
              dfs(spread.first);
              path.pop_back();
              path_locs.pop_back();
              continue;
            }
            std::string via;
            for (size_t i = at->second; i < path.size(); ++i) via += (via.empty() ? "\"" : ", \"") + path[i] + "\"";
            // Located at every spread of the cycle, the closing one last.
            std::vector<location> locs(path_locs.begin() + static_cast<std::ptrdiff_t>(at->second), path_locs.end());
            locs.push_back(spread.second);
            err("Cannot spread fragment \"" + spread.first + "\" within itself" +
                    (via.empty() ? "." : " via " + via + "."),
                std::move(locs));
          }
        on_path.erase(name);
      };
      dfs(f.name);
    }
  }

  static std::vector<std::pair<std::string, location>> spread_nodes(const selection_set& sel) {
    std::vector<std::pair<std::string, location>> out;
    std::function<void(const selection_set&)> walk = [&](const selection_set& ss) {
      for (const auto& s : ss) {
        if (s.k == selection::kind::spread) out.emplace_back(s.name, s.loc);
        walk(s.sub);
      }
    };
    walk(sel);
    return out;
  }

  void operation_(const operation& op) {
    current_ = &op_info_[&op];
    const type_info* root = s_.root(op.op);
    if (!root) err("Schema is not configured to execute " + op.op + " operation.", {op.loc});
    std::string upper = op.op == "query" ? "QUERY" : op.op == "mutation" ? "MUTATION" : "SUBSCRIPTION";
    directives(op.directives, upper);
    std::map<std::string, const variable_def*> defs;
    for (const auto& v : op.vars) {
      if (defs.count(v.name))
        err("There can be only one variable named \"$" + v.name + "\".", {v.loc});
      else
        defs[v.name] = &v;
      const auto* t = s_.type(v.type.base());
      if (!t)
        err("Unknown type \"" + v.type.base() + "\".", {v.type.loc});
      else if (!t->input())
        err("Variable \"$" + v.name + "\" cannot be non-input type \"" + v.type.str() + "\".", {v.type.loc});
      if (v.default_value && t && t->input()) literal(*v.default_value, v.type, false);
      directives(v.directives, "VARIABLE_DEFINITION");
    }
    if (op.op == "subscription" && root) {
      std::vector<std::pair<std::string, location>> fields;
      std::unordered_set<std::string> seen;
      root_fields(*root, op.sel, fields, seen);
      std::set<std::string> names;
      for (const auto& f : fields) names.insert(f.first);
      std::string who = op.name.empty() ? "Anonymous Subscription" : "Subscription \"" + op.name + "\"";
      if (names.size() > 1) err(who + " must select only one top level field.", {fields[1].second});
      for (const auto& f : fields)
        if (f.first.rfind("__", 0) == 0) {
          err(who + " must not select an introspection top level field.", {f.second});
          break;
        }
    }
    visit_set(root, op.sel);
    // Variables: defined, used, in allowed positions (through fragments too).
    std::vector<const var_usage*> usages;
    for (const auto& u : current_->vars) usages.push_back(&u);
    std::unordered_set<std::string> frags;
    reach(current_->spreads, frags);
    for (const auto& f : d_.fragments)  // document order, each once
      if (frags.count(f.name) && frags_[f.name] == &f)
        for (const auto& u : frag_info_[f.name].vars) usages.push_back(&u);
    std::set<std::string> used;
    std::set<std::pair<std::string, std::pair<uint32_t, uint32_t>>> reported;
    for (const auto* u : usages) {
      used.insert(u->name);
      auto it = defs.find(u->name);
      if (it == defs.end()) {
        if (reported.insert({u->name, {u->loc.line, u->loc.column}}).second)
          err(op.name.empty() ? "Variable \"$" + u->name + "\" is not defined."
                              : "Variable \"$" + u->name + "\" is not defined by operation \"" + op.name + "\".",
              {u->loc, op.loc});
        continue;
      }
      if (!u->known) continue;
      const auto& vd = *it->second;
      if (!s_.type(vd.type.base())) continue;
      if (!allowed(vd, *u))
        err("Variable \"$" + u->name + "\" of type \"" + vd.type.str() + "\" used in position expecting type \"" +
                u->type.str() + "\".",
            {vd.loc, u->loc});
    }
    for (const auto& v : op.vars)
      if (!used.count(v.name))
        err(op.name.empty() ? "Variable \"$" + v.name + "\" is never used."
                            : "Variable \"$" + v.name + "\" is never used in operation \"" + op.name + "\".",
            {v.loc});
  }

  void root_fields(const type_info& t, const selection_set& sel, std::vector<std::pair<std::string, location>>& out,
                   std::unordered_set<std::string>& seen) {
    for (const auto& s : sel) {
      if (s.k == selection::kind::field)
        out.emplace_back(s.response_name(), s.loc);
      else if (s.k == selection::kind::inline_fragment)
        root_fields(t, s.sub, out, seen);
      else if (!seen.count(s.name) && frags_.count(s.name)) {
        seen.insert(s.name);
        root_fields(t, frags_[s.name]->sel, out, seen);
      }
    }
  }

  static bool subtype(const type_ref& sub, const type_ref& super) {
    if (super.k == type_ref::kind::non_null) return sub.k == type_ref::kind::non_null && subtype(*sub.of, *super.of);
    if (sub.k == type_ref::kind::non_null) return subtype(*sub.of, super);
    if (super.k == type_ref::kind::list) return sub.k == type_ref::kind::list && subtype(*sub.of, *super.of);
    if (sub.k == type_ref::kind::list) return false;
    return sub.name == super.name;
  }

  static bool allowed(const variable_def& vd, const var_usage& u) {
    if (u.type.non_null() && !vd.type.non_null()) {
      bool var_default = vd.default_value && vd.default_value->k != value::kind::null;
      if (!var_default && !u.location_default) return false;
      return subtype(vd.type, *u.type.of);
    }
    return subtype(vd.type, u.type);
  }

  void directives(const std::vector<directive>& ds, const std::string& where) {
    std::set<std::string> seen;
    for (const auto& d : ds) {
      const auto* def = s_.directive(d.name);
      if (!def) {
        err("Unknown directive \"@" + d.name + "\".", {d.loc});
        continue;
      }
      if (std::find(def->locations.begin(), def->locations.end(), where) == def->locations.end())
        err("Directive \"@" + d.name + "\" may not be used on " + where + ".", {d.loc});
      if (!def->repeatable && !seen.insert(d.name).second)
        err("The directive \"@" + d.name + "\" can only be used once at this location.", {d.loc});
      arguments(
          d.args, def->args,
          [&](const std::string& a) { return "Unknown argument \"" + a + "\" on directive \"@" + d.name + "\"."; },
          [&](const arg_info& a) {
            return "Directive \"@" + d.name + "\" argument \"" + a.name + "\" of type \"" + a.type.str() +
                   "\" is required, but it was not provided.";
          },
          d.loc);
    }
  }

  template <class UnknownMsg, class MissingMsg>
  void arguments(const std::vector<argument>& given, const std::vector<arg_info>& defs, UnknownMsg unknown,
                 MissingMsg missing, location at) {
    std::set<std::string> seen;
    for (const auto& a : given) {
      if (!seen.insert(a.name).second) err("There can be only one argument named \"" + a.name + "\".", {a.loc});
      const arg_info* def = nullptr;
      for (const auto& d : defs)
        if (d.name == a.name) def = &d;
      if (!def) {
        err(unknown(a.name), {a.loc});
        literal(a.v, type_ref{}, false, /*typed=*/false);
        continue;
      }
      literal(a.v, def->type, def->default_value.has_value());
    }
    for (const auto& d : defs)
      if (d.type.non_null() && !d.default_value && !seen.count(d.name)) err(missing(d), {at});
  }

  // ValuesOfCorrectType and UniqueInputFieldNames over a literal at a location of
  // type t; records variable usages.
  void literal(const value& v, const type_ref& t, bool location_default, bool typed = true) {
    if (v.k == value::kind::variable) {
      var_usage u;
      u.name = v.text;
      u.type = t;
      u.known = typed;
      u.location_default = location_default;
      u.loc = v.loc;
      current_->vars.push_back(std::move(u));
      return;
    }
    if (!typed) {  // still walk for variables and duplicate fields
      for (const auto& i : v.items) literal(i, t, false, false);
      std::set<std::string> names;
      for (const auto& [k, fv] : v.fields) {
        if (!names.insert(k).second) err("There can be only one input field named \"" + k + "\".", {fv.loc});
        literal(fv, t, false, false);
      }
      return;
    }
    auto mismatch = [&]() { err("Expected value of type \"" + t.str() + "\", found " + print(v) + ".", {v.loc}); };
    if (t.k == type_ref::kind::non_null) {
      if (v.k == value::kind::null) return mismatch();
      return literal(v, *t.of, location_default);
    }
    if (v.k == value::kind::null) return;
    if (t.k == type_ref::kind::list) {
      if (v.k == value::kind::list) {
        for (const auto& i : v.items) literal(i, *t.of, false);
        return;
      }
      return literal(v, *t.of, false);
    }
    const auto* ti = s_.type(t.name);
    if (!ti) return;
    if (ti->k == type_def::kind::input) {
      if (v.k != value::kind::object) {
        if (v.k == value::kind::list) {
          mismatch();
          return;
        }
        return mismatch();
      }
      std::set<std::string> names;
      for (const auto& f : ti->input_fields) {
        bool given = std::any_of(v.fields.begin(), v.fields.end(), [&](const auto& p) { return p.first == f.name; });
        if (!given && f.type.non_null() && !f.default_value)
          err("Field \"" + ti->name + "." + f.name + "\" of required type \"" + f.type.str() + "\" was not provided.",
              {v.loc});
      }
      for (const auto& [k, fv] : v.fields) {
        if (!names.insert(k).second) err("There can be only one input field named \"" + k + "\".", {fv.loc});
        const auto* f = ti->input_field(k);
        if (!f) {
          err("Field \"" + k + "\" is not defined by type \"" + ti->name + "\".", {fv.loc});
          literal(fv, t, false, false);
          continue;
        }
        literal(fv, f->type, f->default_value.has_value());
      }
      return;
    }
    // Leaves: a list or object literal is still walked for variables.
    if (v.k == value::kind::list || v.k == value::kind::object) {
      bool custom = ti->k == type_def::kind::scalar && !builtin(ti->name);
      if (custom) {
        literal(v, t, false, false);
        return;
      }
      std::vector<var_usage> saved;
      literal(v, t, false, false);
    }
    if (ti->k == type_def::kind::enum_) {
      if (v.k != value::kind::enum_)
        err("Enum \"" + ti->name + "\" cannot represent non-enum value: " + print(v) + ".", {v.loc});
      else if (!ti->has_value(v.text))
        err("Value \"" + v.text + "\" does not exist in \"" + ti->name + "\" enum.", {v.loc});
      return;
    }
    const auto& n = ti->name;
    if (n == "Int") {
      if (v.k != value::kind::int_)
        err("Int cannot represent non-integer value: " + print(v), {v.loc});
      else {
        double d = std::strtod(v.text.c_str(), nullptr);
        if (d > 2147483647.0 || d < -2147483648.0)
          err("Int cannot represent non 32-bit signed integer value: " + v.text, {v.loc});
      }
    } else if (n == "Float") {
      if (v.k != value::kind::int_ && v.k != value::kind::float_)
        err("Float cannot represent non numeric value: " + print(v), {v.loc});
    } else if (n == "String") {
      if (v.k != value::kind::string) err("String cannot represent a non string value: " + print(v), {v.loc});
    } else if (n == "Boolean") {
      if (v.k != value::kind::boolean) err("Boolean cannot represent a non boolean value: " + print(v), {v.loc});
    } else if (n == "ID") {
      if (v.k != value::kind::string && v.k != value::kind::int_)
        err("ID cannot represent a non-string and non-integer value: " + print(v), {v.loc});
    }
  }

  static bool builtin(const std::string& n) {
    return n == "Int" || n == "Float" || n == "String" || n == "Boolean" || n == "ID";
  }

  void visit_set(const type_info* parent, const selection_set& sel) {
    for (auto& e : overlaps_.check(parent, sel)) err(std::move(e.message), std::move(e.locations));
    for (const auto& s : sel) {
      switch (s.k) {
        case selection::kind::field: field(parent, s); break;
        case selection::kind::inline_fragment: {
          directives(s.directives, "INLINE_FRAGMENT");
          const type_info* t = parent;
          if (!s.type_condition.empty()) {
            t = s_.type(s.type_condition);
            if (!t)
              err("Unknown type \"" + s.type_condition + "\".", {s.loc});
            else if (!t->composite()) {
              err("Fragment cannot condition on non composite type \"" + s.type_condition + "\".", {s.loc});
              t = nullptr;
            } else if (parent && !s_.overlap(*parent, *t)) {
              err("Fragment cannot be spread here as objects of type \"" + parent->name + "\" can never be of type \"" +
                      t->name + "\".",
                  {s.loc});
            }
          }
          visit_set(t, s.sub);
          break;
        }
        case selection::kind::spread: {
          directives(s.directives, "FRAGMENT_SPREAD");
          current_->spreads.push_back(s.name);
          auto it = frags_.find(s.name);
          if (it == frags_.end()) {
            err("Unknown fragment \"" + s.name + "\".", {s.loc});
            break;
          }
          const auto* ft = s_.type(it->second->type_condition);
          if (parent && ft && ft->composite() && !s_.overlap(*parent, *ft))
            err("Fragment \"" + s.name + "\" cannot be spread here as objects of type \"" + parent->name +
                    "\" can never be of type \"" + ft->name + "\".",
                {s.loc});
          break;
        }
      }
    }
  }

  const field_info* lookup(const type_info* parent, const std::string& name, type_ref& type_out) {
    static const type_ref typename_type = type_ref::wrap(type_ref::kind::non_null, type_ref::named_type("String"));
    if (name == "__typename") {
      type_out = typename_type;
      return nullptr;
    }
    if (parent && parent == s_.root("query") && (name == "__schema" || name == "__type")) {
      type_out = name == "__schema" ? type_ref::wrap(type_ref::kind::non_null, type_ref::named_type("__Schema"))
                                    : type_ref::named_type("__Type");
      return nullptr;
    }
    if (!parent || parent->k == type_def::kind::union_) return nullptr;
    const auto* f = parent->field(name);
    if (f) type_out = f->type;
    return f;
  }

  void field(const type_info* parent, const selection& s) {
    directives(s.directives, "FIELD");
    type_ref t;
    const field_info* f = lookup(parent, s.name, t);
    bool meta = s.name == "__typename" || ((s.name == "__schema" || s.name == "__type") && parent == s_.root("query"));
    if (!f && !meta) {
      if (parent) err("Cannot query field \"" + s.name + "\" on type \"" + parent->name + "\".", {s.loc});
      for (const auto& a : s.args) literal(a.v, type_ref{}, false, false);
      walk_untyped(s.sub);
      return;
    }
    static const std::vector<arg_info> type_args = [] {
      arg_info a;
      a.name = "name";
      a.type = type_ref::wrap(type_ref::kind::non_null, type_ref::named_type("String"));
      return std::vector<arg_info>{a};
    }();
    static const std::vector<arg_info> none;
    const auto& defs = f ? f->args : s.name == "__type" ? type_args : none;
    std::string owner = parent ? parent->name : "";
    arguments(
        s.args, defs,
        [&](const std::string& a) {
          return "Unknown argument \"" + a + "\" on field \"" + owner + "." + s.name + "\".";
        },
        [&](const arg_info& a) {
          return "Field \"" + s.name + "\" argument \"" + a.name + "\" of type \"" + a.type.str() +
                 "\" is required, but it was not provided.";
        },
        s.loc);
    const auto* base = s_.type(t.base());
    if (!base) return;
    if (base->leaf() && !s.sub.empty())
      err("Field \"" + s.name + "\" must not have a selection since type \"" + t.str() + "\" has no subfields.",
          {s.loc});
    if (base->composite() && s.sub.empty())
      err("Field \"" + s.name + "\" of type \"" + t.str() + "\" must have a selection of subfields. Did you mean \"" +
              s.name + " { ... }\"?",
          {s.loc});
    if (base->composite())
      visit_set(base, s.sub);
    else
      walk_untyped(s.sub);
  }

  void walk_untyped(const selection_set& sel) {
    if (!sel.empty())
      for (auto& e : overlaps_.check(nullptr, sel)) err(std::move(e.message), std::move(e.locations));
    for (const auto& s : sel) {
      for (const auto& a : s.args) literal(a.v, type_ref{}, false, false);
      if (s.k == selection::kind::spread) {
        current_->spreads.push_back(s.name);
        if (!frags_.count(s.name)) err("Unknown fragment \"" + s.name + "\".", {s.loc});
      }
      walk_untyped(s.sub);
    }
  }

  const schema& s_;
  const document& d_;
  size_t max_;
  std::vector<gql_error> errors_;
  std::unordered_map<std::string, const fragment*> frags_;
  std::unordered_map<std::string, info> frag_info_;
  std::unordered_map<const operation*, info> op_info_;
  info* current_ = nullptr;
  overlap_checker overlaps_{s_, frags_};
};

}  // namespace

std::vector<gql_error> validate(const schema& s, const document& doc, size_t max_errors) {
  validator v(s, doc, max_errors);
  return v.run();
}

}  // namespace cg::gql
