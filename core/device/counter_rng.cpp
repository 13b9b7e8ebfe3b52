#include "core/device/counter_rng.h"

#include <cmath>
#include <cstring>

namespace xbg {

namespace {

// Four lanes of the same arithmetic as CounterRng::normal_pair, with GCC
// vector types so one body compiles to AVX2 (4 doubles per register) or to
// SSE2 pairs. Only IEEE add, sub, mul, div and sqrt (no fused multiply-add,
// no libm): every lane is correctly rounded step by step, so both builds give
// bit-identical numbers on any x86-64. The uniforms are bit for bit those of
// normal_pair; log, sin and cos are fdlibm's kernels (e_log.c, k_sin.c,
// k_cos.c, error < 1 ulp), so a value differs from the libm one by an ulp or
// two at most.
// The helpers take and return 32-byte vectors by value; all are inlined into
// the two entry points below, so no call ever crosses the (target-dependent) ABI.
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double v4d __attribute__((vector_size(32)));
typedef uint64_t v4u __attribute__((vector_size(32)));
typedef int64_t v4i __attribute__((vector_size(32)));

#define XBG_INLINE __attribute__((always_inline)) inline

XBG_INLINE v4u mix64_v(v4u x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

XBG_INLINE v4d select(v4i mask, v4d a, v4d b) { return (v4d)((mask & (v4i)a) | (~mask & (v4i)b)); }

// Exact double of integers below 2^52 (AVX2 has no 64-bit integer conversion).
XBG_INLINE v4d small_to_double(v4u a) {
  const v4u magic = (v4u){0, 0, 0, 0} + 0x4330000000000000ull;  // 2^52
  return (v4d)(a | magic) - 0x1.0p52;
}

// (x >> 11) + 0.5, times 2^-53: CounterRng::to_unit.
XBG_INLINE v4d to_unit_v(v4u x) {
  const v4u a = x >> 11;
  const v4d hi = small_to_double(a >> 32), lo = small_to_double(a & 0xFFFFFFFFull);
  return (hi * 0x1.0p32 + lo + 0.5) * 0x1.0p-53;
}

// ln(x) for normal x > 0 (fdlibm e_log.c without its special cases).
XBG_INLINE v4d log_v(v4d x) {
  const v4u bits = (v4u)x;
  v4d k = small_to_double(bits >> 52) - 1023.0;
  v4d m = (v4d)((bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull);  // [1, 2)
  const v4i big = m > 1.4142135623730951;  // fold to [sqrt(2)/2, sqrt(2))
  m = select(big, m * 0.5, m);
  k = select(big, k + 1.0, k);
  const v4d f = m - 1.0;
  const v4d s = f / (2.0 + f), z = s * s, w = z * z;
  const v4d t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const v4d t2 = z * (6.666666666666735130e-01 +
                      w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const v4d r = t2 + t1, hfsq = 0.5 * f * f;
  return k * 6.93147180369123816490e-01 - ((hfsq - (s * (hfsq + r) + k * 1.90821492927058770002e-10)) - f);
}

// sin and cos of a in [0, 2 pi] (fdlibm: Cody-Waite reduction by pi/2 with a
// 33 + 53 bit split, then the kernels on [-pi/4, pi/4] with the tail y).
XBG_INLINE void sincos_v(v4d a, v4d& s_out, v4d& c_out) {
  const v4d shifted = a * 6.36619772367581382433e-01 + 0x1.8p52;  // round to nearest quadrant
  const v4u q = (v4u)shifted & 3;
  const v4d n = shifted - 0x1.8p52;
  const v4d r = a - n * 1.57079632673412561417e+00;
  const v4d t = n * 6.07710050650619224932e-11;
  const v4d x = r - t;
  const v4d y = (r - x) - t;
  const v4d z = x * x, v = z * x;
  const v4d sr = 8.33333333332248946124e-03 +
                 z * (-1.98412698298579493134e-04 +
                      z * (2.75573137070700676789e-06 + z * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)));
  const v4d sin_x = x - ((z * (0.5 * y - v * sr) - y) - v * -1.66666666666666324348e-01);
  const v4d cr =
      z * (4.16666666666666019037e-02 +
           z * (-1.38888888888741095749e-03 +
                z * (2.48015872894767294178e-05 +
                     z * (-2.75573143513906633035e-07 + z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11)))));
  const v4d hz = 0.5 * z, cw = 1.0 - hz;
  const v4d cos_x = cw + (((1.0 - cw) - hz) + (z * cr - x * y));
  // Quadrant q: (sin, cos) = (S, C), (C, -S), (-S, -C), (-C, S).
  const v4i swap = (v4i)((q & 1) != 0);
  const v4i neg_s = (v4i)((q & 2) != 0), neg_c = (v4i)(((q + 1) & 2) != 0);
  const v4d s0 = select(swap, cos_x, sin_x), c0 = select(swap, sin_x, cos_x);
  const v4i sign = (v4i)((v4u){0, 0, 0, 0} + 0x8000000000000000ull);
  s_out = (v4d)((v4i)s0 ^ (neg_s & sign));
  c_out = (v4d)((v4i)c0 ^ (neg_c & sign));
}

// Pairs p .. p + 3 into z[0 .. 8), interleaved as normal_pair fills them.
XBG_INLINE void normal4(uint64_t key, uint64_t p, double* z) {
  const v4u pair = (v4u){p, p + 1, p + 2, p + 3};
  const v4u k = (v4u){0, 0, 0, 0} + key;
  const v4d u1 = to_unit_v(mix64_v(k ^ mix64_v(2 * pair)));
  const v4d u2 = to_unit_v(mix64_v(k ^ mix64_v(2 * pair + 1)));
  v4d r = -2.0 * log_v(u1);
  for (int j = 0; j < 4; ++j) r[j] = std::sqrt(r[j]);  // correctly rounded, like libm's
  v4d s, c;
  sincos_v(6.283185307179586 * u2, s, c);
  const v4d z0 = r * c, z1 = r * s;
  for (int j = 0; j < 4; ++j) {
    z[2 * j] = z0[j];
    z[2 * j + 1] = z1[j];
  }
}

XBG_INLINE void normal_pairs_body(uint64_t key, uint64_t first_pair, size_t pairs, double* z) {
  size_t q = 0;
  for (; q + 4 <= pairs; q += 4) normal4(key, first_pair + q, z + 2 * q);
  if (q < pairs) {  // the last 1-3 pairs through the same lanes
    double tail[8];
    normal4(key, first_pair + q, tail);
    std::memcpy(z + 2 * q, tail, 2 * (pairs - q) * sizeof(double));
  }
}

__attribute__((noinline, target("avx2"))) void normal_pairs_avx2(uint64_t key, uint64_t first, size_t pairs, double* z) {
  normal_pairs_body(key, first, pairs, z);
}
__attribute__((noinline)) void normal_pairs_generic(uint64_t key, uint64_t first, size_t pairs, double* z) {
  normal_pairs_body(key, first, pairs, z);
}

}  // namespace

void CounterRng::normal_pairs(uint64_t first_pair, size_t pairs, double* z) const {
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) normal_pairs_avx2(key_, first_pair, pairs, z);
  else normal_pairs_generic(key_, first_pair, pairs, z);
}

}  // namespace xbg
