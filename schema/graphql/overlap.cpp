#include "schema/graphql/overlap.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace cg::gql {
namespace {

// One field of a collected selection set: where it was selected, and its definition
// (null when the parent is unknown or not an object/interface, or for __typename).
struct field_ref {
  const type_info* parent;
  const selection* node;
  const field_info* def;
};

// A selection set's fields by response name (in order of first appearance), inline
// fragments included, and the names of the fragments it spreads (each once, in order).
struct collected {
  std::vector<std::pair<std::string, std::vector<field_ref>>> fields;
  std::unordered_map<std::string, size_t> index;
  std::vector<std::string> fragments;
  const std::vector<field_ref>* find(const std::string& name) const {
    auto it = index.find(name);
    return it == index.end() ? nullptr : &fields[it->second].second;
  }
};

// Why two fields cannot merge: a sentence, or the sub-fields that conflict.
struct conflict {
  std::string name;  // the response name
  std::string reason;
  std::vector<conflict> subs;
  std::vector<const selection*> fields1, fields2;
};

std::string message(const conflict& c) {
  if (c.subs.empty()) return c.reason;
  std::string out;
  for (const auto& s : c.subs)
    out += (out.empty() ? "" : " and ") + std::string("subfields \"") + s.name + "\" conflict because " + message(s);
  return out;
}

// Arguments compare by their printed values, object fields sorted by name.
void sort_objects(value& v) {
  for (auto& i : v.items) sort_objects(i);
  for (auto& f : v.fields) sort_objects(f.second);
  std::stable_sort(v.fields.begin(), v.fields.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

std::string canonical(const value& v) {
  value c = v;
  sort_objects(c);
  return print(c);
}

bool same_arguments(const selection& a, const selection& b) {
  if (a.args.size() != b.args.size()) return false;
  for (const auto& x : a.args) {
    auto it = std::find_if(b.args.begin(), b.args.end(), [&](const argument& y) { return y.name == x.name; });
    if (it == b.args.end() || canonical(it->v) != canonical(x.v)) return false;
  }
  return true;
}

}  // namespace

struct overlap_checker::impl {
  const schema& s;
  const std::unordered_map<std::string, const fragment*>& frags;
  std::unordered_map<const selection_set*, std::unique_ptr<collected>> cache;
  // Compared pairs, with whether the comparison assumed mutually exclusive parents: a
  // pair compared without that assumption covers one with it, not the reverse.
  std::map<std::pair<std::string, std::string>, bool> fragment_pairs;
  std::map<std::pair<const collected*, std::string>, bool> field_fragment_pairs;

  impl(const schema& sc, const std::unordered_map<std::string, const fragment*>& f) : s(sc), frags(f) {}

  void collect_into(const type_info* parent, const selection_set& sel, collected& out) {
    for (const auto& x : sel) {
      switch (x.k) {
        case selection::kind::field: {
          const field_info* def = nullptr;
          if (parent && (parent->k == type_def::kind::object || parent->k == type_def::kind::interface))
            def = parent->field(x.name);
          auto [it, fresh] = out.index.emplace(x.response_name(), out.fields.size());
          if (fresh) out.fields.emplace_back(x.response_name(), std::vector<field_ref>{});
          out.fields[it->second].second.push_back({parent, &x, def});
          break;
        }
        case selection::kind::spread:
          if (std::find(out.fragments.begin(), out.fragments.end(), x.name) == out.fragments.end())
            out.fragments.push_back(x.name);
          break;
        case selection::kind::inline_fragment:
          collect_into(x.type_condition.empty() ? parent : s.type(x.type_condition), x.sub, out);
          break;
      }
    }
  }

  const collected& fields_of(const type_info* parent, const selection_set& sel) {
    auto& slot = cache[&sel];
    if (!slot) {
      slot = std::make_unique<collected>();
      collect_into(parent, sel, *slot);
    }
    return *slot;
  }

  const collected* fields_of(const std::string& fragment_name) {
    auto it = frags.find(fragment_name);
    if (it == frags.end()) return nullptr;
    return &fields_of(s.type(it->second->type_condition), it->second->sel);
  }

  bool types_conflict(const type_ref& a, const type_ref& b) const {
    using k = type_ref::kind;
    if (a.k == k::list) return b.k != k::list || types_conflict(*a.of, *b.of);
    if (b.k == k::list) return true;
    if (a.k == k::non_null) return b.k != k::non_null || types_conflict(*a.of, *b.of);
    if (b.k == k::non_null) return true;
    const auto* ta = s.type(a.name);
    const auto* tb = s.type(b.name);
    if ((ta && ta->leaf()) || (tb && tb->leaf())) return a.name != b.name;
    return false;
  }

  static bool is_object(const type_info* t) { return t && t->k == type_def::kind::object; }

  // Two fields of one response name.
  std::optional<conflict> find(bool parents_exclusive, const std::string& name, const field_ref& a,
                               const field_ref& b) {
    const bool exclusive = parents_exclusive || (a.parent != b.parent && is_object(a.parent) && is_object(b.parent));
    auto simple = [&](std::string why) { return conflict{name, std::move(why), {}, {a.node}, {b.node}}; };
    if (!exclusive) {
      if (a.node->name != b.node->name)
        return simple("\"" + a.node->name + "\" and \"" + b.node->name + "\" are different fields");
      if (!same_arguments(*a.node, *b.node)) return simple("they have differing arguments");
    }
    if (a.def && b.def && types_conflict(a.def->type, b.def->type))
      return simple("they return conflicting types \"" + a.def->type.str() + "\" and \"" + b.def->type.str() + "\"");
    if (a.node->sub.empty() || b.node->sub.empty()) return std::nullopt;
    auto subs = between_sub_selections(exclusive, a.def ? s.type(a.def->type.base()) : nullptr, a.node->sub,
                                       b.def ? s.type(b.def->type.base()) : nullptr, b.node->sub);
    if (subs.empty()) return std::nullopt;
    conflict c{name, {}, {}, {a.node}, {b.node}};
    for (auto& x : subs) {
      c.fields1.insert(c.fields1.end(), x.fields1.begin(), x.fields1.end());
      c.fields2.insert(c.fields2.end(), x.fields2.begin(), x.fields2.end());
    }
    c.subs = std::move(subs);
    return c;
  }

  void within(std::vector<conflict>& out, const collected& m) {
    for (const auto& [name, fields] : m.fields)
      for (size_t i = 0; i < fields.size(); ++i)
        for (size_t j = i + 1; j < fields.size(); ++j)
          if (auto c = find(false, name, fields[i], fields[j])) out.push_back(std::move(*c));
  }

  void between(std::vector<conflict>& out, bool exclusive, const collected& m1, const collected& m2) {
    for (const auto& [name, fields1] : m1.fields) {
      const auto* fields2 = m2.find(name);
      if (!fields2) continue;
      for (const auto& a : fields1)
        for (const auto& b : *fields2)
          if (auto c = find(exclusive, name, a, b)) out.push_back(std::move(*c));
    }
  }

  // Marks a pair compared; false when it already was (under the same or a stronger assumption).
  template <class Key>
  static bool first_time(std::map<Key, bool>& seen, const Key& key, bool exclusive) {
    auto it = seen.find(key);
    if (it != seen.end() && (exclusive || it->second == exclusive)) return false;
    seen[key] = exclusive;
    return true;
  }

  void fields_and_fragment(std::vector<conflict>& out, bool exclusive, const collected& m,
                           const std::string& fragment_name) {
    if (!first_time(field_fragment_pairs, {&m, fragment_name}, exclusive)) return;
    const collected* f = fields_of(fragment_name);
    if (!f || f == &m) return;
    between(out, exclusive, m, *f);
    for (const auto& inner : f->fragments) fields_and_fragment(out, exclusive, m, inner);
  }

  void fragments(std::vector<conflict>& out, bool exclusive, const std::string& n1, const std::string& n2) {
    if (n1 == n2) return;
    if (!first_time(fragment_pairs, n1 < n2 ? std::make_pair(n1, n2) : std::make_pair(n2, n1), exclusive)) return;
    const collected* f1 = fields_of(n1);
    const collected* f2 = fields_of(n2);
    if (!f1 || !f2) return;
    between(out, exclusive, *f1, *f2);
    for (const auto& inner : f2->fragments) fragments(out, exclusive, n1, inner);
    for (const auto& inner : f1->fragments) fragments(out, exclusive, inner, n2);
  }

  std::vector<conflict> between_sub_selections(bool exclusive, const type_info* t1, const selection_set& s1,
                                               const type_info* t2, const selection_set& s2) {
    std::vector<conflict> out;
    const collected& m1 = fields_of(t1, s1);
    const collected& m2 = fields_of(t2, s2);
    between(out, exclusive, m1, m2);
    for (const auto& f : m2.fragments) fields_and_fragment(out, exclusive, m1, f);
    for (const auto& f : m1.fragments) fields_and_fragment(out, exclusive, m2, f);
    for (const auto& a : m1.fragments)
      for (const auto& b : m2.fragments) fragments(out, exclusive, a, b);
    return out;
  }

  std::vector<conflict> within_selection(const type_info* parent, const selection_set& sel) {
    std::vector<conflict> out;
    const collected& m = fields_of(parent, sel);
    within(out, m);
    for (size_t i = 0; i < m.fragments.size(); ++i) {
      fields_and_fragment(out, false, m, m.fragments[i]);
      for (size_t j = i + 1; j < m.fragments.size(); ++j) fragments(out, false, m.fragments[i], m.fragments[j]);
    }
    return out;
  }
};

overlap_checker::overlap_checker(const schema& s, const std::unordered_map<std::string, const fragment*>& fragments)
    : impl_(std::make_unique<impl>(s, fragments)) {}
overlap_checker::~overlap_checker() = default;

std::vector<overlap_error> overlap_checker::check(const type_info* parent, const selection_set& sel) {
  std::vector<overlap_error> out;
  for (const auto& c : impl_->within_selection(parent, sel)) {
    overlap_error e;
    e.message = "Fields \"" + c.name + "\" conflict because " + message(c) +
                ". Use different aliases on the fields to fetch both if this was intentional.";
    for (const auto* f : c.fields1) e.locations.push_back(f->loc);
    for (const auto* f : c.fields2) e.locations.push_back(f->loc);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace cg::gql
