#pragma once
// Little helpers for compact binary encodings: varints, length-prefixed strings,
// big-endian fixed-width integers (for keys that must sort numerically).
#include <cstdint>
#include <string>
#include <string_view>

namespace cg {

inline void put_u8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }

inline void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

inline void put_str(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

inline void put_be32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

inline void put_be64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

inline uint32_t get_be32(std::string_view s, size_t at = 0) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

inline uint64_t get_be64(std::string_view s, size_t at = 0) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// A bounds-checked reader: once a read runs past the end, ok() stays false and
// every further read returns zero values.
class byte_reader {
 public:
  explicit byte_reader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ >= in_.size(); }
  size_t remaining() const { return in_.size() - pos_; }

  uint8_t u8() {
    if (pos_ >= in_.size()) return fail();
    return static_cast<uint8_t>(in_[pos_++]);
  }

  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      auto b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }

  uint64_t be64() {
    if (in_.size() - pos_ < 8 || pos_ > in_.size()) return fail();
    uint64_t v = get_be64(in_, pos_);
    pos_ += 8;
    return v;
  }

  std::string_view str() {
    uint64_t n = varint();
    if (!ok_ || n > in_.size() - pos_) return fail(), std::string_view{};
    auto s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  uint8_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace cg
