#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "core/device/counter_rng.h"
#include "core/device/rram_device.h"

namespace xbg {
namespace {

struct Moments {
  double mean = 0.0, var = 0.0;
};
Moments moments(const std::vector<double>& x) {
  Moments m;
  for (double v : x) m.mean += v;
  m.mean /= x.size();
  for (double v : x) m.var += (v - m.mean) * (v - m.mean);
  m.var /= (x.size() - 1);
  return m;
}

TEST(CounterRng, StandardNormalHasZeroMeanUnitVariance) {
  const CounterRng rng(42, 7);
  const int n = 200000;
  std::vector<double> z(n);
  for (int i = 0; i < n; ++i) z[i] = rng.normal(i);
  const Moments m = moments(z);
  // 5 standard errors: a wrong Box-Muller constant or a biased uniform fails.
  EXPECT_NEAR(m.mean, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(m.var, 1.0, 5.0 * std::sqrt(2.0 / n));
  int beyond2 = 0;
  for (double v : z) beyond2 += std::fabs(v) > 2.0;
  const double p = 0.0455002638963584;  // P(|Z| > 2)
  EXPECT_NEAR(beyond2 / static_cast<double>(n), p, 5.0 * std::sqrt(p * (1 - p) / n));
}

TEST(CounterRng, PairDrawsEqualSingleDraws) {
  const CounterRng rng(1, 2);
  for (uint64_t pair = 0; pair < 100; ++pair) {
    double z0, z1;
    rng.normal_pair(pair, z0, z1);
    EXPECT_EQ(z0, rng.normal(2 * pair));
    EXPECT_EQ(z1, rng.normal(2 * pair + 1));
  }
}

TEST(CounterRng, StreamsAndSeedsAreUncorrelated) {
  const CounterRng a(5, 1), b(5, 2), c(6, 1);
  const int n = 100000;
  double ab = 0.0, ac = 0.0;
  for (int i = 0; i < n; ++i) {
    ab += a.normal(i) * b.normal(i);
    ac += a.normal(i) * c.normal(i);
  }
  EXPECT_NEAR(ab / n, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(ac / n, 0.0, 5.0 / std::sqrt(n));
}

TEST(RramDevice, SameSeedSameConductancesOtherSeedDifferent) {
  const RramDeviceParams p;
  const RramDeviceModel a(p, 11), b(p, 11), c(p, 12);
  int differ = 0;
  for (uint64_t cell = 0; cell < 1000; ++cell) {
    EXPECT_EQ(a.conductance_us(3, cell, RramState::kLrs), b.conductance_us(3, cell, RramState::kLrs));
    differ += a.conductance_us(3, cell, RramState::kLrs) != c.conductance_us(3, cell, RramState::kLrs);
  }
  EXPECT_EQ(differ, 1000);
}

TEST(RramDevice, BulkDrawsMatchSingleLookups) {
  const RramDeviceModel d(RramDeviceParams{}, 99);
  // Odd start and odd count exercise both the paired and the single path.
  const auto bulk = d.conductances_us(4, 13, 101, RramState::kHrs);
  for (size_t i = 0; i < bulk.size(); ++i)
    EXPECT_DOUBLE_EQ(bulk[i], d.conductance_us(4, 13 + i, RramState::kHrs));
}

TEST(RramDevice, LogConductanceIsNormalWithConfiguredMedianAndSigma) {
  RramDeviceParams p;
  p.g_lrs_median_us = 40.0;
  p.sigma_log_lrs = 0.2;
  p.g_hrs_median_us = 0.5;
  p.sigma_log_hrs = 0.35;
  const RramDeviceModel d(p, 3);
  const size_t n = 100000;
  for (RramState s : {RramState::kLrs, RramState::kHrs}) {
    const Moments m = moments(d.log_conductances(0, 0, n, s));
    const double sigma = d.sigma_log(s);
    EXPECT_NEAR(m.mean, std::log(d.median_us(s)), 5.0 * sigma / std::sqrt(n));
    EXPECT_NEAR(m.var, sigma * sigma, 5.0 * sigma * sigma * std::sqrt(2.0 / n));
    // The linear mean is median * exp(sigma^2 / 2), not the median (docs/design.md §3.3).
    const Moments g = moments(d.conductances_us(0, 0, n, s));
    EXPECT_NEAR(g.mean, d.mean_us(s), 5.0 * std::sqrt(g.var / n));
    EXPECT_GT(d.mean_us(s), d.median_us(s));
  }
}

TEST(RramDevice, ArraysAndStatesDrawIndependently) {
  const RramDeviceModel d(RramDeviceParams{}, 8);
  const size_t n = 50000;
  const auto a = d.log_conductances(1, 0, n, RramState::kHrs);
  const auto b = d.log_conductances(2, 0, n, RramState::kHrs);
  const auto c = d.log_conductances(1, 0, n, RramState::kLrs);
  const Moments ma = moments(a), mb = moments(b), mc = moments(c);
  double ab = 0.0, ac = 0.0;
  for (size_t i = 0; i < n; ++i) {
    ab += (a[i] - ma.mean) * (b[i] - mb.mean);
    ac += (a[i] - ma.mean) * (c[i] - mc.mean);
  }
  EXPECT_NEAR(ab / n / std::sqrt(ma.var * mb.var), 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(ac / n / std::sqrt(ma.var * mc.var), 0.0, 5.0 / std::sqrt(n));
}

TEST(RramDevice, ValidateRejectsHrsAboveLrs) {
  RramDeviceParams p;
  p.g_hrs_median_us = 60.0;
  EXPECT_THROW(p.validate("cfg.json", "puf.rram.device"), UserError);
  p.g_hrs_median_us = 1.0;
  EXPECT_NO_THROW(p.validate("cfg.json", "puf.rram.device"));
}

}  // namespace
}  // namespace xbg
