// Client JSON (schema/client_json.hpp): whatever the bytes, parsing never crashes, an
// accepted value nests at most 64 deep, and it survives a dump and parse unchanged.
#include <cstdint>
#include <string_view>

#include "schema/client_json.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = cg::parse_client_json(text);
  if (!r.ok()) {
    FUZZ_CHECK(r.err().code == cg::errc::invalid_argument && !r.err().message.empty());
    return 0;
  }
  FUZZ_CHECK(cg::json_value_nesting(*r, 1000) <= cg::client_json_max_depth);
  auto dumped = r->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto again = cg::parse_client_json(dumped);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *r);
  auto ordered = cg::parse_client_ordered_json(text);
  FUZZ_CHECK(ordered.ok());
  return 0;
}
