#pragma once
// UTF-8 checks and repair: every string that leaves a parser is valid UTF-8.
#include <string>
#include <string_view>

namespace cg {

bool is_valid_utf8(std::string_view s);
// Replaces each invalid byte sequence with U+FFFD.
std::string sanitize_utf8(std::string_view s);
// Collapses runs of white space to one space and trims; cuts at max_bytes on a
// character boundary, appending "…" when it cut.
std::string collapse_whitespace(std::string_view s, size_t max_bytes);

}  // namespace cg
