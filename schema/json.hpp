#pragma once
// JSON encodings (nlohmann) of the model, for the CLI and the API.
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "schema/edge.hpp"
#include "schema/file_record.hpp"
#include "schema/node.hpp"
#include "schema/result.hpp"

namespace cg {

nlohmann::json to_json(const node& n);
nlohmann::json to_json(const edge& e);
nlohmann::json to_json(const file_record& f);
nlohmann::json to_json(const error& e);
nlohmann::json modifiers_json(const node& n);  // ["static", "async", ...]

// to_json(n).dump(), written directly (no JSON tree: the node-by-id route answers with
// it tens of thousands of times a second). Byte for byte the same text for valid UTF-8;
// a byte that is not valid UTF-8 becomes U+FFFD (where dump() would throw).
std::string node_json_text(const node& n);

// The pieces of such direct writers: a string as dump() writes it (invalid UTF-8
// replaced by U+FFFD), and a number (shortest round-trip form; an integral value gets
// ".0" as dump() gives it; NaN and infinities become null, as in dump()).
void append_json_string(std::string& out, std::string_view v);
void append_json_number(std::string& out, double v);

result<node> node_from_json(const nlohmann::json& j);

}  // namespace cg
