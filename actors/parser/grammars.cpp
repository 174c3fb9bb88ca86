#include "actors/parser/grammars.hpp"

extern "C" {
const TSLanguage* tree_sitter_python();
const TSLanguage* tree_sitter_rust();
const TSLanguage* tree_sitter_javascript();
const TSLanguage* tree_sitter_typescript();
const TSLanguage* tree_sitter_tsx();
const TSLanguage* tree_sitter_go();
const TSLanguage* tree_sitter_java();
const TSLanguage* tree_sitter_c();
const TSLanguage* tree_sitter_cpp();
}

namespace cg {

const TSLanguage* grammar_for(language lang) {
  switch (lang) {
    case language::python: return tree_sitter_python();
    case language::rust: return tree_sitter_rust();
    case language::javascript:
    case language::jsx: return tree_sitter_javascript();  // the JS grammar parses JSX
    case language::typescript: return tree_sitter_typescript();
    case language::tsx: return tree_sitter_tsx();
    case language::go: return tree_sitter_go();
    case language::java: return tree_sitter_java();
    case language::c: return tree_sitter_c();
    case language::cpp: return tree_sitter_cpp();
    case language::unknown: return nullptr;
  }
  return nullptr;
}

}  // namespace cg
