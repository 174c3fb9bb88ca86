#include "schema/json.hpp"

#include <charconv>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cmath>

#include <nlohmann/json.hpp>

#include "schema/hash.hpp"

namespace cg {
namespace {

constexpr std::pair<uint16_t, const char*> modifier_names[] = {
    {modifier::static_, "static"},      {modifier::async, "async"},
    {modifier::abstract, "abstract"},   {modifier::exported, "exported"},
    {modifier::const_, "const"},        {modifier::virtual_, "virtual"},
    {modifier::final_, "final"},        {modifier::declaration, "declaration"},
    {modifier::generator, "generator"}, {modifier::manual, "manual"}};

}  // namespace

nlohmann::json modifiers_json(const node& n) {
  auto arr = nlohmann::json::array();
  for (auto [bit, name] : modifier_names)
    if (n.has(bit)) arr.push_back(name);
  return arr;
}

namespace {

uint16_t modifiers_from_json(const nlohmann::json& arr) {
  uint16_t m = 0;
  static const std::pair<const char*, uint16_t> names[] = {
      {"static", modifier::static_},      {"async", modifier::async},
      {"abstract", modifier::abstract},   {"exported", modifier::exported},
      {"const", modifier::const_},        {"virtual", modifier::virtual_},
      {"final", modifier::final_},        {"declaration", modifier::declaration},
      {"generator", modifier::generator}, {"manual", modifier::manual}};
  for (const auto& v : arr)
    if (v.is_string())
      for (auto [name, bit] : names)
        if (v.get<std::string>() == name) m |= bit;
  return m;
}

}  // namespace

nlohmann::json to_json(const node& n) {
  nlohmann::json j;
  j["id"] = format_id(n.id);
  j["kind"] = to_string(n.kind);
  j["name"] = n.name;
  j["qualified_name"] = n.qualified_name;
  j["language"] = to_string(n.lang);
  j["file"] = n.file;
  j["line"] = n.name_pos.line;
  j["column"] = n.name_pos.column;
  j["span"] = {{"start_line", n.span.start.line}, {"start_column", n.span.start.column}, {"end_line", n.span.end.line},
               {"end_column", n.span.end.column}, {"start_byte", n.span.start_byte},     {"end_byte", n.span.end_byte}};
  if (!n.signature.empty()) j["signature"] = n.signature;
  if (!n.type_name.empty()) j["type"] = n.type_name;
  if (!n.docstring.empty()) j["docstring"] = n.docstring;
  if (n.vis != visibility::none) j["visibility"] = to_string(n.vis);
  j["modifiers"] = modifiers_json(n);
  j["content_hash"] = format_id(n.content_hash);
  if (n.parent != 0) j["parent"] = format_id(n.parent);
  return j;
}

namespace {

// A JSON string as nlohmann's dump() writes it (UTF-8 kept, control characters escaped,
// lower-case \u00xx), invalid UTF-8 replaced.
void put_string(std::string& out, std::string_view v) {
  out.push_back('"');
  size_t i = 0;
  while (i < v.size()) {
    // A run of bytes that go out as they are, appended at once.
    size_t run = i;
#if defined(__SSE2__)
    // Sixteen bytes at a time: a signed compare below 0x20 catches both the control
    // characters and every byte >= 0x80 (negative as signed).
    while (run + 16 <= v.size()) {
      __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(v.data() + run));
      __m128i bad =
          _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
                       _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
      auto mask = static_cast<unsigned>(_mm_movemask_epi8(bad));
      if (mask != 0) {
        run += static_cast<size_t>(__builtin_ctz(mask));
        break;
      }
      run += 16;
    }
#endif
    while (run < v.size()) {
      auto b = static_cast<unsigned char>(v[run]);
      if (b < 0x20 || b >= 0x80 || b == '"' || b == '\\') break;
      ++run;
    }
    if (run > i) {
      out.append(v.data() + i, run - i);
      i = run;
      continue;
    }
    auto c = static_cast<unsigned char>(v[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20) {
            static constexpr char digits[] = "0123456789abcdef";
            out += "\\u00";
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    // A multi-byte sequence: its length from the lead byte, then continuation bytes,
    // no overlong forms, no surrogates, nothing above U+10FFFF.
    size_t len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    bool ok = len && i + len <= v.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(v[i + k]) & 0xC0) == 0x80;
    if (ok && len >= 3) {
      auto c1 = static_cast<unsigned char>(v[i + 1]);
      if (c == 0xE0 && c1 < 0xA0) ok = false;
      if (c == 0xED && c1 >= 0xA0) ok = false;
      if (c == 0xF0 && c1 < 0x90) ok = false;
      if (c == 0xF4 && c1 >= 0x90) ok = false;
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(v.substr(i, len));
    i += len;
  }
  out.push_back('"');
}

// ,"key": (no comma right after the opening brace). N: the literal's size.
template <size_t N>
void put_key(std::string& out, const char (&key)[N]) {
  if (out.size() > 1) out.push_back(',');
  out.push_back('"');
  out.append(key, N - 1);
  out.append("\":", 2);
}

void put_uint(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<size_t>(end - buf));
}

}  // namespace

void append_json_string(std::string& out, std::string_view v) { put_string(out, v); }

void append_json_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view text(buf, static_cast<size_t>(end - buf));
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";
}

