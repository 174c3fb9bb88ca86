// The real server in process on 127.0.0.1, spoken to by our Beast-based client
// (net/client/http_client.cpp): Beast's strict HTTP/1.1 parser reads every answer, so the
// answers the server writes by hand (status line, headers, Content-Length, one buffer)
// are held to the protocol, with auth on, on success and error paths alike.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "actors/engine.hpp"
#include "net/app/auth.hpp"
#include "net/client/http_client.hpp"
#include "net/graphql/gql_service.hpp"
#include "net/transport/server.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using nlohmann::json;

struct served {
  test::temp_dir dir{"srv-http"};
  std::unique_ptr<engine> eng;
  std::unique_ptr<net::server> srv;
  std::string token;

  explicit served(unsigned io_threads = 2) {
    engine_options eo;
    eo.data_dir = (dir / "data").string();
    eo.threads = 2;
    eo.parser_workers = 1;
    auto e = engine::open(eo);
    if (!e.ok()) throw std::runtime_error(e.err().message);
    eng = std::move(*e);
    net::server_options o;
    o.port = 0;
    o.data_dir = eo.data_dir;
    o.watch = false;
    o.cache_bytes = 0;
    o.io_threads = io_threads;
    o.auth.keys_file = eo.data_dir + "/api_keys.json";
    auto t = net::create_api_key(o.auth.keys_file, net::role::reader, "", "test");
    if (!t.ok()) throw std::runtime_error(t.err().message);
    token = *t;
    auto s = net::server::start(*eng, o);
    if (!s.ok()) throw std::runtime_error(s.err().message);
    srv = std::move(*s);
  }

  net::http_response call(const std::string& method, const std::string& target, bool auth = true,
                          std::string body = {}) {
    net::http_request r;
    r.method = method;
    r.url = srv->base_url() + target;
    r.body = std::move(body);
    r.timeout = std::chrono::seconds(10);
    if (auth) r.headers.emplace_back("Authorization", "Bearer " + token);
    auto res = net::http_call(r);
    EXPECT_TRUE(res.ok()) << method << " " << target << ": " << (res.ok() ? "" : res.err().message);
    return res.ok() ? *res : net::http_response{};
  }
};

