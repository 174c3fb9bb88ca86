#pragma once
// Macros tree-sitter cannot see through, neutralised before parsing C/C++.
// Only spaces replace the macro bytes, so every offset, line and column stays true.
#include <string>
#include <string_view>

namespace cg {

// `class EXPORT_MACRO Name : Base {` / `struct ALIGN(16) Name {`: blanks the macro
// (and its parenthesised arguments) between the keyword and the name of a class,
// struct or union definition head. Returns whether anything changed.
bool blank_declaration_macros(std::string& src);

// A line holding nothing but a macro-like identifier (optionally with arguments),
// followed by a line that starts a declaration: `BOOST_INLINE\n int f() {`,
// `Q_OBJECT\n public:`. Blanks the macro line. Returns whether anything changed.
bool blank_lone_macro_lines(std::string& src);

// Whether the quick pre-check finds a candidate (to avoid copying clean files).
bool may_have_declaration_macros(std::string_view src);

}  // namespace cg
