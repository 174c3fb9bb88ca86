#include "actors/indexer/walker.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

#include "actors/indexer/glob.hpp"
#include "actors/parser/language_detect.hpp"

namespace cg {
namespace {

std::string read_small_file(const std::string& path, size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return {};
  struct stat st {};
  std::string out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    out.resize(std::min<size_t>(static_cast<size_t>(st.st_size), limit));
    auto n = ::read(fd, out.data(), out.size());
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  ::close(fd);
  return out;
}

std::string join_rel(const std::string& dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string p;
  p.reserve(dir.size() + 1 + name.size());
  p.append(dir).push_back('/');
  p.append(name);
  return p;
}

class walker {
 public:
  walker(const walk_options& o, walk_result& r) : opts_(o), out_(r) {
    for (const auto& g : o.include) {
      path_pattern p;
      if (path_pattern::parse(g, "", p)) include_.add(std::move(p));
    }
    for (const auto& g : o.exclude) {
      path_pattern p;
      if (path_pattern::parse(g, "", p)) exclude_.add(std::move(p));
    }
  }

  void run() {
    if (opts_.respect_gitignore) {
      auto exclude = read_small_file(out_.root + "/.git/info/exclude", 1 << 20);
      if (!exclude.empty()) ignore_.add_lines(exclude, "");
    }
    struct stat st {};
    if (::stat(out_.root.c_str(), &st) == 0) visited_.insert({st.st_dev, st.st_ino});
    walk_dir("");
    std::sort(out_.files.begin(), out_.files.end(),
              [](const walk_entry& a, const walk_entry& b) { return a.path < b.path; });
  }

 private:
  // Why a directory is skipped ("" if it is not). Vendored code and caches go by
  // name; build output and virtualenvs by what they contain (go/build, cmd/dist and
  // the venv package are source, not output).
  std::string skip_reason(std::string_view name, const std::string& abs) const {
    if (auto why = dir_name_skip_reason(opts_, name); !why.empty()) return why;
    std::string dir = abs + "/" + std::string(name) + "/";
    struct stat st {};
    if (::stat((dir + "pyvenv.cfg").c_str(), &st) == 0) return "virtualenv";
    for (const char* marker : build_output_markers)
      if (::stat((dir + marker).c_str(), &st) == 0) return std::string("build output (has ") + marker + ")";
    return {};
  }

  void walk_dir(const std::string& rel) {
    std::string abs = rel.empty() ? out_.root : out_.root + "/" + rel;
    size_t ignore_mark = ignore_.size();
    pattern_set saved;
    if (opts_.respect_gitignore) {
      auto gi = read_small_file(abs + "/.gitignore", 1 << 20);
      if (!gi.empty()) {
        saved = ignore_;
        ignore_.add_lines(gi, rel);
      }
    }
    DIR* d = ::opendir(abs.c_str());
    if (!d) {
      out_.skipped.push_back({rel.empty() ? "." : rel, std::string("unreadable directory: ") + std::strerror(errno)});
      return;
    }
    std::vector<std::pair<std::string, unsigned char>> entries;
    while (auto* e = ::readdir(d)) {
      std::string_view name(e->d_name);
      if (name == "." || name == "..") continue;
      entries.emplace_back(std::string(name), e->d_type);
    }
    ::closedir(d);
    // Real entries before symbolic links: when links are followed, a directory is
    // reached by its own path first and the link is the one reported as a repeat.
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      bool la = a.second == DT_LNK, lb = b.second == DT_LNK;
      return la != lb ? lb : a.first < b.first;
    });
    int dfd = ::open(abs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (auto& [name, type] : entries) {
      std::string child = join_rel(rel, name);
      struct stat st {};
      bool is_link = type == DT_LNK;
      if (type == DT_UNKNOWN || is_link || type == DT_REG || type == DT_DIR) {
        if (dfd < 0 || ::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
          out_.skipped.push_back({child, std::string("cannot stat: ") + std::strerror(errno)});
          continue;
        }
        is_link = S_ISLNK(st.st_mode);
      }
      if (is_link) {
        if (!opts_.follow_symlinks) {
          out_.skipped.push_back({child, "symbolic link (not followed)"});
          continue;
        }
        if (::fstatat(dfd, name.c_str(), &st, 0) != 0) {
          out_.skipped.push_back({child, std::string("broken symbolic link: ") + std::strerror(errno)});
          continue;
        }
      }
      bool is_dir = is_link ? S_ISDIR(st.st_mode) : (type == DT_DIR || (type == DT_UNKNOWN && S_ISDIR(st.st_mode)));
      if (is_dir) {
        if (auto why = skip_reason(name, abs); !why.empty()) {
          if (name != ".git") out_.skipped.push_back({child, why});
          continue;
        }
        if (ignored(child, true)) continue;
        if (!visited_.insert({st.st_dev, st.st_ino}).second) {
          out_.skipped.push_back({child, "directory already visited (symlink loop)"});
          continue;
        }
        walk_dir(child);
        continue;
      }
      if (!S_ISREG(st.st_mode) && !(type == DT_REG)) {
        out_.skipped.push_back({child, "not a regular file"});
        continue;
      }
      if (ignored(child, false)) continue;
      if (!include_.empty() && include_.decide(child, false) != 1) {
        ++out_.ignored;
        continue;
      }
      language lang = language_from_path(child);
      if (lang == language::unknown && name.find('.') == std::string::npos) {
        auto head = read_small_file(abs + "/" + name, 256);
        if (!looks_binary(head)) lang = detect_language(child, head);
      }
      if (lang == language::unknown) {
        ++out_.unsupported;
        continue;
      }
      if (!language_wanted(opts_, lang, name)) {
        ++out_.ignored;
        continue;
      }
      auto size = static_cast<uint64_t>(st.st_size);
      if (size > opts_.max_file_bytes) {
        out_.skipped.push_back({child, too_large_reason(size, opts_.max_file_bytes)});
        continue;
      }
      walk_entry w;
      w.path = std::move(child);
      w.lang = lang;
      w.size = size;
      w.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
      out_.bytes += size;
      out_.files.push_back(std::move(w));
    }
    if (dfd >= 0) ::close(dfd);
    if (ignore_.size() != ignore_mark) ignore_ = std::move(saved);
  }

