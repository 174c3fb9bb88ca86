// Globs with gitignore semantics and the tree walker's skip rules.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "actors/indexer/glob.hpp"
#include "actors/indexer/walker.hpp"
#include "tests/support/support.hpp"

namespace cg {
namespace {

using test::temp_dir;
using test::write_file;

TEST(glob, basics) {
  EXPECT_TRUE(glob_match("*.py", "a.py"));
  EXPECT_FALSE(glob_match("*.py", "dir/a.py"));  // * stops at /
  EXPECT_TRUE(glob_match("**/*.py", "dir/sub/a.py"));
  EXPECT_TRUE(glob_match("**/*.py", "a.py"));  // **/ matches zero directories
  EXPECT_TRUE(glob_match("src/**", "src/a/b/c.go"));
  EXPECT_TRUE(glob_match("a/**/b", "a/b"));
  EXPECT_TRUE(glob_match("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(glob_match("a/**/b", "a/x/y/c"));
  EXPECT_TRUE(glob_match("file?.c", "file1.c"));
  EXPECT_FALSE(glob_match("file?.c", "file10.c"));
  EXPECT_TRUE(glob_match("[a-c]x", "bx"));
  EXPECT_FALSE(glob_match("[!a-c]x", "bx"));
  EXPECT_TRUE(glob_match("\\*literal", "*literal"));
  EXPECT_FALSE(glob_match("\\*literal", "xliteral"));
}

TEST(gitignore, last_match_wins_and_scopes_to_its_directory) {
  pattern_set p;
  p.add_lines("# comment\n*.log\n!keep.log\nbuild/\n/rooted.txt\ndocs/*.md\n", "");
  p.add_lines("secret.txt\n", "sub");
  EXPECT_EQ(p.decide("x.log", false), 1);
  EXPECT_EQ(p.decide("deep/dir/x.log", false), 1);
  EXPECT_EQ(p.decide("keep.log", false), -1);
  EXPECT_EQ(p.decide("build", true), 1);
  EXPECT_EQ(p.decide("build", false), 0);  // dir-only pattern, a file named build
  EXPECT_EQ(p.decide("rooted.txt", false), 1);
  EXPECT_EQ(p.decide("a/rooted.txt", false), 0);  // anchored
  EXPECT_EQ(p.decide("docs/a.md", false), 1);
  EXPECT_EQ(p.decide("docs/deep/a.md", false), 0);
  EXPECT_EQ(p.decide("sub/secret.txt", false), 1);
  EXPECT_EQ(p.decide("other/secret.txt", false), 0);
}

struct tree {
  temp_dir dir{"walk"};
  walk_result walk(walk_options o = {}) {
    auto r = walk_tree(dir.str(), o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.err().message);
    return r.ok() ? std::move(*r) : walk_result{};
  }
  static std::vector<std::string> paths(const walk_result& r) {
    std::vector<std::string> out;
    for (auto& f : r.files) out.push_back(f.path);
    return out;
  }
  static std::string reason(const walk_result& r, const std::string& path) {
    for (auto& s : r.skipped)
      if (s.path == path) return s.reason;
    return "";
  }
};

TEST(walker, honours_gitignore_files_at_every_level) {
  tree t;
  write_file(t.dir / ".gitignore", "*.gen.py\nignored_dir/\n");
  write_file(t.dir / "a.py", "x = 1\n");
  write_file(t.dir / "b.gen.py", "x = 1\n");
  write_file(t.dir / "ignored_dir/c.py", "x = 1\n");
  write_file(t.dir / "pkg/.gitignore", "local.py\n!b.gen.py\n");
  write_file(t.dir / "pkg/local.py", "x = 1\n");
  write_file(t.dir / "pkg/b.gen.py", "x = 1\n");
  write_file(t.dir / "pkg/kept.py", "x = 1\n");
  write_file(t.dir / "other/local.py", "x = 1\n");
  auto r = t.walk();
  EXPECT_EQ(tree::paths(r), (std::vector<std::string>{"a.py", "other/local.py", "pkg/b.gen.py", "pkg/kept.py"}));
  EXPECT_EQ(r.ignored, 3u);
  walk_options all;
  all.respect_gitignore = false;
  EXPECT_EQ(t.walk(all).files.size(), 7u);
}

TEST(walker, skips_vendored_hidden_and_build_output_with_reasons) {
  tree t;
  write_file(t.dir / "src/app.go", "package app\n");
  write_file(t.dir / "node_modules/lib/index.js", "x\n");
  write_file(t.dir / "vendor/github.com/x/y.go", "package y\n");
  write_file(t.dir / ".hidden/a.py", "x = 1\n");
  write_file(t.dir / "out/CMakeCache.txt", "# cmake\n");
  write_file(t.dir / "out/gen.cpp", "int x;\n");
  write_file(t.dir / "target/CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n");
  write_file(t.dir / "target/debug/build.rs", "fn main() {}\n");
  write_file(t.dir / "env/pyvenv.cfg", "home = /usr/bin\n");
  write_file(t.dir / "env/lib/site.py", "x = 1\n");
  write_file(t.dir / "venv/__init__.py", "x = 1\n");       // a package named venv, not a virtualenv
  write_file(t.dir / "build/tool.go", "package build\n");  // a package named build, not output
  auto r = t.walk();
  EXPECT_EQ(tree::paths(r), (std::vector<std::string>{"build/tool.go", "src/app.go", "venv/__init__.py"}));
  EXPECT_EQ(tree::reason(r, "node_modules"), "vendored or cache directory");
  EXPECT_EQ(tree::reason(r, "vendor"), "vendored or cache directory");
  EXPECT_EQ(tree::reason(r, ".hidden"), "hidden directory");
  EXPECT_EQ(tree::reason(r, "out"), "build output (has CMakeCache.txt)");
  EXPECT_EQ(tree::reason(r, "target"), "build output (has CACHEDIR.TAG)");
  EXPECT_EQ(tree::reason(r, "env"), "virtualenv");
}

TEST(walker, languages_sizes_globs_and_unsupported_files) {
  tree t;
  write_file(t.dir / "a.py", "x = 1\n");
  write_file(t.dir / "b.rs", "fn f() {}\n");
  write_file(t.dir / "c.tsx", "export const x = 1;\n");
  write_file(t.dir / "README.md", "# readme\n");
  write_file(t.dir / "big.go", std::string(5000, '/'));
  write_file(t.dir / "tool", "#!/usr/bin/env python3\nprint(1)\n");
  write_file(t.dir / "tests/test_a.py", "x = 1\n");
  walk_options o;
  o.max_file_bytes = 4096;
  auto r = t.walk(o);
  EXPECT_EQ(tree::paths(r), (std::vector<std::string>{"a.py", "b.rs", "c.tsx", "tests/test_a.py", "tool"}));
  EXPECT_EQ(std::find_if(r.files.begin(), r.files.end(), [](auto& f) { return f.path == "tool"; })->lang,
            language::python);
  EXPECT_EQ(r.unsupported, 1u);
  EXPECT_EQ(tree::reason(r, "big.go"), "too large (0.0 MiB > 0.0 MiB limit)");
  walk_options py;
  py.languages = {language::python};
  py.exclude = {"tests/"};
  EXPECT_EQ(tree::paths(t.walk(py)), (std::vector<std::string>{"a.py", "tool"}));
  walk_options inc;
  inc.include = {"*.rs", "*.tsx"};
  EXPECT_EQ(tree::paths(t.walk(inc)), (std::vector<std::string>{"b.rs", "c.tsx"}));
}

TEST(walker, symlinks_loops_and_special_files) {
  tree t;
  write_file(t.dir / "real/a.py", "x = 1\n");
  ASSERT_EQ(::symlink("real", (t.dir / "link").c_str()), 0);
  ASSERT_EQ(::symlink("..", (t.dir / "real/loop").c_str()), 0);
  ASSERT_EQ(::symlink("missing.py", (t.dir / "dangling.py").c_str()), 0);
  ASSERT_EQ(::mkfifo((t.dir / "pipe.py").c_str(), 0644), 0);
  auto r = t.walk();
  EXPECT_EQ(tree::paths(r), (std::vector<std::string>{"real/a.py"}));
  EXPECT_EQ(tree::reason(r, "link"), "symbolic link (not followed)");
  EXPECT_EQ(tree::reason(r, "pipe.py"), "not a regular file");
  walk_options follow;
  follow.follow_symlinks = true;
  auto f = t.walk(follow);  // must terminate despite real/loop -> ..
  EXPECT_EQ(tree::paths(f), (std::vector<std::string>{"real/a.py"}));
  EXPECT_EQ(tree::reason(f, "link"), "directory already visited (symlink loop)");
  EXPECT_EQ(tree::reason(f, "real/loop"), "directory already visited (symlink loop)");
  EXPECT_TRUE(tree::reason(f, "link/a.py").empty());
  EXPECT_NE(tree::reason(f, "dangling.py").find("broken symbolic link"), std::string::npos);
}

TEST(walker, refuses_what_is_not_a_directory) {
  temp_dir d("walk");
  write_file(d / "file.py", "x = 1\n");
  auto r = walk_tree((d / "file.py").string(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find("not a directory"), std::string::npos);
  auto m = walk_tree((d / "missing").string(), {});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.err().message.find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace cg
