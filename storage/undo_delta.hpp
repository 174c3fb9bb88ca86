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
//   'z' | zstd frame   (older compressed with newer as its prefix: a record whose
//                       numbers moved all through it, such as a file's reference list
//                       after an edit near its top, keeps what the two share once)
#include <optional>
#include <string>
#include <string_view>

namespace cg {

inline constexpr char undo_delta_tag = 'd', undo_zstd_tag = 'z';
// Whether an entry is a difference from the value after it (either form).
inline bool is_undo_delta(std::string_view raw) {
  return !raw.empty() && (raw[0] == undo_delta_tag || raw[0] == undo_zstd_tag);
}

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

// The delta from `newer` back to `older`: the smaller of the two forms.
std::string make_undo_delta(std::string_view older, std::string_view newer);

// `older` again, or nullopt if the delta does not fit `newer` (a corrupt entry).
std::optional<std::string> apply_undo_delta(std::string_view delta, std::string_view newer);

}  // namespace cg
