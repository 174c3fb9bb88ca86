// The /ws event channel's messages and topic scoping (net/app/ws_events.hpp): never a
// crash, and a scoped principal never gets a topic of another project.
#include <cstdint>

#include "net/app/ws_events.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto cmd = cg::net::parse_events_message(text);
  if (!cmd.ok()) return 0;
  cg::net::principal who{"k", cg::net::role::reader, (data[0] & 1) ? "p1" : "", "api_key"};
  auto scoped = cg::net::scope_topics(who, cmd->topics);
  if (auto* topics = std::get_if<std::vector<std::string>>(&scoped)) {
    for (const auto& t : *topics) {
      if (!who.project.empty()) FUZZ_CHECK(cg::net::topic_project(t) == "p1");
      FUZZ_CHECK(cg::net::topic_matches(t, t));
    }
  }
  return 0;
}
