// Versions end to end through the codegraph binary: a scripted history of a real tree
// (the standard library's json package beside the Python fixture: edits, a new file,
// a rename, a delete, a revert), one `index` per step. For every version, `export --at`
// equals a fresh index of that step's tree, and `diff` between consecutive versions
// equals the difference of those two fresh exports.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "actors/version/versions.hpp"
#include "tests/cli/graph_history.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using namespace test;
using nlohmann::json;

TEST(versions_cli, every_version_reads_as_a_fresh_index_of_its_tree_and_diffs_agree) {
  temp_dir work("versions");
  const fs::path tree = work / "tree";
  fs::create_directories(tree);
  fs::copy("/usr/lib/python3.11/json", tree / "json", fs::copy_options::recursive);
  fs::copy(source_dir() + "/tests/fixtures/python", tree / "shop", fs::copy_options::recursive);
  std::vector<fs::path> caches;
  for (const auto& e : fs::recursive_directory_iterator(tree))
    if (e.path().filename() == "__pycache__") caches.push_back(e.path());
  for (const auto& c : caches) fs::remove_all(c);
  const std::string data = (work / "data").string();

  // The history: each step changes the tree, then indexes it.
  std::vector<std::function<void()>> steps = {
      [] {},
      [&] { replace_all(tree / "json" / "decoder.py", "py_scanstring", "scan_py_string"); },
      [&] {
        write_file(tree / "json" / "extra.py",
                   "from json.decoder import JSONDecoder, scan_py_string\n\n"
                   "def decode_all(texts):\n    d = JSONDecoder()\n    return [d.decode(t) for t in texts]\n\n"
                   "def first(s):\n    return scan_py_string(s, 1)\n");
      },
      [&] { fs::rename(tree / "json" / "tool.py", tree / "json" / "cli_tool.py"); },
      [&] { fs::remove(tree / "json" / "scanner.py"); },
      [&] { replace_all(tree / "json" / "decoder.py", "scan_py_string", "py_scanstring"); },
  };
  std::vector<fs::path> snapshots;
  for (size_t i = 0; i < steps.size(); ++i) {
    steps[i]();
    auto summary = index_json(tree, data);
    ASSERT_EQ(summary["version"].get<uint64_t>(), i + 1) << summary.dump();
    auto copy = work / ("step" + std::to_string(i + 1));
    fs::copy(tree, copy, fs::copy_options::recursive);
    snapshots.push_back(copy);
  }
  // An index run that changes nothing commits no version.
  EXPECT_EQ(index_json(tree, data)["version"].get<uint64_t>(), 0u);
  auto listed = run_cli({"versions", "--data-dir", data, "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  ASSERT_EQ(json::parse(listed.out)["versions"].size(), steps.size());

  std::vector<graph_export> fresh;
  for (size_t i = 0; i < snapshots.size(); ++i) {
    temp_dir alone("versions-fresh");
    index_json(snapshots[i], alone.str());
    fresh.push_back(export_of(alone.str()));
    auto at = export_of(data, std::to_string(i + 1));
    EXPECT_EQ(at.lines.size(), fresh[i].lines.size()) << "version " << i + 1;
    std::vector<std::string> only_at, only_fresh;
    std::set_difference(at.lines.begin(), at.lines.end(), fresh[i].lines.begin(), fresh[i].lines.end(),
                        std::back_inserter(only_at));
    std::set_difference(fresh[i].lines.begin(), fresh[i].lines.end(), at.lines.begin(), at.lines.end(),
                        std::back_inserter(only_fresh));
    EXPECT_TRUE(only_at.empty() && only_fresh.empty())
        << "version " << i + 1 << ": " << only_at.size()
        << " lines only at the version (first: " << (only_at.empty() ? "" : only_at[0]) << "), " << only_fresh.size()
        << " only in the fresh index (first: " << (only_fresh.empty() ? "" : only_fresh[0]) << ")";
  }
  // The newest version is the newest state.
  EXPECT_EQ(export_of(data, "head").lines, export_of(data).lines);

  // diff A B: the nodes and edges that differ between the fresh exports of A and B.
  for (size_t i = 0; i + 1 < fresh.size(); ++i) {
    auto r = run_cli({"diff", std::to_string(i + 1), std::to_string(i + 2), "--data-dir", data, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto d = json::parse(r.out);
    std::set<std::string> added, removed, changed, expect_added, expect_removed, expect_changed;
    for (const auto& c : d["nodes"]) {
      auto id = (c["change"] == "removed" ? c["before"] : c["after"])["id"].get<std::string>();
      (c["change"] == "added" ? added : c["change"] == "removed" ? removed : changed).insert(id);
    }
    const auto &a = fresh[i], &b = fresh[i + 1];
    for (const auto& [id, n] : b.nodes)
      if (!a.nodes.count(id))
        expect_added.insert(id);
      else if (a.nodes.at(id) != n)
        expect_changed.insert(id);
    for (const auto& [id, n] : a.nodes)
      if (!b.nodes.count(id)) expect_removed.insert(id);
    EXPECT_FALSE(expect_added.empty() && expect_removed.empty() && expect_changed.empty());  // every step changes
    EXPECT_EQ(added, expect_added) << "diff " << i + 1 << " " << i + 2;
    EXPECT_EQ(removed, expect_removed) << "diff " << i + 1 << " " << i + 2;
    EXPECT_EQ(changed, expect_changed) << "diff " << i + 1 << " " << i + 2;
    std::set<std::string> edges_added, edges_removed, expect_edges_added, expect_edges_removed;
    for (const auto& c : d["edges"]) (c["change"] == "added" ? edges_added : edges_removed).insert(edge_identity(c));
    std::set_difference(b.edges.begin(), b.edges.end(), a.edges.begin(), a.edges.end(),
                        std::inserter(expect_edges_added, expect_edges_added.end()));
    std::set_difference(a.edges.begin(), a.edges.end(), b.edges.begin(), b.edges.end(),
                        std::inserter(expect_edges_removed, expect_edges_removed.end()));
    EXPECT_EQ(edges_added, expect_edges_added) << "diff " << i + 1 << " " << i + 2;
    EXPECT_EQ(edges_removed, expect_edges_removed) << "diff " << i + 1 << " " << i + 2;
    EXPECT_EQ(d["total"]["nodesAdded"].get<size_t>(), expect_added.size());
    // Step 4 moved tool.py to cli_tool.py: each definition there pairs with the one it
    // was (same kind, name and text), both ways.
    if (i + 2 == 4) {
      std::map<std::string, json> by_id;
      for (const auto& c : d["nodes"]) by_id[(c["change"] == "removed" ? c["before"] : c["after"])["id"]] = c;
      size_t pairs = 0;
      for (const auto& c : d["nodes"]) {
        if (c["change"] != "added") continue;
        ASSERT_TRUE(c.contains("renamedFrom")) << c.dump();
        const auto& r = by_id[c["renamedFrom"].get<std::string>()];
        EXPECT_EQ(r["change"], "removed");
        EXPECT_EQ(r["renamedTo"], c["after"]["id"]);
        EXPECT_EQ(r["before"]["file"], "json/tool.py");
        EXPECT_EQ(c["after"]["file"], "json/cli_tool.py");
        if (c["after"]["kind"] != "file") EXPECT_EQ(r["before"]["name"], c["after"]["name"]);
        ++pairs;
      }
      EXPECT_GT(pairs, 3u);
      EXPECT_EQ(d["total"]["nodesRenamed"].get<size_t>(), pairs);
    }
  }
  // A version that does not exist, and a bad reference, are clear usage errors.
  auto none = run_cli({"export", "--data-dir", data, "--at", "99"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("versions 1 to 6"), std::string::npos) << none.err;
  auto bad = run_cli({"diff", "yesterday", "--data-dir", data});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("names no version"), std::string::npos) << bad.err;
  // Search reads a version (search_at_a_version_* below); similar does not.
  EXPECT_EQ(run_cli({"search", "decode", "--data-dir", data, "--at", "1", "-q"}).exit_code, 0);
  auto similar = run_cli({"similar", "0000000000000001", "--data-dir", data, "--at", "1"});
  EXPECT_EQ(similar.exit_code, 1);
  EXPECT_NE(similar.err.find("similar and the others use the newest state"), std::string::npos) << similar.err;
}

// A scripted git history (adds, edits, a rename, a delete, a branch and its merge),
// indexed with `index --git A..B` straight from the object database: at every commit
// `export --at SHA` equals a fresh index of a checkout of that commit.
TEST(versions_cli, git_commits_index_from_the_object_database_and_read_as_their_checkouts) {
  temp_dir work("versions-git");
  const fs::path repo = work / "repo";
  json_repo(repo);
  fs::copy(source_dir() + "/tests/fixtures/python", repo / "shop", fs::copy_options::recursive);
  write_file(repo / ".gitignore", "ignored/\n");
  git(repo, "add -A");
  git(repo, "commit -q -m 'the json package and a shop'");
  git(repo, "tag -a v1.0 -m 'the first release'");
  // A tracked file the .gitignore excludes: neither index reads it.
  fs::create_directories(repo / "ignored");
  write_file(repo / "ignored" / "x.py", "def hidden():\n    pass\n");
  git(repo, "add -f ignored/x.py");
  replace_all(repo / "json" / "decoder.py", "py_scanstring", "scan_py_string");
  git(repo, "commit -q -am 'rename py_scanstring'");
  branch_and_move(repo,
                  "from json.decoder import JSONDecoder, scan_py_string\n\ndef decode_all(texts):\n"
                  "    d = JSONDecoder()\n    return [d.decode(t) for t in texts]\n");
  git(repo, "rm -q json/scanner.py");
  write_file(repo / "README", "not code\n");
  git(repo, "add -A");
  git(repo, "commit -q -m 'drop the scanner'");
  git(repo, "merge -q --no-ff feature -m 'merge feature'");
  git(repo, "commit -q --allow-empty -m 'nothing indexed changes'");
  // The working tree differs from every commit: the index must not read it.
  replace_all(repo / "json" / "decoder.py", "JSONDecoder", "WorkingTreeOnly");

  const std::string data = (work / "data").string();
  auto root = git_out(repo, "rev-list --max-parents=0 HEAD");
  auto first = run_cli(
      {"index", "--git", root, repo.string(), "--data-dir", data, "--project", "hist", "--json", "--no-vectors"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(json::parse(first.out)["version"].get<uint64_t>(), 1u);
  auto r = run_cli({"index", "--git", root + "..main", repo.string(), "--data-dir", data, "--project", "hist", "--json",
                    "--no-vectors"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto runs = json::parse(r.out);
  EXPECT_EQ(runs["indexed"].get<size_t>(), 5u) << r.out;  // main's first-parent chain after the root
  EXPECT_EQ(runs["commits"].back()["version"].get<uint64_t>(), 0u) << "the empty commit changes nothing";
  // The branch tip on its own, and a re-run that finds everything indexed.
  ASSERT_EQ(run_cli({"index", "--git", "feature", repo.string(), "--data-dir", data, "--project", "hist", "-q",
                     "--no-vectors"})
                .exit_code,
            0);
  auto again = run_cli({"index", "--git", root + "..main", repo.string(), "--data-dir", data, "--project", "hist",
                        "--json", "--no-vectors"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["indexed"].get<size_t>(), 0u);

  auto shas = git_out(repo, "rev-list --first-parent main");
  std::vector<std::string> commits;
  std::istringstream in(shas + "\n" + git_out(repo, "rev-parse feature"));
  for (std::string line; std::getline(in, line);) commits.push_back(line);
  ASSERT_EQ(commits.size(), 7u);
  for (const auto& sha : commits) {
    temp_dir tree("versions-git-tree");
    git(repo, "--work-tree='" + tree.str() + "' checkout -f " + sha + " -- .");
    temp_dir alone("versions-git-fresh");
    index_json(tree.path(), alone.str());
    expect_same(export_of(data, sha.substr(0, 10)), export_of(alone.str()), "commit " + sha);
  }
  // The version records carry the commits' metadata.
  auto listed = json::parse(run_cli({"versions", "--data-dir", data, "--project", "hist", "--json"}).out);
  bool found_merge = false;
  for (const auto& v : listed["versions"])
    if (v.value("message", "") == "merge feature") {
      found_merge = true;
      EXPECT_EQ(v["source"], "git");
      EXPECT_EQ(v["author"], "Tester <t@example.org>");
    }
  EXPECT_TRUE(found_merge) << listed.dump();
  // Tags and branches name versions; --at and diff take them.
  auto cli = [&](std::vector<std::string> a) {
    a.insert(a.end(), {"--data-dir", data, "--project", "hist", "--json"});
    return run_cli(a);
  };
  ASSERT_EQ(cli({"versions", "tag", "first", root.substr(0, 8)}).exit_code, 0);
  ASSERT_EQ(cli({"versions", "branch", "trunk", "head~1"}).exit_code, 0);
  auto shown = cli({"versions", "show", "first"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(json::parse(shown.out)["id"].get<uint64_t>(), 1u);
  EXPECT_EQ(export_of(data, "first").lines, export_of(data, "1").lines);
  auto moved = cli({"versions", "tag", "first", "head"});
  EXPECT_EQ(moved.exit_code, 1);
  EXPECT_NE((moved.out + moved.err).find("--force"), std::string::npos) << moved.out << moved.err;
  EXPECT_EQ(cli({"diff", "first", "trunk"}).exit_code, 0);
  // git's branches and tags name the versions of their commits (an annotated tag
  // peeled); ours sit beside them.
  auto refs = json::parse(cli({"versions", "refs"}).out)["refs"];
  std::map<std::string, uint64_t> named;
  for (const auto& x : refs) named[x["kind"].get<std::string>() + "/" + x["name"].get<std::string>()] = x["version"];
  auto version_of = [&](const std::string& rev) {
    auto s = json::parse(cli({"versions", "show", git_out(repo, "rev-parse " + rev).substr(0, 12)}).out);
    return s.value("id", uint64_t{0});
  };
  EXPECT_EQ(named.size(), 5u) << refs.dump();
  EXPECT_EQ(named["tag/v1.0"], 1u) << refs.dump();
  EXPECT_EQ(named["branch/main"], version_of("main")) << refs.dump();
  EXPECT_EQ(named["branch/feature"], version_of("feature")) << refs.dump();
  EXPECT_EQ(named["tag/first"], 1u);
  EXPECT_EQ(export_of(data, "v1.0").lines, export_of(data, "1").lines);
  EXPECT_EQ(cli({"versions", "branch", "trunk", "--delete"}).exit_code, 0);
  EXPECT_EQ(json::parse(cli({"versions", "refs"}).out)["refs"].size(), 4u);
  EXPECT_NE(cli({"export", "--at", "trunk"}).exit_code, 0);
  // Git ancestry: a commit's version names the versions its parents are indexed as
  // (the merge's second parent, the feature tip, was not indexed then: its nearest
  // indexed first-parent ancestor), while `parent` is the version committed before;
  // NAME~N walks first git parents, as git does.
  auto record = [&](const std::string& rev) {
    return json::parse(cli({"versions", "show", git_out(repo, "rev-parse " + rev).substr(0, 12)}).out);
  };
  auto git_parents = [&](const json& v) { return v.value("gitParents", std::vector<uint64_t>{}); };
  const uint64_t renamed = version_of("main~4"), dropped = version_of("main~2"), merged = version_of("main~1");
  EXPECT_EQ(git_parents(record("feature")), std::vector<uint64_t>{renamed});
  EXPECT_EQ(record("feature")["parent"].get<uint64_t>(), merged) << "the feature tip was indexed after the merge";
  EXPECT_EQ(git_parents(record("main~1")), (std::vector<uint64_t>{dropped, renamed}));
  EXPECT_EQ(git_parents(record(root)), std::vector<uint64_t>{});
  EXPECT_EQ(json::parse(cli({"versions", "show", "feature~1"}).out)["id"].get<uint64_t>(), renamed);
  const std::string feature_version = std::to_string(version_of("feature"));
  EXPECT_EQ(json::parse(cli({"versions", "show", feature_version + "~2"}).out)["id"].get<uint64_t>(), 1u);
  // A prune points git parents at the nearest kept ancestors.
  auto pruned = cli({"versions", "prune", "--keep-last", "1", "--keep-tags"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  auto kept = json::parse(cli({"versions"}).out)["versions"];
  std::map<uint64_t, json> by_id;
  for (const auto& v : kept) by_id[v["id"].get<uint64_t>()] = v;
  ASSERT_EQ(by_id.size(), 3u) << kept.dump();  // the tag's (1), main's (the merge), feature's (the head)
  EXPECT_EQ(git_parents(by_id.at(merged)), std::vector<uint64_t>{1}) << kept.dump();
  EXPECT_EQ(git_parents(by_id.at(version_of("feature"))), std::vector<uint64_t>{1}) << kept.dump();
  EXPECT_EQ(json::parse(cli({"versions", "show", "feature~1"}).out)["id"].get<uint64_t>(), 1u);
  // Bad input: not a repository, an unknown revision.
  auto not_repo = run_cli({"index", "--git", "HEAD", work.str() + "/data", "--data-dir", data});
  EXPECT_NE(not_repo.exit_code, 0);
  EXPECT_NE(not_repo.err.find("not a git repository"), std::string::npos) << not_repo.err;
  auto unknown = run_cli({"index", "--git", "no-such-branch", repo.string(), "--data-dir", data});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("unknown revision"), std::string::npos) << unknown.err;
}

// kill -9 while commits are indexed and versions committed: every version committed
// before the kill reads exactly as it did, and a re-run finishes the range so that
// every commit reads as a fresh index of its checkout.
// A repository of two standard-library packages and one edit per commit after the
// first; returns how many commits it has.
size_t scripted_history(const fs::path& repo) {
  fs::create_directories(repo);
  git(repo, "init -q -b main");
  fs::copy("/usr/lib/python3.11/json", repo / "json", fs::copy_options::recursive);
  fs::remove_all(repo / "json" / "__pycache__");
  fs::copy("/usr/lib/python3.11/email", repo / "email", fs::copy_options::recursive);
  fs::remove_all(repo / "email" / "__pycache__");
  git(repo, "add -A");
  git(repo, "commit -q -m base");
  const std::vector<std::pair<std::string, std::string>> edits = {{"json/decoder.py", "py_scanstring"},
                                                                  {"email/utils.py", "formatdate"},
                                                                  {"email/parser.py", "Parser"},
                                                                  {"json/encoder.py", "py_encode_basestring"},
                                                                  {"email/message.py", "_splitparam"}};
  for (size_t i = 0; i < edits.size(); ++i) {
    replace_all(repo / edits[i].first, edits[i].second, edits[i].second + "_v" + std::to_string(i));
    git(repo, "commit -q -am 'edit " + std::to_string(i) + "'");
  }
  return edits.size() + 1;
}

// A shallow clone: its commits index as checkouts of them, the version at the boundary
// names no git parent (its parent is not in the clone), a revision beyond the boundary
// is a clear error that says why, and the versions already committed stay readable.
TEST(versions_cli, a_shallow_clone_indexes_to_its_boundary_and_says_why_it_stops) {
  temp_dir work("versions-shallow");
  const fs::path full = work / "full", clone = work / "clone";
  ASSERT_EQ(scripted_history(full), 6u);
  auto cmd = "git clone -q --depth 2 'file://" + full.string() + "' '" + clone.string() + "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  const std::string data = (work / "data").string();
  auto index = [&](const std::string& rev) {
    return run_cli(
        {"index", "--git", rev, clone.string(), "--data-dir", data, "--project", "hist", "--json", "--no-vectors"});
  };
  auto first = index("HEAD~1..HEAD");  // from the boundary (HEAD~1 is hidden: HEAD alone)...
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto boundary = index("HEAD~1");  // ...then the boundary commit itself
  ASSERT_EQ(boundary.exit_code, 0) << boundary.err;
  auto shown = [&](const std::string& rev) {
    auto r = run_cli({"versions", "show", git_out(clone, "rev-parse " + rev).substr(0, 12), "--data-dir", data,
                      "--project", "hist", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  };
  const auto head = shown("HEAD"), below = shown("HEAD~1");
  EXPECT_EQ(head.value("gitParents", std::vector<uint64_t>{}), std::vector<uint64_t>{})
      << "HEAD~1 was not indexed when HEAD was, and nothing below it is in the clone";
  EXPECT_EQ(below.value("gitParents", std::vector<uint64_t>{}), std::vector<uint64_t>{});
  for (const char* rev : {"HEAD~3", "HEAD~4..HEAD"}) {
    auto r = index(rev);
    EXPECT_NE(r.exit_code, 0) << rev;
    EXPECT_NE((r.out + r.err).find("shallow clone"), std::string::npos) << rev << ": " << r.out << r.err;
  }
  // Both commits read as checkouts of themselves, after the failed runs too.
  for (const std::string rev : {"HEAD", "HEAD~1"}) {
    temp_dir tree("versions-shallow-tree");
    git(clone, "--work-tree='" + tree.str() + "' checkout -f " + rev + " -- .");
    temp_dir alone("versions-shallow-fresh");
    index_json(tree.path(), alone.str());
    expect_same(export_of(data, git_out(clone, "rev-parse " + rev).substr(0, 10)), export_of(alone.str()), rev);
  }
}

TEST(versions_cli, a_kill_during_git_indexing_keeps_every_committed_version) {
  temp_dir work("versions-crash");
  const fs::path repo = work / "repo";
  const size_t commits = scripted_history(repo);
  const std::string data = (work / "data").string();
  auto root = git_out(repo, "rev-list --max-parents=0 HEAD");
  auto first = run_cli(
      {"index", "--git", root + "~0", repo.string(), "--data-dir", data, "--project", "hist", "-q", "--no-vectors"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto v1 = export_of(data, "1");
  std::vector<std::string> range{"index", "--git",     "main", repo.string(), "--data-dir",
                                 data,    "--project", "hist", "-q",          "--no-vectors"};
  range[2] = root + "..main";
  // Kills at growing moments: some before any commit, some between commits, some
  // inside one. After each, what was committed reads as before.
  std::map<std::string, graph_export> committed;  // sha -> its export when first seen
  for (int ms : {30, 120, 250, 400, 650}) {
    run_cli_and_kill_after(range, ms);
    EXPECT_EQ(export_of(data, "1").lines, v1.lines) << "after a kill at " << ms << " ms";
    auto listed = run_cli({"versions", "--data-dir", data, "--project", "hist", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const auto versions = json::parse(listed.out);  // kept alive: the loop reads into it
    for (const auto& v : versions["versions"]) {
      auto sha = v.value("commit", std::string());
      auto now = export_of(data, std::to_string(v["id"].get<uint64_t>()));
      if (auto it = committed.find(sha); it != committed.end())
        EXPECT_EQ(now.lines, it->second.lines) << "version of " << sha << " changed after a kill at " << ms << " ms";
      else
        committed.emplace(sha, std::move(now));
    }
  }
  auto rest = run_cli(range);
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  std::istringstream in(git_out(repo, "rev-list --first-parent main"));
  size_t checked = 0;
  for (std::string sha; std::getline(in, sha); ++checked) {
    temp_dir tree("versions-crash-tree");
    git(repo, "--work-tree='" + tree.str() + "' checkout -f " + sha + " -- .");
    temp_dir alone("versions-crash-fresh");
    index_json(tree.path(), alone.str());
    auto at = export_of(data, sha.substr(0, 12)), fresh = export_of(alone.str());
    // Exactly: definitions and edges (tests/oracle/same_graph.py checks the same of
    // fresh and grown indexes under two project names).
    EXPECT_EQ(at.nodes, fresh.nodes) << "commit " << sha;
    EXPECT_EQ(at.edges, fresh.edges) << "commit " << sha;
  }
  EXPECT_EQ(checked, commits);
}

TEST(versions_cli, pruning_keeps_recent_tagged_and_branch_versions_exact_and_frees_space) {
  temp_dir work("versions-prune");
  const fs::path repo = work / "repo";
  const size_t commits = scripted_history(repo);
  const std::string data = (work / "data").string();
  auto root = git_out(repo, "rev-list --max-parents=0 HEAD");
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--data-dir", data, "--project", "hist"});
    return run_cli(args);
  };
  auto indexed = cli({"index", "--git", root + "~0", repo.string(), "-q", "--no-vectors"});
  ASSERT_EQ(indexed.exit_code, 0) << indexed.err;
  indexed = cli({"index", "--git", root + "..main", repo.string(), "-q", "--no-vectors"});
  ASSERT_EQ(indexed.exit_code, 0) << indexed.err;
  std::map<uint64_t, graph_export> before;
  for (uint64_t v = 1; v <= commits; ++v) before[v] = export_of(data, std::to_string(v));
  ASSERT_EQ(cli({"versions", "tag", "release", "2"}).exit_code, 0);
  ASSERT_EQ(cli({"versions", "branch", "topic", "4"}).exit_code, 0);
  ASSERT_EQ(cli({"versions", "tag", "scratch", "3"}).exit_code, 0);

  // A dry run lists what would go and drops nothing.
  auto dry = cli({"versions", "prune", "--keep-last", "1", "--keep-tags", "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(json::parse(dry.out)["dropped"], json::parse("[1, 5]"));
  EXPECT_EQ(export_of(data, "1").lines, before[1].lines);

  // Keep the newest two and the branch; tags are not kept without --keep-tags.
  auto pruned = cli({"versions", "prune", "--keep-last", "2", "--json"});
  ASSERT_EQ(pruned.exit_code, 0) << pruned.err;
  auto out = json::parse(pruned.out);
  EXPECT_EQ(out["dropped"], json::parse("[1, 2, 3]"));
  EXPECT_LT(out["store_bytes_after"].get<uint64_t>(), out["store_bytes_before"].get<uint64_t>());
  for (uint64_t v = 1; v <= commits; ++v) {
    if (v <= 3) {
      auto r = cli({"export", "--at", std::to_string(v)});
      EXPECT_NE(r.exit_code, 0) << "version " << v << " was pruned";
      EXPECT_NE(r.err.find("pruned"), std::string::npos) << r.err;
    } else {
      EXPECT_EQ(export_of(data, std::to_string(v)).lines, before[v].lines) << "version " << v;
    }
  }
  EXPECT_EQ(export_of(data, "topic").lines, before[4].lines);
  // Tags of dropped versions went with them; ~N walks the kept versions.
  EXPECT_NE(cli({"export", "--at", "release"}).exit_code, 0);
  EXPECT_EQ(export_of(data, "head~2").lines, before[4].lines);
  auto listed = json::parse(cli({"versions", "--json"}).out)["versions"];
  ASSERT_EQ(listed.size(), commits - 3);
  EXPECT_EQ(listed[0]["parent"], 0);
  EXPECT_EQ(listed[1]["parent"], 4);

  // Indexing goes on after a prune: a new commit reads as a fresh index of its tree.
  replace_all(repo / "json/scanner.py", "py_make_scanner", "py_make_scanner_v9");
  git(repo, "commit -q -am 'after the prune'");
  ASSERT_EQ(cli({"index", "--git", "main", repo.string(), "-q", "--no-vectors"}).exit_code, 0);
  temp_dir tree("versions-prune-tree");
  git(repo, "--work-tree='" + tree.str() + "' checkout -f main -- .");
  temp_dir alone("versions-prune-fresh");
  index_json(tree.path(), alone.str());
  auto head = export_of(data, "head"), fresh = export_of(alone.str());
  EXPECT_EQ(head.nodes, fresh.nodes);
  EXPECT_EQ(head.edges, fresh.edges);
  EXPECT_EQ(export_of(data, "5").lines, before[5].lines);
}

TEST(versions_cli, blame_names_the_version_that_created_or_last_changed_each_definition) {
  temp_dir work("versions-blame");
  const fs::path repo = work / "repo";
  scripted_history(repo);
  const std::string data = (work / "data").string();
  auto root = git_out(repo, "rev-list --max-parents=0 HEAD");
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--data-dir", data, "--project", "hist"});
    return run_cli(args);
  };
  ASSERT_EQ(cli({"index", "--git", root + "~0", repo.string(), "-q", "--no-vectors"}).exit_code, 0);
  ASSERT_EQ(cli({"index", "--git", root + "..main", repo.string(), "-q", "--no-vectors"}).exit_code, 0);
  // Blame of a file: one row per definition.
  auto blame_of = [&](const std::string& target) {
    auto r = cli({"blame", target, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, json> by_name;
    const auto out = json::parse(r.out);
    for (const auto& row : out["blame"]) by_name[row["name"].get<std::string>()] = row;
    return by_name;
  };
  auto b = blame_of("json/decoder.py");
  const auto edit0 = git_out(repo, "rev-parse main~4");  // renamed py_scanstring in json/decoder.py
  // Renamed: a new definition, made by that commit.
  ASSERT_TRUE(b.count("json.decoder.py_scanstring_v0"));
  EXPECT_EQ(b["json.decoder.py_scanstring_v0"]["created_in"]["id"], 2);
  EXPECT_EQ(b["json.decoder.py_scanstring_v0"]["created_in"]["commit"], edit0);
  EXPECT_EQ(b["json.decoder.py_scanstring_v0"]["changed_in"]["id"], 2);
  // Its text mentions the new name: changed there, made before.
  EXPECT_EQ(b["json.decoder.scanstring"]["changed_in"]["id"], 2);
  EXPECT_TRUE(b["json.decoder.scanstring"]["created_in"].is_null());
  // Untouched since the first version.
  EXPECT_TRUE(b["json.decoder.JSONArray"]["changed_in"].is_null());
  EXPECT_TRUE(b["json.decoder.JSONArray"]["created_in"].is_null());
  EXPECT_EQ(b["json.decoder.JSONArray"]["oldest_version"], 1);

  // A commit that moves every definition (a comment on top) and edits one: only that
  // one changed; a move is no change.
  auto text = read_file(repo / "json/decoder.py");
  text = "# moved down by a line\n" + text;
  auto at = text.find("    values = []");
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "    # a new line in JSONArray\n");
  write_file(repo / "json/decoder.py", text);
  git(repo, "commit -q -am 'edit JSONArray'");
  ASSERT_EQ(cli({"index", "--git", "main", repo.string(), "-q", "--no-vectors"}).exit_code, 0);
  b = blame_of("json/decoder.py");
  EXPECT_EQ(b["json.decoder.JSONArray"]["changed_in"]["id"], 7);
  EXPECT_EQ(b["json.decoder.JSONArray"]["changed_in"]["message"], "edit JSONArray");
  EXPECT_TRUE(b["json.decoder.JSONArray"]["created_in"].is_null());
  EXPECT_TRUE(b["json.decoder.JSONObject"]["changed_in"].is_null());
  EXPECT_EQ(b["json.decoder.scanstring"]["changed_in"]["id"], 2);
  // By name too; and clear errors.
  auto one = blame_of("JSONArray");
  EXPECT_EQ(one.size(), 1u);
  EXPECT_EQ(one.begin()->second["changed_in"]["id"], 7);
  EXPECT_NE(cli({"blame", "no_such_definition"}).exit_code, 0);
  EXPECT_NE(cli({"blame", "JSONArray", "--at", "2"}).exit_code, 0);
  // After a prune only what changed after the oldest kept version is known.
  ASSERT_EQ(cli({"versions", "prune", "--keep-last", "2", "-q"}).exit_code, 0);
  b = blame_of("json/decoder.py");
  EXPECT_EQ(b["json.decoder.JSONArray"]["changed_in"]["id"], 7);
  EXPECT_TRUE(b["json.decoder.scanstring"]["changed_in"].is_null());
  EXPECT_EQ(b["json.decoder.scanstring"]["oldest_version"], 6);

  // A moved file: its definitions get new ids (ids derive from paths), and blame
  // follows them back through the move (the diff pairs them by kind and text).
  git(repo, "mv json/decoder.py json/dec2.py");
  git(repo, "commit -q -m 'move the decoder'");
  ASSERT_EQ(cli({"index", "--git", "main", repo.string(), "-q", "--no-vectors"}).exit_code, 0);  // version 8
  replace_all(repo / "json/dec2.py", "    pairs = []", "    # edited after the move\n    pairs = []");
  git(repo, "commit -q -am 'edit JSONObject'");
  ASSERT_EQ(cli({"index", "--git", "main", repo.string(), "-q", "--no-vectors"}).exit_code, 0);  // version 9
  b = blame_of("json/dec2.py");
  ASSERT_TRUE(b.count("json.dec2.JSONArray")) << json(b).dump();
  const auto& arr = b["json.dec2.JSONArray"];
  EXPECT_EQ(arr["changed_in"]["id"], 7) << arr.dump();  // its last edit, before the move
  EXPECT_TRUE(arr["created_in"].is_null()) << arr.dump();
  ASSERT_EQ(arr["renames"].size(), 1u) << arr.dump();
  EXPECT_EQ(arr["renames"][0]["version"]["id"], 8);
  EXPECT_EQ(arr["renames"][0]["version"]["message"], "move the decoder");
  EXPECT_EQ(arr["renames"][0]["file"], "json/decoder.py");
  EXPECT_EQ(arr["renames"][0]["name"], "json.decoder.JSONArray");
  const auto& obj = b["json.dec2.JSONObject"];
  EXPECT_EQ(obj["changed_in"]["id"], 9) << obj.dump();  // edited after the move
  EXPECT_TRUE(obj["created_in"].is_null()) << obj.dump();
  EXPECT_EQ(obj["renames"].size(), 1u) << obj.dump();
  EXPECT_TRUE(b["json.dec2.scanstring"]["changed_in"].is_null());  // not since the oldest kept (6)
  // Without a move in its history a definition names none.
  auto enc = blame_of("json/encoder.py");
  ASSERT_FALSE(enc.empty());
  for (const auto& [name, row] : enc) EXPECT_TRUE(row["renames"].empty()) << name;
  // The text table says where it was.
  auto table = cli({"blame", "json/dec2.py"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("was json.decoder.JSONArray in json/decoder.py until v8"), std::string::npos) << table.out;
}

}  // namespace
}  // namespace cg

namespace cg {
namespace {

// The hits of a search, as ids, names and scores (timings aside).
std::vector<std::string> search_hits(const std::string& data, const std::string& query, const std::string& at = "") {
  std::vector<std::string> args{"search", query,    "--data-dir", data, "--project", "hist",
                                "--json", "--mode", "exact",      "-k", "8"};
  if (!at.empty()) args.insert(args.end(), {"--at", at});
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> out;
  auto j = json::parse(r.out, nullptr, false);
  if (!j.is_object()) return {"unparsable: " + r.out};
  for (const auto& h : j["hits"]) {
    char score[32];
    std::snprintf(score, sizeof score, "%.5f", h["score"].get<double>());
    out.push_back(h["id"].get<std::string>() + " " + h["name"].get<std::string>() + " " + score);
  }
  return out;
}

TEST(versions_cli, search_at_a_version_answers_as_a_fresh_index_of_its_tree) {
  temp_dir work("versions-search");
  const fs::path tree = work / "tree";
  fs::create_directories(tree);
  fs::copy("/usr/lib/python3.11/json", tree / "json", fs::copy_options::recursive);
  fs::copy(source_dir() + "/tests/fixtures/python", tree / "shop", fs::copy_options::recursive);
  const std::string data = (work / "data").string();
  std::vector<std::function<void()>> steps = {
      [] {},
      [&] {
        write_file(tree / "json" / "extra.py",
                   "def decode_every_document(texts):\n    \"\"\"Decode every JSON document of a list.\"\"\"\n"
                   "    return [loads(t) for t in texts]\n");
      },
      [&] { fs::remove(tree / "json" / "scanner.py"); },
  };
  std::vector<fs::path> snapshots;
  for (size_t i = 0; i < steps.size(); ++i) {
    steps[i]();
    auto r = run_cli({"index", tree.string(), "--data-dir", data, "--project", "hist", "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    snapshots.push_back(work / ("step" + std::to_string(i + 1)));
    fs::copy(tree, snapshots.back(), fs::copy_options::recursive);
  }
  const std::vector<std::string> queries = {"decode every json document", "make scanner for strings",
                                            "order total price"};
  for (size_t i = 0; i < snapshots.size(); ++i) {
    temp_dir alone("versions-search-fresh");
    ASSERT_EQ(run_cli({"index", snapshots[i].string(), "--data-dir", alone.str(), "--project", "hist", "-q"}).exit_code,
              0);
    for (const auto& q : queries) {
      auto at = search_hits(data, q, std::to_string(i + 1));
      EXPECT_FALSE(at.empty()) << q;
      EXPECT_EQ(at, search_hits(alone.str(), q)) << "version " << i + 1 << ", \"" << q << "\"";
    }
  }
  // What only a later version holds is not found at an earlier one.
  auto has = [](const std::vector<std::string>& hits, const std::string& name) {
    return std::any_of(hits.begin(), hits.end(),
                       [&](const auto& h) { return h.find(" " + name + " ") != std::string::npos; });
  };
  EXPECT_FALSE(has(search_hits(data, "decode every json document", "1"), "decode_every_document"));
  EXPECT_TRUE(has(search_hits(data, "decode every json document", "2"), "decode_every_document"));
  EXPECT_TRUE(has(search_hits(data, "make scanner", "2"), "py_make_scanner"));
  EXPECT_FALSE(has(search_hits(data, "make scanner", "3"), "py_make_scanner"));
  // Bad references are clear errors.
  auto bad = run_cli({"search", "x", "--data-dir", data, "--project", "hist", "--at", "99"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("version"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace cg

namespace cg {
namespace {

// stream_diff hands over the changes diff_versions sorts, whatever the piece size, and
// stops when its sink says so.
TEST(versions_cli, a_streamed_diff_finds_what_the_whole_diff_holds_and_stops_on_request) {
  temp_dir work("versions-stream");
  const fs::path tree = work / "tree";
  fs::create_directories(tree);
  fs::copy("/usr/lib/python3.11/json", tree / "json", fs::copy_options::recursive);
  const std::string data = (work / "data").string();
  ASSERT_EQ(index_json(tree, data)["version"], 1);
  replace_all(tree / "json" / "decoder.py", "py_scanstring", "scan_py_string");
  fs::remove(tree / "json" / "scanner.py");
  write_file(tree / "json" / "extra.py", "def extra(x):\n    return scan_py_string(x, 1)\n");
  ASSERT_EQ(index_json(tree, data)["version"], 2);
  auto db = open_store(data, true);
  auto proj = *db->project_id("hist");
  auto whole = diff_versions(*db, proj, 1, 2);
  ASSERT_TRUE(whole.ok()) << whole.err().message;
  ASSERT_GT(whole->nodes.size(), 10u);
  std::multiset<std::string> want, got;
  for (const auto& c : whole->nodes) want.insert(to_json(c).dump());
  for (const auto& c : whole->edges) want.insert(to_json(c).dump());
  for (size_t piece : {size_t{1}, size_t{7}, size_t{1024}}) {
    got.clear();
    diff_sink sink;
    sink.node = [&](node_change&& c) { return got.insert(to_json(c).dump()), true; };
    sink.edge = [&](edge_change&& c) { return got.insert(to_json(c).dump()), true; };
    auto t = stream_diff(*db, proj, 1, 2, sink, piece);
    ASSERT_TRUE(t.ok()) << t.err().message;
    EXPECT_FALSE(t->stopped);
    EXPECT_EQ(got, want) << "piece " << piece;
    EXPECT_EQ(t->total.nodes_removed, whole->total.nodes_removed);
    EXPECT_EQ(t->files.size(), whole->files.size());
  }
  size_t calls = 0;
  diff_sink quit;
  quit.node = [&](node_change&&) { return ++calls < 3; };
  quit.edge = [&](edge_change&&) { return ++calls, false; };
  auto t = stream_diff(*db, proj, 1, 2, quit, 2);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->stopped);
  EXPECT_EQ(calls, 3u);
}

}  // namespace
}  // namespace cg

namespace cg {
namespace {

// A branch commit indexed after other work: the graph goes back to its nearest
// indexed ancestor first, so the run parses only what the branch changed, and every
// version (and the newest state, search included) still reads as a fresh index of
// its tree.
TEST(versions_cli, a_branch_commit_is_indexed_from_its_nearest_indexed_ancestor) {
  temp_dir work("versions-branch");
  const fs::path repo = work / "repo";
  json_repo(repo);
  git(repo, "add -A");
  git(repo, "commit -q -m base");
  branch_and_move(repo,
                  "from json.decoder import JSONDecoder\n\ndef decode_everything(texts):\n"
                  "    d = JSONDecoder()\n    return [d.decode(t) for t in texts]\n");
  replace_all(repo / "json" / "encoder.py", "py_encode_basestring", "encode_basestring_py");
  git(repo, "commit -q -am 'rename in the encoder'");

  const std::string data = (work / "data").string();
  auto index = [&](const std::string& rev) {
    auto r = run_cli({"index", "--git", rev, repo.string(), "--data-dir", data, "--project", "hist", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  };
  auto version_of = [&](const std::string& rev) {
    auto r = run_cli({"versions", "show", git_out(repo, "rev-parse " + rev).substr(0, 12), "--data-dir", data,
                      "--project", "hist", "--json"});
    return json::parse(r.out).value("id", uint64_t{0});
  };
  auto same_as_fresh = [&](const std::string& rev, const std::string& at) {
    temp_dir tree("versions-branch-tree"), alone("versions-branch-fresh");
    git(repo, "--work-tree='" + tree.str() + "' checkout -f " + git_out(repo, "rev-parse " + rev) + " -- .");
    index_json(tree.path(), alone.str());
    expect_same(export_of(data, at), export_of(alone.str()), rev + " at '" + at + "'");
  };
  index("main~2");
  index("main~2..main");
  ASSERT_EQ(search_files(data, "cli_tool main").count("json/cli_tool.py"), 1u);

  // The feature tip: from the base (its nearest indexed ancestor), not from main's tip.
  auto feature = index("feature");
  ASSERT_TRUE(feature.contains("based_on")) << feature.dump();
  EXPECT_EQ(feature["based_on"]["version"].get<uint64_t>(), version_of("main~2")) << feature.dump();
  EXPECT_GT(feature["based_on"]["keys"].get<size_t>(), 0u);
  EXPECT_EQ(feature["files"]["added"].get<size_t>(), 1u) << feature.dump();  // extra.py alone
  EXPECT_EQ(feature["files"]["changed"].get<size_t>(), 0u) << feature.dump();
  EXPECT_EQ(feature["files"]["removed"].get<size_t>(), 0u) << feature.dump();
  same_as_fresh("feature", "");  // the newest state
  same_as_fresh("feature", git_out(repo, "rev-parse feature").substr(0, 10));
  // The search index followed the files that went back.
  auto files = search_files(data, "tool main");
  EXPECT_EQ(files.count("json/cli_tool.py"), 0u);
  EXPECT_EQ(files.count("json/tool.py"), 1u);
  EXPECT_EQ(search_files(data, "decode_everything").count("json/extra.py"), 1u);

  // Back on main: from main's tip, its nearest indexed ancestor.
  replace_all(repo / "json" / "decoder.py", "py_scanstring", "scan_py_string");
  git(repo, "commit -q -am 'rename in the decoder'");
  auto next = index("main");
  ASSERT_TRUE(next.contains("based_on")) << next.dump();
  EXPECT_EQ(next["based_on"]["version"].get<uint64_t>(), version_of("main~1"));
  EXPECT_EQ(next["files"]["changed"].get<size_t>(), 1u) << next.dump();
  EXPECT_EQ(next["files"]["added"].get<size_t>(), 0u) << next.dump();
  EXPECT_EQ(next["files"]["removed"].get<size_t>(), 0u) << next.dump();
  EXPECT_EQ(search_files(data, "decode_everything").count("json/extra.py"), 0u);
  // A linear step goes on from the current state, without going back.
  replace_all(repo / "json" / "encoder.py", "encode_basestring_py", "py_encode_basestring");
  git(repo, "commit -q -am 'rename back'");
  EXPECT_FALSE(index("main").contains("based_on"));
  // Every commit reads as a fresh index of its tree, and so does the newest state.
  for (const std::string rev : {"main~4", "main~3", "main~2", "main~1", "main", "feature"})
    same_as_fresh(rev, git_out(repo, "rev-parse " + rev).substr(0, 10));
  same_as_fresh("main", "");
  // The text report says so too: the feature tip again, after main moved on.
  git(repo, "checkout -q -b feature2 feature");
  replace_all(repo / "json" / "extra.py", "decode_everything", "decode_every_text");
  git(repo, "commit -q -am 'feature, renamed'");
  git(repo, "checkout -q main");
  auto text = run_cli({"index", "--git", "feature2", repo.string(), "--data-dir", data, "--project", "hist"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("from version " + std::to_string(version_of("feature")) + ", its nearest indexed ancestor"),
            std::string::npos)
      << text.out;
  same_as_fresh("feature2", "");
}

}  // namespace
}  // namespace cg