  bool ignored(const std::string& rel, bool is_dir) {
    if (!exclude_.empty() && exclude_.decide(rel, is_dir) == 1) {
      ++out_.ignored;
      return true;
    }
    if (opts_.respect_gitignore && !ignore_.empty() && ignore_.decide(rel, is_dir) == 1) {
      ++out_.ignored;
      return true;
    }
    return false;
  }

  const walk_options& opts_;
  walk_result& out_;
  pattern_set ignore_, include_, exclude_;
  std::set<std::pair<dev_t, ino_t>> visited_;
};

}  // namespace

std::string dir_name_skip_reason(const walk_options& opts, std::string_view name) {
  if (opts.skip_hidden && name.size() > 1 && name[0] == '.') return "hidden directory";
  for (const auto& d : opts.skip_dirs)
    if (d == name) return "vendored or cache directory";
  return {};
}

bool walk_may_index(const walk_options& opts, std::string_view name) {
  if (name == ".gitignore") return true;
  language lang = language_from_path(name);
  // Unknown: only an extensionless file may be a script (its shebang tells).
  if (lang == language::unknown) return name.find('.') == std::string_view::npos;
  return language_wanted(opts, lang, name);
}

bool language_wanted(const walk_options& opts, language lang, std::string_view name) {
  if (opts.languages.empty()) return true;
  auto wanted = [&](language l) {
    return std::find(opts.languages.begin(), opts.languages.end(), l) != opts.languages.end();
  };
  // A .h header may be C or C++ (decided from its content when parsed).
  if (lang == language::c && name.ends_with(".h") && wanted(language::cpp)) return true;
  return wanted(lang) || (lang == language::jsx && wanted(language::javascript)) ||
         (lang == language::tsx && wanted(language::typescript));
}

std::string too_large_reason(uint64_t size, uint64_t limit) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "too large (%.1f MiB > %.1f MiB limit)", static_cast<double>(size) / (1 << 20),
                static_cast<double>(limit) / (1 << 20));
  return buf;
}

std::vector<std::string> walk_options::default_skip_dirs() {
  return {".git",          ".hg",         ".svn",        "node_modules", "bower_components",
          "vendor",        "third_party", "__pycache__", ".tox",         ".mypy_cache",
          ".pytest_cache", "bazel-out",   "bazel-bin",   ".gradle",      ".idea",
          ".vscode",       ".next",       ".cache",      "Pods",         "CMakeFiles"};
}

result<walk_result> walk_tree(const std::string& root, const walk_options& opts) {
  if (root.empty()) return make_error(errc::invalid_argument, "no path given");
  char* real = ::realpath(root.c_str(), nullptr);
  if (!real) return make_error(errc::not_found, "cannot index " + root + ": " + std::strerror(errno));
  std::string abs(real);
  std::free(real);
  struct stat st {};
  if (::stat(abs.c_str(), &st) != 0)
    return make_error(errc::io_error, "cannot index " + root + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return make_error(errc::invalid_argument, "cannot index " + root + ": not a directory");
  if (::access(abs.c_str(), R_OK | X_OK) != 0)
    return make_error(errc::io_error, "cannot index " + root + ": " + std::strerror(errno));
  walk_result r;
  r.root = abs;
  walker w(opts, r);
  w.run();
  return r;
}

}  // namespace cg
