#include "storage/undo_delta.hpp"

#include <algorithm>

#include "schema/bytes.hpp"

namespace cg {

std::string make_undo_delta(std::string_view older, std::string_view newer) {
  const size_t most = std::min(older.size(), newer.size());
  size_t prefix = 0;
  while (prefix < most && older[prefix] == newer[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < most - prefix && older[older.size() - 1 - suffix] == newer[newer.size() - 1 - suffix]) ++suffix;
  std::string out(1, undo_delta_tag);
  put_varint(out, prefix);
  put_varint(out, suffix);
  out.append(older.substr(prefix, older.size() - prefix - suffix));
  return out;
}

std::optional<std::string> apply_undo_delta(std::string_view delta, std::string_view newer) {
  if (delta.empty() || delta[0] != undo_delta_tag) return std::nullopt;
  byte_reader r(delta.substr(1));
  const uint64_t prefix = r.varint();
  const uint64_t suffix = r.varint();
  if (!r.ok() || prefix > newer.size() || suffix > newer.size() - prefix) return std::nullopt;
  const size_t head = delta.size() - r.remaining();
  std::string out;
  out.reserve(prefix + (delta.size() - head) + suffix);
  out.append(newer.substr(0, prefix));
  out.append(delta.substr(head));
  out.append(newer.substr(newer.size() - suffix));
  return out;
}

}  // namespace cg
