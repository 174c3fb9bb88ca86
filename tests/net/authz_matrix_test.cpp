// Every operation of every transport against the one rule table (net/app/policy.hpp):
// each REST route, each GraphQL root field (queries, mutations, subscriptions), the
// /ws event topics and the graphql-transport-ws handshake, asked by principals of
// every role, unscoped and scoped to one project, about their project and another.
// A refusal must be exactly where the table says, and nowhere else. The app runs in
// process on a real engine and store (no sockets: the transports' decisions are the
// app's and the protocol class's).
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <regex>

#include <nlohmann/json.hpp>

#include "actors/engine.hpp"
#include "net/app/app.hpp"
#include "net/app/policy.hpp"
#include "net/app/routes.hpp"
#include "net/graphql/gql_service.hpp"
#include "net/graphql/gql_ws_protocol.hpp"
#include "schema/hash.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using net::operation;
using net::role;
using nlohmann::json;

struct who_case {
  std::string label;
  std::string token;  // "" : no credentials
  role r = role::none;
  std::string scope;
};

// May `w` do `op` on `project` by the table? (the expectation, computed independently
// of authorize(): role order and scope).
// An empty project: the route names none (its project is checked per topic or per
// item inside), so only the role counts.
bool expected(const who_case& w, operation op, const std::string& project) {
  const auto& rule = net::rule_of(op);
  if (rule.need == role::none) return true;
  if (w.r < rule.need) return false;
  if (rule.scope == net::scope_rule::project && !project.empty() && !w.scope.empty() && w.scope != project)
    return false;
  if (rule.scope == net::scope_rule::every && !w.scope.empty()) return false;
  return true;
}

struct Matrix : ::testing::Test {
  static inline test::temp_dir* dir = nullptr;
  static inline std::unique_ptr<engine> eng;
  static inline std::unique_ptr<net::app> app;
  static inline std::vector<who_case> whos;
  static inline std::string node_p1, task_p2;

