#pragma once
// Digitizing partial sums (crossbar.partial_sums = adc): the column
// current of one row tile with P weight pairs has P + 1 ideal levels (p = 0..P
// driven LRS cells). Its ADC spans them at full scale: code 0 at the level of
// p = 0, 2^bits - 1 at p = P when bits are too few for one code per level
// (q = P / (2^bits - 1) levels per code), else one code per level (q = 1).
// The digital side adds the estimates p_hat = code * q of all row tiles,
// s_hat = 2 sum(p_hat) - m, and decides y = +1 iff s_hat >= B - 1 (the
// analog reference's midpoint between s = B - 2 and s = B; exact when q = 1
// because s - B is even). In hardware, with equal tiles, this is an integer
// compare of the code sum with a per-column constant.
#include <algorithm>
#include <cmath>

namespace xbg {

// ceil(log2(levels)): bits for one code per level.
inline int bits_for_levels(long long levels) {
  int bits = 0;
  while ((1LL << bits) < levels) ++bits;
  return bits;
}

struct PartialSumAdc {
  int pairs = 0;        // P: weight pairs (driven cells per column) in the tile
  int bits = 0;
  long max_code = 0;    // 2^bits - 1
  double levels_per_code = 1.0;  // q

  // bits = 0: exactly enough for P + 1 levels.
  static PartialSumAdc make(int pairs, int bits) {
    PartialSumAdc a;
    a.pairs = pairs;
    a.bits = bits > 0 ? bits : bits_for_levels(static_cast<long long>(pairs) + 1);
    a.max_code = (1L << a.bits) - 1;
    a.levels_per_code = a.max_code >= pairs ? 1.0 : static_cast<double>(pairs) / static_cast<double>(a.max_code);
    return a;
  }
  // `zero_a`: current at p = 0; `step_a`: current per additional driven LRS cell.
  long code(double current_a, double zero_a, double step_a) const {
    return std::clamp(std::lround((current_a - zero_a) / (step_a * levels_per_code)), 0L, max_code);
  }
  double pairs_estimate(long code) const { return static_cast<double>(code) * levels_per_code; }
};

}  // namespace xbg
