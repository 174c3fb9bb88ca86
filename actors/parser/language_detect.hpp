#pragma once
// Which language a file is written in: by extension, then by shebang, then by
// sniffing the first bytes (for extensionless scripts and ambiguous .h headers).
#include <string_view>

#include "schema/kinds.hpp"

namespace cg {

// By name alone (extension or well-known file name); unknown if it cannot tell.
language language_from_path(std::string_view path);

// Full detection: path first; for extensionless files the shebang; for .h files
// whether the content looks like C++ (classes, namespaces, templates).
language detect_language(std::string_view path, std::string_view head);

// Binary if the first bytes hold a NUL byte (as git decides).
bool looks_binary(std::string_view head);

}  // namespace cg
