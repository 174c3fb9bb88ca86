// The codegraph binary: commands, --json, exit codes, configuration, logs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;
using nlohmann::json;

struct cli : ::testing::Test {
  static void SetUpTestSuite() {
    data = new temp_dir("cli-data");
    auto r = run_cli(
        {"index", source_dir() + "/tests/fixtures/python", "--data-dir", data->str(), "--project", "shop", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    index_json = new json(json::parse(r.out));
  }
  static void TearDownTestSuite() {
    delete data;
    delete index_json;
  }
  static inline temp_dir* data = nullptr;
  static inline json* index_json = nullptr;
  cli_result q(std::vector<std::string> args) {
    args.push_back("--data-dir");
    args.push_back(data->str());
    return run_cli(args);
  }
  json qj(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = q(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }
};

TEST_F(cli, help_version_and_usage_errors) {
  auto h = run_cli({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* cmd :
       {"index", "stats", "symbol", "callers", "callees", "deps", "dependents", "outline", "export", "node"})
    EXPECT_NE(h.out.find(cmd), std::string::npos) << cmd;
  EXPECT_NE(h.out.find("Exit codes"), std::string::npos);
  EXPECT_EQ(run_cli({"index", "--help"}).exit_code, 0);
  auto v = run_cli({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("codegraph"), std::string::npos);
  EXPECT_EQ(run_cli({}).exit_code, 1);
  EXPECT_EQ(run_cli({"frobnicate"}).exit_code, 1);
  auto bad = run_cli({"index"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("path"), std::string::npos);
  EXPECT_EQ(run_cli({"symbol", "x", "--limit", "-3"}).exit_code, 1);
  EXPECT_EQ(run_cli({"export", "--format", "yaml"}).exit_code, 1);
}

TEST_F(cli, index_summary_json) {
  const auto& j = *index_json;
  EXPECT_EQ(j["outcome"], "done");
  EXPECT_EQ(j["files"]["added"], 3);
  EXPECT_EQ(j["parsed"]["loc"], 80);
  EXPECT_EQ(j["project_totals"]["nodes"]["total"], 34);
  EXPECT_GT(j["timing"]["loc_per_second"].get<double>(), 0);
  EXPECT_GT(j["store_bytes"].get<int64_t>(), 0);
  EXPECT_EQ(j["project_totals"]["references"]["unresolved"], 1);
}

TEST_F(cli, stats_symbol_node_and_outline) {
  auto stats = qj({"stats"});
  EXPECT_EQ(stats["project"], "shop");
  EXPECT_EQ(stats["nodes"]["by_kind"]["class"], 4);
  auto human = q({"stats"});
  EXPECT_EQ(human.exit_code, 0);
  EXPECT_NE(human.out.find("Resolution rate"), std::string::npos);

  auto sym = qj({"symbol", "checkout"});
  ASSERT_FALSE(sym["results"].empty());
  auto first = sym["results"][0];
  EXPECT_EQ(first["qualified_name"], "shop.store.checkout");
  EXPECT_EQ(first["match"], "exact");
  EXPECT_EQ(first["line"], 17);

  auto node = qj({"node", first["id"].get<std::string>()});
  ASSERT_EQ(node["nodes"].size(), 1u);
  auto out = node["nodes"][0]["outgoing"];
  EXPECT_TRUE(std::any_of(out.begin(), out.end(),
                          [](auto& e) { return e.value("target_qualified_name", "") == "shop.models.Order.total"; }));
  EXPECT_EQ(q({"node", "0000000000000001"}).exit_code, 2);

  auto outline = q({"outline", "shop/models.py"});
  EXPECT_EQ(outline.exit_code, 0);
  EXPECT_NE(outline.out.find("class Order(Base)"), std::string::npos);
  EXPECT_NE(outline.out.find("    33    method      def add(self, product: Product, qty=1)"), std::string::npos)
      << outline.out;
  EXPECT_EQ(q({"outline", "nope.py"}).exit_code, 2);
}

TEST_F(cli, callers_callees_deps_dependents) {
  auto callers = qj({"callers", "shop.models.Order.total"});
  ASSERT_EQ(callers["targets"].size(), 1u);
  auto res = callers["targets"][0]["results"];
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0]["node"]["qualified_name"], "shop.store.checkout");
  EXPECT_EQ(res[0]["edge"]["sites"][0]["line"], 23);
  auto callees = q({"callees", "checkout", "--depth", "2"});
  EXPECT_EQ(callees.exit_code, 0);
  EXPECT_NE(callees.out.find("shop.models.Base.save"), std::string::npos);
  EXPECT_NE(callees.out.find("    shop.models.Base.validate"), std::string::npos) << callees.out;  // depth 2
  auto deps = qj({"deps", "shop/store.py"});
  ASSERT_EQ(deps["results"].size(), 1u);
  EXPECT_EQ(deps["results"][0]["file"], "shop/models.py");
  auto dependents = qj({"dependents", "shop/models.py"});
  EXPECT_EQ(dependents["results"].size(), 2u);
  auto sym_deps = qj({"deps", "shop.models.Product", "--kind", "inherits"});
  EXPECT_EQ(sym_deps["targets"][0]["results"][0]["node"]["qualified_name"], "shop.models.Base");
  auto missing = q({"callers", "no_such_function"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no definition"), std::string::npos);
  EXPECT_EQ(q({"callers", "x", "--depth", "0"}).exit_code, 1);
}

// O(customer) (an alias of Order) calls Order.__init__ and instantiates Order: callers
// of either name the site; callees list both; --resolution filters by how they resolved.
TEST_F(cli, instantiations_reach_the_constructor_and_the_class) {
  auto init = qj({"callers", "shop.models.Order.__init__"});
  ASSERT_EQ(init["targets"][0]["results"].size(), 1u) << init.dump();
  EXPECT_EQ(init["targets"][0]["results"][0]["node"]["qualified_name"], "shop.store.checkout");
  EXPECT_EQ(init["targets"][0]["results"][0]["edge"]["kind"], "calls");
  auto cls = qj({"callers", "shop.models.Order"});
  ASSERT_EQ(cls["targets"][0]["results"].size(), 1u) << cls.dump();
  EXPECT_EQ(cls["targets"][0]["results"][0]["edge"]["kind"], "instantiates");
  EXPECT_EQ(cls["targets"][0]["results"][0]["edge"]["sites"][0]["line"], 19);
  auto callees = q({"callees", "checkout"});
  EXPECT_NE(callees.out.find("instantiates shop.store.MemoryStore"), std::string::npos) << callees.out;
  EXPECT_NE(callees.out.find("shop.store.MemoryStore.__init__"), std::string::npos) << callees.out;
  auto external = qj({"callees", "shop.store.MemoryStore.put", "--resolution", "external"});
  ASSERT_EQ(external["targets"][0]["results"].size(), 1u) << external.dump();
  EXPECT_EQ(external["targets"][0]["results"][0]["edge"]["target_name"], "self.rows.append");
  auto exact = qj({"callees", "shop.store.MemoryStore.put", "--resolution", "exact"});
  EXPECT_EQ(exact["targets"][0]["results"].size(), 0u);
  auto bad = q({"callees", "checkout", "--resolution", "sure"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("unknown resolution 'sure'"), std::string::npos) << bad.err;
}

TEST_F(cli, export_ndjson_and_graphml_match_the_stats) {
  temp_dir out("export");
  auto nd = q({"export", "--format", "ndjson", "-o", (out / "g.ndjson").string()});
  ASSERT_EQ(nd.exit_code, 0) << nd.err;
  size_t nodes = 0, edges = 0;
  std::istringstream lines(read_file(out / "g.ndjson"));
  for (std::string line; std::getline(lines, line);) {
    auto j = json::parse(line);
    (j["type"] == "node" ? nodes : edges) += 1;
  }
  const auto& totals = (*index_json)["project_totals"];
  EXPECT_EQ(nodes, totals["nodes"]["total"].get<size_t>());
  EXPECT_EQ(edges, totals["edges"]["total"].get<size_t>());
  auto gm = q({"export", "--format", "graphml"});
  ASSERT_EQ(gm.exit_code, 0);
  EXPECT_EQ(gm.out.rfind("<?xml", 0), 0u);
  size_t node_tags = 0, pos = 0;
  while ((pos = gm.out.find("<node id=", pos)) != std::string::npos) ++node_tags, ++pos;
  EXPECT_EQ(node_tags, nodes);
  EXPECT_NE(gm.out.find("</graphml>"), std::string::npos);
}

TEST_F(cli, incremental_runs_report_what_changed) {
  temp_dir src("inc-src"), d("inc-data");
  write_file(src / "a.py", "def a():\n    return b()\n");
  write_file(src / "b.py", "def b():\n    return 1\n");
  auto idx = [&] {
    auto r = run_cli({"index", src.str(), "--data-dir", d.str(), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  };
  auto first = idx();
  EXPECT_EQ(first["files"]["added"], 2);
  auto same = idx();
  EXPECT_EQ(same["files"]["unchanged"], 2);
  EXPECT_EQ(same["parsed"]["loc"], 0);
  write_file(src / "a.py", "def a():\n    return c()\n");
  fs::remove(src / "b.py");
  write_file(src / "c.py", "def c():\n    return 2\n");
  auto third = idx();
  EXPECT_EQ(third["files"]["added"], 1);
  EXPECT_EQ(third["files"]["changed"], 1);
  EXPECT_EQ(third["files"]["removed"], 1);
  EXPECT_EQ(third["nodes_changed"]["deleted"], 2);  // b.py's file node and b
  auto human = run_cli({"index", src.str(), "--data-dir", d.str()});
  EXPECT_NE(human.out.find("0 added, 0 changed, 2 unchanged"), std::string::npos) << human.out;
}

TEST_F(cli, configuration_file_environment_and_flags_in_that_order) {
  temp_dir dir("config");
  write_file(
      dir / "cg.toml",
      "data_dir = \"/from/file\"\n[index]\nmax_file_size = \"64k\"\nexclude = [\"gen/\"]\n[log]\nlevel = \"info\"\n");
  auto show = [&](std::vector<std::string> extra, std::vector<std::string> env = {}) {
    std::vector<std::string> args{"config", "show", "--config", (dir / "cg.toml").string(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_cli(args, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  };
  auto file_only = show({});
  EXPECT_EQ(file_only["data_dir"], "/from/file");
  EXPECT_EQ(file_only["index"]["max_file_size"], 65536);
  EXPECT_EQ(file_only["index"]["exclude"][0], "gen/");
  auto with_env = show({}, {"CODEGRAPH_DATA_DIR=/from/env", "CODEGRAPH_INDEX_MAX_FILE_SIZE=1MiB"});
  EXPECT_EQ(with_env["data_dir"], "/from/env");
  EXPECT_EQ(with_env["index"]["max_file_size"], 1048576);
  EXPECT_EQ(file_only["search"]["hnsw_half_floats"], true);
  EXPECT_EQ(show({}, {"CODEGRAPH_SEARCH_HNSW_HALF_FLOATS=false"})["search"]["hnsw_half_floats"], false);
  EXPECT_EQ(run_cli({"config", "show"}, {"CODEGRAPH_SEARCH_HNSW_HALF_FLOATS=maybe"}).exit_code, 1);
  auto with_flag = show({"--data-dir", "/from/flag"}, {"CODEGRAPH_DATA_DIR=/from/env"});
  EXPECT_EQ(with_flag["data_dir"], "/from/flag");
  write_file(dir / "bad.toml", "data_dir = [unclosed\n");
  auto bad = run_cli({"stats", "--config", (dir / "bad.toml").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("invalid config"), std::string::npos);
  EXPECT_EQ(run_cli({"stats", "--config", (dir / "missing.toml").string()}).exit_code, 1);
  EXPECT_EQ(run_cli({"config", "show"}, {"CODEGRAPH_LOG_FORMAT=xml"}).exit_code, 1);
}

TEST_F(cli, json_logs_are_json_lines) {
  temp_dir src("logs"), d("logs-data");
  write_file(src / "a.py", "def a():\n    pass\n");
  auto r = run_cli({"index", src.str(), "--data-dir", d.str(), "-q", "--log-format", "json", "--log-level", "debug"});
  ASSERT_EQ(r.exit_code, 0);
  std::istringstream lines(r.err);
  size_t n = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    auto j = json::parse(line);  // throws on anything but JSON
    EXPECT_TRUE(j.contains("level") && j.contains("msg") && j.contains("time_ms"));
    ++n;
  }
  EXPECT_GT(n, 0u);
}

TEST_F(cli, queries_without_a_store_or_project_fail_clearly) {
  temp_dir empty("empty");
  auto r = run_cli({"stats", "--data-dir", (empty / "none").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("codegraph index"), std::string::npos);
  auto j = run_cli({"stats", "--data-dir", (empty / "none").string(), "--json"});
  EXPECT_EQ(j.exit_code, 2);
  EXPECT_EQ(json::parse(j.out)["error"]["code"], "runtime");
  auto p = q({"stats", "--project", "nope"});
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_NE(p.err.find("shop"), std::string::npos);  // lists the projects there are
}

}  // namespace
}  // namespace cg
