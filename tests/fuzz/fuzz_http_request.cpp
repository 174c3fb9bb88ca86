// The HTTP request path up to routing: Beast's parser with the server's limits, the
// request as the app sees it (headers folded, target split and percent-decoded), the
// route table of net/app/routes.cpp, the Host/Origin/content-type guard and the rule check.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdint>

#include "net/app/policy.hpp"
#include "net/app/request_guard.hpp"
#include "net/app/router.hpp"
#include "net/transport/beast_request.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace http = boost::beast::http;

namespace {

cg::net::router& routes() {
  static cg::net::router r = [] {
    cg::net::router x;
    for (const auto& d : cg::net::rest_routes())
      x.bind(d.method, d.pattern, [](cg::net::api_request&) -> cg::net::api_reply { return cg::net::api_response{}; });
    FUZZ_CHECK(x.problems().empty());
    return x;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static cg::net::request_guard guard({"127.0.0.1", false, {"codegraph.internal"}, {"https://app.example"}});
  http::request_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  parser.header_limit(16 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = parser.put(boost::asio::buffer(data, size), ec);
  FUZZ_CHECK(used <= size);
  if (ec || !parser.is_done()) return 0;
  auto req = parser.release();
  cg::net::api_request ar;
  if (!cg::net::fill_api_request(req, ar)) return 0;
  FUZZ_CHECK(!ar.path.empty() && ar.path.front() == '/');
  (void)guard.check_host(ar.header("host"));
  (void)guard.check_origin(ar.header("origin"), ar.header("host"));
  (void)cg::net::request_guard::json_content_type(ar.header("content-type"));
  auto m = routes().match(ar);
  if (m.found) {
    FUZZ_CHECK(m.found->method == ar.method);
    cg::net::principal who{"k", cg::net::role::writer, "p1", "api_key"};
    auto it = ar.params.find("name");
    auto d = cg::net::authorize(who, m.found->op, it == ar.params.end() ? "p1" : it->second);
    if (it != ar.params.end() && it->second != "p1" &&
        cg::net::rule_of(m.found->op).scope == cg::net::scope_rule::project)
      FUZZ_CHECK(!d.allowed);
  }
  (void)ar.query_values("topics");
  return 0;
}
