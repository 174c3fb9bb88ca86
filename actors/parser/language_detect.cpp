#include "actors/parser/language_detect.hpp"

#include <array>
#include <string>
#include <utility>

namespace cg {
namespace {

std::string_view extension_of(std::string_view path) {
  auto slash = path.find_last_of('/');
  auto base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = base.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return base.substr(dot + 1);
}

constexpr std::array<std::pair<std::string_view, language>, 30> by_extension = {{
    {"py", language::python},
    {"pyi", language::python},
    {"pyw", language::python},
    {"rs", language::rust},
    {"js", language::javascript},
    {"mjs", language::javascript},
    {"cjs", language::javascript},
    {"jsx", language::jsx},
    {"ts", language::typescript},
    {"mts", language::typescript},
    {"cts", language::typescript},
    {"tsx", language::tsx},
    {"go", language::go},
    {"java", language::java},
    {"c", language::c},
    {"h", language::c},
    {"cc", language::cpp},
    {"cpp", language::cpp},
    {"cxx", language::cpp},
    {"c++", language::cpp},
    {"hh", language::cpp},
    {"hpp", language::cpp},
    {"hxx", language::cpp},
    {"h++", language::cpp},
    {"ipp", language::cpp},
    {"tpp", language::cpp},
    {"inl", language::cpp},
    {"ixx", language::cpp},
    {"cppm", language::cpp},
    {"C", language::cpp},
}};

language from_shebang(std::string_view head) {
  if (!head.starts_with("#!")) return language::unknown;
  auto eol = head.find('\n');
  auto line = head.substr(0, eol);
  // "#!/usr/bin/env python3", "#!/usr/bin/python", "#!/usr/bin/env -S node --flags"
  if (line.find("python") != std::string_view::npos) return language::python;
  if (line.find("node") != std::string_view::npos || line.find("deno") != std::string_view::npos ||
      line.find("bun") != std::string_view::npos)
    return language::javascript;
  if (line.find("ts-node") != std::string_view::npos) return language::typescript;
  return language::unknown;
}

// A .h file is C++ if a line of code (not a comment) starts with something C does
// not have: `namespace x {`, `class X {`, `template <`, an access specifier, ...
bool looks_like_cpp(std::string_view head) {
  static constexpr std::string_view line_starts[] = {"namespace ",
                                                     "class ",
                                                     "template<",
                                                     "template <",
                                                     "public:",
                                                     "private:",
                                                     "protected:",
                                                     "using namespace ",
                                                     "extern \"C++\"",
                                                     "#include <string>",
                                                     "#include <vector>",
                                                     "#include <memory>",
                                                     "#include <iostream>",
                                                     "#include <cstdint>",
                                                     "#include <cstddef>"};
  bool in_block_comment = false;
  size_t pos = 0;
  while (pos < head.size()) {
    auto eol = head.find('\n', pos);
    auto line = head.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? head.size() : eol + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (in_block_comment) {
      if (line.find("*/") != std::string_view::npos) in_block_comment = false;
      continue;
    }
    if (line.starts_with("/*")) {
      in_block_comment = line.find("*/") == std::string_view::npos;
      continue;
    }
    if (line.starts_with("//") || line.starts_with("*")) continue;
    for (auto m : line_starts)
      if (line.starts_with(m)) return true;
    if (line.find("std::") != std::string_view::npos || line.find("nullptr") != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

language language_from_path(std::string_view path) {
  auto ext = extension_of(path);
  if (ext.empty()) return language::unknown;
  for (const auto& [e, l] : by_extension)
    if (e == ext) return l;
  // Case-insensitive fallback (FOO.PY, Bar.Java) except ".C" which is C++ by convention.
  std::string lower(ext);
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  for (const auto& [e, l] : by_extension)
    if (e == lower) return l;
  return language::unknown;
}

language detect_language(std::string_view path, std::string_view head) {
  auto lang = language_from_path(path);
  if (lang == language::c && extension_of(path) == "h" && looks_like_cpp(head)) return language::cpp;
  if (lang != language::unknown) return lang;
  if (extension_of(path).empty()) return from_shebang(head);
  return language::unknown;
}

bool looks_binary(std::string_view head) { return head.substr(0, 8000).find('\0') != std::string_view::npos; }

}  // namespace cg
