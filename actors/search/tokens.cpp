#include "actors/search/tokens.hpp"

#include <algorithm>
#include <array>

namespace cg {
namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return is_lower(c) || is_upper(c) || is_digit(c) || c == '_'; }
char lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// Small and sorted: words that carry no meaning in docstrings or queries.
constexpr std::array<std::string_view, 72> stop_words = {
    "a",    "about", "above", "after",  "again", "all",   "also", "an",   "and",   "any",  "are",   "as",
    "at",   "be",    "been",  "being",  "both",  "but",   "by",   "can",  "could", "did",  "do",    "does",
    "each", "else",  "for",   "from",   "had",   "has",   "have", "how",  "if",    "in",   "into",  "is",
    "it",   "its",   "just",  "may",    "more",  "most",  "must", "no",   "not",   "of",   "on",    "only",
    "or",   "other", "our",   "should", "so",    "some",  "such", "than", "that",  "the",  "their", "them",
    "then", "there", "these", "they",   "this",  "those", "to",   "was",  "we",    "were", "which", "will"};

void push_token(std::string tok, std::vector<std::string>& out) {
  if (tok.size() < 2) return;
  if (std::all_of(tok.begin(), tok.end(), is_digit)) return;
  out.push_back(std::move(tok));
}

}  // namespace

bool is_stop_word(std::string_view w) { return std::binary_search(stop_words.begin(), stop_words.end(), w); }

std::string stem(std::string_view w) {
  std::string s(w);
  auto ends = [&](std::string_view suf) { return s.size() > suf.size() + 2 && s.ends_with(suf); };
  if (ends("ies")) {
    s.resize(s.size() - 3);
    s += 'y';
  } else if (ends("sses")) {
    s.resize(s.size() - 2);
  } else if (ends("ing") && s.size() > 5) {
    s.resize(s.size() - 3);
  } else if (ends("ed") && s.size() > 4 && !s.ends_with("eed")) {
    s.resize(s.size() - 2);
  } else if (s.size() > 3 && s.back() == 's' && !s.ends_with("ss") && !s.ends_with("us") && !s.ends_with("is")) {
    s.pop_back();
  }
  // parse/parsing/parsed -> pars: drop a trailing 'e' so the forms meet.
  if (s.size() > 4 && s.back() == 'e') s.pop_back();
  return s;
}

void split_identifier(std::string_view id, std::vector<std::string>& out) {
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) push_token(std::move(cur), out);
    cur.clear();
  };
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    if (!is_word(c) || c == '_') {
      flush();
      continue;
    }
    if (!cur.empty()) {
      char prev = id[i - 1];
      bool boundary = false;
      if (is_upper(c) && is_lower(prev)) boundary = true;                             // parseHttp
      if (is_upper(c) && is_upper(prev) && i + 1 < id.size() && is_lower(id[i + 1]))  // HTTPResponse
        boundary = true;
      if (is_digit(c) != is_digit(prev) && !is_digit(c)) boundary = true;  // utf8String -> utf8 string
      if (boundary) flush();
    }
    cur.push_back(lower(c));
  }
  flush();
}

void text_tokens(std::string_view text, std::vector<std::string>& out) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < text.size()) {
    if (!is_word(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && is_word(text[j])) ++j;
    parts.clear();
    split_identifier(text.substr(i, j - i), parts);
    for (auto& p : parts)
      if (!is_stop_word(p)) out.push_back(stem(p));
    i = j;
  }
}

}  // namespace cg
