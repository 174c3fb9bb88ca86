// walk_paths: the walker's checks for a given list of files (watch mode), without
// walking the tree. .gitignore files are not read here: the watcher leaves out what
// the full walk would skip by directory, and a full index run applies them all.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "actors/indexer/glob.hpp"
#include "actors/indexer/walker.hpp"
#include "actors/parser/language_detect.hpp"

namespace cg {

bool walk_skips_dir(const walk_options& opts, std::string_view name) {
  return !dir_name_skip_reason(opts, name).empty();
}

result<walk_result> walk_paths(const std::string& root, const std::vector<std::string>& rel, const walk_options& opts) {
  walk_result out;
  out.root = root;
  pattern_set include, exclude;
  for (const auto& g : opts.include) {
    path_pattern p;
    if (path_pattern::parse(g, "", p)) include.add(std::move(p));
  }
  for (const auto& g : opts.exclude) {
    path_pattern p;
    if (path_pattern::parse(g, "", p)) exclude.add(std::move(p));
  }
  for (const auto& path : rel) {
    if (path.empty() || path[0] == '/' || path.find("..") != std::string::npos) continue;
    // Every directory on the way must be one the full walk enters.
    bool skip = false;
    size_t start = 0;
    for (size_t i = 0; i < path.size(); ++i)
      if (path[i] == '/') {
        auto dir = std::string_view(path).substr(start, i - start);
        skip = skip || walk_skips_dir(opts, dir) || (!exclude.empty() && exclude.decide(path.substr(0, i), true) == 1);
        start = i + 1;
      }
    if (skip || (!exclude.empty() && exclude.decide(path, false) == 1) ||
        (!include.empty() && include.decide(path, false) != 1)) {
      ++out.ignored;
      continue;
    }
    struct stat st {};
    auto abs = root + "/" + path;
    if (::lstat(abs.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // gone (a removal) or not a file
    language lang = language_from_path(path);
    if (lang == language::unknown && path.substr(start).find('.') == std::string::npos) {
      std::string head(256, '\0');
      if (std::FILE* f = std::fopen(abs.c_str(), "rb")) {
        head.resize(std::fread(head.data(), 1, head.size(), f));
        std::fclose(f);
        if (!looks_binary(head)) lang = detect_language(path, head);
      }
    }
    if (lang == language::unknown) {
      ++out.unsupported;
      continue;
    }
    if (!opts.languages.empty() &&
        std::find(opts.languages.begin(), opts.languages.end(), lang) == opts.languages.end()) {
      ++out.ignored;
      continue;
    }
    auto size = static_cast<uint64_t>(st.st_size);
    if (size > opts.max_file_bytes) {
      out.skipped.push_back({path, "too large"});
      continue;
    }
    walk_entry w;
    w.path = path;
    w.lang = lang;
    w.size = size;
    w.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    out.bytes += size;
    out.files.push_back(std::move(w));
  }
  return out;
}

}  // namespace cg
