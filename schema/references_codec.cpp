#include <algorithm>

#include "schema/bytes.hpp"
#include "schema/extract.hpp"

namespace cg {
namespace {
constexpr uint8_t refs_format = 1;
}

void encode_references(const file_references& r, std::string& out) {
  put_u8(out, refs_format);
  put_str(out, r.module_path);
  put_str(out, r.package);
  put_varint(out, r.imports.size());
  for (const auto& i : r.imports) {
    put_varint(out, i.source);
    put_str(out, i.module);
    put_str(out, i.name);
    put_str(out, i.alias);
    put_varint(out, i.site.line);
    put_varint(out, i.site.column);
    put_u8(out, i.level);
  }
  put_varint(out, r.refs.size());
  for (const auto& f : r.refs) {
    put_varint(out, f.source);
    put_u8(out, static_cast<uint8_t>(f.kind));
    put_u8(out, f.flags);
    put_str(out, f.name);
    put_str(out, f.qualifier);
    put_varint(out, f.site.line);
    put_varint(out, f.site.column);
  }
  put_varint(out, r.bindings.size());
  for (const auto& b : r.bindings) {
    put_varint(out, b.scope);
    put_str(out, b.variable);
    put_str(out, b.type);
  }
}

result<file_references> decode_references(std::string_view bytes) {
  byte_reader in(bytes);
  if (in.u8() != refs_format) return make_error(errc::corrupt, "cannot decode references (unknown format)");
  file_references r;
  r.module_path = in.str();
  r.package = in.str();
  auto bound = [&](uint64_t n) { return std::min<uint64_t>(n, bytes.size()); };
  uint64_t n = in.varint();
  r.imports.reserve(bound(n));
  for (uint64_t k = 0; k < n && in.ok(); ++k) {
    raw_import i;
    i.source = in.varint();
    i.module = in.str();
    i.name = in.str();
    i.alias = in.str();
    i.site.line = static_cast<uint32_t>(in.varint());
    i.site.column = static_cast<uint32_t>(in.varint());
    i.level = in.u8();
    r.imports.push_back(std::move(i));
  }
  n = in.varint();
  r.refs.reserve(bound(n));
  for (uint64_t k = 0; k < n && in.ok(); ++k) {
    raw_ref f;
    f.source = in.varint();
    f.kind = static_cast<edge_kind>(in.u8());
    f.flags = in.u8();
    f.name = in.str();
    f.qualifier = in.str();
    f.site.line = static_cast<uint32_t>(in.varint());
    f.site.column = static_cast<uint32_t>(in.varint());
    r.refs.push_back(std::move(f));
  }
  n = in.varint();
  r.bindings.reserve(bound(n));
  for (uint64_t k = 0; k < n && in.ok(); ++k) {
    type_binding b;
    b.scope = in.varint();
    b.variable = in.str();
    b.type = in.str();
    r.bindings.push_back(std::move(b));
  }
  if (!in.ok() || !in.at_end()) return make_error(errc::corrupt, "cannot decode references");
  return r;
}

}  // namespace cg
