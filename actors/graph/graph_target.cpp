#include "actors/graph/graph_target.hpp"

#include <filesystem>

#include "schema/hash.hpp"

namespace cg {
namespace {

// Exact matches, or case-insensitive ones when there is no exact match.
result<std::vector<node>> by_name(const graph_query& q, const std::string& arg) {
  symbol_query sq;
  sq.text = arg;
  sq.fuzzy = false;
  sq.limit = 200;
  std::vector<node> out;
  auto found = q.find(sq);
  if (!found.ok()) return found.err();
  bool any_exact = false;
  for (auto& m : *found)
    if (m.match != symbol_match::how::case_insensitive) any_exact = true;
  for (auto& m : *found)
    if (!any_exact || m.match != symbol_match::how::case_insensitive) out.push_back(std::move(m.n));
  return out;
}

std::string near_names(const graph_query& q, const std::string& arg) {
  symbol_query fz;
  fz.text = arg;
  fz.limit = 5;
  std::string hint;
  if (auto near = q.find(fz); near.ok())
    for (auto& m : *near) hint += (hint.empty() ? " (did you mean: " : ", ") + m.n.qualified_name;
  return hint.empty() ? hint : hint + ")";
}

}  // namespace

result<graph_target> resolve_target(const graph_query& q, const std::string& root, const std::string& arg,
                                    bool allow_file) {
  graph_target t;
  node_id id = 0;
  if (arg.size() == 16 && parse_id(arg, id)) {
    auto n = q.get(id);
    if (!n.ok()) return n.err();
    if (n->has_value()) {
      t.nodes.push_back(std::move(**n));
      return t;
    }
  }
  if (allow_file) {
    std::string rel = arg;
    // Absolute paths and ./relative paths inside the project root name its files.
    std::error_code ec;
    auto abs = std::filesystem::weakly_canonical(arg, ec).string();
    if (!ec && !root.empty() && abs.starts_with(root + "/")) rel = abs.substr(root.size() + 1);
    if (rel.starts_with("./")) rel = rel.substr(2);
    auto f = q.file(rel);
    if (!f.ok()) return f.err();
    if (f->has_value()) {
      t.file = rel;
      return t;
    }
  }
  auto named = by_name(q, arg);
  if (!named.ok()) return named.err();
  t.nodes = std::move(*named);
  if (t.nodes.empty())
    return make_error(errc::not_found, "no definition, file or node id matches '" + arg + "'" + near_names(q, arg));
  return t;
}

}  // namespace cg
