#include "actors/graph/go_dependents.hpp"

#include <algorithm>
#include <unordered_set>

#include "schema/codec.hpp"
#include "storage/keys.hpp"
#include "storage/symbol_index.hpp"

namespace cg {

namespace {
bool go_named_type(node_kind k) {
  return k == node_kind::struct_ || k == node_kind::type_alias || k == node_kind::class_;
}
std::string_view receiver_of(std::string_view method_qname) {
  auto dot = method_qname.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : method_qname.substr(0, dot);
}

// Go definitions whose name index entries pass keep: (entry) -> bool.
template <class Keep>
status scan_named(const read_view& v, uint32_t proj, std::string_view name, Keep&& keep) {
  return v.for_each(column::idx, keys::name_prefix(proj, keys::lower_ascii(name), true),
                    [&](std::string_view k, std::string_view val) {
                      symbol_entry e;
                      if (decode_symbol_entry(k, val, e).ok() && e.lang == language::go && e.name == name) keep(e);
                      return true;
                    });
}
}  // namespace

result<std::vector<std::string>> go_method_set_dependents(const read_view& v, uint32_t proj, std::string_view own_path,
                                                          const std::vector<go_method_change>& changes) {
  std::unordered_set<std::string> receivers;  // types whose method sets changed or may now cover an interface
  std::unordered_set<std::string> names;
  std::unordered_set<node_id> interfaces;
  for (const auto& c : changes) {
    if (c.of_interface) {
      names.insert(c.name);
      interfaces.insert(c.parent);
    } else {
      receivers.insert(std::string(receiver_of(c.qualified_name)));
    }
  }
  for (const auto& name : names)  // every Go type with a method of that name may (stop to) implement
    if (auto s = scan_named(v, proj, name,
                            [&](const symbol_entry& e) {
                              if (e.kind == node_kind::method)
                                receivers.insert(std::string(receiver_of(e.qualified_name)));
                            });
        !s.ok())
      return s.err();
  std::vector<std::string> files;
  auto add_file = [&](std::string_view f) {
    if (f != own_path && std::find(files.begin(), files.end(), f) == files.end()) files.emplace_back(f);
  };
  for (const auto& r : receivers) {  // the files declaring those types
    auto dot = r.rfind('.');
    std::string_view simple = dot == std::string::npos ? std::string_view(r) : std::string_view(r).substr(dot + 1);
    if (auto s = scan_named(v, proj, simple,
                            [&](const symbol_entry& e) {
                              if (go_named_type(e.kind) && e.qualified_name == r) add_file(e.file);
                            });
        !s.ok())
      return s.err();
  }
  std::vector<std::string> implementers;  // an interface that asks for more loses implementers
  for (auto i : interfaces)
    for (auto cur = v.scan(column::redges, keys::edge_prefix(proj, i, edge_kind::implements)); cur.valid(); cur.next())
      implementers.push_back(keys::node(proj, keys::parse_edge_key(cur.key()).second));
  if (!implementers.empty()) {
    auto got = v.multi_get(column::nodes, implementers);
    if (!got.ok()) return got.err();
    for (size_t i = 0; i < implementers.size(); ++i)
      if ((*got)[i])
        if (auto n = decode_node(*(*got)[i], keys::node_id_of(implementers[i])); n.ok()) add_file(n->file);
  }
  return files;
}

}  // namespace cg
