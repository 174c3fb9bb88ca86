// Every language's extractor on arbitrary source: the first byte picks the language,
// the rest is the file. Never a crash; every node lies in the file and names a kind.
#include <cstdint>

#include "actors/parser/parser_state.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static cg::parser_state parser;
  if (size == 0) return 0;
  static const std::pair<cg::language, const char*> langs[] = {
      {cg::language::python, "m.py"}, {cg::language::rust, "m.rs"},       {cg::language::javascript, "m.js"},
      {cg::language::jsx, "m.jsx"},   {cg::language::typescript, "m.ts"}, {cg::language::tsx, "m.tsx"},
      {cg::language::go, "m.go"},     {cg::language::java, "M.java"},     {cg::language::c, "m.c"},
      {cg::language::cpp, "m.cpp"}};
  const auto& [lang, path] = langs[data[0] % std::size(langs)];
  std::string_view src(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto out = parser.parse_source("fuzz", path, src, lang);
  for (const auto& n : out.extract.nodes) {
    FUZZ_CHECK(n.file == path);
    FUZZ_CHECK(n.span.start.line <= n.span.end.line);
  }
  return 0;
}
