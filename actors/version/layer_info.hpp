#pragma once
// A layered project as clients see it (storage/store.hpp, layers): what it lies over.
#include <cstdint>
#include <optional>
#include <string>

namespace cg {

class store;

struct layer_info {
  std::string over;      // the project under it
  uint64_t version = 0;  // its version the layer lies over
  std::string commit;    // that version's commit: the nearest indexed one of the work tree's HEAD history
  std::string head;      // the work tree's HEAD (known when it was laid)
  bool rebased = false;  // laid afresh (first time, or a new base): the layer was emptied
};

// The layer a project is, read from the store (head and rebased left empty); nullopt
// for a project that is no layer.
std::optional<layer_info> describe_layer(const store& db, uint32_t proj);

}  // namespace cg
