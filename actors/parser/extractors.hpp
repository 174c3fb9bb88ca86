#pragma once
// One entry point per language family; each fills `out` from a parsed tree.
#include <tree_sitter/api.h>

#include "actors/parser/extractor.hpp"

namespace cg {

void extract_python(const extract_input& in, TSNode root, file_extract& out);
void extract_rust(const extract_input& in, TSNode root, file_extract& out);
void extract_javascript(const extract_input& in, TSNode root, file_extract& out);  // JS, JSX, TS, TSX
void extract_go(const extract_input& in, TSNode root, file_extract& out);
void extract_java(const extract_input& in, TSNode root, file_extract& out);
void extract_c_family(const extract_input& in, TSNode root, file_extract& out);  // C and C++

}  // namespace cg
