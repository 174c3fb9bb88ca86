#include "actors/indexer/walker_git.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "actors/indexer/glob.hpp"
#include "actors/parser/language_detect.hpp"

namespace cg {
namespace {

struct dir_node {
  std::map<std::string, dir_node> dirs;
  std::map<std::string, const git_tree_entry_info*> files;
};

std::string join_rel(const std::string& dir, const std::string& name) { return dir.empty() ? name : dir + "/" + name; }

class git_walker {
 public:
  git_walker(const git_repo& repo, const walk_options& o, walk_result& r) : repo_(repo), opts_(o), out_(r) {
    for (const auto& g : o.include)
      if (path_pattern p; path_pattern::parse(g, "", p)) include_.add(std::move(p));
    for (const auto& g : o.exclude)
      if (path_pattern p; path_pattern::parse(g, "", p)) exclude_.add(std::move(p));
  }

  void run(const std::vector<git_tree_entry_info>& entries) {
    dir_node top;
    for (const auto& e : entries) {
      dir_node* d = &top;
      size_t start = 0;
      for (size_t slash; (slash = e.path.find('/', start)) != std::string::npos; start = slash + 1)
        d = &d->dirs[e.path.substr(start, slash - start)];
      d->files[e.path.substr(start)] = &e;
    }
    if (opts_.respect_gitignore) {
      if (auto ex = read_text(repo_.git_dir() + "/info/exclude"); !ex.empty()) ignore_.add_lines(ex, "");
    }
    walk_dir("", top);
  }

 private:
  static std::string read_text(const std::string& path) {
    std::string out;
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
      char buf[4096];
      for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
      std::fclose(f);
    }
    return out;
  }

  static bool has(const dir_node& d, std::string_view rel) {
    const dir_node* at = &d;
    size_t start = 0;
    for (size_t slash; (slash = rel.find('/', start)) != std::string_view::npos; start = slash + 1) {
      auto it = at->dirs.find(std::string(rel.substr(start, slash - start)));
      if (it == at->dirs.end()) return false;
      at = &it->second;
    }
    return at->files.count(std::string(rel.substr(start))) > 0;
  }

  std::string skip_reason(const std::string& name, const dir_node& d) const {
    if (auto why = dir_name_skip_reason(opts_, name); !why.empty()) return why;
    if (has(d, "pyvenv.cfg")) return "virtualenv";
    for (const char* marker : build_output_markers)
      if (has(d, marker)) return std::string("build output (has ") + marker + ")";
    return {};
  }

  void walk_dir(const std::string& rel, const dir_node& d) {
    pattern_set saved;
    bool pushed = false;
    if (auto gi = d.files.find(".gitignore"); opts_.respect_gitignore && gi != d.files.end()) {
      if (auto text = repo_.blob(gi->second->blob, 1 << 20); text.ok() && !text->empty()) {
        saved = ignore_;
        ignore_.add_lines(*text, rel);
        pushed = true;
      }
    }
    for (const auto& [name, child] : d.dirs) {
      std::string path = join_rel(rel, name);
      if (auto why = skip_reason(name, child); !why.empty()) {
        if (name != ".git") out_.skipped.push_back({path, why});
        continue;
      }
      if (ignored(path, true)) continue;
      walk_dir(path, child);
    }
    for (const auto& [name, e] : d.files) visit_file(join_rel(rel, name), name, *e);
    if (pushed) ignore_ = std::move(saved);
  }

  void visit_file(std::string path, const std::string& name, const git_tree_entry_info& e) {
    if (e.what == git_tree_entry_info::kind::link) {
      out_.skipped.push_back({path, "symbolic link (not followed in a git tree)"});
      return;
    }
    if (e.what == git_tree_entry_info::kind::submodule) {
      out_.skipped.push_back({path, "submodule (index its repository on its own)"});
      return;
    }
    if (ignored(path, false)) return;
    if (!include_.empty() && include_.decide(path, false) != 1) {
      ++out_.ignored;
      return;
    }
    language lang = language_from_path(path);
    if (lang == language::unknown && name.find('.') == std::string::npos) {
      if (auto head = repo_.blob(e.blob, 1 << 20); head.ok()) {
        std::string_view h(*head);
        h = h.substr(0, 256);
        if (!looks_binary(h)) lang = detect_language(path, h);
      }
    }
    if (lang == language::unknown) {
      ++out_.unsupported;
      return;
    }
    if (!language_wanted(opts_, lang, name)) {
      ++out_.ignored;
      return;
    }
    if (e.size > opts_.max_file_bytes) {
      out_.skipped.push_back({path, too_large_reason(e.size, opts_.max_file_bytes)});
      return;
    }
    walk_entry w;
    w.path = std::move(path);
    w.lang = lang;
    w.size = e.size;
    w.mtime_ns = git_repo::stamp(e.blob);
    w.blob = e.blob;
    out_.bytes += e.size;
    out_.files.push_back(std::move(w));
  }

  bool ignored(const std::string& rel, bool is_dir) {
    if ((!exclude_.empty() && exclude_.decide(rel, is_dir) == 1) ||
        (opts_.respect_gitignore && !ignore_.empty() && ignore_.decide(rel, is_dir) == 1)) {
      ++out_.ignored;
      return true;
    }
    return false;
  }

  const git_repo& repo_;
  const walk_options& opts_;
  walk_result& out_;
  pattern_set ignore_, include_, exclude_;
};

}  // namespace

result<walk_result> walk_git(const git_repo& repo, const std::string& sha, const walk_options& opts) {
  auto entries = repo.files(sha);
  if (!entries.ok()) return entries.err();
  walk_result r;
  r.root = repo.root();
  git_walker(repo, opts, r).run(*entries);
  std::sort(r.files.begin(), r.files.end(), [](const walk_entry& a, const walk_entry& b) { return a.path < b.path; });
  return r;
}

}  // namespace cg
