// The TOML configuration: toml++'s parser and our reading of [server] and [auth]
// (types checked, sizes parsed), and `config show`'s JSON of it.
#include <toml++/toml.h>

#include <cstdint>

#include <nlohmann/json.hpp>

#include "cli/config.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cg::cli::parse_size(text.substr(0, 64));
  toml::table t;
  try {
    t = toml::parse(text, std::string_view("fuzz.toml"));
  } catch (const toml::parse_error&) {
    return 0;
  }
  cg::cli::config c;
  auto st = cg::cli::load_server_config(&t, c);
  if (st.ok())
    (void)cg::cli::server_config_json(c).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  else
    FUZZ_CHECK(!st.err().message.empty());
  return 0;
}
