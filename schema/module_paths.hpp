#pragma once
// Module paths derived from a file's path, per language convention. The parser uses
// them to qualify names; the resolver uses them to find what an import names.
#include <string>
#include <string_view>

#include "schema/kinds.hpp"

namespace cg {

std::string python_module_path(std::string_view path);  // "json/decoder.py" -> "json.decoder"
std::string js_module_path(std::string_view path);      // "src/a/b.ts" -> "src/a/b"
std::string rust_module_path(std::string_view path);    // "core/src/iter/mod.rs" -> "core::iter"
std::string_view directory_of(std::string_view path);   // "a/b/c.go" -> "a/b", "c.go" -> ""

// The separator of qualified names in a language: "::" for Rust and C/C++, else ".".
std::string_view qualifier_separator(language lang);

}  // namespace cg
