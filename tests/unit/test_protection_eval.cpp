// Multi-key evaluation and the weak-row diagnosis used by `xbarguard tables`.
#include <gtest/gtest.h>

#include <random>

#include "core/protection/evaluation.h"

namespace xbg {
namespace {

Network small_network() {
  Network net = random_network({64, 32, 32, 10}, 12);
  std::mt19937_64 rng(13);
  for (auto& l : net.hidden)
    for (auto& b : l.thresholds) b = threshold_with_parity(static_cast<long long>(rng() % 9) - 4, l.m);
  return net;
}

// Inputs whose swapped pairs always agree (x_{2i} = x_{2i+1}): a row swap
// on FC1 then moves nothing, like adjacent pixels of a smooth image.
EvalSet paired_inputs(const Network& net, int count) {
  std::mt19937_64 rng(14);
  std::vector<BitVec> xs;
  std::vector<uint8_t> labels;
  for (int i = 0; i < count; ++i) {
    BitVec x(64);
    for (int q = 0; q < 32; ++q)
      if (rng() & 1) {
        x.set(2 * q, true);
        x.set(2 * q + 1, true);
      }
    xs.push_back(x);
    labels.push_back(static_cast<uint8_t>(rng() % 10));
  }
  return make_eval_set(net, xs, labels);
}

TEST(ProtectionEval, SpreadStatistics) {
  const Spread s = spread_of({0.1, 0.2, 0.3});
  EXPECT_DOUBLE_EQ(s.mean, 0.2);
  EXPECT_NEAR(s.std, 0.1, 1e-12);  // sample std
  EXPECT_DOUBLE_EQ(s.min, 0.1);
  EXPECT_DOUBLE_EQ(s.max, 0.3);
  EXPECT_EQ(spread_of({0.5}).std, 0.0);
}

TEST(ProtectionEval, RightKeyIsExactAndAccuracyMatchesPlain) {
  const Network net = small_network();
  const EvalSet set = paired_inputs(net, 200);
  for (Scheme s : {Scheme::kA, Scheme::kB, Scheme::kC, Scheme::kColInv}) {
    const RowResult r = evaluate_row(net, set, s, false, {1, 2}, {1, 2, 3, 4}, 1000);
    EXPECT_EQ(r.right_key_prediction_mismatches, 0);
    EXPECT_EQ(r.right_key_layer_mismatches, 0);
    ASSERT_EQ(r.right_key.values.size(), 4u);
    for (double a : r.right_key.values) EXPECT_DOUBLE_EQ(a, set.plain_accuracy());
    EXPECT_EQ(r.key_bits, key_lengths(s, 64, 32, false).total() + key_lengths(s, 32, 32, false).total());
    EXPECT_EQ(r.no_key.values.size(), 4u);
    EXPECT_EQ(r.wrong_key.values.size(), 4u);
  }
}

TEST(ProtectionEval, DiagnosisSeesSwapsThatMoveNothing) {
  const Network net = small_network();
  const EvalSet set = paired_inputs(net, 100);
  const auto swap = diagnose_row(net, set, Scheme::kRowSwap, false, {1}, {1, 2, 3});
  ASSERT_EQ(swap.size(), 2u);
  EXPECT_EQ(swap[0].swap_side, "input");
  EXPECT_EQ(swap[0].swap_bits, 32);
  EXPECT_EQ(swap[0].weak_swap_bits, 32);
  EXPECT_DOUBLE_EQ(swap[0].mean_pair_disagreement, 0.0);
  EXPECT_DOUBLE_EQ(swap[0].swap_bits_moving_data, 0.0);
  EXPECT_DOUBLE_EQ(swap[0].local_flip_fraction, 0.0);  // the no-key copy computes the right thing
  EXPECT_DOUBLE_EQ(swap[1].no_key_flip_fraction, 0.0);
  EXPECT_EQ(swap[1].scheme, Scheme::kNone);

  const auto inv = diagnose_row(net, set, Scheme::kColInv, false, {1}, {1, 2, 3});
  EXPECT_GT(inv[0].local_flip_fraction, 0.3);  // about half the columns inverted
  EXPECT_GT(inv[0].inversion_bits_set, 8);
  EXPECT_GT(inv[1].no_key_flip_fraction, 0.0);  // damage propagates to FC2
}

// A permutation's S bits are no pair swaps: no pair statistics, but the
// damage of the keyless copy is still measured.
TEST(ProtectionEval, DiagnosisOfPermutationsHasNoPairs) {
  const Network net = small_network();
  const EvalSet set = paired_inputs(net, 100);
  for (Scheme s : {Scheme::kPerm, Scheme::kColBlockPerm}) {
    const auto d = diagnose_row(net, set, s, false, {1}, {1, 2});
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].swap_side, "") << scheme_id(s);
    EXPECT_EQ(d[0].swap_bits, 0) << scheme_id(s);
    EXPECT_DOUBLE_EQ(d[0].swap_bits_moving_data, 0.0) << scheme_id(s);
    EXPECT_GT(d[1].no_key_flip_fraction, 0.0) << scheme_id(s);
  }
}

}  // namespace
}  // namespace xbg
