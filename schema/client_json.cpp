#include "schema/client_json.hpp"

#include <string>
#include <vector>

namespace cg {

size_t json_nesting(std::string_view text, size_t stop) {
  size_t depth = 0, deepest = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    char c = *p++;
    if (c == '"') {
      // Skip the string: an escape takes the next byte with it.
      while (p < end) {
        char s = *p++;
        if (s == '\\') {
          if (p < end) ++p;
        } else if (s == '"') {
          break;
        }
      }
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest >= stop) return deepest;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

namespace {

template <class Json>
result<Json> parse_limited(std::string_view text, size_t max_depth) {
  if (auto d = json_nesting(text, max_depth + 1); d > max_depth)
    return make_error(errc::invalid_argument,
                      "JSON nested deeper than " + std::to_string(max_depth) + " levels of arrays and objects");
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    // Not only parse_error: a number too large for a double ("5e308") is out_of_range,
    // which escaped here and ended the process on a WebSocket message (found by
    // fuzz_client_json). "[json.exception.parse_error.101] parse error at line 1,
    // column 3: ...": the part after the tag.
    std::string what = e.what();
    auto at = what.find("] ");
    return make_error(errc::invalid_argument, "not JSON: " + (at == std::string::npos ? what : what.substr(at + 2)));
  }
}

template <class Json>
size_t value_nesting(const Json& v, size_t stop) {
  // (value, its depth): arrays and objects count a level each.
  std::vector<std::pair<const Json*, size_t>> todo{{&v, 0}};
  size_t deepest = 0;
  while (!todo.empty()) {
    auto [j, d] = todo.back();
    todo.pop_back();
    if (!j->is_structured()) continue;
    size_t here = d + 1;
    if (here > deepest) {
      deepest = here;
      if (deepest >= stop) return deepest;
    }
    for (const auto& child : *j)
      if (child.is_structured()) todo.emplace_back(&child, here);
  }
  return deepest;
}

}  // namespace

result<nlohmann::json> parse_client_json(std::string_view text, size_t max_depth) {
  return parse_limited<nlohmann::json>(text, max_depth);
}

result<nlohmann::ordered_json> parse_client_ordered_json(std::string_view text, size_t max_depth) {
  return parse_limited<nlohmann::ordered_json>(text, max_depth);
}

size_t json_value_nesting(const nlohmann::json& v, size_t stop) { return value_nesting(v, stop); }
size_t json_value_nesting(const nlohmann::ordered_json& v, size_t stop) { return value_nesting(v, stop); }

}  // namespace cg
