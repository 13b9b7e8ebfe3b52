#pragma once
// Counter-based random numbers: a value is a pure function of (seed, stream,
// index), so any cell of any chip can be drawn on its own, in any order, and a
// chip is reproducible from its seed alone (no generator state to carry around).
// The mixer is the SplitMix64 finalizer (Steele, Lea, Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014), applied once per input word;
// that is plenty for Monte Carlo, not a cryptographic generator.
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace xbg {

inline uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class CounterRng {
 public:
  CounterRng(uint64_t seed, uint64_t stream) : key_(mix64(mix64(seed) ^ (stream * 0xD6E8FEB86659FD93ull))) {}

  uint64_t bits(uint64_t index) const { return mix64(key_ ^ mix64(index)); }

  // Uniform in (0, 1): 53 random bits, offset by half a step so 0 never occurs.
  double uniform(uint64_t index) const { return to_unit(bits(index)); }

  // N(0, 1) by Box-Muller; the pair (2i, 2i+1) shares one draw (cos and sin
  // halves), which halves the cost when a whole array is drawn in order.
  double normal(uint64_t index) const {
    const uint64_t pair = index >> 1;
    const double u1 = to_unit(bits(2 * pair));
    const double u2 = to_unit(bits(2 * pair + 1));
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double angle = 6.283185307179586 * u2;
    return (index & 1) ? r * std::sin(angle) : r * std::cos(angle);
  }

  // Both halves at once, for loops that fill arrays.
  void normal_pair(uint64_t pair, double& z0, double& z1) const {
    const double u1 = to_unit(bits(2 * pair));
    const double u2 = to_unit(bits(2 * pair + 1));
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double angle = 6.283185307179586 * u2;
    z0 = r * std::cos(angle);
    z1 = r * std::sin(angle);
  }

  // normal_pair(first_pair + q) for q < pairs into z[2q], z[2q + 1], four pairs
  // per vector: the same uniforms, with log, sin and cos computed in the
  // vectors (counter_rng.cpp) instead of by libm, so each value agrees with
  // normal_pair's to an ulp or two, and bit for bit on every x86-64. For the
  // per-read draws, where libm's scalar calls cost more than the reads.
  void normal_pairs(uint64_t first_pair, size_t pairs, double* z) const;

 private:
  static double to_unit(uint64_t x) { return (static_cast<double>(x >> 11) + 0.5) * 0x1.0p-53; }
  uint64_t key_;
};

}  // namespace xbg
