// graphql-transport-ws (net/graphql/gql_ws_protocol.hpp): a sequence of client messages (one
// per line) never crashes the protocol; once it closed the connection it reads
// nothing more; every operation it started is cancelled when the connection ends.
#include <cstdint>
#include <string>
#include <vector>

#include "net/graphql/gql_ws_protocol.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  std::vector<std::shared_ptr<std::atomic<bool>>> cancels;
  std::vector<std::string> started;
  std::vector<std::shared_ptr<std::atomic<bool>>> live;  // still running when the connection ends
  int closes = 0;
  {
    cg::net::gql_ws_protocol::hooks h;
    h.authenticate = [](std::string_view authz, std::string_view token) -> cg::result<cg::net::principal> {
      if (authz == "Bearer good" || token == "good")
        return cg::net::principal{"k", cg::net::role::reader, "", "api_key"};
      return cg::make_error(cg::errc::invalid_argument, "bad token");
    };
    h.send = [](std::string m) { FUZZ_CHECK(!m.empty()); };
    h.close = [&](uint16_t code, std::string reason) {
      FUZZ_CHECK(code >= 1000 && reason.size() <= 123);
      ++closes;
    };
    h.start = [&](const std::string& id, cg::gql::request, const cg::net::principal& who,
                  std::shared_ptr<std::atomic<bool>> cancel) {
      FUZZ_CHECK(who.granted != cg::net::role::none);
      cancels.push_back(std::move(cancel));
      started.push_back(id);
    };
    cg::net::gql_ws_protocol p(h, {}, 8);
    bool open = true;
    size_t at = 0;
    while (at <= all.size()) {
      auto nl = all.find('\n', at);
      auto msg = all.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
      bool was_open = open;
      open = p.on_message(msg) && open;
      if (!was_open) FUZZ_CHECK(!open);
      // The server ends every other operation it started.
      if (started.size() % 2 == 1) (void)p.finish(started.back());
      FUZZ_CHECK(p.operations() <= 8);
      if (nl == std::string_view::npos) break;
      at = nl + 1;
    }
    FUZZ_CHECK(closes <= 1);
    // The latest start of each id that still runs (an id may be reused once it ended).
    for (size_t i = 0; i < started.size(); ++i) {
      bool latest = true;
      for (size_t j = i + 1; j < started.size(); ++j) latest = latest && started[j] != started[i];
      if (latest && p.running(started[i]) && !cancels[i]->load()) live.push_back(cancels[i]);
    }
  }
  // The connection ended: nothing it started still runs.
  for (auto& c : live) FUZZ_CHECK(c->load());
  return 0;
}
