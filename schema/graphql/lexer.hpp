#pragma once
// The GraphQL lexer (spec section 2.1): punctuators, names, numbers, strings and
// block strings; whitespace, line terminators, commas, comments and a BOM ignored.
#include <string>
#include <string_view>

#include "schema/graphql/ast.hpp"

namespace cg::gql {

struct token {
  enum class kind : uint8_t {
    eof,
    bang,
    dollar,
    amp,
    paren_l,
    paren_r,
    spread,
    colon,
    equals,
    at,
    bracket_l,
    bracket_r,
    brace_l,
    pipe,
    brace_r,
    name,
    int_,
    float_,
    string,
    block_string,
  };
  kind k = kind::eof;
  std::string value;  // name, number text, decoded string
  location loc;
};

std::string_view describe(token::kind k);

class lexer {
 public:
  explicit lexer(std::string_view source) : src_(source) {}
  // The next token; false with *error set on a lexical error.
  bool next(token& out, std::string& error);

 private:
  location here() const { return {line_, static_cast<uint32_t>(pos_ - line_start_ + 1)}; }
  void newline(size_t after) {
    ++line_;
    line_start_ = after;
  }
  bool read_number(token& out, std::string& error);
  bool read_string(token& out, std::string& error);
  bool read_block_string(token& out, std::string& error);

  std::string_view src_;
  size_t pos_ = 0, line_start_ = 0;
  uint32_t line_ = 1;
};

// The spec's BlockStringValue: common indentation and blank first/last lines removed.
std::string block_string_value(std::string_view raw);

}  // namespace cg::gql
