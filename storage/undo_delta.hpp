#pragma once
// A version's undo entry: the value a key had before the version, as
//   'p' | value    (present)
//   'a'            (absent)
//   'd' | delta    (present: its difference from the value the version gave the key)
//
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

// A full entry ('p' or 'a').
inline std::string undo_full(const std::optional<std::string>& v) {
  std::string out(1, v ? 'p' : 'a');
  if (v) out.append(*v);
  return out;
}
// A full entry's value (nullopt: absent).
inline std::optional<std::string> undo_state(std::string_view raw) {
  if (raw.empty() || raw[0] != 'p') return std::nullopt;
  return std::string(raw.substr(1));
}

// The delta from `newer` back to `older`.
std::string make_undo_delta(std::string_view older, std::string_view newer);

// `older` again, or nullopt if the delta does not fit `newer` (a corrupt entry).
std::optional<std::string> apply_undo_delta(std::string_view delta, std::string_view newer);

}  // namespace cg
