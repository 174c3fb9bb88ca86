#include "actors/parser/cpp_macros.hpp"

#include <cstring>

namespace cg {
namespace {

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Macro-like: at least two characters of [A-Z0-9_], one of them a letter.
bool macro_like(std::string_view w) {
  if (w.size() < 2) return false;
  bool letter = false;
  for (char c : w) {
    if (c >= 'A' && c <= 'Z')
      letter = true;
    else if (!((c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return letter;
}

size_t skip_space(std::string_view s, size_t i) {
  while (i < s.size() && space(s[i])) ++i;
  return i;
}

size_t word_end(std::string_view s, size_t i) {
  while (i < s.size() && ident_char(s[i])) ++i;
  return i;
}

// Balanced parentheses starting at s[i] == '('; npos if unbalanced within a line budget.
size_t skip_parens(std::string_view s, size_t i) {
  int depth = 0;
  for (size_t k = i; k < s.size() && k < i + 512; ++k) {
    if (s[k] == '(')
      ++depth;
    else if (s[k] == ')' && --depth == 0)
      return k + 1;
  }
  return std::string_view::npos;
}

}  // namespace

bool may_have_declaration_macros(std::string_view src) {
  for (auto kw : {"class ", "struct ", "union "}) {
    size_t pos = 0;
    while ((pos = src.find(kw, pos)) != std::string_view::npos) {
      size_t i = skip_space(src, pos + std::strlen(kw));
      if (i < src.size() && src[i] >= 'A' && src[i] <= 'Z') {
        size_t e = word_end(src, i);
        if (macro_like(src.substr(i, e - i))) return true;
      }
      pos += 1;
    }
  }
  return false;
}

bool blank_declaration_macros(std::string& s) {
  bool changed = false;
  std::string_view v(s);
  for (auto kw : {"class", "struct", "union"}) {
    size_t kwlen = std::strlen(kw);
    size_t pos = 0;
    while ((pos = v.find(kw, pos)) != std::string_view::npos) {
      size_t after = pos + kwlen;
      bool boundary = (pos == 0 || !ident_char(v[pos - 1])) && after < v.size() && space(v[after]);
      pos = after;
      if (!boundary) continue;
      // Collect macro spans until the real name.
      size_t i = skip_space(v, after);
      size_t spans[4][2];
      int n = 0;
      while (n < 4 && i < v.size()) {
        size_t e = word_end(v, i);
        if (e == i || !macro_like(v.substr(i, e - i))) break;
        size_t end = e;
        size_t j = skip_space(v, e);
        if (j < v.size() && v[j] == '(') {
          end = skip_parens(v, j);
          if (end == std::string_view::npos) break;
        }
        spans[n][0] = i;
        spans[n][1] = end;
        ++n;
        i = skip_space(v, end);
      }
      if (n == 0) continue;
      // What follows must be "Name" then ':' '{' or "final": a definition head.
      size_t name_end = word_end(v, i);
      if (name_end == i) continue;
      size_t k = skip_space(v, name_end);
      bool head = k < v.size() && (v[k] == ':' || v[k] == '{' || v.substr(k, 5) == "final");
      if (!head || (k < v.size() && v[k] == ':' && k + 1 < v.size() && v[k + 1] == ':')) continue;
      for (int m = 0; m < n; ++m)
        for (size_t b = spans[m][0]; b < spans[m][1]; ++b)
          if (s[b] != '\n') s[b] = ' ';
      changed = true;
      v = std::string_view(s);
    }
  }
  return changed;
}

// `{ MACRO(args) }`: a macro call that is a whole brace body (`struct tag { IS_TAG() };`).
static bool blank_braced_macro_calls(std::string& s) {
  bool changed = false;
  size_t pos = 0;
  while ((pos = s.find('{', pos)) != std::string::npos) {
    std::string_view v(s);
    size_t i = skip_space(v, pos + 1);
    pos += 1;
    if (i >= v.size() || !(v[i] >= 'A' && v[i] <= 'Z')) continue;
    size_t e = word_end(v, i);
    if (!macro_like(v.substr(i, e - i))) continue;
    size_t j = skip_space(v, e);
    size_t end = e;
    if (j < v.size() && v[j] == '(') {
      end = skip_parens(v, j);
      if (end == std::string_view::npos) continue;
      j = skip_space(v, end);
    }
    if (j < v.size() && v[j] == '}') {
      for (size_t b = i; b < end; ++b)
        if (s[b] != '\n') s[b] = ' ';
      changed = true;
    }
  }
  return changed;
}

bool blank_lone_macro_lines(std::string& s) {
  bool changed = blank_braced_macro_calls(s);
  size_t line = 0;
  const size_t n = s.size();
  while (line < n) {
    size_t eol = s.find('\n', line);
    if (eol == std::string::npos) eol = n;
    size_t i = line;
    while (i < eol && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i < eol && s[i] >= 'A' && s[i] <= 'Z') {
      std::string_view v(s);
      size_t e = word_end(v, i);
      if (macro_like(v.substr(i, e - i))) {
        size_t end = e;
        size_t j = e;
        while (j < eol && (s[j] == ' ' || s[j] == '\t')) ++j;
        if (j < eol && s[j] == '(') {
          end = skip_parens(v, j);
          j = end == std::string_view::npos ? eol + 1 : end;
          while (j < eol && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) ++j;
        }
        while (j < eol && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) ++j;
        bool alone = end != std::string_view::npos && j == eol;
        if (alone) {
          // The next non-blank line must start a declaration.
          size_t k = eol;
          while (k < n && space(s[k])) ++k;
          bool decl = k < n && (ident_char(s[k]) || s[k] == '~') && !(s[k] >= '0' && s[k] <= '9');
          if (decl) {
            for (size_t b = i; b < end && b < eol; ++b) s[b] = ' ';
            changed = true;
          }
        }
      }
    }
    line = eol + 1;
  }
  return changed;
}

}  // namespace cg
