#pragma once
// Which edges a walk keeps, by how their target was found: "exact" (one definition,
// found by scope, import, member, package or a unique global name), "possible" (one of
// several the value analysis found), "resolved" (any project definition), or resolution
// names (local, import, member, package, global, heuristic, external, unresolved),
// comma-separated. Empty text keeps everything.
#include <cstdint>
#include <string_view>

#include "schema/kinds.hpp"
#include "schema/result.hpp"

namespace cg {

class resolution_filter {
 public:
  static result<resolution_filter> parse(std::string_view text);
  bool admits(resolution r) const { return (mask_ >> static_cast<unsigned>(r)) & 1u; }
  bool keeps_all() const { return mask_ == all_; }

 private:
  static constexpr uint32_t all_ = 0xFFFFFFFFu;
  uint32_t mask_ = all_;
};

}  // namespace cg
