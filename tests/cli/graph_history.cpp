#include "tests/cli/graph_history.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <sstream>

namespace cg::test {

using nlohmann::json;

std::string edge_identity(const json& e) {
  auto target = e["target"].is_null() ? "?" + e.value("target_name", e.value("targetName", std::string()))
                                      : e["target"].get<std::string>();
  return e["source"].get<std::string>() + " " + e["kind"].get<std::string>() + " " + target;
}

graph_export export_of(const std::string& data, const std::string& at, const std::string& project) {
  std::vector<std::string> args{"export", "--data-dir", data, "--project", project};
  if (!at.empty()) args.insert(args.end(), {"--at", at});
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  graph_export g;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    g.lines.insert(line);
    auto j = json::parse(line);
    if (j["type"] == "node")
      g.nodes[j["id"].get<std::string>()] = j;
    else if (j["kind"] != "contains")  // a node's parent, not an edge of the store
      g.edges.insert(edge_identity(j));
  }
  return g;
}

json index_json(const fs::path& tree, const std::string& data, const std::string& project) {
  auto r = run_cli({"index", tree.string(), "--data-dir", data, "--project", project, "--json", "--no-vectors"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return json::parse(r.out);
}

void replace_all(const fs::path& file, const std::string& from, const std::string& to) {
  auto text = read_file(file);
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  write_file(file, text);
}

void git(const fs::path& repo, const std::string& args) {
  auto cmd =
      "git -C '" + repo.string() + "' -c user.name=Tester -c user.email=t@example.org " + args + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

std::string git_out(const fs::path& repo, const std::string& args) {
  temp_dir t("git-out");
  auto cmd = "git -C '" + repo.string() + "' " + args + " > '" + (t / "out").string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto s = read_file(t / "out");
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

void expect_same(const graph_export& at, const graph_export& fresh, const std::string& what) {
  std::vector<std::string> only_at, only_fresh;
  std::set_difference(at.lines.begin(), at.lines.end(), fresh.lines.begin(), fresh.lines.end(),
                      std::back_inserter(only_at));
  std::set_difference(fresh.lines.begin(), fresh.lines.end(), at.lines.begin(), at.lines.end(),
                      std::back_inserter(only_fresh));
  EXPECT_FALSE(fresh.lines.empty()) << what;
  EXPECT_TRUE(only_at.empty() && only_fresh.empty())
      << what << ": " << only_at.size() << " lines only at the version (first: " << (only_at.empty() ? "" : only_at[0])
      << "), " << only_fresh.size() << " only in the fresh index (first: " << (only_fresh.empty() ? "" : only_fresh[0])
      << ")";
}

void json_repo(const fs::path& repo) {
  fs::create_directories(repo);
  git(repo, "init -q -b main");
  fs::copy("/usr/lib/python3.11/json", repo / "json", fs::copy_options::recursive);
  fs::remove_all(repo / "json" / "__pycache__");
}

void branch_and_move(const fs::path& repo, const std::string& extra) {
  git(repo, "checkout -q -b feature");
  write_file(repo / "json" / "extra.py", extra);
  git(repo, "add -A");
  git(repo, "commit -q -m 'extra on a branch'");
  git(repo, "checkout -q main");
  git(repo, "mv json/tool.py json/cli_tool.py");
  git(repo, "commit -q -m 'move the tool'");
}

std::set<std::string> search_files(const std::string& data, const std::string& query, const std::string& project) {
  auto r = run_cli({"search", query, "--data-dir", data, "--project", project, "--json", "-k", "50"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> files;
  auto j = json::parse(r.out, nullptr, false);
  if (j.is_object())
    for (const auto& h : j["hits"]) files.insert(h["file"].get<std::string>());
  return files;
}

}  // namespace cg::test
