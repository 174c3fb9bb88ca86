#include "schema/graphql/cost.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_set>

#include "schema/graphql/values.hpp"

namespace cg::gql {
namespace {

constexpr uint64_t saturated = UINT64_MAX / 4;

uint64_t add(uint64_t a, uint64_t b) { return a > saturated - std::min(b, saturated) ? saturated : a + b; }
uint64_t mul(uint64_t a, uint64_t b) {
  if (a == 0 || b == 0) return 0;
  return a > saturated / b ? saturated : a * b;
}

uint64_t positive(const json& v) {
  if (v.is_number_integer()) return static_cast<uint64_t>(std::max<int64_t>(1, v.get<int64_t>()));
  if (v.is_number_unsigned()) return std::max<uint64_t>(1, v.get<uint64_t>());
  return 0;
}

class estimator {
 public:
  estimator(const schema& s, const prepared& p, const cost_options& o, uint64_t stop)
      : s_(s), p_(p), o_(o), stop_(stop) {
    for (const auto& f : p.doc->fragments) frags_.emplace(f.name, &f);
  }

  uint64_t run() {
    const auto* root = s_.root(p_.op->op);
    if (!root) return 0;
    return set_cost(*root, {&p_.op->sel}, 0);
  }

 private:
  using group = std::pair<std::string, std::vector<const selection*>>;

  bool included(const std::vector<directive>& ds) const { return directives_include(ds, p_.variables); }

  // The executor's field collection: same-named fields merged, a fragment once per set.
  // Type conditions are not narrowed: an abstract type's fragments all count.
  void collect(const selection_set& sel, std::vector<group>& out, std::unordered_set<std::string>& visited) const {
    for (const auto& s : sel) {
      if (!included(s.directives)) continue;
      if (s.k == selection::kind::field) {
        auto& key = s.response_name();
        auto it = std::find_if(out.begin(), out.end(), [&](const group& g) { return g.first == key; });
        if (it == out.end())
          out.push_back({key, {&s}});
        else
          it->second.push_back(&s);
      } else if (s.k == selection::kind::inline_fragment) {
        collect(s.sub, out, visited);
      } else if (!visited.count(s.name)) {
        visited.insert(s.name);
        if (auto it = frags_.find(s.name); it != frags_.end()) collect(it->second->sel, out, visited);
      }
    }
  }

  // The field's arguments as values: given (variables substituted) or defaulted.
  json args_of(const field_info& f, const selection& at) const {
    json out = json::object();
    for (const auto& d : f.args) {
      const argument* given = nullptr;
      for (const auto& a : at.args)
        if (a.name == d.name) given = &a;
      json v;
      std::string err;
      if (given && !(given->v.k == value::kind::variable && !p_.variables.contains(given->v.text))) {
        if (coerce_literal(s_, given->v, d.type, p_.variables, v, err)) out[d.name] = std::move(v);
      } else if (d.default_value && coerce_literal(s_, *d.default_value, d.type, p_.variables, v, err)) {
        out[d.name] = std::move(v);
      }
    }
    return out;
  }

  // A size argument, directly or as a field of an input argument (with that input
  // type's default when the argument or the field is absent).
  uint64_t size_arg(const field_info& f, const json& args) const {
    for (const auto& name : o_.size_args)
      if (f.arg(name) && args.contains(name))
        if (auto n = positive(args[name])) return n;
    for (const auto& d : f.args) {
      const auto* t = s_.type(d.type.base());
      if (!t || t->k != type_def::kind::input) continue;
      for (const auto& name : o_.size_args) {
        const auto* field = t->input_field(name);
        if (!field) continue;
        if (args.contains(d.name) && args[d.name].is_object() && args[d.name].contains(name))
          if (auto n = positive(args[d.name][name])) return n;
        json v;
        std::string err;
        if (field->default_value && coerce_literal(s_, *field->default_value, field->type, p_.variables, v, err))
          if (auto n = positive(v)) return n;
      }
    }
    return 0;
  }

  uint64_t depth_arg(const field_info& f, const json& args) const {
    for (const auto& name : o_.depth_args)
      if (f.arg(name) && args.contains(name))
        if (auto n = positive(args[name])) return n;
    return 1;
  }

