#pragma once
// An earlier value kept as the difference from the value that replaced it: the
// bytes between the common prefix and the common suffix. A version's undo entry
// for a node whose lines moved keeps a few bytes instead of the whole record.
//
//   'd' | varint prefix | varint suffix | middle   (older = newer[0, prefix) + middle + newer[size - suffix, size))
#include <optional>
#include <string>
#include <string_view>

namespace cg {

inline constexpr char undo_delta_tag = 'd';

// The delta from `newer` back to `older`.
std::string make_undo_delta(std::string_view older, std::string_view newer);

// `older` again, or nullopt if the delta does not fit `newer` (a corrupt entry).
std::optional<std::string> apply_undo_delta(std::string_view delta, std::string_view newer);

}  // namespace cg
