#pragma once
// The cost of an operation, computed before it runs (docs/API.md, "Query cost"): an
// estimate of the objects it may produce and the graph walking it may do, from the
// sizes its list fields may reach and the depths of its walks.
//
//   cost(selection set) = sum of cost(field) over its fields (fragments expanded once
//                         per selection set, same-named fields merged, as executed)
//   cost(field)         = 0 for a leaf (scalar, enum) and for __typename
//                         size × (walk + cost(sub-selection)) for an object or a list of objects
//   size                = 1 for a single object; for a list: its size argument (limit,
//                         first, k; also inside an input argument such as pagination.first
//                         or options.k), given or defaulted, else the size argument of the
//                         object field above it (nodes(pagination) → NodeConnection.nodes),
//                         else the configured size of that field, else default_list_size
//   walk                = the field's depth argument (depth, maxDepth) when it has one, else 1
//
// Introspection (__schema, __type) is bounded by the schema and costs 1.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "schema/graphql/execute.hpp"

namespace cg::gql {

struct cost_options {
  uint64_t max_cost = 0;  // 0: no limit (estimate_cost still answers)
  uint64_t default_list_size = 100;
  std::vector<std::string> size_args{"limit", "first", "k"};
  std::vector<std::string> depth_args{"depth", "maxDepth"};
  // "Type.field" -> the size of a list the server bounds itself (no argument says so).
  std::unordered_map<std::string, uint64_t> list_sizes;
};

// The operation's cost; saturates, and stops adding once over `stop` (so a hostile
// document costs the estimator no more than that much work).
uint64_t estimate_cost(const schema& s, const prepared& p, const cost_options& o, uint64_t stop = UINT64_MAX);

// The error for an operation over the limit (nullopt when within it or unlimited):
// code QUERY_TOO_COMPLEX, the cost and the limit in the message.
std::optional<gql_error> check_cost(const schema& s, const prepared& p, const cost_options& o,
                                    uint64_t* cost = nullptr);

}  // namespace cg::gql
