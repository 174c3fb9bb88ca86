// The glob matcher (gitignore-style patterns: *, **, ?, [...], !): any pattern and any
// path, in bounded time.
#include <cstdint>

#include "actors/indexer/glob.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  auto nl = all.find('\n');
  if (nl == std::string_view::npos) return 0;
  auto pattern = all.substr(0, nl), path = all.substr(nl + 1);
  bool m = cg::glob_match(pattern, path);
  if (pattern == path && pattern.find_first_of("*?[]\\!") == std::string_view::npos && !pattern.empty()) FUZZ_CHECK(m);
  return 0;
}
