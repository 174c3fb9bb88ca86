#include "schema/hash.hpp"

#include <cstring>
#include <string>

namespace cg {
namespace {

constexpr uint64_t k1 = 0x9e3779b97f4a7c15ull;
constexpr uint64_t k2 = 0xbf58476d1ce4e5b9ull;
constexpr uint64_t k3 = 0x94d049bb133111ebull;

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t mix(uint64_t w) {
  w *= k2;
  w ^= w >> 29;
  w *= k3;
  return w;
}

inline uint64_t finalize(uint64_t h) {
  h ^= h >> 33;
  h *= k2;
  h ^= h >> 31;
  h *= k3;
  h ^= h >> 32;
  return h;
}

}  // namespace

uint64_t hash64(std::string_view bytes, uint64_t seed) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  uint64_t a = seed ^ (n * k1);
  uint64_t b = rotl(seed, 17) + k3;
  while (n >= 16) {
    uint64_t w0, w1;
    std::memcpy(&w0, p, 8);
    std::memcpy(&w1, p + 8, 8);
    a = rotl(a ^ mix(w0), 27) * k1;
    b = rotl(b ^ mix(w1), 31) * k1;
    p += 16;
    n -= 16;
  }
  if (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    a = rotl(a ^ mix(w), 27) * k1;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    b = rotl(b ^ mix(w ^ (n << 56)), 31) * k1;
  }
  return finalize(a ^ rotl(b, 23));
}

node_id make_node_id(std::string_view project, std::string_view file, std::string_view qualified_name, node_kind kind,
                     uint32_t ordinal) {
  std::string buf;
  buf.reserve(project.size() + file.size() + qualified_name.size() + 8);
  buf.append(project).push_back('\0');
  buf.append(file).push_back('\0');
  buf.append(qualified_name).push_back('\0');
  buf.push_back(static_cast<char>(kind));
  if (ordinal > 0) buf.append("#").append(std::to_string(ordinal));
  node_id id = hash64(buf, 0x636f646567726170ull);
  return id == 0 ? 1 : id;  // 0 means "no node"
}

node_id unresolved_target_id(std::string_view simple_name) {
  node_id id = hash64(simple_name, 0x756e7265736f6c76ull);
  return id == 0 ? 1 : id;
}

std::string format_id(node_id id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i) {
    s[static_cast<size_t>(i)] = digits[id & 0xf];
    id >>= 4;
  }
  return s;
}

bool parse_id(std::string_view s, node_id& out) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  out = v;
  return true;
}

}  // namespace cg
