#pragma once
// JSON from outside the process (request bodies, GraphQL variables, WebSocket and MCP
// messages, JWT headers and claims) is parsed here and nowhere else. Nesting is
// checked before the parser runs: nlohmann's parser is iterative, but dump(), copies
// and comparisons of the value recurse once per level, and a body nested 60,000 deep
// (120 KB) overflowed the stack in dump() and took the server down.
#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "schema/result.hpp"

namespace cg {

// Arrays and objects nested deeper than this are refused. Real clients stay far
// below it (GraphQL variables of the CodeGraph schema need 4 levels).
inline constexpr size_t client_json_max_depth = 64;

// The deepest nesting of arrays and objects in text (strings and their escapes are
// skipped), counting stops at `stop`: a linear scan that allocates nothing. Text that
// is not JSON gives some depth; the parser then says what is wrong with it.
size_t json_nesting(std::string_view text, size_t stop);

// invalid_argument, with a message a client can act on, for text that is not JSON or
// nests deeper than max_depth.
result<nlohmann::json> parse_client_json(std::string_view text, size_t max_depth = client_json_max_depth);
result<nlohmann::ordered_json> parse_client_ordered_json(std::string_view text,
                                                         size_t max_depth = client_json_max_depth);

// The nesting of a value already built (by a parser that checked nothing, say), for
// code that must not recurse over it; stops at `stop` (no recursion: an explicit stack).
size_t json_value_nesting(const nlohmann::json& v, size_t stop);
size_t json_value_nesting(const nlohmann::ordered_json& v, size_t stop);

}  // namespace cg
