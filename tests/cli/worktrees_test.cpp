// A second work tree of one repository (a linked worktree on another branch, with
// uncommitted edits) indexed with `index PATH --over PROJECT`: a layer over the
// version of the nearest commit of its HEAD's history the project holds, that stores
// only its differences, reads as a fresh index of that work tree after edits and
// commits, and leaves the project under it as it was.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/cli/graph_history.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;
using nlohmann::json;

struct worktree_run {
  int exit_code = 0;
  json report;
  std::string err;
};

worktree_run index_over(const fs::path& tree, const std::string& data, const std::string& over,
                        const std::string& name = "wt") {
  auto r = run_cli({"index", tree.string(), "--over", over, "--project", name, "--data-dir", data, "--json"});
  worktree_run out{r.exit_code, json::parse(r.out, nullptr, false), r.out + r.err};
  return out;
}

// The work tree's export equals a fresh index of it (under the base's name: node ids
// derive from the project's name, and the layer's are its base's).
void expect_fresh(const fs::path& tree, const std::string& data, const std::string& what) {
  temp_dir alone("worktrees-fresh");
  index_json(tree, alone.str(), "hist");
  expect_same(export_of(data, "", "wt"), export_of(alone.str(), "", "hist"), what);
}

TEST(worktrees_cli, a_second_worktree_is_a_layer_of_its_differences_that_reads_as_a_fresh_index) {
  temp_dir work("worktrees");
  const fs::path repo = work / "repo", wt = work / "wt";
  json_repo(repo);
  fs::copy("/usr/lib/python3.11/email", repo / "email", fs::copy_options::recursive);
  fs::remove_all(repo / "email" / "__pycache__");
  git(repo, "add -A");
  git(repo, "commit -q -m base");
  branch_and_move(repo,
                  "from json.decoder import JSONDecoder\n\ndef decode_everything(texts):\n"
                  "    d = JSONDecoder()\n    return [d.decode(t) for t in texts]\n");
  const std::string data = (work / "data").string();
  for (const std::string rev : {"main~1", "main~1..main"}) {
    auto r = run_cli({"index", "--git", rev, repo.string(), "--data-dir", data, "--project", "hist", "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const auto main_before = export_of(data, git_out(repo, "rev-parse main").substr(0, 10));

  // A linked worktree on the feature branch, with an uncommitted edit.
  git(repo, "worktree add -q '" + wt.string() + "' feature");
  replace_all(wt / "json" / "decoder.py", "py_scanstring", "scan_py_string");
  write_file(wt / "json" / "only_here.py", "def uncommitted_helper(x):\n    return x\n");
  auto first = index_over(wt, data, "hist");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_TRUE(first.report.is_object());
  const auto& layer = first.report["layer"];
  const auto fork = git_out(repo, "rev-parse main~1");  // where feature branched off
  EXPECT_EQ(layer["over"], "hist");
  // Over the nearest commit of HEAD's history the project holds: the fork point.
  EXPECT_EQ(layer["commit"], fork);
  EXPECT_EQ(layer["head"], git_out(repo, "rev-parse feature"));
  EXPECT_FALSE(layer["base_indexed"].get<bool>());
  EXPECT_TRUE(layer["rebased"].get<bool>());
  // Only what differs from that commit was parsed: the branch's file, the edit, the new file.
  EXPECT_EQ(first.report["files"]["added"].get<size_t>(), 2u) << first.report.dump();
  EXPECT_EQ(first.report["files"]["changed"].get<size_t>(), 1u) << first.report.dump();
  expect_fresh(wt, data, "the worktree with its edits");
  // Its differences only: a fraction of what a whole index of it writes.
  const auto whole = export_of(data, "", "wt").lines.size();
  EXPECT_LT(layer["keys"].get<size_t>() * 10, whole) << layer.dump() << " of " << whole;
  // The project under it is untouched: the same versions, each reading as before, and
  // its newest state (main) knows nothing of the worktree.
  const auto versions_before = run_cli({"versions", "--data-dir", data, "--project", "hist", "--json"}).out;
  expect_same(export_of(data, git_out(repo, "rev-parse main").substr(0, 10)), main_before, "main under the layer");
  expect_same(export_of(data), main_before, "the project's newest state");
  EXPECT_EQ(search_files(data, "uncommitted_helper", "wt").count("json/only_here.py"), 1u);
  EXPECT_EQ(search_files(data, "uncommitted_helper", "hist").count("json/only_here.py"), 0u);
  // What the worktree changes against what it lies over (`base`): the difference of
  // fresh indexes of the fork point's tree and of the work tree, definition by definition.
  {
    temp_dir tree("worktrees-fork"), alone("worktrees-fork-fresh");
    git(repo, "--work-tree='" + tree.str() + "' checkout -f " + fork + " -- .");
    index_json(tree.path(), alone.str(), "hist");
    const auto before = export_of(alone.str()), after = export_of(data, "", "wt");
    std::set<std::string> want, got;
    for (const auto& [id, n] : after.nodes)
      if (!before.nodes.count(id))
        want.insert("added " + id);
      else if (before.nodes.at(id) != n)
        want.insert("changed " + id);
    for (const auto& [id, n] : before.nodes)
      if (!after.nodes.count(id)) want.insert("removed " + id);
    auto d = run_cli({"diff", "base", "--data-dir", data, "--project", "wt", "--json"});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    auto dj = json::parse(d.out);
    EXPECT_EQ(dj["over"], "hist");
    EXPECT_EQ(dj["from"], layer["version"]);
    for (const auto& c : dj["nodes"])
      got.insert(c["change"].get<std::string>() + " " +
                 (c.contains("after") ? c["after"] : c["before"])["id"].get<std::string>());
    EXPECT_EQ(got, want);
    EXPECT_GT(want.size(), 3u);
    // The review of the same change: the worktree's definitions, what reaches them.
    auto rv = run_cli({"review", "base", "--data-dir", data, "--project", "wt", "--json"});
    ASSERT_EQ(rv.exit_code, 0) << rv.err << rv.out;
    auto rj = json::parse(rv.out);
    std::set<std::string> reviewed;
    for (const auto& c : rj["changed"]) reviewed.insert(c["name"].get<std::string>());
    EXPECT_TRUE(reviewed.count("uncommitted_helper") && reviewed.count("decode_everything")) << rv.out;
    // Another name than `base` names no version of a layer.
    auto head = run_cli({"diff", "head", "--data-dir", data, "--project", "wt"});
    EXPECT_NE(head.exit_code, 0);
    EXPECT_NE(head.err.find("`base` names the version it lies over"), std::string::npos) << head.err;
  }
  // The layer's search state is kept in memory only (on disk it would repeat the project's).
  EXPECT_TRUE(fs::exists(fs::path(data) / "vectors" / "hist"));
  EXPECT_FALSE(fs::exists(fs::path(data) / "vectors" / "wt"));

  // Again with nothing changed: the same layer, nothing parsed.
  auto again = index_over(wt, data, "hist");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(again.report["layer"]["rebased"].get<bool>());
  EXPECT_EQ(again.report["files"]["changed"].get<size_t>() + again.report["files"]["added"].get<size_t>(), 0u);
  expect_fresh(wt, data, "the worktree, indexed again");
  // A plain index of the layer's project keeps it a layer (the store knows what it is).
  write_file(wt / "json" / "only_here.py", "def uncommitted_helper(x, y=1):\n    return x + y\n");
  auto plain = run_cli({"index", wt.string(), "--project", "wt", "--data-dir", data, "--json", "--no-vectors"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(json::parse(plain.out)["files"]["changed"].get<size_t>(), 1u) << plain.out;
  expect_fresh(wt, data, "the worktree, indexed plainly");
  auto listed = json::parse(run_cli({"projects", "--data-dir", data, "--json"}).out);
  bool shown = false;
  for (const auto& p : listed["projects"])
    if (p["name"] == "wt") shown = p["layer"]["over"] == "hist" && p["layer"]["commit"] == fork;
  EXPECT_TRUE(shown) << listed.dump();

  // A commit in the worktree moves its HEAD but not its base (the commit is not in the
  // project): the layer goes on, and parses only the next edit.
  git(wt, "add -A");
  git(wt, "commit -q -m 'helpers and a rename'");
  replace_all(wt / "json" / "encoder.py", "py_encode_basestring", "encode_basestring_py");
  auto moved = index_over(wt, data, "hist");
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_FALSE(moved.report["layer"]["rebased"].get<bool>());
  EXPECT_EQ(moved.report["layer"]["head"], git_out(wt, "rev-parse HEAD"));
  EXPECT_EQ(moved.report["files"]["changed"].get<size_t>(), 1u) << moved.report.dump();
  expect_fresh(wt, data, "the worktree after a commit");
  EXPECT_EQ(run_cli({"versions", "--data-dir", data, "--project", "hist", "--json"}).out, versions_before);

  // Once the project holds the branch's tip, the layer lies over it afresh: smaller.
  auto r2 = run_cli({"index", "--git", "feature", repo.string(), "--data-dir", data, "--project", "hist", "-q"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  auto nearer = index_over(wt, data, "hist");
  ASSERT_EQ(nearer.exit_code, 0) << nearer.err;
  EXPECT_TRUE(nearer.report["layer"]["rebased"].get<bool>());
  EXPECT_EQ(nearer.report["layer"]["commit"], git_out(wt, "rev-parse HEAD"));
  EXPECT_LT(nearer.report["layer"]["keys"].get<size_t>(), moved.report["layer"]["keys"].get<size_t>());
  expect_fresh(wt, data, "the worktree over its branch's tip");
  // A plain index of the layer lays it over a nearer commit too, once there is one.
  git(wt, "commit -q -am 'the encoder rename'");
  ASSERT_EQ(
      run_cli({"index", "--git", "feature", repo.string(), "--data-dir", data, "--project", "hist", "-q"}).exit_code,
      0);
  ASSERT_EQ(run_cli({"index", wt.string(), "--data-dir", data, "--project", "wt", "-q", "--no-vectors"}).exit_code, 0);
  auto relaid = json::parse(run_cli({"projects", "--data-dir", data, "--json"}).out);
  for (const auto& p : relaid["projects"])
    if (p["name"] == "wt") EXPECT_EQ(p["layer"]["commit"], git_out(wt, "rev-parse HEAD")) << p.dump();
  expect_fresh(wt, data, "the worktree, laid over its new tip by a plain index");
  // A backup restored elsewhere holds the layer as it was.
  const auto layer_now = export_of(data, "", "wt");
  auto made = run_cli({"backup", "create", (work / "backups").string(), "--data-dir", data, "-q"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string restored = (work / "restored").string();
  auto back = run_cli({"backup", "restore", (work / "backups").string(), "--data-dir", restored, "-q"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  expect_same(export_of(restored, "", "wt"), layer_now, "the layer, restored");
  // Every commit of the project still reads as its checkout.
  for (const std::string rev : {"main~1", "main", "feature"}) {
    temp_dir tree("worktrees-tree"), alone("worktrees-alone");
    git(repo, "--work-tree='" + tree.str() + "' checkout -f " + git_out(repo, "rev-parse " + rev) + " -- .");
    index_json(tree.path(), alone.str(), "hist");
    expect_same(export_of(data, git_out(repo, "rev-parse " + rev).substr(0, 10)), export_of(alone.str()), rev);
  }
}

TEST(worktrees_cli, bad_layers_are_refused_with_a_reason) {
  temp_dir work("worktrees-bad");
  const fs::path repo = work / "repo";
  json_repo(repo);
  git(repo, "add -A");
  git(repo, "commit -q -m base");
  const std::string data = (work / "data").string();
  auto none = index_over(repo, data, "nosuch");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no project"), std::string::npos) << none.err;
  ASSERT_EQ(run_cli({"index", "--git", "HEAD", repo.string(), "--data-dir", data, "--project", "hist", "-q"}).exit_code,
            0);
  auto itself = index_over(repo, data, "hist", "hist");
  EXPECT_EQ(itself.exit_code, 1);
  EXPECT_NE(itself.err.find("a project name of its own"), std::string::npos) << itself.err;
  auto plain = work / "plain";
  fs::create_directories(plain);
  write_file(plain / "a.py", "def a():\n    pass\n");
  auto not_git = index_over(plain, data, "hist");
  EXPECT_EQ(not_git.exit_code, 1);
  EXPECT_NE(not_git.err.find("git work tree"), std::string::npos) << not_git.err;
  // A project with versions of its own does not become a layer.
  ASSERT_EQ(run_cli({"index", plain.string(), "--data-dir", data, "--project", "mine", "-q"}).exit_code, 0);
  auto versioned = index_over(repo, data, "hist", "mine");
  EXPECT_EQ(versioned.exit_code, 2);
  EXPECT_NE(versioned.err.find("versions of its own"), std::string::npos) << versioned.err;
  // A layer over a layer is refused; so is dropping the project under a layer.
  ASSERT_EQ(index_over(repo, data, "hist").exit_code, 0);
  auto stacked = index_over(repo, data, "wt", "wt2");
  EXPECT_EQ(stacked.exit_code, 2);
  EXPECT_NE(stacked.err.find("is a layer itself"), std::string::npos) << stacked.err;
  // Commits go into the project under a layer, not into the layer.
  auto commits = run_cli({"index", "--git", "HEAD", repo.string(), "--data-dir", data, "--project", "wt"});
  EXPECT_EQ(commits.exit_code, 2);
  EXPECT_NE((commits.out + commits.err).find("is a layer over hist"), std::string::npos) << commits.out << commits.err;
  // A work tree none of whose history the project holds: its HEAD is indexed there first.
  const fs::path other = work / "other";
  json_repo(other);
  replace_all(other / "json" / "decoder.py", "JSONDecoder", "OtherDecoder");
  git(other, "add -A");
  git(other, "commit -q -m unrelated");
  auto unrelated = index_over(other, data, "hist", "other");
  ASSERT_EQ(unrelated.exit_code, 0) << unrelated.err;
  EXPECT_TRUE(unrelated.report["layer"]["base_indexed"].get<bool>());
  EXPECT_EQ(unrelated.report["layer"]["commit"], git_out(other, "rev-parse HEAD"));
  {
    temp_dir fresh("worktrees-other");
    index_json(other, fresh.str(), "hist");
    expect_same(export_of(data, "", "other"), export_of(fresh.str()), "the unrelated work tree");
  }
  // What the project held is untouched by the refusals.
  temp_dir alone("worktrees-bad-fresh");
  index_json(repo, alone.str(), "hist");
  expect_same(export_of(data, "", "wt"), export_of(alone.str()), "the layer");
}

}  // namespace
}  // namespace cg
