// Host (DNS rebinding), Origin (CSRF, cross-site WebSocket hijacking) and content
// type checks.
#include "net/app/request_guard.hpp"

#include <gtest/gtest.h>

namespace cg::net {
namespace {

TEST(RequestGuard, HostOnLoopback) {
  request_guard g({"127.0.0.1", false, {}, {}});
  for (const char* ok : {"127.0.0.1:8080", "127.0.0.1", "localhost:8080", "LOCALHOST", "[::1]:8080", "10.1.2.3:80", ""})
    EXPECT_FALSE(g.check_host(ok).has_value()) << ok;
  for (const char* bad : {"evil.example:8080", "evil.example", "127.0.0.1.nip.io:8080", "localhost.evil:1", "a b"})
    EXPECT_TRUE(g.check_host(bad).has_value()) << bad;
  request_guard named({"127.0.0.1", false, {"CodeGraph.Internal"}, {}});
  EXPECT_FALSE(named.check_host("codegraph.internal:8080").has_value());
  EXPECT_TRUE(named.check_host("other.internal:8080").has_value());
}

TEST(RequestGuard, HostOffLoopbackOnlyWhenNamesAreGiven) {
  request_guard any({"0.0.0.0", false, {}, {}});
  EXPECT_FALSE(any.check_host("codegraph.example:8080").has_value());
  request_guard named({"0.0.0.0", false, {"codegraph.example"}, {}});
  EXPECT_FALSE(named.check_host("codegraph.example:8080").has_value());
  EXPECT_TRUE(named.check_host("rebind.example:8080").has_value());
}

TEST(RequestGuard, Origin) {
  request_guard g({"127.0.0.1", false, {}, {"https://app.example"}});
  EXPECT_FALSE(g.check_origin("", "127.0.0.1:8080").has_value());                       // not a browser
  EXPECT_FALSE(g.check_origin("http://127.0.0.1:8080", "127.0.0.1:8080").has_value());  // same origin
  EXPECT_FALSE(g.check_origin("http://LOCALHOST:8080", "localhost:8080").has_value());
  EXPECT_FALSE(g.check_origin("https://app.example", "127.0.0.1:8080").has_value());  // configured
  EXPECT_TRUE(g.check_origin("http://evil.example", "127.0.0.1:8080").has_value());
  EXPECT_TRUE(g.check_origin("http://127.0.0.1:9999", "127.0.0.1:8080").has_value());   // other port
  EXPECT_TRUE(g.check_origin("https://127.0.0.1:8080", "127.0.0.1:8080").has_value());  // other scheme
  EXPECT_TRUE(g.check_origin("null", "127.0.0.1:8080").has_value());
  request_guard tls({"127.0.0.1", true, {}, {}});
  EXPECT_FALSE(tls.check_origin("https://127.0.0.1:8443", "127.0.0.1:8443").has_value());
  request_guard star({"127.0.0.1", false, {}, {"*"}});
  EXPECT_FALSE(star.check_origin("http://anything.example", "127.0.0.1:8080").has_value());
  EXPECT_TRUE(star.check_origin("null", "127.0.0.1:8080").has_value());
  EXPECT_TRUE(g.cors_allowed("https://app.example"));
  EXPECT_FALSE(g.cors_allowed("http://127.0.0.1:8080"));
}

TEST(RequestGuard, ContentTypeAndMethods) {
  for (const char* ok : {"application/json", "application/json; charset=utf-8", "Application/JSON",
                         "application/graphql-response+json", " application/json "})
    EXPECT_TRUE(request_guard::json_content_type(ok)) << ok;
  for (const char* bad : {"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                          "text/json", "application/jsonp"})
    EXPECT_FALSE(request_guard::json_content_type(bad)) << bad;
  EXPECT_FALSE(request_guard::state_changing("GET"));
  EXPECT_FALSE(request_guard::state_changing("OPTIONS"));
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE"}) EXPECT_TRUE(request_guard::state_changing(m));
}

}  // namespace
}  // namespace cg::net
