#pragma once
// Key layout of the versions column family (see storage/keys.hpp for the others):
//
//   versions  proj | 'V' | be64 version                  -> version record (schema/version.hpp)
//             proj | 'U' | be64 version | column | key   -> 'p' + the key's value before that
//                                                           version, or 'a' (it did not exist)
//             proj | 'r' | ref name                      -> ref record (a branch or a tag)
#include <cstdint>
#include <string>
#include <string_view>

#include "schema/bytes.hpp"
#include "storage/keys.hpp"

namespace cg::keys {

inline constexpr char tag_version = 'V', tag_undo = 'U', tag_ref = 'r';

inline std::string version_tag_prefix(uint32_t proj, char tag) {
  auto k = project_prefix(proj);
  k.push_back(tag);
  return k;
}
inline std::string version(uint32_t proj, uint64_t id) {
  auto k = version_tag_prefix(proj, tag_version);
  put_be64(k, id);
  return k;
}
inline std::string undo_prefix(uint32_t proj, uint64_t id) {
  auto k = version_tag_prefix(proj, tag_undo);
  put_be64(k, id);
  return k;
}
inline std::string undo(uint32_t proj, uint64_t id, uint8_t col, std::string_view key) {
  auto k = undo_prefix(proj, id);
  k.push_back(static_cast<char>(col));
  k.append(key);
  return k;
}
inline std::string ref(uint32_t proj, std::string_view name) {
  auto k = version_tag_prefix(proj, tag_ref);
  k.append(name);
  return k;
}

}  // namespace cg::keys
