#include <gtest/gtest.h>

#include <random>

#include "core/bnn/bn_fold.h"

namespace xbg {
namespace {

bool float_bn(const BatchNormParams& bn, int s) { return bn.gamma * (s - bn.mu) / bn.sigma + bn.beta >= 0.0; }

TEST(BnFold, FoldedThresholdMatchesFloatBatchNormOnEveryReachableSum) {
  std::mt19937_64 rng(1234);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int m : {1, 2, 3, 8, 9, 64, 65, 784}) {
    for (int trial = 0; trial < 400; ++trial) {
      BatchNormParams bn;
      const int kind = trial % 5;
      bn.gamma = kind == 0 ? 0.0 : (kind == 1 ? -1.0 : 1.0) * (0.01 + std::abs(u(rng)) * 3);
      if (kind == 3) bn.gamma = -bn.gamma;
      bn.beta = u(rng) * 3;
      bn.mu = u(rng) * m * 1.5;             // sometimes outside [-m, m]: constant outputs
      bn.sigma = 0.05 + std::abs(u(rng)) * m;
      if (trial % 7 == 0) bn.mu = std::round(bn.mu);  // boundaries exactly on reachable sums
      if (trial % 11 == 0) bn.beta = 0.0;
      bool negate = false;
      const int b = fold_batch_norm(bn, m, negate);
      ASSERT_GE(b, -m);
      ASSERT_LE(b, m + 2);
      ASSERT_EQ(((b - m) % 2 + 2) % 2, 0) << "parity";
      ASSERT_EQ(negate, bn.gamma < 0);
      for (int s = -m; s <= m; s += 2) {
        const int stored = negate ? -s : s;
        ASSERT_EQ(stored >= b, float_bn(bn, s)) << "m=" << m << " s=" << s << " gamma=" << bn.gamma;
      }
    }
  }
}

TEST(BnFold, GammaZeroGivesConstantOutputs) {
  bool neg;
  EXPECT_EQ(fold_batch_norm({0.0, 0.5, 1.0, 1.0}, 9, neg), -9);
  EXPECT_EQ(fold_batch_norm({0.0, -0.5, 1.0, 1.0}, 9, neg), 11);
}

TEST(BnFold, LayerFoldNegatesColumnsForNegativeGamma) {
  Network net = random_network({10, 2, 2}, 5);
  BinaryLayer layer = net.hidden[0];
  const BitVec original = layer.columns[1];
  fold_batch_norm(layer, {{1.0, 0.0, 0.0, 1.0}, {-1.0, 0.0, 0.0, 1.0}});
  EXPECT_EQ(layer.columns[0], net.hidden[0].columns[0]);
  for (int i = 0; i < 10; ++i) EXPECT_NE(layer.columns[1].get(i), original.get(i));
  EXPECT_EQ(layer.columns[1].size(), 10);
  EXPECT_EQ(layer.columns[1].popcount() + original.popcount(), 10);  // padding stays clear
}

}  // namespace
}  // namespace xbg
