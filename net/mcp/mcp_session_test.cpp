// The MCP session on a real engine and store (the Python fixture indexed): lifecycle
// and negotiation, what each protocol revision gets, paging, the rule table applied to
// every tool for every kind of principal, cancellation, logging levels and resource
// updates pushed on a change.
#include "net/mcp/mcp_session.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "actors/read_api.hpp"
#include "net/app/policy.hpp"
#include "net/mcp/mcp_catalog.hpp"
#include "tests/support/support.hpp"

namespace cg::mcp {
namespace {

using test::temp_dir;

class test_host final : public host {
 public:
  explicit test_host(engine& e) : e_(e) {}
  engine& eng() override { return e_; }
  bool read_only() const override { return false; }
  result<uint64_t> start_index(const std::string& project, const std::string& path, const std::string& over) override {
    if (!over.empty()) return make_error(errc::invalid_argument, "no layers here");
    index_request req;
    req.project = project;
    req.root = path.empty() ? project_root(project) : path;
    return e_.start_index(req, [](const index_summary&) {});
  }
  bool cancel_task(uint64_t t) override { return e_.cancel(t); }
  json tasks(const std::string&) override { return json::array(); }
  std::vector<std::string> pending_files(const std::string&) override { return {"shop/pending.py"}; }
  std::string project_root(const std::string& p) override { return cg::project_root(e_.storage(), p); }
  void search_defaults(search_request&) override {}

 private:
  engine& e_;
};

struct mcp_fixture : ::testing::Test {
  static inline temp_dir* src = nullptr;
  static inline temp_dir* data = nullptr;
  static inline std::unique_ptr<engine> eng;
  static inline std::unique_ptr<test_host> h;

  static void SetUpTestSuite() {
    src = new temp_dir("mcp-src");
    data = new temp_dir("mcp-data");
    std::filesystem::copy(test::source_dir() + "/tests/fixtures/python", src->path(),
                          std::filesystem::copy_options::recursive);
    engine_options o;
    o.data_dir = data->str();
    o.parser_workers = 1;
    o.threads = 2;
    auto e = engine::open(o);
    ASSERT_TRUE(e.ok()) << e.err().message;
    eng = std::move(*e);
    index_request req;
    req.project = "shop";
    req.root = src->str();
    ASSERT_EQ(eng->index(req).outcome, index_phase::done);
    h = std::make_unique<test_host>(*eng);
  }
  static void TearDownTestSuite() {
    h.reset();
    eng.reset();
    delete data;
    delete src;
  }

