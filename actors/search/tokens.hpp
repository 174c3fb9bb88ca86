#pragma once
// Code-aware tokens for search: identifiers split into lowercase sub-tokens
// (camelCase, PascalCase, snake_case, kebab-case, acronyms, digits), prose split into
// words, English stop words dropped, and a light suffix stemmer applied the same way
// to documents and queries ("parses" and "parsing" meet "parse").
#include <string>
#include <string_view>
#include <vector>

namespace cg {

// "parseHTTPResponse_v2" -> parse, http, response, v2. Sub-tokens shorter than two
// characters are dropped; pure numbers too.
void split_identifier(std::string_view id, std::vector<std::string>& out);

// Every identifier-like run of a text, split as above, stop words removed, stemmed.
void text_tokens(std::string_view text, std::vector<std::string>& out);

bool is_stop_word(std::string_view w);
std::string stem(std::string_view w);

}  // namespace cg