  static bool is_list(const type_ref& t) {
    const type_ref* x = &t;
    if (x->k == type_ref::kind::non_null) x = x->of.get();
    return x->k == type_ref::kind::list;
  }

  // The cost of the merged selection sets `sets` on objects of type t; `inherited`: a
  // size argument of the field above, for its list fields that have none.
  uint64_t set_cost(const type_info& t, const std::vector<const selection_set*>& sets, uint64_t inherited) {
    // The same selections on the same type cost the same wherever they appear: a
    // fragment spread under many fields is estimated once (a tree of fragments that
    // spread each other twice per level would otherwise take 2^depth steps).
    auto key = std::make_tuple(&t, sets, inherited);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    uint64_t total = set_cost_uncached(t, sets, inherited);
    memo_.emplace(std::move(key), total);
    return total;
  }

  uint64_t set_cost_uncached(const type_info& t, const std::vector<const selection_set*>& sets, uint64_t inherited) {
    std::vector<group> groups;
    std::unordered_set<std::string> visited;
    for (const auto* set : sets) collect(*set, groups, visited);
    uint64_t total = 0;
    for (const auto& g : groups) {
      total = add(total, field_cost(t, g, inherited));
      if (total > stop_) return total;
    }
    return total;
  }

  uint64_t field_cost(const type_info& parent, const group& g, uint64_t inherited) {
    const auto& first = *g.second[0];
    if (first.name == "__typename") return 0;
    if (first.name == "__schema" || first.name == "__type" || parent.name.starts_with("__")) return 1;
    const auto* f = parent.field(first.name);
    if (!f) return 0;
    const auto* target = s_.type(f->type.base());
    if (!target || target->leaf()) return 0;
    auto args = args_of(*f, first);
    uint64_t own = size_arg(*f, args);
    uint64_t size = 1;
    if (is_list(f->type)) {
      if (own)
        size = own;
      else if (inherited)
        size = inherited;
      else if (auto it = o_.list_sizes.find(parent.name + "." + f->name); it != o_.list_sizes.end())
        size = it->second;
      else
        size = o_.default_list_size;
    }
    uint64_t walk = depth_arg(*f, args);
    std::vector<const selection_set*> subs;
    for (const auto* s : g.second)
      if (!s->sub.empty()) subs.push_back(&s->sub);
    // A single object with a size argument hands it to the lists below it.
    uint64_t below = 0;
    if (subs.empty())
      below = 0;
    else if (target->abstract()) {
      // Every possible type's fields count (an upper bound).
      for (const auto& name : target->possible)
        if (const auto* pt = s_.type(name)) below = std::max(below, set_cost(*pt, subs, is_list(f->type) ? 0 : own));
    } else {
      below = set_cost(*target, subs, is_list(f->type) ? 0 : own);
    }
    return mul(size, add(walk, below));
  }

  const schema& s_;
  const prepared& p_;
  const cost_options& o_;
  uint64_t stop_;
  std::unordered_map<std::string, const fragment*> frags_;
  std::map<std::tuple<const type_info*, std::vector<const selection_set*>, uint64_t>, uint64_t> memo_;
};

}  // namespace

uint64_t estimate_cost(const schema& s, const prepared& p, const cost_options& o, uint64_t stop) {
  if (!p.op || !p.doc) return 0;
  return estimator(s, p, o, stop).run();
}

std::optional<gql_error> check_cost(const schema& s, const prepared& p, const cost_options& o, uint64_t* cost) {
  if (!p.op || !p.doc) return std::nullopt;
  // Past 16 times the limit the estimate stops (a hostile document costs the
  // estimator little) and the message says "at least".
  uint64_t stop = o.max_cost ? mul(o.max_cost, 16) : UINT64_MAX;
  uint64_t c = estimate_cost(s, p, o, stop);
  if (cost) *cost = c;
  if (!o.max_cost || c <= o.max_cost) return std::nullopt;
  gql_error e;
  e.message = "The query's cost is " + std::string(c > stop ? "at least " : "") + std::to_string(c) +
              ", over the limit of " + std::to_string(o.max_cost) +
              " (the objects its lists may hold times the depth of its walks; see docs/API.md). Ask for less: "
              "smaller limit, first, k or depth arguments, fewer aliases.";
  e.locations.push_back(p.op->loc);
  e.code = "QUERY_TOO_COMPLEX";
  return e;
}

}  // namespace cg::gql
