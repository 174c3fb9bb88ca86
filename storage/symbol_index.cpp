#include "storage/symbol_index.hpp"

#include "schema/bytes.hpp"
#include "storage/keys.hpp"

namespace cg {

void encode_symbol_entry(const node& n, std::string& out) {
  put_u8(out, static_cast<uint8_t>(n.kind));
  put_u8(out, static_cast<uint8_t>(n.lang));
  put_varint(out, n.modifiers);
  put_be64(out, n.parent);
  put_varint(out, n.name_pos.line);
  put_str(out, n.name);
  put_str(out, n.qualified_name);
  put_str(out, n.file);
  put_str(out, n.type_name);
}

status decode_symbol_entry(std::string_view key, std::string_view value, symbol_entry& out) {
  out.id = keys::trailing_id(key);
  byte_reader r(value);
  out.kind = static_cast<node_kind>(r.u8());
  out.lang = static_cast<language>(r.u8());
  out.modifiers = static_cast<uint16_t>(r.varint());
  out.parent = r.be64();
  out.line = static_cast<uint32_t>(r.varint());
  out.name = r.str();
  out.qualified_name = r.str();
  out.file = r.str();
  out.type_name = r.str();
  if (!r.ok() || !r.at_end()) return make_error(errc::corrupt, "cannot decode symbol index entry");
  return {};
}

}  // namespace cg
