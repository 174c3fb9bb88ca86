// Go's structural typing as implements edges: a named type implements an interface
// when its method set covers the interface's, by method name (signatures are not
// compared). Method sets include what embedded structs promote and what embedded
// interfaces require; an interface that embeds one from outside the project has a
// method set we cannot know, and implements nothing. The edges come out of the type's
// file; graph_state marks that file again when a method set it depends on changes.
#include <algorithm>

#include "actors/graph/resolver.hpp"

namespace cg {

namespace {
bool go_named_type(node_kind k) {
  return k == node_kind::struct_ || k == node_kind::type_alias || k == node_kind::class_;
}
constexpr int max_embedding_depth = 8;
}  // namespace

void resolver::method_names(const symbol* type, bool interface, int depth, name_set& into, bool& known) {
  if (!type || depth > max_embedding_depth) return;
  for (auto i : symbols_.children(type->id)) {
    const auto& m = symbols_.at(i);
    if (symbols_.alive(i) && m.kind == node_kind::method) into.insert(m.name);
  }
  if (!interface) {  // methods declared in the package's other files
    build_go_package_index();
    if (auto it = go_detached_methods_.find(type->qualified_name); it != go_detached_methods_.end())
      into.insert(it->second.begin(), it->second.end());
  }
  if (interface && is_open(type)) known = false;  // embeds an interface the project lacks
  for (auto b : bases_of(type)) {
    const symbol* base = symbols_.find(b);
    // A struct's embedded fields promote their methods; the interfaces it implements
    // (possibly stale stored edges) add none. An interface embeds only interfaces.
    if (!base || base->id == type->id || (base->kind == node_kind::interface) != interface) continue;
    method_names(base, interface, depth + 1, into, known);
  }
}

// One pass over the project's Go symbols per resolution run: methods declared apart
// from their receiver type, and interfaces made only of embedded ones.
void resolver::build_go_package_index() {
  if (go_detached_built_) return;
  go_detached_built_ = true;
  std::unordered_set<const symbol*> with_methods;
  std::vector<const symbol*> interfaces;
  for (uint32_t i = 0; i < symbols_.size(); ++i) {
    const auto& s = symbols_.at(i);
    if (!symbols_.alive(i) || s.lang != language::go) continue;
    if (s.kind == node_kind::interface) interfaces.push_back(&s);
    if (s.kind != node_kind::method) continue;
    const symbol* owner = symbols_.parent_of(s);
    if (owner && owner->kind == node_kind::interface) with_methods.insert(owner);
    if (owner && (go_named_type(owner->kind) || owner->kind == node_kind::interface)) continue;
    auto dot = s.qualified_name.rfind('.');
    if (dot != std::string_view::npos) go_detached_methods_[s.qualified_name.substr(0, dot)].push_back(s.name);
  }
  for (const symbol* i : interfaces)
    if (!with_methods.count(i)) go_embedding_interfaces_.push_back(i);
}

const resolver::name_set* resolver::interface_methods(const symbol* iface) {
  auto [it, fresh] = interface_methods_.try_emplace(iface->id);
  if (fresh) {
    name_set names;
    bool known = true;
    method_names(iface, true, 0, names, known);
    if (known && !names.empty()) it->second = std::move(names);  // every type implements interface{}: no edges
  }
  return it->second ? &*it->second : nullptr;
}

const std::vector<const symbol*>& resolver::go_interfaces_with(std::string_view method) {
  auto [it, fresh] = go_interfaces_by_method_.try_emplace(method);
  if (fresh)
    for (auto i : symbols_.named(method)) {
      const auto& m = symbols_.at(i);
      if (!symbols_.alive(i) || m.kind != node_kind::method || m.lang != language::go) continue;
      const symbol* owner = symbols_.parent_of(m);
      if (owner && owner->kind == node_kind::interface &&
          std::find(it->second.begin(), it->second.end(), owner) == it->second.end())
        it->second.push_back(owner);
    }
  return it->second;
}

void resolver::go_implements(std::vector<edge>& out) {
  for (auto i : symbols_.in_file(path_)) {
    const auto& t = symbols_.at(i);
    if (!symbols_.alive(i) || t.lang != language::go || !go_named_type(t.kind)) continue;
    name_set have;
    bool known = true;
    method_names(&t, false, 0, have, known);
    if (have.empty()) continue;
    std::vector<const symbol*> candidates;  // interfaces asking for one of its methods, or only embedding
    for (auto name : have)
      for (const symbol* iface : go_interfaces_with(name))
        if (std::find(candidates.begin(), candidates.end(), iface) == candidates.end()) candidates.push_back(iface);
    build_go_package_index();
    candidates.insert(candidates.end(), go_embedding_interfaces_.begin(), go_embedding_interfaces_.end());
    for (const symbol* iface : candidates) {
      const name_set* need = interface_methods(iface);
      if (!need || !std::all_of(need->begin(), need->end(), [&](auto n) { return have.count(n) > 0; })) continue;
      edge e;
      e.source = t.id;
      e.target = iface->id;
      e.kind = edge_kind::implements;
      e.how = resolution::member;
      e.target_name = std::string(iface->qualified_name);
      e.sites.push_back({t.line, 0});
      out.push_back(std::move(e));
      auto& known_bases = local_bases_[t.id];
      if (std::find(known_bases.begin(), known_bases.end(), iface->id) == known_bases.end()) {
        known_bases.push_back(iface->id);
        mro_cache_.clear();
      }
    }
  }
}

}  // namespace cg
