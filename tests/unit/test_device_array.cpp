// The crossbar's device engine (core/device/device_array.h): closed-form
// currents, the ideal limit, faults against a binomial bound, write-verify,
// drift, temperature, IR drop, replica references and reproducibility.
#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include <boost/math/distributions/binomial.hpp>
#include <gtest/gtest.h>

#include "core/bnn/bitvec.h"
#include "core/device/chip_population.h"
#include "core/device/counter_rng.h"
#include "core/device/device_array.h"
#include "core/device/ir_drop.h"
#include "core/device/partial_sums.h"

namespace xbg {
namespace {

std::vector<BitVec> random_columns(int m, int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<BitVec> cols(n, BitVec(m));
  for (auto& c : cols)
    for (int i = 0; i < m; ++i) c.set(i, rng() & 1);
  return cols;
}

BitVec random_input(int m, std::mt19937_64& rng) {
  BitVec x(m);
  for (int i = 0; i < m; ++i) x.set(i, rng() & 1);
  return x;
}

DeviceConfig every_effect() {
  DeviceConfig d;
  d.chip_seed = 5;
  d.sigma_log_lrs = 0.1;
  d.sigma_log_hrs = 0.3;
  d.read_noise_rel = 0.03;
  d.stuck_lrs_rate = 0.01;
  d.stuck_hrs_rate = 0.02;
  d.drift_time_s = 1e4;
  d.drift_nu_lrs = 0.01;
  d.drift_nu_hrs = 0.05;
  d.drift_nu_sigma = 0.01;
  d.temperature_c = 85.0;
  d.temp_coeff_lrs_per_k = -1e-3;
  d.temp_coeff_hrs_per_k = 5e-3;
  d.wire_resistance_ohm = 1.0;
  return d;
}

TEST(DeviceArray, IdealDevicesGiveTheExactLevels) {
  const int m = 100, n = 20;
  const NominalCell nom{50.0, 2.0, 0.25};
  DeviceArray a(DeviceConfig{}, nom, array_id_for("t"));
  const auto cols = random_columns(m, n, 1);
  a.program(m, n, cols, 32);
  ASSERT_TRUE(a.ideal_values());
  ASSERT_EQ(a.row_tiles(), 4);  // 32 + 32 + 32 + 4 pairs
  std::mt19937_64 rng(2);
  std::vector<double> mean(static_cast<size_t>(a.row_tiles()) * n);
  for (int r = 0; r < 50; ++r) {
    const BitVec x = random_input(m, rng);
    a.read_mean(x, mean.data(), nullptr);
    for (int t = 0; t < a.row_tiles(); ++t)
      for (int k = 0; k < n; ++k) {
        int p = 0;
        for (int i = a.tile_begin(t); i < a.tile_begin(t) + a.tile_pairs(t); ++i) p += x.get(i) == cols[k].get(i);
        const double level = 0.25 * (p * 50.0 + (a.tile_pairs(t) - p) * 2.0);
        EXPECT_DOUBLE_EQ(mean[static_cast<size_t>(t) * n + k], level);
      }
  }
}

TEST(DeviceArray, ColumnCurrentIsVTimesTheSumOfDrivenConductances) {
  const int m = 150, n = 12;
  const NominalCell nom{100.0, 1.0, 0.2};
  DeviceArray a(every_effect(), nom, array_id_for("fc1.crossbar"));
  const auto cols = random_columns(m, n, 3);
  a.program(m, n, cols, 64);
  std::mt19937_64 rng(4);
  std::vector<double> mean(static_cast<size_t>(a.row_tiles()) * n), var(mean.size());
  for (int r = 0; r < 30; ++r) {
    const BitVec x = random_input(m, rng);
    a.read_mean(x, mean.data(), var.data());
    for (int t = 0; t < a.row_tiles(); ++t)
      for (int k = 0; k < n; ++k) {
        double g_sum = 0.0, g2_sum = 0.0;  // by hand: each input drives one cell of its pair
        for (int i = a.tile_begin(t); i < a.tile_begin(t) + a.tile_pairs(t); ++i) {
          const double g = a.cell_us(i, k, x.get(i));
          g_sum += g;
          g2_sum += g * g;
        }
        const size_t j = static_cast<size_t>(t) * n + k;
        EXPECT_NEAR(mean[j], 0.2 * g_sum, 1e-5 * 0.2 * g_sum) << "tile " << t << " column " << k;
        const double rho_v = 0.03 * 0.2;
        EXPECT_NEAR(var[j], rho_v * rho_v * g2_sum, 1e-4 * rho_v * rho_v * g2_sum);
      }
  }
}

TEST(DeviceArray, StuckCellsMatchTheirRatesWithinABinomialBound) {
  const int m = 512, n = 256;  // 262,144 cells
  DeviceConfig d;
  d.stuck_lrs_rate = 0.01;
  d.stuck_hrs_rate = 0.03;
  DeviceArray a(d, NominalCell{}, array_id_for("faults"));
  const auto cols = random_columns(m, n, 5);
  const ProgrammingStats cost = a.program(m, n, cols, m);
  const uint64_t cells = 2ull * m * n;
  // Clopper-Pearson interval at 1e-6 per side: a rate applied twice, or to
  // pairs instead of cells, lands far outside.
  using boost::math::binomial_distribution;
  const double alpha = 1e-6;
  for (auto [count, p] : {std::pair{cost.stuck_lrs, 0.01}, std::pair{cost.stuck_hrs, 0.03}}) {
    const double lo = binomial_distribution<>::find_lower_bound_on_p(static_cast<double>(cells), static_cast<double>(count), alpha);
    const double hi = binomial_distribution<>::find_upper_bound_on_p(static_cast<double>(cells), static_cast<double>(count), alpha);
    EXPECT_LE(lo, p) << count << " stuck of " << cells;
    EXPECT_GE(hi, p) << count << " stuck of " << cells;
  }
  // A stuck cell is in its stuck state: cells whose state is not the target
  // are the stuck ones whose target was the other state (about half of them).
  uint64_t wrong_state = 0;
  for (int k = 0; k < n; ++k)
    for (int i = 0; i < m; ++i)
      for (bool upper : {true, false}) {
        const bool target_lrs = upper == cols[k].get(i);
        wrong_state += (a.cell_state(i, k, upper) == RramState::kLrs) != target_lrs;
      }
  const double expected = 0.5 * (0.01 + 0.03) * cells;
  EXPECT_NEAR(static_cast<double>(wrong_state), expected, 6.0 * std::sqrt(expected));
}

TEST(DeviceArray, WriteVerifyNarrowsTheSpreadAndCountsPulses) {
  const int m = 64, n = 64;
  DeviceConfig d;
  d.sigma_log_lrs = d.sigma_log_hrs = 0.3;
  const NominalCell nom{100.0, 1.0, 0.2};
  DeviceArray once(d, nom, 9);
  const auto cols = random_columns(m, n, 6);
  const ProgrammingStats single = once.program(m, n, cols, m);
  EXPECT_EQ(single.set_pulses, static_cast<uint64_t>(m) * n);  // one LRS and one HRS cell per weight
  EXPECT_EQ(single.reset_pulses, static_cast<uint64_t>(m) * n);
  EXPECT_EQ(single.verify_reads, 0u);

  d.write_verify_iterations = 30;
  d.write_verify_tolerance = 0.05;
  DeviceArray verified(d, nom, 9);
  const ProgrammingStats cost = verified.program(m, n, cols, m);
  int within = 0, within_once = 0;
  for (int k = 0; k < n; ++k)
    for (int i = 0; i < m; ++i)
      for (bool upper : {true, false}) {
        const double target = upper == cols[k].get(i) ? 100.0 : 1.0;
        within += std::fabs(std::log(verified.cell_us(i, k, upper) / target)) <= 0.05 + 1e-6;
        within_once += std::fabs(std::log(once.cell_us(i, k, upper) / target)) <= 0.05 + 1e-6;
      }
  const int cells = 2 * m * n;
  // P(|Z| <= 0.05/0.3) = 13 % per pulse: 31 pulses leave (0.87)^31 = 1.3 % outside.
  EXPECT_GT(within, 0.97 * cells);
  EXPECT_LT(within_once, 0.2 * cells);
  EXPECT_GT(cost.set_pulses + cost.reset_pulses, 5u * cells);  // about 1/0.13 pulses per cell
  EXPECT_EQ(cost.verify_reads, cost.set_pulses + cost.reset_pulses);  // one verify after every pulse
}

TEST(DeviceArray, DriftAndTemperatureScaleConductancesAsDocumented) {
  DeviceConfig d;
  d.drift_time_s = 1000.0;
  d.drift_t0_s = 1.0;
  d.drift_nu_lrs = 0.02;
  d.drift_nu_hrs = 0.1;
  d.temperature_c = 75.0;
  d.reference_temperature_c = 25.0;
  d.temp_coeff_lrs_per_k = -2e-3;
  d.temp_coeff_hrs_per_k = 4e-3;
  DeviceArray a(d, NominalCell{100.0, 1.0, 0.2}, 1);
  const auto cols = random_columns(8, 2, 7);
  a.program(8, 2, cols, 8);
  const double lrs = 100.0 * std::pow(1000.0, -0.02) * (1.0 - 2e-3 * 50.0);
  const double hrs = 1.0 * std::pow(1000.0, -0.1) * (1.0 + 4e-3 * 50.0);
  for (int k = 0; k < 2; ++k)
    for (int i = 0; i < 8; ++i) {
      const bool w = cols[k].get(i);
      EXPECT_NEAR(a.cell_us(i, k, true), w ? lrs : hrs, 1e-5 * (w ? lrs : hrs));
      EXPECT_NEAR(a.cell_us(i, k, false), w ? hrs : lrs, 1e-5 * (w ? lrs : hrs));
    }
}

TEST(IrDrop, TwoNodeLadderMatchesTheHandSolution) {
  // Node 1 sits next to the amplifier behind 2r carrying both cells' current,
  // node 0 behind another 2r: u1 = 2 rg, u0 = 3 rg to first order; exactly
  // u0 = rg (3 + rg) / (1 + 3 rg + rg^2), u1 = (1 + rg) u0 - rg, rg = 2 r g.
  const double r = 10.0, g = 1e-3, rg = 2 * r * g;
  const std::vector<double> a = bitline_attenuation(2, r, g);
  const double u0 = rg * (3 + rg) / (1 + 3 * rg + rg * rg);
  const double u1 = (1 + rg) * u0 - rg;
  EXPECT_NEAR(a[0], 1 - u0, 1e-12);
  EXPECT_NEAR(a[1], 1 - u1, 1e-12);
  const std::vector<double> long_line = bitline_attenuation(512, 1.0, 50e-6);
  for (size_t j = 1; j < long_line.size(); ++j) EXPECT_GT(long_line[j], long_line[j - 1]);  // nearer the amplifier: less drop
  EXPECT_GT(long_line.front(), 0.0);
  EXPECT_LT(long_line.back(), 1.0);
  for (double x : bitline_attenuation(64, 0.0, 50e-6)) EXPECT_EQ(x, 1.0);
}

TEST(DeviceArray, IrDropAttenuatesFarCellsMore) {
  DeviceConfig d;
  d.wire_resistance_ohm = 2.0;
  DeviceArray a(d, NominalCell{100.0, 1.0, 0.2}, 3);
  BitVec w(256);
  for (int i = 0; i < 256; ++i) w.set(i, true);
  a.program(256, 1, {w}, 128);
  ASSERT_EQ(a.row_tiles(), 2);
  const auto& att = a.attenuation(0);
  // Upper cells are all LRS; each tile restarts its own bit line.
  EXPECT_NEAR(a.cell_us(0, 0, true), 100.0 * att[0], 1e-4);
  EXPECT_NEAR(a.cell_us(128, 0, true), 100.0 * att[0], 1e-4);
  EXPECT_LT(a.cell_us(0, 0, true), a.cell_us(127, 0, true));
}

TEST(DeviceArray, ReplicaReferenceSitsHalfwayWithIdealDevices) {
  const int m = 40;
  DeviceArray a(DeviceConfig{}, NominalCell{100.0, 1.0, 0.2}, 4);
  a.program(m, 3, random_columns(m, 3, 8), 16);
  ProgrammingStats cost;
  for (int b = -m + 2; b <= m; b += 2) {
    double mean, var;
    a.replica_reference(1, b, mean, var, cost);
    const int p = (b + m) / 2;
    EXPECT_NEAR(mean, 0.2 * ((p - 0.5) * 100.0 + (m - p + 0.5) * 1.0), 1e-9) << "B = " << b;
    EXPECT_EQ(var, 0.0);
  }
  double mean, var;
  EXPECT_THROW(a.replica_reference(0, -m, mean, var, cost), std::invalid_argument);
  double hrs, lrs;
  a.replica_levels(2, hrs, lrs, cost);  // the last tile has 8 pairs
  EXPECT_NEAR(hrs, 0.2 * 8 * 1.0, 1e-12);
  EXPECT_NEAR(lrs, 0.2 * 8 * 100.0, 1e-12);
}

TEST(DeviceArray, SameSeedSameChipOtherSeedOtherChip) {
  const auto cols = random_columns(64, 16, 10);
  DeviceConfig d = every_effect();
  DeviceArray a(d, NominalCell{}, 77), b(d, NominalCell{}, 77);
  d.chip_seed += 1;
  DeviceArray c(d, NominalCell{}, 77);
  a.program(64, 16, cols, 32);
  b.program(64, 16, cols, 32);
  c.program(64, 16, cols, 32);
  int differ = 0;
  for (int k = 0; k < 16; ++k)
    for (int i = 0; i < 64; ++i) {
      EXPECT_EQ(a.cell_us(i, k, true), b.cell_us(i, k, true));
      differ += a.cell_us(i, k, true) != c.cell_us(i, k, true);
    }
  EXPECT_GT(differ, 64 * 16 * 9 / 10);
}

// The per-read draws come four pairs per vector (CounterRng::normal_pairs):
// the same uniforms as normal_pair, log and sincos computed in the vectors.
// Each value stays within a few ulps of libm's, for any start and length.
TEST(CounterRng, VectorNormalsAreTheScalarOnesToAFewUlps) {
  const CounterRng rng(9, 0x4E4F4953);
  std::vector<double> z;
  size_t differing = 0, total = 0;
  for (const auto& [first, pairs] : {std::pair<uint64_t, size_t>{0, 1}, {5, 3}, {123, 4}, {1000, 7}, {uint64_t{1} << 40, 100003}}) {
    z.assign(2 * pairs + 2, 42.0);
    rng.normal_pairs(first, pairs, z.data());
    EXPECT_EQ(z[2 * pairs], 42.0);  // nothing written past the last pair
    for (size_t q = 0; q < pairs; ++q) {
      double z0, z1;
      rng.normal_pair(first + q, z0, z1);
      for (const auto& [vec, lib] : {std::pair<double, double>{z[2 * q], z0}, {z[2 * q + 1], z1}}) {
        const double ulp = std::nextafter(std::fabs(lib), INFINITY) - std::fabs(lib);
        ASSERT_LE(std::fabs(vec - lib), 4 * ulp + 1e-300) << "pair " << first + q;
        differing += vec != lib;
        ++total;
      }
    }
  }
  EXPECT_LT(differing, total / 4);  // mostly bit-identical
}

TEST(PartialSumAdc, EnoughBitsResolveEveryLevelFewerBitsQuantizeAsComputedByHand) {
  const PartialSumAdc exact = PartialSumAdc::make(64, 0);
  EXPECT_EQ(exact.bits, 7);
  EXPECT_EQ(exact.levels_per_code, 1.0);
  for (int p = 0; p <= 64; ++p) EXPECT_EQ(exact.code(0.3 + p * 0.01, 0.3, 0.01), p);
  // 4 pairs, 2 bits: codes 0..3 span p = 0..4, q = 4/3 levels per code.
  const PartialSumAdc coarse = PartialSumAdc::make(4, 2);
  EXPECT_EQ(coarse.max_code, 3);
  EXPECT_DOUBLE_EQ(coarse.levels_per_code, 4.0 / 3.0);
  const long expected_code[5] = {0, 1, 2, 2, 3};  // round(p * 3/4): 0, 0.75, 1.5 (half away), 2.25, 3
  for (int p = 0; p <= 4; ++p) {
    if (p == 2) continue;  // an exact tie, decided by the last bit of the division
    EXPECT_EQ(coarse.code(p * 1.0, 0.0, 1.0), expected_code[p]) << "p = " << p;
  }
  EXPECT_EQ(coarse.code(-5.0, 0.0, 1.0), 0);  // clipped
  EXPECT_EQ(coarse.code(50.0, 0.0, 1.0), 3);
  EXPECT_DOUBLE_EQ(coarse.pairs_estimate(1), 4.0 / 3.0);
}

TEST(ChipPopulation, SummaryIsMeanSampleStdAndWorstChip) {
  const ChipSummary s = summarize_chips({{10, 100, 90, 0.90, 1.0}, {11, 100, 80, 0.80, 1.0}, {12, 100, 85, 0.85, 1.0}});
  EXPECT_EQ(s.chips, 3);
  EXPECT_NEAR(s.accuracy_mean, 0.85, 1e-12);
  EXPECT_NEAR(s.accuracy_std, 0.05, 1e-12);  // sqrt((0.0025 + 0.0025 + 0) / 2)
  EXPECT_EQ(s.worst_chip_seed, 11);
  EXPECT_DOUBLE_EQ(s.accuracy_min, 0.80);
  EXPECT_DOUBLE_EQ(s.accuracy_max, 0.90);
  EXPECT_EQ(summarize_chips({{1, 1, 1, 1.0, -1}}).accuracy_std, 0.0);
}

}  // namespace
}  // namespace xbg
