#pragma once
// Which files a change to Go method sets reaches. A type's implements edges
// (go_implements.cpp) come out of the type's file and depend on every method of the
// type, wherever it is declared, and on the methods of every interface: when a file
// adds or removes methods, the files of the types they belong to and, for interface
// methods, of every type with a method of that name must be resolved again.
#include <string>
#include <vector>

#include "schema/node.hpp"
#include "schema/result.hpp"
#include "storage/store.hpp"

namespace cg {

struct go_method_change {
  std::string name;
  std::string qualified_name;  // receiver type's qualified name + "." + name
  node_id parent = 0;          // the receiver type, or the package when declared apart from it
  bool of_interface = false;
};

// Files other than own_path to resolve again.
result<std::vector<std::string>> go_method_set_dependents(const read_view& v, uint32_t proj, std::string_view own_path,
                                                          const std::vector<go_method_change>& changes);

}  // namespace cg
