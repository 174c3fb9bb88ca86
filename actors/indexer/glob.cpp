#include "actors/indexer/glob.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

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

// Patterns with "**": a set of pattern positions advanced one character at a time
// (Thompson's simulation), O(pattern x text). Backtracking "**/" recursively took time
// exponential in the number of "**/" (a 14 s pattern found by fuzz_glob; search
// filters take globs from clients).
enum class tok_kind : uint8_t { lit, any1, cls, star, dstar, dstar_slash };
struct tok {
  tok_kind k;
  char c = 0;     // lit
  size_t at = 0;  // cls: the '[' in the pattern
};

std::vector<tok> tokenize(std::string_view p) {
  std::vector<tok> out;
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '*') {
      if (i + 1 < p.size() && p[i + 1] == '*') {
        if (i + 2 < p.size() && p[i + 2] == '/') {
          out.push_back({tok_kind::dstar_slash});
          i += 3;
        } else {
          out.push_back({tok_kind::dstar});
          i += 2;
        }
      } else {
        out.push_back({tok_kind::star});
        ++i;
      }
    } else if (c == '?') {
      out.push_back({tok_kind::any1});
      ++i;
    } else if (c == '[') {
      out.push_back({tok_kind::cls, 0, i});
      size_t j = i;
      (void)class_match(p, j, '\0');  // only to find its end
      i = j;
    } else if (c == '\\' && i + 1 < p.size()) {
      out.push_back({tok_kind::lit, p[i + 1]});
      i += 2;
    } else {
      out.push_back({tok_kind::lit, c});
      ++i;
    }
  }
  return out;
}

bool match_nfa(std::string_view p, std::string_view t) {
  auto toks = tokenize(p);
  const size_t n = toks.size();
  // cur[s]: at token s. For a "**/" token, cur[s] is the state between directories
  // (it may go on to s + 1) and in_dir[s] the state inside a directory name (it must
  // reach a '/' first).
  std::vector<char> cur(n + 1, 0), next(n + 1, 0), in_dir(n + 1, 0), next_in_dir(n + 1, 0);
  // Positions reachable without a character: a star of any kind may match nothing.
  auto close = [&](std::vector<char>& set) {
    for (size_t s = 0; s < n; ++s)
      if (set[s] && (toks[s].k == tok_kind::star || toks[s].k == tok_kind::dstar || toks[s].k == tok_kind::dstar_slash))
        set[s + 1] = 1;
  };
  cur[0] = 1;
  close(cur);
  for (char c : t) {
    std::fill(next.begin(), next.end(), 0);
    std::fill(next_in_dir.begin(), next_in_dir.end(), 0);
    bool any = false;
    for (size_t s = 0; s < n; ++s) {
      if (in_dir[s]) {  // inside a directory name of a "**/"
        if (c == '/')
          next[s] = 1;
        else
          next_in_dir[s] = 1;
      }
      if (!cur[s]) continue;
      const auto& k = toks[s];
      switch (k.k) {
        case tok_kind::lit:
          if (c == k.c) next[s + 1] = 1;
          break;
        case tok_kind::any1:
          if (c != '/') next[s + 1] = 1;
          break;
        case tok_kind::cls: {
          size_t at = k.at;
          if (c != '/' && class_match(p, at, c)) next[s + 1] = 1;
          break;
        }
        case tok_kind::star:
          if (c != '/') next[s] = 1;
          break;
        case tok_kind::dstar: next[s] = 1; break;
        case tok_kind::dstar_slash:  // zero or more directories: a string that ends in '/'
          if (c == '/')
            next[s] = 1;
          else
            next_in_dir[s] = 1;
          break;
      }
    }
    close(next);
    for (size_t s = 0; s <= n; ++s) any = any || next[s] || next_in_dir[s];
    if (!any) return false;
    cur.swap(next);
    in_dir.swap(next_in_dir);
  }
  return cur[n] != 0;
}

// Iterative matcher with backtracking for '*' (patterns without "**").
bool match_from(std::string_view p, std::string_view t) {
  if (p.find("**") != std::string_view::npos) return match_nfa(p, t);
  size_t pi = 0, ti = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (ti < t.size()) {
    if (pi < p.size()) {
      char pc = p[pi];
      if (pc == '*') {
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
    if (star_p != std::string_view::npos && t[star_t] != '/') {
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
