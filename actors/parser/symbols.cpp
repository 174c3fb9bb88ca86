#include "actors/parser/symbols.hpp"

#include <string>

namespace cg {

symbol_codes::symbol_codes(const TSLanguage* lang, std::initializer_list<std::pair<std::string_view, int>> names) {
  uint32_t count = ts_language_symbol_count(lang);
  codes_.assign(count, 0);
  for (uint32_t s = 0; s < count; ++s) {
    auto sym = static_cast<TSSymbol>(s);
    const char* sname = ts_language_symbol_name(lang, sym);
    if (!sname) continue;
    bool named = ts_language_symbol_type(lang, sym) == TSSymbolTypeRegular;
    std::string_view n(sname);
    for (const auto& [want, code] : names) {
      bool anon = !want.empty() && want.front() == '\'';
      auto w = anon ? want.substr(1) : want;
      if (w == n && named != anon) codes_[s] = static_cast<uint8_t>(code);
    }
  }
}

field_ids::field_ids(const TSLanguage* lang, std::initializer_list<std::pair<std::string_view, int>> names) {
  int max_code = 0;
  for (const auto& [n, code] : names) max_code = std::max(max_code, code);
  ids_.assign(static_cast<size_t>(max_code) + 1, 0);
  for (const auto& [n, code] : names)
    ids_[static_cast<size_t>(code)] = ts_language_field_id_for_name(lang, n.data(), static_cast<uint32_t>(n.size()));
}

}  // namespace cg
