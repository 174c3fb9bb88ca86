#include "actors/indexer/glob.hpp"

namespace cg {
namespace {

bool class_match(std::string_view pat, size_t& i, char c) {
  // pat[i] == '['; on return i is past ']'.
  size_t j = i + 1;
  bool negate = false;
  if (j < pat.size() && (pat[j] == '!' || pat[j] == '^')) {
    negate = true;
    ++j;
  }
  bool matched = false;
  bool first = true;
  while (j < pat.size() && (first || pat[j] != ']')) {
    first = false;
    char lo = pat[j];
    if (lo == '\\' && j + 1 < pat.size()) lo = pat[++j];
    char hi = lo;
    if (j + 2 < pat.size() && pat[j + 1] == '-' && pat[j + 2] != ']') {
      hi = pat[j + 2];
      j += 2;
    }
    if (c >= lo && c <= hi) matched = true;
    ++j;
  }
  i = j < pat.size() ? j + 1 : j;
  return matched != negate;
}

// Iterative matcher with backtracking for '*' and '**'.
bool match_from(std::string_view p, std::string_view t) {
  size_t pi = 0, ti = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  bool star_crosses = false;
  while (ti < t.size()) {
    if (pi < p.size()) {
      char pc = p[pi];
      if (pc == '*') {
        bool dbl = pi + 1 < p.size() && p[pi + 1] == '*';
        if (dbl) {
          // "**/" matches zero or more directories; a trailing "**" matches everything.
          size_t after = pi + 2;
          if (after < p.size() && p[after] == '/') {
            if (match_from(p.substr(after + 1), t.substr(ti))) return true;
            size_t k = ti;
            while (k < t.size()) {
              if (t[k] == '/' && match_from(p.substr(after + 1), t.substr(k + 1))) return true;
              ++k;
            }
            return false;
          }
          if (after >= p.size()) return true;
          star_crosses = true;
          star_p = after;
          star_t = ti;
          pi = after;
          continue;
        }
        star_crosses = false;
        star_p = ++pi;
        star_t = ti;
        continue;
      }
      if (pc == '?' && t[ti] != '/') {
        ++pi;
        ++ti;
        continue;
      }
      if (pc == '[') {
        size_t save = pi;
        if (t[ti] != '/' && class_match(p, pi, t[ti])) {
          ++ti;
          continue;
        }
        pi = save;
      } else {
        char want = pc;
        size_t adv = 1;
        if (pc == '\\' && pi + 1 < p.size()) {
          want = p[pi + 1];
          adv = 2;
        }
        if (want == t[ti]) {
          pi += adv;
          ++ti;
          continue;
        }
      }
    }
    // Mismatch: backtrack to the last star, letting it eat one more character.
    if (star_p != std::string_view::npos && (star_crosses || t[star_t] != '/')) {
      ++star_t;
      ti = star_t;
      pi = star_p;
      continue;
    }
    return false;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::string_view basename(std::string_view p) {
  auto slash = p.find_last_of('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) { return match_from(pattern, text); }

bool path_pattern::parse(std::string_view line, std::string_view base, path_pattern& out) {
  // Trailing spaces are ignored unless escaped.
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) {
    if (line.size() >= 2 && line[line.size() - 2] == '\\') break;
    line.remove_suffix(1);
  }
  if (line.empty() || line.front() == '#') return false;
  out = path_pattern{};
  out.base = std::string(base);
  if (line.front() == '!') {
    out.negate = true;
    line.remove_prefix(1);
  } else if (line.starts_with("\\!") || line.starts_with("\\#")) {
    line.remove_prefix(1);
  }
  if (!line.empty() && line.back() == '/') {
    out.dir_only = true;
    line.remove_suffix(1);
  }
  if (line.empty()) return false;
  if (line.front() == '/') {
    out.anchored = true;
    line.remove_prefix(1);
  } else if (line.find('/') != std::string_view::npos) {
    out.anchored = true;
  }
  out.glob = std::string(line);
  return true;
}

bool path_pattern::matches(std::string_view rel, bool is_dir) const {
  if (dir_only && !is_dir) return false;
  std::string_view sub = rel;
  if (!base.empty()) {
    if (rel.size() <= base.size() || !rel.starts_with(base) || rel[base.size()] != '/') return false;
    sub = rel.substr(base.size() + 1);
  }
  if (anchored) return glob_match(glob, sub);
  return glob_match(glob, basename(sub));
}

void pattern_set::add_lines(std::string_view text, std::string_view base) {
  size_t pos = 0;
  while (pos <= text.size()) {
    auto eol = text.find('\n', pos);
    auto line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    path_pattern p;
    if (path_pattern::parse(line, base, p)) add(std::move(p));
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
}

int pattern_set::decide(std::string_view rel, bool is_dir) const {
  for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it)
    if (it->matches(rel, is_dir)) return it->negate ? -1 : 1;
  return 0;
}

}  // namespace cg
