#include "storage/keys.hpp"

#include "schema/bytes.hpp"

namespace cg::keys {

std::string project_prefix(uint32_t proj) {
  std::string k;
  put_be32(k, proj);
  return k;
}

std::string node(uint32_t proj, node_id id) {
  std::string k;
  k.reserve(12);
  put_be32(k, proj);
  put_be64(k, id);
  return k;
}

node_id node_id_of(std::string_view key) { return key.size() >= 12 ? get_be64(key, 4) : 0; }

std::string edge(uint32_t proj, node_id from, edge_kind kind, node_id to) {
  std::string k;
  k.reserve(21);
  put_be32(k, proj);
  put_be64(k, from);
  put_u8(k, static_cast<uint8_t>(kind));
  put_be64(k, to);
  return k;
}

std::string edge_prefix(uint32_t proj, node_id from) {
  std::string k;
  put_be32(k, proj);
  put_be64(k, from);
  return k;
}

std::string edge_prefix(uint32_t proj, node_id from, edge_kind kind) {
  auto k = edge_prefix(proj, from);
  put_u8(k, static_cast<uint8_t>(kind));
  return k;
}

edge_key_parts parse_edge_key(std::string_view key) {
  edge_key_parts p;
  if (key.size() != 21) return p;
  p.first = get_be64(key, 4);
  p.kind = static_cast<edge_kind>(static_cast<uint8_t>(key[12]));
  p.second = get_be64(key, 13);
  return p;
}

std::string mirror_edge_key(std::string_view key) {
  if (key.size() != 21) return {};
  auto p = parse_edge_key(key);
  return edge(get_be32(key), p.second, p.kind, p.first);
}

namespace {
std::string string_index(uint32_t proj, char tag, std::string_view s, node_id id) {
  std::string k;
  k.reserve(4 + 1 + s.size() + 1 + 8);
  put_be32(k, proj);
  k.push_back(tag);
  k.append(s);
  k.push_back('\0');
  put_be64(k, id);
  return k;
}
std::string string_prefix(uint32_t proj, char tag, std::string_view s, bool exact) {
  std::string k;
  put_be32(k, proj);
  k.push_back(tag);
  k.append(s);
  if (exact) k.push_back('\0');
  return k;
}
std::string meta_key(uint32_t proj, char tag, std::string_view path) {
  std::string k;
  k.reserve(5 + path.size());
  put_be32(k, proj);
  k.push_back(tag);
  k.append(path);
  return k;
}
}  // namespace

std::string name_index(uint32_t proj, std::string_view lower_name, node_id id) {
  return string_index(proj, tag_name, lower_name, id);
}
std::string name_prefix(uint32_t proj, std::string_view lower_name, bool exact) {
  return string_prefix(proj, tag_name, lower_name, exact);
}
std::string file_index(uint32_t proj, std::string_view path, node_id id) {
  return string_index(proj, tag_file, path, id);
}
std::string file_index_prefix(uint32_t proj, std::string_view path) {
  return string_prefix(proj, tag_file, path, true);
}
std::string kind_index(uint32_t proj, node_kind kind, node_id id) {
  std::string k;
  put_be32(k, proj);
  k.push_back(tag_kind);
  put_u8(k, static_cast<uint8_t>(kind));
  put_be64(k, id);
  return k;
}
std::string kind_prefix(uint32_t proj, node_kind kind) {
  std::string k;
  put_be32(k, proj);
  k.push_back(tag_kind);
  put_u8(k, static_cast<uint8_t>(kind));
  return k;
}
std::string index_tag_prefix(uint32_t proj, char tag) {
  std::string k;
  put_be32(k, proj);
  k.push_back(tag);
  return k;
}
node_id trailing_id(std::string_view key) { return key.size() >= 8 ? get_be64(key, key.size() - 8) : 0; }

std::string project(std::string_view name) { return meta_key(0, tag_project, name); }
std::string project_info(std::string_view name) { return meta_key(0, tag_project_info, name); }
std::string schema_version() { return meta_key(0, tag_schema, ""); }
std::string layer(uint32_t proj) {
  std::string id;
  put_be32(id, proj);
  return meta_key(0, tag_layer, id);
}
std::string layer_prefix() { return meta_key(0, tag_layer, ""); }
std::string meta_tag_prefix(uint32_t proj, char tag) { return meta_key(proj, tag, ""); }
std::string manifest(uint32_t proj, std::string_view path) { return meta_key(proj, tag_manifest, path); }
std::string refs(uint32_t proj, std::string_view path) { return meta_key(proj, tag_refs, path); }
std::string pending(uint32_t proj, std::string_view path) { return meta_key(proj, tag_pending, path); }
std::string counter(uint32_t proj, std::string_view name) { return meta_key(proj, tag_counter, name); }
std::string changed(uint32_t proj, std::string_view path) { return meta_key(proj, tag_changed, path); }
std::string args_in(uint32_t proj, std::string_view callee_path, std::string_view caller_path) {
  std::string rest(callee_path);
  rest.push_back('\0');
  rest.append(caller_path);
  return meta_key(proj, tag_args_in, rest);
}
std::string args_in_prefix(uint32_t proj, std::string_view callee_path) {
  std::string rest(callee_path);
  rest.push_back('\0');
  return meta_key(proj, tag_args_in, rest);
}
std::string args_out(uint32_t proj, std::string_view caller_path) { return meta_key(proj, tag_args_out, caller_path); }
std::string_view meta_path_of(std::string_view key) { return key.size() >= 5 ? key.substr(5) : std::string_view{}; }

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& c = reinterpret_cast<unsigned char&>(end.back());
    if (c != 0xff) {
      ++c;
      return end;
    }
    end.pop_back();
  }
  return end;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace cg::keys
