// Sizes in the configuration and on the command line: "2MiB", "512k", "8 MB", "1024".
#include "cli/config.hpp"

namespace cg::cli {

result<uint64_t> parse_size(std::string_view s) {
  if (s.empty()) return make_error(errc::invalid_argument, "empty size");
  size_t i = 0;
  uint64_t n = 0;
  constexpr uint64_t most = uint64_t(1) << 50;  // 1 PiB: anything larger is a typo
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    n = n * 10 + static_cast<uint64_t>(s[i] - '0');
    if (n > most) return make_error(errc::invalid_argument, "size too large: " + std::string(s));
    ++i;
  }
  if (i == 0) return make_error(errc::invalid_argument, "not a size: " + std::string(s));
  auto unit = s.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  uint64_t mult = 1;
  if (unit.empty() || unit == "b" || unit == "B")
    mult = 1;
  else if (unit == "k" || unit == "K" || unit == "KiB" || unit == "KB" || unit == "kb")
    mult = 1024;
  else if (unit == "m" || unit == "M" || unit == "MiB" || unit == "MB" || unit == "mb")
    mult = 1024 * 1024;
  else if (unit == "g" || unit == "G" || unit == "GiB" || unit == "GB" || unit == "gb")
    mult = 1024ull * 1024 * 1024;
  else
    return make_error(errc::invalid_argument, "unknown size unit in " + std::string(s));
  if (n > most / mult) return make_error(errc::invalid_argument, "size too large: " + std::string(s));
  return n * mult;
}

}  // namespace cg::cli
