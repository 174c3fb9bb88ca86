#pragma once
// Glob patterns with gitignore semantics: `*` and `?` stop at '/', `**` spans
// directories, `[a-z]`/`[!x]` classes, `\` escapes. A pattern without a '/' (other
// than a trailing one) matches a name at any depth; with one, it matches the path
// relative to where it was declared.
#include <string>
#include <string_view>
#include <vector>

namespace cg {

bool glob_match(std::string_view pattern, std::string_view text);

struct path_pattern {
  std::string glob;       // anchored: relative to base; else matched against the basename
  bool negate = false;    // "!pattern": re-include
  bool dir_only = false;  // "pattern/": directories only
  bool anchored = false;
  std::string base;  // directory the pattern was declared in ("" for the root)

  static bool parse(std::string_view line, std::string_view base, path_pattern& out);
  // rel: path relative to the root; is_dir: whether it names a directory.
  bool matches(std::string_view rel, bool is_dir) const;
};

// A list of patterns where the last match decides (gitignore order).
class pattern_set {
 public:
  void add(path_pattern p) { patterns_.push_back(std::move(p)); }
  void add_lines(std::string_view text, std::string_view base);
  // 1: ignored, -1: re-included, 0: no pattern matched.
  int decide(std::string_view rel, bool is_dir) const;
  bool empty() const { return patterns_.empty(); }
  size_t size() const { return patterns_.size(); }

 private:
  std::vector<path_pattern> patterns_;
};

}  // namespace cg
