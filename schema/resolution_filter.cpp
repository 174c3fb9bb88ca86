#include "schema/resolution_filter.hpp"

#include <string>

namespace cg {
namespace {

constexpr uint32_t bit(resolution r) { return 1u << static_cast<unsigned>(r); }

constexpr uint32_t exact_bits = bit(resolution::local) | bit(resolution::import) | bit(resolution::member) |
                                bit(resolution::package) | bit(resolution::global);

bool named(std::string_view word, uint32_t& bits) {
  if (word == "exact") {
    bits = exact_bits;
    return true;
  }
  if (word == "resolved") {
    bits = exact_bits | bit(resolution::heuristic) | bit(resolution::possible);
    return true;
  }
  for (unsigned i = 0; i <= static_cast<unsigned>(resolution::possible); ++i)
    if (to_string(static_cast<resolution>(i)) == word) {
      bits = 1u << i;
      return true;
    }
  return false;
}

}  // namespace

result<resolution_filter> resolution_filter::parse(std::string_view text) {
  resolution_filter f;
  if (text.empty()) return f;
  uint32_t mask = 0;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto word = text.substr(0, comma);
    while (!word.empty() && word.front() == ' ') word.remove_prefix(1);
    while (!word.empty() && word.back() == ' ') word.remove_suffix(1);
    uint32_t bits = 0;
    if (!named(word, bits))
      return make_error(errc::invalid_argument,
                        "unknown resolution '" + std::string(word) +
                            "' (exact, possible, resolved, local, import, member, package, global, heuristic, "
                            "external, unresolved)");
    mask |= bits;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  f.mask_ = mask;
  return f;
}

}  // namespace cg