std::string node_json_text(const node& n) {
  // The keys in dump()'s order (sorted).
  std::string out;
  out.reserve(256 + n.signature.size() + n.docstring.size() + n.qualified_name.size() + n.file.size());
  out.push_back('{');
  put_key(out, "column");
  put_uint(out, n.name_pos.column);
  put_key(out, "content_hash");
  put_string(out, format_id(n.content_hash));
  if (!n.docstring.empty()) {
    put_key(out, "docstring");
    put_string(out, n.docstring);
  }
  put_key(out, "file");
  put_string(out, n.file);
  put_key(out, "id");
  put_string(out, format_id(n.id));
  put_key(out, "kind");
  put_string(out, to_string(n.kind));
  put_key(out, "language");
  put_string(out, to_string(n.lang));
  put_key(out, "line");
  put_uint(out, n.name_pos.line);
  put_key(out, "modifiers");
  out.push_back('[');
  bool first = true;
  for (auto [bit, name] : modifier_names) {
    if (!n.has(bit)) continue;
    if (!first) out.push_back(',');
    first = false;
    put_string(out, name);
  }
  out.push_back(']');
  put_key(out, "name");
  put_string(out, n.name);
  if (n.parent != 0) {
    put_key(out, "parent");
    put_string(out, format_id(n.parent));
  }
  put_key(out, "qualified_name");
  put_string(out, n.qualified_name);
  if (!n.signature.empty()) {
    put_key(out, "signature");
    put_string(out, n.signature);
  }
  put_key(out, "span");
  out += "{\"end_byte\":";
  put_uint(out, n.span.end_byte);
  out += ",\"end_column\":";
  put_uint(out, n.span.end.column);
  out += ",\"end_line\":";
  put_uint(out, n.span.end.line);
  out += ",\"start_byte\":";
  put_uint(out, n.span.start_byte);
  out += ",\"start_column\":";
  put_uint(out, n.span.start.column);
  out += ",\"start_line\":";
  put_uint(out, n.span.start.line);
  out.push_back('}');
  if (!n.type_name.empty()) {
    put_key(out, "type");
    put_string(out, n.type_name);
  }
  if (n.vis != visibility::none) {
    put_key(out, "visibility");
    put_string(out, to_string(n.vis));
  }
  out.push_back('}');
  return out;
}

nlohmann::json to_json(const edge& e) {
  nlohmann::json j;
  j["source"] = format_id(e.source);
  j["kind"] = to_string(e.kind);
  if (e.resolved())
    j["target"] = format_id(e.target);
  else
    j["target"] = nullptr;
  j["resolution"] = to_string(e.how);
  if (!e.target_name.empty()) j["target_name"] = e.target_name;
  auto sites = nlohmann::json::array();
  for (const auto& s : e.sites) sites.push_back({{"line", s.line}, {"column", s.column}});
  j["sites"] = std::move(sites);
  return j;
}

nlohmann::json to_json(const file_record& f) {
  return {{"path", f.path},
          {"language", to_string(f.lang)},
          {"size", f.size},
          {"mtime_ns", f.mtime_ns},
          {"content_hash", format_id(f.content_hash)},
          {"status", to_string(f.status)},
          {"syntax_errors", f.error_count},
          {"loc", f.loc},
          {"nodes", f.node_count},
          {"invalid_utf8", f.invalid_utf8}};
}

nlohmann::json to_json(const error& e) { return {{"code", to_string(e.code)}, {"message", e.message}}; }

result<node> node_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error(errc::invalid_argument, "a node must be a JSON object");
  node n;
  try {
    auto kind = parse_node_kind(j.at("kind").get<std::string>());
    if (!kind) return make_error(errc::invalid_argument, "unknown node kind");
    n.kind = *kind;
    n.name = j.at("name").get<std::string>();
    n.qualified_name = j.value("qualified_name", n.name);
    n.file = j.value("file", std::string());
    if (auto l = parse_language(j.value("language", std::string("unknown")))) n.lang = *l;
    n.name_pos.line = j.value("line", 0u);
    n.name_pos.column = j.value("column", 0u);
    n.signature = j.value("signature", std::string());
    n.type_name = j.value("type", std::string());
    n.docstring = j.value("docstring", std::string());
    if (j.contains("modifiers")) n.modifiers = modifiers_from_json(j["modifiers"]);
    if (j.contains("id")) {
      if (!parse_id(j["id"].get<std::string>(), n.id))
        return make_error(errc::invalid_argument, "id must be 16 hex digits");
    }
  } catch (const nlohmann::json::exception& e) {
    return make_error(errc::invalid_argument, std::string("bad node JSON: ") + e.what());
  }
  return n;
}

}  // namespace cg