  // Every message a request produced.
  static std::vector<json> send(session& s, const json& msg, std::shared_ptr<std::atomic<bool>> cancel = nullptr) {
    std::vector<json> out;
    s.handle(
        msg, [&](const json& m) { out.push_back(m); }, std::move(cancel));
    return out;
  }
  static json request(int id, const std::string& method, json params = json::object()) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  }
  static json init(session& s, const std::string& version = "2025-11-25") {
    auto r = send(s, request(0, "initialize", {{"protocolVersion", version}, {"capabilities", json::object()}}));
    return r.at(0);
  }
  static net::principal who(net::role r, std::string project = {}) { return {"t", r, std::move(project), "api_key"}; }
};

// What a session pushed, from the engine's threads.
struct recorder {
  std::mutex mu;
  std::vector<json> pushed;
  send_fn sink() {
    return [this](const json& m) {
      std::lock_guard lk(mu);
      pushed.push_back(m);
    };
  }
  // Waits up to two seconds for a pushed message that passes the test.
  bool wait_for(const std::function<bool(const json&)>& test) {
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lk(mu);
        for (const auto& m : pushed)
          if (test(m)) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

TEST(mcp_protocol, negotiates_the_client_revision_or_the_newest) {
  EXPECT_EQ(negotiate("2024-11-05"), "2024-11-05");
  EXPECT_EQ(negotiate("2025-06-18"), "2025-06-18");
  EXPECT_EQ(negotiate("2031-01-01"), protocol_versions().front());
  EXPECT_EQ(protocol_versions().front(), "2025-11-25");
  EXPECT_FALSE(supported_version(""));
}

TEST(mcp_protocol, resource_uris_round_trip_with_escapes) {
  auto u = catalog::file_uri("p", "src/a b/%x.py");
  EXPECT_EQ(u, "codegraph://p/file/src/a%20b/%25x.py");
  auto r = catalog::parse_uri(u);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->project, "p");
  EXPECT_EQ(r->path, "src/a b/%x.py");
  auto n = catalog::parse_uri(catalog::node_uri("p", 0x1234));
  ASSERT_TRUE(n && n->is_node);
  EXPECT_EQ(n->id, 0x1234u);
  EXPECT_FALSE(catalog::parse_uri("codegraph://p/node/xyz"));
  EXPECT_FALSE(catalog::parse_uri("file:///etc/passwd"));
  EXPECT_FALSE(catalog::parse_uri("codegraph:///file/a"));
}

TEST_F(mcp_fixture, requests_before_initialize_are_refused_but_ping_answers) {
  session s(*h, who(net::role::reader), "test");
  EXPECT_EQ(send(s, request(1, "tools/list")).at(0)["error"]["code"], rpc::invalid_request);
  EXPECT_TRUE(send(s, request(2, "ping")).at(0).contains("result"));
  EXPECT_TRUE(send(s, {{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}).empty());
  EXPECT_EQ(send(s, json{{"id", 3}, {"method", "ping"}}).at(0)["error"]["code"], rpc::invalid_request);
  EXPECT_EQ(send(s, request(4, "tools/list", json::array())).at(0)["error"]["code"], rpc::invalid_params);
}

TEST_F(mcp_fixture, older_revisions_get_no_output_schemas_or_structured_content) {
  for (std::string v : {"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"}) {
    session s(*h, who(net::role::reader), "test");
    EXPECT_EQ(init(s, v)["result"]["protocolVersion"], v);
    auto tools = send(s, request(1, "tools/list")).at(0)["result"]["tools"];
    ASSERT_FALSE(tools.empty());
    bool modern = v >= "2025-06-18";
    EXPECT_EQ(tools[0].contains("outputSchema"), modern) << v;
    auto call = send(s, request(2, "tools/call", {{"name", "list_projects"}, {"arguments", json::object()}})).at(0);
    EXPECT_EQ(call["result"].contains("structuredContent"), modern) << v;
    EXPECT_EQ(call["result"]["content"][0]["type"], "text");
  }
}

TEST_F(mcp_fixture, each_tool_is_listed_and_allowed_exactly_as_the_rule_table_says) {
  struct principal_case {
    net::principal p;
    bool sees_shop;
  };
  std::vector<principal_case> cases = {{who(net::role::reader), true},
                                       {who(net::role::writer), true},
                                       {who(net::role::admin), true},
                                       {who(net::role::reader, "shop"), true},
                                       {who(net::role::admin, "elsewhere"), false}};
  for (const auto& c : cases) {
    session s(*h, c.p, "test");
    init(s);
    auto tools = send(s, request(1, "tools/list")).at(0)["result"]["tools"];
    bool lists_index = false;
    for (const auto& t : tools) lists_index |= t["name"] == "index_project";
    EXPECT_EQ(lists_index, c.p.may(net::role::writer)) << net::to_string(c.p.granted);
    for (const auto& t : tools) {
      std::string name = t["name"];
      if (name == "index_project" || name == "index_status" || name == "list_projects") continue;
      json args = {{"project", "shop"},
                   {"symbol", "shop.store.checkout"},
                   {"name", "checkout"},
                   {"query", "checkout"},
                   {"target", "shop/store.py"},
                   {"file", "shop/store.py"},
                   {"from", "shop.store.checkout"},
                   {"to", "shop.models.apply_tax"},
                   {"base", "1"}};
      auto r = send(s, request(2, "tools/call", {{"name", name}, {"arguments", args}})).at(0)["result"];
      bool versions_tool = name == "review_changes" || name == "diff_versions" || name == "symbol_history";
      if (!c.sees_shop) {
        EXPECT_TRUE(r["isError"].get<bool>()) << name << " for a principal scoped elsewhere";
      } else if (!versions_tool) {
        EXPECT_FALSE(r["isError"].get<bool>()) << name << ": " << r["content"][0]["text"];
      }
    }
    auto projects = send(s, request(3, "tools/call", {{"name", "list_projects"}, {"arguments", json::object()}}));
    EXPECT_EQ(projects.at(0)["result"]["structuredContent"]["projects"].size(), c.sees_shop ? 1u : 0u);
  }
}

TEST_F(mcp_fixture, answers_carry_freshness_and_page_with_cursors) {
  session s(*h, who(net::role::reader), "test");
  init(s);
  auto call = [&](json args) {
    return send(s, request(1, "tools/call", {{"name", "find_symbol"}, {"arguments", std::move(args)}})).at(0)["result"];
  };
  auto first = call({{"name", "e"}, {"limit", 2}});
  auto sc = first["structuredContent"];
  EXPECT_EQ(sc["fresh"]["seq"], eng->storage().sequence());
  EXPECT_EQ(sc["fresh"]["pending"], json::array({"shop/pending.py"}));
  ASSERT_TRUE(sc.contains("next"));
  auto second = call({{"name", "e"}, {"limit", 2}, {"cursor", sc["next"]}})["structuredContent"];
  EXPECT_NE(second["matches"][0]["id"], sc["matches"][0]["id"]);
  auto bad = call({{"name", "e"}, {"cursor", "x"}});
  EXPECT_TRUE(bad["isError"].get<bool>());
  EXPECT_EQ(send(s, request(2, "tools/list", {{"cursor", "zz"}})).at(0)["error"]["code"], rpc::invalid_params);
}

TEST_F(mcp_fixture, a_cancelled_request_gets_no_response) {
  session s(*h, who(net::role::reader), "test");
  init(s);
  auto flag = std::make_shared<std::atomic<bool>>(true);
  auto out = send(
      s, request(5, "tools/call", {{"name", "callers"}, {"arguments", {{"symbol", "shop.models.apply_tax"}}}}), flag);
  EXPECT_TRUE(out.empty());
  // A cancellation for a request not running is ignored.
  EXPECT_TRUE(
      send(s, {{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 99}}}}).empty());
}

TEST_F(mcp_fixture, log_messages_respect_the_level_and_a_change_reaches_subscribers) {
  session s(*h, who(net::role::reader), "test");
  recorder rec;
  s.set_push(rec.sink());
  init(s);
  EXPECT_TRUE(send(s, request(1, "logging/setLevel", {{"level", "warning"}})).at(0).contains("result"));
  s.log("info", "quiet");
  s.log("error", "loud");
  auto uri = catalog::file_uri("shop", "shop/store.py");
  EXPECT_TRUE(send(s, request(2, "resources/subscribe", {{"uri", uri}})).at(0).contains("result"));
  EXPECT_EQ(send(s, request(3, "resources/subscribe", {{"uri", "nope"}})).at(0)["error"]["code"], rpc::invalid_params);
  auto text = test::read_file(src->path() / "shop/store.py");
  test::write_file(src->path() / "shop/store.py", text + "\n\ndef added_later():\n    return 1\n");
  index_request req;
  req.project = "shop";
  req.root = src->str();
  ASSERT_EQ(eng->index(req).outcome, index_phase::done);
  EXPECT_TRUE(rec.wait_for(
      [&](const json& m) { return m["method"] == "notifications/resources/updated" && m["params"]["uri"] == uri; }));
  std::lock_guard lk(rec.mu);
  size_t logs = 0;
  for (const auto& m : rec.pushed)
    if (m["method"] == "notifications/message") {
      ++logs;
      EXPECT_EQ(m["params"]["data"], "loud");
    }
  EXPECT_EQ(logs, 1u);
}

TEST_F(mcp_fixture, the_version_tools_join_the_list_when_a_versioned_project_appears) {
  session s(*h, who(net::role::reader, "later"), "test");
  recorder rec;
  s.set_push(rec.sink());
  init(s);
  auto names = [&] {
    std::set<std::string> out;
    auto answer = send(s, request(1, "tools/list"));
    for (const auto& t : answer.at(0)["result"]["tools"]) out.insert(t["name"]);
    return out;
  };
  EXPECT_FALSE(names().count("review_changes")) << "no versioned project in the principal's scope yet";
  index_request req;
  req.project = "later";
  req.root = src->str();
  ASSERT_EQ(eng->index(req).outcome, index_phase::done);
  EXPECT_TRUE(rec.wait_for([](const json& m) { return m["method"] == "notifications/tools/list_changed"; }));
  EXPECT_TRUE(names().count("review_changes"));
}

}  // namespace
}  // namespace cg::mcp
