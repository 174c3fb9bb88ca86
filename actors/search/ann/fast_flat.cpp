#include "actors/search/ann/fast_flat.hpp"

#include <immintrin.h>

#include <faiss/impl/DistanceComputer.h>

namespace cg {
namespace {

float l2_scalar(const float* a, const float* b, size_t d) {
  float s = 0;
  for (size_t i = 0; i < d; ++i) {
    float t = a[i] - b[i];
    s += t * t;
  }
  return s;
}

__attribute__((target("avx2,fma"))) float l2_avx2(const float* a, const float* b, size_t d) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= d; i += 16) {
    __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    __m256 t1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
    s0 = _mm256_fmadd_ps(t0, t0, s0);
    s1 = _mm256_fmadd_ps(t1, t1, s1);
  }
  for (; i + 8 <= d; i += 8) {
    __m256 t = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    s0 = _mm256_fmadd_ps(t, t, s0);
  }
  s0 = _mm256_add_ps(s0, s1);
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
  float s = _mm_cvtss_f32(h);
  for (; i < d; ++i) {
    float t = a[i] - b[i];
    s += t * t;
  }
  return s;
}

__attribute__((target("avx512f"))) float l2_avx512(const float* a, const float* b, size_t d) {
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= d; i += 32) {
    __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
    __m512 t1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
    s0 = _mm512_fmadd_ps(t0, t0, s0);
    s1 = _mm512_fmadd_ps(t1, t1, s1);
  }
  for (; i + 16 <= d; i += 16) {
    __m512 t = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
    s0 = _mm512_fmadd_ps(t, t, s0);
  }
  if (i < d) {  // the last d - i (< 16) lanes, masked
    auto m = static_cast<__mmask16>((1u << (d - i)) - 1);
    __m512 t = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
    s1 = _mm512_fmadd_ps(t, t, s1);
  }
  // (_mm512_reduce_add_ps trips GCC 12's -Wuninitialized inside its own header.)
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, _mm512_add_ps(s0, s1));
  float s = 0;
  for (float x : lanes) s += x;
  return s;
}

// Squared L2 between a float query and a row of IEEE half floats (converted by F16C;
// the maskz form: GCC 12 warns inside its own header on the unmasked one).
__attribute__((target("avx512f,f16c"))) float l2_half_avx512(const float* a, const uint16_t* b, size_t d) {
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 32 <= d; i += 32) {
    __m512 b0 = _mm512_maskz_cvtph_ps(0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i)));
    __m512 b1 = _mm512_maskz_cvtph_ps(0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i + 16)));
    __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), b0);
    __m512 t1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), b1);
    s0 = _mm512_fmadd_ps(t0, t0, s0);
    s1 = _mm512_fmadd_ps(t1, t1, s1);
  }
  for (; i + 16 <= d; i += 16) {
    __m512 t =
        _mm512_sub_ps(_mm512_loadu_ps(a + i),
                      _mm512_maskz_cvtph_ps(0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i))));
    s0 = _mm512_fmadd_ps(t, t, s0);
  }
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, _mm512_add_ps(s0, s1));
  float s = 0;
  for (float x : lanes) s += x;
  for (; i < d; ++i) {
    float t = a[i] - _cvtsh_ss(b[i]);
    s += t * t;
  }
  return s;
}

__attribute__((target("avx2,fma,f16c"))) float l2_half_avx2(const float* a, const uint16_t* b, size_t d) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 16 <= d; i += 16) {
    __m256 b0 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    __m256 b1 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + 8)));
    __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), b0);
    __m256 t1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), b1);
    s0 = _mm256_fmadd_ps(t0, t0, s0);
    s1 = _mm256_fmadd_ps(t1, t1, s1);
  }
  s0 = _mm256_add_ps(s0, s1);
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
  float s = _mm_cvtss_f32(h);
  for (; i < d; ++i) {
    float t = a[i] - _cvtsh_ss(b[i]);
    s += t * t;
  }
  return s;
}

__attribute__((target("f16c"))) void to_half_f16c(const float* in, uint16_t* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT));
  for (; i < n; ++i) out[i] = _cvtss_sh(in[i], _MM_FROUND_TO_NEAREST_INT);
}

using kernel = float (*)(const float*, const float*, size_t);
using half_kernel = float (*)(const float*, const uint16_t*, size_t);

struct chosen {
  kernel fn = l2_scalar;
  half_kernel half = nullptr;  // none without F16C
  const char* name = "scalar";
  chosen() {
    __builtin_cpu_init();
    const bool f16c = __builtin_cpu_supports("f16c");
    if (__builtin_cpu_supports("avx512f")) {
      fn = l2_avx512;
      name = "avx512";
      if (f16c) half = l2_half_avx512;
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
      fn = l2_avx2;
      name = "avx2";
      if (f16c) half = l2_half_avx2;
    }
  }
};

const chosen& pick() {
  static const chosen c;
  return c;
}

struct fast_l2_computer final : faiss::FlatCodesDistanceComputer {
  size_t d;
  kernel fn;
  const float* q = nullptr;
  fast_l2_computer(const fast_flat_l2& s, kernel k)
      : faiss::FlatCodesDistanceComputer(s.codes.data(), s.code_size), d(static_cast<size_t>(s.d)), fn(k) {}
  void set_query(const float* x) override { q = x; }
  float distance_to_code(const uint8_t* code) override { return fn(q, reinterpret_cast<const float*>(code), d); }
  float symmetric_dis(idx_t i, idx_t j) override {
    auto* base = reinterpret_cast<const float*>(codes);
    return fn(base + static_cast<size_t>(i) * d, base + static_cast<size_t>(j) * d, d);
  }
};

}  // namespace

float l2_squared(const float* a, const float* b, size_t d) { return pick().fn(a, b, d); }
bool half_kernels() { return pick().half != nullptr; }
float l2_squared_half(const float* a, const uint16_t* b, size_t d) { return pick().half(a, b, d); }
void to_half(const float* in, uint16_t* out, size_t n) { to_half_f16c(in, out, n); }
const char* l2_kernel_name() { return pick().name; }

faiss::FlatCodesDistanceComputer* fast_flat_l2::get_FlatCodesDistanceComputer() const {
  return new fast_l2_computer(*this, pick().fn);
}

void adopt_fast_storage(faiss::IndexHNSW& h) {
  // IndexHNSWFlat makes an IndexFlat(d, L2); read_index makes an IndexFlatL2.
  auto* old = dynamic_cast<faiss::IndexFlat*>(h.storage);
  if (!old || old->metric_type != faiss::METRIC_L2 || dynamic_cast<fast_flat_l2*>(old)) return;
  auto* fast = new fast_flat_l2(old->d);
  fast->codes = std::move(old->codes);
  fast->ntotal = old->ntotal;
  if (h.own_fields) delete old;
  h.storage = fast;
  h.own_fields = true;
}

}  // namespace cg
