#pragma once
// OverlappingFieldsCanBeMerged (spec 5.3.2): fields that share a response name in one
// selection set, counting inline fragments and named fragments spread into it at any
// depth, must be the same field with the same arguments (unless their parents are
// distinct object types) and return shapes that can merge, recursively through their
// sub-selections.
//
// The comparison order is the one the reference implementation documents (graphql-js
// 16, its "algorithm" comment A-J): first the fields collected within a set, then
// those fields against each fragment spread into it, then the fragments against each
// other; two fields with selections compare their sub-selections the same way. Pairs
// of fragments (and of a field collection and a fragment) are compared once per
// document, which keeps this linear in practice and finite on fragment cycles. So the
// messages and the locations (each conflicting field, then the sub-fields that made it
// conflict) match what graphql-js reports.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "schema/graphql/ast.hpp"
#include "schema/graphql/schema.hpp"

namespace cg::gql {

struct overlap_error {
  std::string message;
  std::vector<location> locations;
};

class overlap_checker {
 public:
  // fragments: the document's fragments by name (the first of a name).
  overlap_checker(const schema& s, const std::unordered_map<std::string, const fragment*>& fragments);
  ~overlap_checker();
  overlap_checker(const overlap_checker&) = delete;
  overlap_checker& operator=(const overlap_checker&) = delete;

  // The conflicts of one selection set of the document, whose parent type is parent
  // (null when unknown). Called once for every selection set, in document order.
  std::vector<overlap_error> check(const type_info* parent, const selection_set& sel);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace cg::gql
