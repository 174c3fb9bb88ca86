#include "actors/graph/resolver_util.hpp"

#include <algorithm>

namespace cg::resolve_util {

std::vector<std::string_view> split_path(std::string_view q) {
  std::vector<std::string_view> out;
  size_t start = 0, i = 0;
  while (i < q.size()) {
    size_t sep_len = 0;
    if (q[i] == '.')
      sep_len = 1;
    else if (q[i] == ':' && i + 1 < q.size() && q[i + 1] == ':')
      sep_len = 2;
    else if (q[i] == '-' && i + 1 < q.size() && q[i + 1] == '>')
      sep_len = 2;
    if (sep_len) {
      if (i > start) out.push_back(q.substr(start, i - start));
      i += sep_len;
      start = i;
    } else {
      ++i;
    }
  }
  if (start < q.size()) out.push_back(q.substr(start));
  return out;
}

std::string join(const std::vector<std::string_view>& parts, std::string_view sep, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < parts.size() && i < to; ++i) {
    if (i > from) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

std::string_view bare_type(std::string_view t) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '*' || s.front() == '&' || s.front() == '('))
      s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '*' || s.back() == '&' || s.back() == ']' || s.back() == '[' ||
                          s.back() == ')' || s.back() == '?'))
      s.remove_suffix(1);
    return s;
  };
  t = trim(t);
  for (std::string_view prefix :
       {"const ", "volatile ", "mut ", "dyn ", "impl ", "struct ", "class ", "enum ", "typename ", "readonly ", "[]"}) {
    while (t.starts_with(prefix)) t = trim(t.substr(prefix.size()));
  }
  if (auto lt = t.find_first_of("<[("); lt != std::string_view::npos) t = t.substr(0, lt);
  // Python/TS optionals and unions: take the first alternative.
  if (auto bar = t.find('|'); bar != std::string_view::npos) t = t.substr(0, bar);
  return trim(t);
}

std::string normalize_path(std::string_view p) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= p.size()) {
    auto slash = p.find('/', start);
    auto part = p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return join(parts, "/");
}

std::vector<std::string> split_words(std::string_view s, std::string_view sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    auto cut = s.find(sep, start);
    auto part = s.substr(start, cut == std::string_view::npos ? std::string_view::npos : cut - start);
    if (!part.empty()) out.emplace_back(part);
    if (cut == std::string_view::npos) break;
    start = cut + sep.size();
  }
  return out;
}

std::string join_words(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

// crate::, self::, super:: made absolute against the file's module path.
std::string rust_absolute(std::string_view file_module, std::string_view path) {
  auto mod = split_words(file_module, "::");
  auto parts = split_path(path);
  std::vector<std::string> out;
  size_t i = 0;
  if (!parts.empty() && parts[0] == "crate") {
    if (!mod.empty()) out.push_back(mod[0]);
    i = 1;
  } else if (!parts.empty() && (parts[0] == "self" || parts[0] == "super")) {
    out = mod;
    while (i < parts.size() && (parts[i] == "self" || parts[i] == "super")) {
      if (parts[i] == "super" && !out.empty()) out.pop_back();
      ++i;
    }
  }
  for (; i < parts.size(); ++i) out.emplace_back(parts[i]);
  return join_words(out, "::");
}

size_t common_prefix(std::string_view a, std::string_view b) {
  size_t n = 0, last_slash = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) {
    if (a[n] == '/') last_slash = n + 1;
    ++n;
  }
  return last_slash;
}

namespace {
struct parameters {
  std::vector<std::string_view> positional, keyword_only;
  std::string_view star, double_star;
  bool named(std::string_view n) const {
    return std::find(positional.begin(), positional.end(), n) != positional.end() ||
           std::find(keyword_only.begin(), keyword_only.end(), n) != keyword_only.end();
  }
};
parameters parse_parameters(std::string_view list) {
  parameters p;
  bool keyword_only = false;
  while (!list.empty()) {
    auto comma = list.find(',');
    auto one = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (one == "*") {
      keyword_only = true;
    } else if (one.starts_with("**")) {
      p.double_star = one.substr(2);
    } else if (one.starts_with("*")) {
      p.star = one.substr(1);
      keyword_only = true;
    } else if (!one.empty() && one != "/") {
      (keyword_only ? p.keyword_only : p.positional).push_back(one);
    }
  }
  return p;
}
bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

std::string_view parameter_for(std::string_view list, std::string_view slot, size_t skip, bool& spread) {
  auto params = parse_parameters(list);
  spread = false;
  if (is_digits(slot)) {
    size_t i = std::stoul(std::string(slot)) + skip;
    if (i < params.positional.size()) return params.positional[i];
    spread = true;
    return params.star;
  }
  if (params.named(slot)) return slot;
  spread = true;
  return params.double_star;
}

}  // namespace cg::resolve_util
