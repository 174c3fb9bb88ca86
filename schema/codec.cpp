#include "schema/codec.hpp"

#include <algorithm>

#include "schema/bytes.hpp"

namespace cg {
namespace {

constexpr uint8_t node_format = 2;
constexpr uint8_t edge_format = 1;
constexpr uint8_t file_format = 1;

void put_pos(std::string& out, const text_pos& p) {
  put_varint(out, p.line);
  put_varint(out, p.column);
}

text_pos get_pos(byte_reader& r) {
  text_pos p;
  p.line = static_cast<uint32_t>(r.varint());
  p.column = static_cast<uint32_t>(r.varint());
  return p;
}

error corrupt(const char* what) { return make_error(errc::corrupt, std::string("cannot decode ") + what); }

}  // namespace

void encode_node(const node& n, std::string& out) {
  put_u8(out, node_format);
  put_u8(out, static_cast<uint8_t>(n.kind));
  put_u8(out, static_cast<uint8_t>(n.lang));
  put_u8(out, static_cast<uint8_t>(n.vis));
  put_varint(out, n.modifiers);
  put_str(out, n.name);
  put_str(out, n.qualified_name);
  put_str(out, n.file);
  put_pos(out, n.span.start);
  put_pos(out, n.span.end);
  put_varint(out, n.span.start_byte);
  put_varint(out, n.span.end_byte);
  put_pos(out, n.name_pos);
  put_str(out, n.signature);
  put_str(out, n.type_name);
  put_str(out, n.docstring);
  put_varint(out, n.content_hash);
  put_varint(out, n.parent);
}

result<node> decode_node(std::string_view bytes, node_id id) {
  byte_reader r(bytes);
  if (r.u8() != node_format) return corrupt("node (unknown format)");
  node n;
  n.id = id;
  n.kind = static_cast<node_kind>(r.u8());
  n.lang = static_cast<language>(r.u8());
  n.vis = static_cast<visibility>(r.u8());
  n.modifiers = static_cast<uint16_t>(r.varint());
  n.name = r.str();
  n.qualified_name = r.str();
  n.file = r.str();
  n.span.start = get_pos(r);
  n.span.end = get_pos(r);
  n.span.start_byte = static_cast<uint32_t>(r.varint());
  n.span.end_byte = static_cast<uint32_t>(r.varint());
  n.name_pos = get_pos(r);
  n.signature = r.str();
  n.type_name = r.str();
  n.docstring = r.str();
  n.content_hash = r.varint();
  n.parent = r.varint();
  if (!r.ok() || !r.at_end()) return corrupt("node");
  return n;
}

void encode_edge_value(const edge& e, std::string& out) {
  put_u8(out, edge_format);
  put_u8(out, static_cast<uint8_t>(e.how));
  put_str(out, e.target_name);
  put_varint(out, e.sites.size());
  uint32_t prev_line = 0;
  for (const auto& s : e.sites) {  // sites are sorted: delta-encode the lines
    put_varint(out, s.line - std::min(prev_line, s.line));
    put_varint(out, s.column);
    prev_line = s.line;
  }
}

status decode_edge_value(std::string_view bytes, edge& e) {
  byte_reader r(bytes);
  if (r.u8() != edge_format) return corrupt("edge (unknown format)");
  e.how = static_cast<resolution>(r.u8());
  e.target_name = r.str();
  uint64_t n = r.varint();
  if (!r.ok() || n > bytes.size()) return corrupt("edge");
  e.sites.clear();
  e.sites.reserve(n);
  uint32_t line = 0;
  for (uint64_t i = 0; i < n; ++i) {
    line += static_cast<uint32_t>(r.varint());
    uint32_t col = static_cast<uint32_t>(r.varint());
    e.sites.push_back({line, col});
  }
  if (!r.ok() || !r.at_end()) return corrupt("edge");
  return {};
}

void encode_file_record(const file_record& f, std::string& out) {
  put_u8(out, file_format);
  put_u8(out, static_cast<uint8_t>(f.lang));
  put_varint(out, f.size);
  put_varint(out, static_cast<uint64_t>(f.mtime_ns));
  put_varint(out, f.content_hash);
  put_u8(out, static_cast<uint8_t>(f.status));
  put_varint(out, f.error_count);
  put_varint(out, f.loc);
  put_varint(out, f.node_count);
  put_u8(out, f.invalid_utf8 ? 1 : 0);
  put_varint(out, f.analysis);
}

result<file_record> decode_file_record(std::string_view bytes, std::string_view path) {
  byte_reader r(bytes);
  if (r.u8() != file_format) return corrupt("file record (unknown format)");
  file_record f;
  f.path = path;
  f.lang = static_cast<language>(r.u8());
  f.size = r.varint();
  f.mtime_ns = static_cast<int64_t>(r.varint());
  f.content_hash = r.varint();
  f.status = static_cast<parse_status>(r.u8());
  f.error_count = static_cast<uint32_t>(r.varint());
  f.loc = static_cast<uint32_t>(r.varint());
  f.node_count = static_cast<uint32_t>(r.varint());
  f.invalid_utf8 = r.u8() != 0;
  if (r.ok() && !r.at_end()) f.analysis = static_cast<uint32_t>(r.varint());  // absent before versions
  if (!r.ok() || !r.at_end()) return corrupt("file record");
  return f;
}

std::string_view to_string(parse_status s) {
  switch (s) {
    case parse_status::ok: return "ok";
    case parse_status::syntax_errors: return "syntax_errors";
    case parse_status::failed: return "failed";
  }
  return "?";
}

const char* to_string(errc c) {
  switch (c) {
    case errc::ok: return "ok";
    case errc::invalid_argument: return "invalid_argument";
    case errc::not_found: return "not_found";
    case errc::io_error: return "io_error";
    case errc::storage_error: return "storage_error";
    case errc::corrupt: return "corrupt";
    case errc::unsupported: return "unsupported";
    case errc::too_large: return "too_large";
    case errc::cancelled: return "cancelled";
    case errc::conflict: return "conflict";
    case errc::timeout: return "timeout";
    case errc::upstream: return "upstream";
    case errc::internal: return "internal";
    case errc::permission_denied: return "forbidden";
    case errc::overloaded: return "overloaded";
  }
  return "?";
}

}  // namespace cg
