// TVLA (power side channel, docs/threat-model.md): the Welch t-test must stay quiet on trace sets that do
// not differ and must flag a planted difference at the right sample.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/attack/tvla.h"

namespace xbg::attack {
namespace {

std::vector<std::vector<double>> noisy_traces(int count, int samples, uint64_t seed, double sigma) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, sigma);
  std::vector<std::vector<double>> out(count, std::vector<double>(samples));
  for (auto& tr : out)
    for (int s = 0; s < samples; ++s) tr[s] = 1.0 + 0.01 * s + noise(rng);
  return out;
}

TEST(Tvla, IdenticalTraceSetsGiveZero) {
  const auto traces = noisy_traces(200, 64, 1, 0.1);
  const WelchResult r = welch_t_test(traces, traces);
  EXPECT_EQ(r.leaking_samples, 0);
  EXPECT_EQ(r.max_abs_t, 0.0);
}

TEST(Tvla, SameDistributionStaysBelowThreshold) {
  const WelchResult r = welch_t_test(noisy_traces(1000, 200, 2, 0.1), noisy_traces(1000, 200, 3, 0.1));
  EXPECT_EQ(r.leaking_samples, 0);
  EXPECT_LT(r.max_abs_t, kTvlaThreshold);
  EXPECT_GT(r.max_abs_t, 0.0);  // a real statistic, not a constant
}

TEST(Tvla, PlantedOffsetExceedsThresholdAtItsSample) {
  const auto a = noisy_traces(1000, 200, 4, 0.1);
  auto b = noisy_traces(1000, 200, 5, 0.1);
  for (auto& tr : b) tr[137] += 0.05;  // half a noise sigma: t ~ 0.05 / (0.1 sqrt(2/1000)) ~ 11
  const WelchResult r = welch_t_test(a, b);
  EXPECT_GT(std::fabs(r.t[137]), kTvlaThreshold);
  EXPECT_EQ(r.max_index, 137);
  EXPECT_EQ(r.leaking_samples, 1);
  EXPECT_LT(r.t[137], 0.0);  // group A has the lower mean there
}

TEST(Tvla, MatchesHandComputedWelch) {
  // A = {1, 2, 3, 4}: mean 2.5, s^2 = 5/3; B = {2, 4, 6}: mean 4, s^2 = 4.
  WelchAccumulator acc(1);
  for (double v : {1.0, 2.0, 3.0, 4.0}) acc.add(0, {v});
  for (double v : {2.0, 4.0, 6.0}) acc.add(1, {v});
  const WelchResult r = acc.result();
  const double expected = (2.5 - 4.0) / std::sqrt((5.0 / 3.0) / 4.0 + 4.0 / 3.0);
  EXPECT_NEAR(r.t[0], expected, 1e-12);
  EXPECT_EQ(r.count_a, 4);
  EXPECT_EQ(r.count_b, 3);
}

TEST(Tvla, ConstantGroupsAreCertainWhenTheyDiffer) {
  // A noise-free simulator: a fixed key gives the same trace every time.
  WelchAccumulator acc(3);
  for (int i = 0; i < 5; ++i) {
    acc.add(0, {1.0, 2.0, 3.0});
    acc.add(1, {1.0, 2.5, 3.0});
  }
  const WelchResult r = acc.result();
  EXPECT_EQ(r.t[0], 0.0);
  EXPECT_TRUE(std::isinf(r.t[1]));
  EXPECT_EQ(r.t[2], 0.0);
  EXPECT_EQ(r.leaking_samples, 1);
  EXPECT_EQ(r.max_index, 1);
}

TEST(Tvla, RejectsWrongLengthsAndTooFewTraces) {
  WelchAccumulator acc(4);
  EXPECT_THROW(acc.add(0, {1.0, 2.0}), std::invalid_argument);
  EXPECT_THROW(acc.add(2, {1.0, 2.0, 3.0, 4.0}), std::invalid_argument);
  acc.add(0, {1.0, 2.0, 3.0, 4.0});
  acc.add(1, {1.0, 2.0, 3.0, 4.0});
  EXPECT_THROW(acc.result(), std::logic_error);
}

}  // namespace
}  // namespace xbg::attack
