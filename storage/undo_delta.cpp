#include "storage/undo_delta.hpp"

#include <zstd.h>

#include <algorithm>
#include <memory>

#include "schema/bytes.hpp"

namespace cg {

namespace {

// Below this many bytes between the common prefix and suffix the plain form is kept
// (a zstd frame costs ~10 bytes of its own).
constexpr size_t zstd_worth = 48;

struct cctx_free {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct dctx_free {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

std::optional<std::string> zstd_delta(std::string_view older, std::string_view newer) {
  thread_local std::unique_ptr<ZSTD_CCtx, cctx_free> c(ZSTD_createCCtx());
  if (!c) return std::nullopt;
  ZSTD_CCtx_reset(c.get(), ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(c.get(), ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(c.get(), ZSTD_c_checksumFlag, 1);  // a wrong newer value is refused
  if (ZSTD_isError(ZSTD_CCtx_refPrefix(c.get(), newer.data(), newer.size()))) return std::nullopt;
  std::string out(1 + ZSTD_compressBound(older.size()), '\0');
  out[0] = undo_zstd_tag;
  size_t n = ZSTD_compress2(c.get(), out.data() + 1, out.size() - 1, older.data(), older.size());
  if (ZSTD_isError(n)) return std::nullopt;
  out.resize(1 + n);
  return out;
}

std::optional<std::string> apply_zstd_delta(std::string_view frame, std::string_view newer) {
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (uint64_t{1} << 31))
    return std::nullopt;
  thread_local std::unique_ptr<ZSTD_DCtx, dctx_free> d(ZSTD_createDCtx());
  if (!d) return std::nullopt;
  ZSTD_DCtx_reset(d.get(), ZSTD_reset_session_and_parameters);
  if (ZSTD_isError(ZSTD_DCtx_refPrefix(d.get(), newer.data(), newer.size()))) return std::nullopt;
  std::string out(static_cast<size_t>(size), '\0');
  size_t n = ZSTD_decompressDCtx(d.get(), out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != out.size()) return std::nullopt;
  return out;
}

}  // namespace

std::string make_undo_delta(std::string_view older, std::string_view newer) {
  const size_t most = std::min(older.size(), newer.size());
  size_t prefix = 0;
  while (prefix < most && older[prefix] == newer[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < most - prefix && older[older.size() - 1 - suffix] == newer[newer.size() - 1 - suffix]) ++suffix;
  std::string out(1, undo_delta_tag);
  put_varint(out, prefix);
  put_varint(out, suffix);
  out.append(older.substr(prefix, older.size() - prefix - suffix));
  if (older.size() - prefix - suffix >= zstd_worth)
    if (auto z = zstd_delta(older, newer); z && z->size() < out.size()) return std::move(*z);
  return out;
}

std::optional<std::string> apply_undo_delta(std::string_view delta, std::string_view newer) {
  if (!delta.empty() && delta[0] == undo_zstd_tag) return apply_zstd_delta(delta.substr(1), newer);
  if (delta.empty() || delta[0] != undo_delta_tag) return std::nullopt;
  byte_reader r(delta.substr(1));
  const uint64_t prefix = r.varint();
  const uint64_t suffix = r.varint();
  if (!r.ok() || prefix > newer.size() || suffix > newer.size() - prefix) return std::nullopt;
  const size_t head = delta.size() - r.remaining();
  std::string out;
  out.reserve(prefix + (delta.size() - head) + suffix);
  out.append(newer.substr(0, prefix));
  out.append(delta.substr(head));
  out.append(newer.substr(newer.size() - suffix));
  return out;
}

}  // namespace cg
