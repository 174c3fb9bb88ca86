#pragma once
// Maps a grammar's node types and field names to small codes an extractor switches on.
// Built once per language; lookups are one array index.
#include <tree_sitter/api.h>

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>
#include <vector>

namespace cg {

class symbol_codes {
 public:
  // Names match named node types; a name starting with '\'' matches an anonymous
  // token instead (e.g. "'async").
  symbol_codes(const TSLanguage* lang, std::initializer_list<std::pair<std::string_view, int>> names);
  int operator()(TSNode n) const {
    auto s = ts_node_symbol(n);
    return s < codes_.size() ? codes_[s] : 0;
  }

 private:
  std::vector<uint8_t> codes_;
};

class field_ids {
 public:
  field_ids(const TSLanguage* lang, std::initializer_list<std::pair<std::string_view, int>> names);
  TSFieldId operator[](int code) const { return code < static_cast<int>(ids_.size()) ? ids_[code] : 0; }

 private:
  std::vector<TSFieldId> ids_;
};

}  // namespace cg