TEST(ServerHttp, EveryAnswerIsWellFormedHttpWithItsHeaders) {
  served s;
  // An indexed project to read nodes from.
  auto root = test::source_dir() + "/tests/fixtures/python";
  auto task = s.srv->index_project("demo", root);
  ASSERT_TRUE(task.ok()) << task.err().message;
  json list;
  for (int i = 0; i < 300; ++i) {
    auto r = s.call("GET", "/api/v1/projects/demo/nodes?limit=5");
    if (r.status == 200) {
      list = json::parse(r.body, nullptr, false);
      if (list.is_object() && !list["nodes"].empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(list.is_object() && !list["nodes"].empty()) << list.dump();
  const std::string id = list["nodes"][0]["id"];

  auto node = s.call("GET", "/api/v1/projects/demo/nodes/" + id);
  EXPECT_EQ(node.status, 200);
  EXPECT_EQ(node.header("Content-Type"), "application/json");
  EXPECT_EQ(node.header("Server"), "codegraph");
  EXPECT_EQ(node.header("Content-Length"), std::to_string(node.body.size()));
  EXPECT_EQ(node.header("X-Request-Id").empty(), false);
  auto n = json::parse(node.body, nullptr, false);
  ASSERT_FALSE(n.is_discarded()) << node.body;
  EXPECT_EQ(n["id"], id);
  EXPECT_EQ(n, list["nodes"][0]);  // the direct writer says what the listing's to_json says

  auto missing = s.call("GET", "/api/v1/projects/demo/nodes/00000000000000ff");
  EXPECT_EQ(missing.status, 404);
  auto err = json::parse(missing.body, nullptr, false);
  ASSERT_FALSE(err.is_discarded());
  EXPECT_EQ(err["error"]["code"], "not_found");
  EXPECT_EQ(err["error"]["request_id"], missing.header("X-Request-Id"));

  auto anonymous = s.call("GET", "/api/v1/projects/demo/nodes/" + id, false);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_NE(anonymous.header("WWW-Authenticate").find("Bearer"), std::string::npos);

  auto wrong_method = s.call("PATCH", "/api/v1/projects");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_NE(wrong_method.header("Allow").find("GET"), std::string::npos);

  auto nowhere = s.call("GET", "/api/v1/nowhere");
  EXPECT_EQ(nowhere.status, 404);

  // A GET search is answered on the network thread when the index is current, a POST
  // one on the worker pool (its body is folded into the query there): the same hits.
  auto get = s.call("GET", "/api/v1/projects/demo/search?q=order%20total&k=5");
  auto post = s.call("POST", "/api/v1/projects/demo/search", true, R"({"q": "order total", "k": 5})");
  ASSERT_EQ(get.status, 200) << get.body;
  ASSERT_EQ(post.status, 200) << post.body;
  auto gj = json::parse(get.body, nullptr, false), pj = json::parse(post.body, nullptr, false);
  ASSERT_FALSE(gj.is_discarded()) << get.body;
  ASSERT_FALSE(pj.is_discarded()) << post.body;
  EXPECT_FALSE(gj["hits"].empty());
  EXPECT_EQ(gj["hits"], pj["hits"]);
  EXPECT_EQ(get.header("Content-Length"), std::to_string(get.body.size()));
  auto bad = s.call("GET", "/api/v1/projects/demo/search?q=x&k=0");
  EXPECT_EQ(bad.status, 400);

  auto live = s.call("GET", "/health/live", false);
  EXPECT_EQ(live.status, 200);
  EXPECT_FALSE(json::parse(live.body, nullptr, false).is_discarded());
}

// Each network thread runs its own io_context and connections are dealt round robin:
// with one thread and with three, many clients at once all get their answers, and
// shutdown returns (every context is stopped and every thread joined).
TEST(ServerHttp, AnyNetworkThreadCountServesConcurrentClientsAndStops) {
  for (unsigned threads : {1u, 3u}) {
    served s(threads);
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 12; ++c)
      clients.emplace_back([&] {
        for (int i = 0; i < 8; ++i) {
          auto r = s.call("GET", i % 2 ? "/api/v1/projects" : "/health/live");
          if (r.status == 200 && !json::parse(r.body, nullptr, false).is_discarded()) ++ok;
        }
      });
    for (auto& t : clients) t.join();
    EXPECT_EQ(ok.load(), 12 * 8) << threads << " network threads";
    auto t0 = std::chrono::steady_clock::now();
    s.srv->shutdown();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5)) << threads << " network threads";
  }
}

// A subscriber's fan-out lane runs on the loop its connection lives on (lane i is on
// loop i % loops), and the members of one loop spread over all of that loop's lanes.
TEST(ServerHttp, FanoutLanesKeepToTheConnectionsLoop) {
  for (size_t lanes : {4u, 5u, 6u})
    for (size_t loops : {1u, 2u, 3u}) {
      for (int loop = 0; loop < static_cast<int>(loops); ++loop) {
        std::set<size_t> used;
        for (uint64_t id = 1; id <= 40; ++id) {
          auto l = net::graphql_service::lane_of(lanes, loops, loop, id);
          ASSERT_LT(l, lanes);
          EXPECT_EQ(l % loops, static_cast<size_t>(loop)) << lanes << " " << loops;
          used.insert(l);
        }
        EXPECT_EQ(used.size(), (lanes - static_cast<size_t>(loop) + loops - 1) / loops);
      }
      std::set<size_t> any;
      for (uint64_t id = 1; id <= 40; ++id) any.insert(net::graphql_service::lane_of(lanes, loops, -1, id));
      EXPECT_EQ(any.size(), lanes);
    }
  EXPECT_EQ(net::graphql_service::lane_of(0, 2, 1, 7), 0u);
}

}  // namespace
}  // namespace cg
