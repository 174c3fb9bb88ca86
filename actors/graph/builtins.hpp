#pragma once
// Names every program in a language can use without defining or importing them
// (Python's builtins module, JS globals, Go's predeclared identifiers, java.lang,
// Rust's prelude and std macros, the C library). A reference to one of them that
// no project definition shadows is "external": known, but not part of the graph.
#include <string_view>

#include "schema/kinds.hpp"

namespace cg {

bool is_builtin_name(language lang, std::string_view name);
// Qualifiers that name a runtime object or namespace: console, Math, std, fmt...
bool is_builtin_qualifier(language lang, std::string_view qualifier);

}  // namespace cg