  static void SetUpTestSuite() {
    dir = new test::temp_dir("authz");
    engine_options eo;
    eo.data_dir = (*dir / "data").string();
    eo.threads = 2;
    eo.parser_workers = 1;
    auto e = engine::open(eo);
    ASSERT_TRUE(e.ok()) << e.err().message;
    eng = std::move(*e);
    net::server_options o;
    o.data_dir = eo.data_dir;
    o.watch = false;
    o.cache_bytes = 0;
    o.rate = {0, 0, 0, 0};
    o.auth.keys_file = eo.data_dir + "/api_keys.json";
    o.allowed_roots = {dir->str()};
    whos.push_back({"anonymous", "", role::none, ""});
    for (auto r : {role::reader, role::writer, role::admin})
      for (std::string scope : {"", "p1"}) {
        auto t = net::create_api_key(o.auth.keys_file, r, scope, "m");
        ASSERT_TRUE(t.ok());
        whos.push_back({std::string(net::to_string(r)) + (scope.empty() ? "" : "@p1"), *t, r, scope});
      }
    app = std::make_unique<net::app>(*eng, o);
    ASSERT_TRUE(app->route_problems().empty());
    index_projects();
    auto pid = eng->storage().project_id("p1");
    ASSERT_TRUE(pid.ok());
    graph_query q(eng->storage().latest(), *pid);
    node_id next = 0;
    auto ns = q.list_nodes(
        0, 1, [](const node&) { return true; }, &next);
    ASSERT_TRUE(ns.ok() && !ns->empty());
    node_p1 = format_id(ns->front().id);
  }
  // Two projects, p1 and p2, with the same small tree each (again after a test deleted them).
  static void index_projects() {
    for (std::string p : {"p1", "p2"}) {
      auto root = *dir / ("root-" + p);
      if (!std::filesystem::exists(root)) {
        std::filesystem::create_directories(root);
        std::filesystem::copy(test::source_dir() + "/tests/fixtures/python", root,
                              std::filesystem::copy_options::recursive);
      }
      auto t = app->start_index(p, root.string(), {}, true);
      ASSERT_TRUE(t.ok()) << t.err().message;
      for (int i = 0; i < 400 && (!app->task(*t) || app->task(*t)->state == "running"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      if (p == "p2") task_p2 = std::to_string(*t);
    }
  }

  static void TearDownTestSuite() {
    app.reset();
    eng.reset();
    delete dir;
  }

  net::api_request request(const std::string& method, const std::string& target, const who_case& w, std::string body) {
    net::api_request r;
    r.method = method;
    r.target = target;
    net::split_target(target, r.path, r.query);
    if (!w.token.empty()) r.headers["authorization"] = "Bearer " + w.token;
    r.headers["content-type"] = "application/json";
    r.headers["host"] = "127.0.0.1:8080";
    r.remote_ip = "127.0.0.1";
    r.body = std::move(body);
    return r;
  }

  // The status a REST request gets (through prepare and the handler).
  int rest(const std::string& method, const std::string& target, const who_case& w, std::string body = "{}") {
    auto r = request(method, target, w, std::move(body));
    auto p = app->prepare(r);
    if (p.early) return p.early->status;
    auto reply = app->invoke(*p.r, r);
    if (auto* res = std::get_if<net::api_response>(&reply)) return res->status;
    return std::get<net::stream_reply>(reply).status;
  }
};

TEST_F(Matrix, EveryRestRouteRefusesExactlyWhereTheTableSays) {
  // DELETE of a project last: it removes what the others read.
  auto routes = net::rest_routes();
  std::stable_partition(routes.begin(), routes.end(), [](const net::route_decl& d) {
    return !(d.method == "DELETE" && d.pattern == "/api/v1/projects/{name}");
  });
  size_t checked = 0;
  for (const auto& d : routes) {
    if (d.auth_in_handler) continue;  // GET /graphql: checked below with the GraphQL fields
    for (std::string project : {"p1", "p2"}) {
      std::string target = std::regex_replace(std::string(d.pattern), std::regex("\\{name\\}"), project);
      bool is_task = target.find("{id}") != std::string::npos && target.starts_with("/api/v1/tasks");
      target = std::regex_replace(target, std::regex("\\{id\\}"), is_task ? task_p2 : node_p1);
      target = std::regex_replace(target, std::regex("\\{file\\}"), "graphiql.min.js");
      // A route's project: {name}, a task's project (p2), or none.
      std::string touches = d.pattern.find("{name}") != std::string_view::npos ? project : is_task ? "p2" : "";
      std::string body = "{}";
      if (d.op == operation::project_create) {
        touches = project;
        body = json({{"name", project}, {"root", "/nonexistent"}}).dump();
      }
      for (const auto& w : whos) {
        int status = rest(std::string(d.method), target, w, body);
        bool ok = expected(w, d.op, touches);
        SCOPED_TRACE(std::string(d.method) + " " + target + " as " + w.label + " -> " + std::to_string(status));
        if (ok) {
          EXPECT_NE(status, 401);
          EXPECT_NE(status, 403);
        } else if (w.r == role::none) {
          EXPECT_EQ(status, 401);
        } else if (is_task && w.r >= net::rule_of(d.op).need) {
          EXPECT_TRUE(status == 403 || status == 404);  // another project's task is not shown
        } else {
          EXPECT_EQ(status, 403);
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, net::rest_routes().size() * whos.size());
  index_projects();  // the admins deleted them
}

// A document for a root field: its required arguments filled in, __typename selected.
std::string field_document(const gql::schema& s, const std::string& root, const gql::field_info& f,
                           const std::string& project) {
  std::string args;
  auto value_for = [&](const std::string& name, const gql::type_ref& t, auto&& self) -> std::string {
    const auto& base = t.base();
    if (name == "project" || (f.name == "project" && name == "name")) return "\"" + project + "\"";
    if (base == "ID") return name == "taskId" ? "\"1\"" : "\"0000000000000001\"";
    if (base == "String") return name == "content" ? "\"x = 1\"" : "\"x\"";
    if (base == "Int") return "1";
    if (base == "Float") return "0.5";
    if (base == "Boolean") return "false";
    const auto* ti = s.type(base);
    if (ti && ti->k == gql::type_def::kind::enum_) return name == "language" ? "PYTHON" : ti->values.front().name;
    if (ti && ti->k == gql::type_def::kind::input) {
      std::string o;
      for (const auto& in : ti->input_fields)
        if (in.type.non_null() || in.name == "project" || (base == "ParseFileInput" && in.name == "content") ||
            (base == "ParseFileInput" && in.name == "language"))
          o += (o.empty() ? "" : ", ") + in.name + ": " + self(in.name, in.type, self);
      return "{" + o + "}";
    }
    return "null";
  };
  for (const auto& a : f.args)
    if (a.type.non_null() || a.name == "project")
      args += (args.empty() ? "" : ", ") + a.name + ": " + value_for(a.name, a.type, value_for);
  const auto* t = s.type(f.type.base());
  std::string sel = t && t->composite() ? " { __typename }" : "";
  std::string op = root == "Query" ? "query" : root == "Mutation" ? "mutation" : "subscription";
  return op + " { " + f.name + (args.empty() ? "" : "(" + args + ")") + sel + " }";
}

TEST_F(Matrix, EveryGraphqlRootFieldRefusesExactlyWhereTheTableSays) {
  auto* g = app->graphql();
  ASSERT_NE(g, nullptr);
  const auto& s = g->schema();
  size_t checked = 0;
  for (const char* root : {"Query", "Mutation", "Subscription"})
    for (const auto& f : s.type(root)->fields) {
      auto key = std::string(root) + "." + f.name;
      auto it = std::find_if(net::graphql_root_operations().begin(), net::graphql_root_operations().end(),
                             [&](const auto& e) { return e.first == key; });
      ASSERT_NE(it, net::graphql_root_operations().end()) << key << " has no operation";
      for (std::string project : {"p1", "p2"}) {
        auto doc = field_document(s, root, f, project);
        for (const auto& w : whos) {
          if (w.r == role::none) continue;  // no credentials never reach GraphQL (the route is the reader's)
          net::api_request origin = request("POST", "/graphql", w, "");
          auto who = app->authenticate_request(origin);
          ASSERT_TRUE(who.ok());
          origin.who = *who;
          gql::request gr;
          gr.query = doc;
          bool forbidden = false;
          std::string seen;
          if (std::string(root) == "Subscription") {
            auto done = std::make_shared<std::promise<gql::json>>();
            auto fut = done->get_future();
            auto h = g->start(
                origin, gr, [](net::graphql_service::payload_ptr, const std::string&) {},
                [done](gql::json errors) { done->set_value(std::move(errors)); });
            if (!h) {
              auto errors = fut.get();
              seen = errors.dump();
              for (const auto& e : errors)
                forbidden = forbidden || e.value("extensions", gql::json::object()).value("code", "") == "FORBIDDEN";
            }
          } else {
            auto [status, body] = g->execute(origin, gr, false);
            seen = body.dump();
            if (body.contains("errors"))
              for (const auto& e : body["errors"])
                forbidden = forbidden || e.value("extensions", gql::json::object()).value("code", "") == "FORBIDDEN";
          }
          bool ok = expected(w, it->second, project);
          // parseProject of an existing project from its root is project_index; rebuildIndex etc. as listed.
          EXPECT_EQ(!forbidden, ok) << doc << " as " << w.label << ": " << seen.substr(0, 300);
          ++checked;
        }
      }
    }
  EXPECT_GT(checked, 100u);
}

TEST_F(Matrix, ParseProjectNeedsAdminForNewProjectsAndOtherRoots) {
  auto* g = app->graphql();
  auto as = [&](const std::string& label) {
    for (const auto& w : whos)
      if (w.label == label) return w;
    return whos[0];
  };
  auto run = [&](const who_case& w, const std::string& input) {
    net::api_request origin = request("POST", "/graphql", w, "");
    origin.who = *app->authenticate_request(origin);
    gql::request gr;
    gr.query = "mutation { parseProject(input: " + input + ") { taskId } }";
    return g->execute(origin, gr, false).second;
  };
  auto code = [](const gql::json& r) {
    return r.contains("errors") ? r["errors"][0].value("extensions", gql::json::object()).value("code", "") : "";
  };
  auto p2_root = (*dir / "root-p2").string();
  auto fresh = *dir / "fresh";
  std::filesystem::create_directories(fresh);
  std::filesystem::copy(test::source_dir() + "/tests/fixtures/go", fresh, std::filesystem::copy_options::recursive);
  // A writer re-indexes its project from its registered root...
  EXPECT_EQ(code(run(as("writer"), R"({project: "p2"})")), "");
  EXPECT_EQ(code(run(as("writer"), "{project: \"p2\", root: \"" + p2_root + "\"}")), "");
  // ...but registers nothing new, and moves no project to another root.
  EXPECT_EQ(code(run(as("writer"), "{project: \"newone\", root: \"" + fresh.string() + "\"}")), "FORBIDDEN");
  EXPECT_EQ(code(run(as("writer@p1"), "{project: \"p1\", root: \"" + p2_root + "\"}")), "FORBIDDEN");
  EXPECT_EQ(code(run(as("admin@p1"), "{project: \"p1\", root: \"" + p2_root + "\"}")), "");  // an admin may
  EXPECT_FALSE(eng->storage().project_id("newone").ok());
  // An admin registers, inside the allowed roots only.
  EXPECT_EQ(code(run(as("admin"), "{project: \"newone\", root: \"" + fresh.string() + "\"}")), "");
  EXPECT_EQ(code(run(as("admin"), R"({project: "etc", root: "/etc"})")), "BAD_USER_INPUT");
}

TEST_F(Matrix, WebSocketTransportsUseTheSameRules) {
  // /ws topics: events_subscribe, scoped; "changes/" with a scoped key scopes it.
  for (const auto& w : whos) {
    if (w.r == role::none) continue;
    net::api_request r = request("GET", "/ws", w, "");
    auto who = app->authenticate_request(r);
    ASSERT_TRUE(who.ok());
    auto id = app->events().attach({}, *who);
    for (std::string topic : {"changes/p1", "changes/p2", "progress/p2", "changes/", "*"}) {
      auto reply = json::parse(app->events().subscribe_topics(id, {topic}));
      std::string proj = topic.find('/') == std::string::npos ? "" : topic.substr(topic.find('/') + 1);
      bool ok = proj.empty() || expected(w, operation::events_subscribe, proj);
      EXPECT_EQ(reply["type"], ok ? "subscribed" : "error") << topic << " as " << w.label << ": " << reply.dump();
      if (ok && !w.scope.empty()) {
        for (const auto& t : reply["topics"]) {
          EXPECT_TRUE(t.get<std::string>().ends_with("/p1")) << t << " as " << w.label;
        }
      }
    }
    app->events().detach(id);
  }
  // graphql-transport-ws: connection_init needs the graphql operation's role.
  for (const auto& w : whos) {
    std::vector<uint16_t> closes;
    bool acked = false;
    net::gql_ws_protocol::hooks h;
    h.authenticate = [&](std::string_view a, std::string_view t) { return app->authenticate(a, t); };
    h.send = [&](std::string m) { acked = acked || m.find("connection_ack") != std::string::npos; };
    h.close = [&](uint16_t c, std::string) { closes.push_back(c); };
    h.start = [](const std::string&, gql::request, const net::principal&, std::shared_ptr<std::atomic<bool>>) {};
    net::gql_ws_protocol p(h, {});
    p.on_message(json({{"type", "connection_init"}, {"payload", {{"authorization", "Bearer " + w.token}}}}).dump());
    EXPECT_EQ(acked, expected(w, operation::graphql, "")) << w.label;
    if (!acked) {
      EXPECT_EQ(closes, std::vector<uint16_t>{net::ws_close::forbidden}) << w.label;
    }
  }
}

}  // namespace
}  // namespace cg
