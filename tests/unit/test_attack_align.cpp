// The alignment attack: its interface bookkeeping must be exact for every
// scheme and mix of schemes, and on a trained network it must find the key.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/attack/align.h"
#include "core/attack/structural.h"
#include "core/bnn/golden.h"
#include "core/bnn/model_io.h"
#include "core/common/paths.h"
#include "core/data/dataset.h"
#include "core/protection/protect_network.h"
#include "tests/unit/mnist_fixture.h"

namespace xbg::attack {
namespace {

const Scheme kProtecting[] = {Scheme::kA,      Scheme::kB,      Scheme::kC,      Scheme::kRowInv,
                              Scheme::kRowSwap, Scheme::kColInv, Scheme::kColSwap};

BitVec random_bits(int size, std::mt19937_64& rng) {
  BitVec v(size);
  for (int i = 0; i < size; ++i)
    if (rng() & 1) v.set(i, true);
  return v;
}

// Each hidden layer protected with its own scheme (kNone: plain).
Network protect_mixed(const Network& plain, const std::vector<Scheme>& schemes, uint64_t seed) {
  Network out = plain;
  std::mt19937_64 rng(seed);
  for (size_t l = 0; l < plain.hidden.size(); ++l) {
    if (schemes[l] == Scheme::kNone) continue;
    const BinaryLayer& L = plain.hidden[l];
    const KeyLengths kl = key_lengths(schemes[l], L.m, L.n, false);
    out.hidden[l] = protect_layer(L, layer_key_from_bits(schemes[l], L.m, L.n, false, random_bits(kl.total(), rng)));
  }
  return out;
}

KeyGuess random_guess(const Network& stored, std::mt19937_64& rng) {
  KeyGuess g = KeySpace(stored).zero();
  for (auto& k : g) {
    k.r = random_bits(k.r.size(), rng);
    k.s = random_bits(k.s.size(), rng);
  }
  return g;
}

void expect_same_function(const Network& a, const Network& b, uint64_t seed) {
  const GoldenEngine ea(a), eb(b);
  std::mt19937_64 rng(seed);
  GoldenTrace ta, tb;
  for (int i = 0; i < 50; ++i) {
    const BitVec x = random_bits(a.input_size(), rng);
    ea.infer(x, ta);
    eb.infer(x, tb);
    ASSERT_EQ(ta.class_sums, tb.class_sums);
    ASSERT_EQ(ta.layer_outputs.back(), tb.layer_outputs.back());
  }
}

// Any key guess is, interface by interface, one signed pairwise permutation;
// writing those permutations back gives a guess with the same plain network,
// and for one scheme on every layer the very same key bits.
TEST(AlignInterface, MapsOfAnyGuessWriteBackToTheSameNetwork) {
  const Network plain = random_network({21, 15, 12, 9, 5}, 3);  // odd sizes: unpaired last input
  std::mt19937_64 rng(5);
  std::vector<std::vector<Scheme>> mixes;
  for (Scheme s : kProtecting) mixes.push_back({s, s, s});
  mixes.push_back({Scheme::kB, Scheme::kA, Scheme::kC});
  mixes.push_back({Scheme::kColInv, Scheme::kRowSwap, Scheme::kNone});
  mixes.push_back({Scheme::kColSwap, Scheme::kA, Scheme::kB});
  mixes.push_back({Scheme::kNone, Scheme::kC, Scheme::kRowInv});
  for (const auto& mix : mixes) {
    const Network stored = protect_mixed(plain, mix, 9);
    for (int trial = 0; trial < 5; ++trial) {
      const KeyGuess g = random_guess(stored, rng);
      KeyGuess h = KeySpace(stored).zero();
      for (int i = 0; i <= 3; ++i) {
        const InterfaceMap m = interface_map(stored, g, i);
        set_interface(stored, h, i, m);
        const InterfaceMap back = interface_map(stored, h, i);
        EXPECT_EQ(back.pi, m.pi) << interface_name(stored, i);
        EXPECT_EQ(back.flip, m.flip) << interface_name(stored, i);
      }
      expect_same_function(effective_network(stored, g), effective_network(stored, h), 17 + trial);
      if (mix[0] == mix[1] && mix[1] == mix[2])
        for (size_t l = 0; l < g.size(); ++l) {
          EXPECT_EQ(h[l].r, g[l].r) << scheme_id(mix[0]) << " FC" << l + 1;
          EXPECT_EQ(h[l].s, g[l].s) << scheme_id(mix[0]) << " FC" << l + 1;
        }
    }
  }
}

// Permutation pieces enter the interface map too (the features attack reads
// its right pixel order through it, though the search refuses them): the
// pre-unit puts pixel pi[p] at position p, negated where flip[p].
TEST(AlignInterface, MapOfAPermutationIsWhatThePreUnitDoes) {
  const Network plain = random_network({21, 15, 12, 9, 5}, 4);
  std::mt19937_64 rng(8);
  for (Scheme s : {Scheme::kPerm, Scheme::kPermSigned}) {
    const Network stored = protect_mixed(plain, {s, s, s}, 6);
    const KeyGuess g = random_guess(stored, rng);
    const InterfaceMap m = interface_map(stored, g, 0);
    int moved = 0;
    for (int p = 0; p < 21; ++p) moved += m.pi[p] != p;
    EXPECT_GT(moved, 10) << scheme_id(s);
    for (int trial = 0; trial < 20; ++trial) {
      const BitVec x = random_bits(21, rng);
      const BitVec xs = pre_unit_transform(g[0], x);
      for (int p = 0; p < 21; ++p)
        ASSERT_EQ(xs.get(p), x.get(m.pi[p]) != m.flip[p]) << scheme_id(s) << " position " << p;
    }
  }
}

TEST(AlignInterface, PiecesFollowTheSchemes) {
  const Network plain = random_network({8, 6, 4, 3}, 1);
  const Network c = protect_mixed(plain, {Scheme::kC, Scheme::kC}, 2);
  EXPECT_TRUE(interface_pieces(c, 0).signs());   // FC1 row inversion
  EXPECT_FALSE(interface_pieces(c, 0).swaps());
  EXPECT_TRUE(interface_pieces(c, 1).swaps());   // FC1 column swap + FC2 row inversion
  EXPECT_TRUE(interface_pieces(c, 1).signs());
  EXPECT_TRUE(interface_pieces(c, 2).swaps());   // FC2 column swap into the classifier
  EXPECT_FALSE(interface_pieces(c, 2).signs());
  const Network a = protect_mixed(plain, {Scheme::kA, Scheme::kNone}, 2);
  EXPECT_FALSE(interface_pieces(a, 1).keyed());
  EXPECT_FALSE(interface_pieces(a, 2).keyed());
  EXPECT_EQ(interface_name(a, 2), "FC2->classifier");
}

// The shipped 784-128-128-10 MNIST network under scheme B on both hidden
// layers: the attacker's 1,000 labelled training images give back nearly the
// whole key and the accuracy (measured: 99.5 % of the bits, 95.00 % test
// accuracy against 95.15 %; with 100 images this small network often keeps
// the attack well below, see docs/results/security.md). align_keys never sees
// the key: it gets the stored network and the images only.
const Dataset* mnist() { return shared_mnist(); }

TEST(AlignAttack, RecoversNearlyTheWholeKeyOfTheSmallNetworkFromThousandImages) {
  if (!mnist()) GTEST_SKIP() << mnist_digits_dir() << " missing: run scripts/setup.sh";
  const Network plain = load_network(repo_root() + "/networks/small.json");
  const std::vector<BitVec> train = binarize_all(mnist()->train, plain.input_threshold);
  const std::vector<BitVec> test = binarize_all(mnist()->test, plain.input_threshold);
  // The attacker's first 1,000 images of seed 1, as `xbarguard attack --method align` draws them.
  std::vector<BitVec> xs;
  std::vector<int> ys;
  const std::vector<int> pool = attacker_pool(static_cast<int>(train.size()), 1);
  for (int j = 0; j < 1000; ++j) {
    const int i = pool[j];
    xs.push_back(train[i]);
    ys.push_back(mnist()->train.labels[i]);
  }
  const Network stored = protect_network(plain, Scheme::kB, {1, 2}, master_key_from_seed(1), false, key_seed_label(1));
  const KeyGuess truth = derive_network_keys(stored, master_key_from_seed(1));
  AlignOptions opt;
  opt.image_rows = mnist()->train.rows;
  opt.image_cols = mnist()->train.cols;
  // As the method runs it: the structural guess is the second start.
  const KeyGuess start = structural_top_guess(stored, structural_candidates(stored, opt.image_rows, opt.image_cols, xs, ys));
  opt.initial = &start;
  const AlignResult r = align_keys(stored, xs, ys, opt);
  const KeySpace space(stored);
  EXPECT_GE(space.agreeing_bits(r.guess, truth), 0.97 * space.total_bits());
  const GoldenEngine recovered(effective_network(stored, r.guess));
  int right = 0;
  for (size_t i = 0; i < test.size(); ++i) right += recovered.predict(test[i]) == mnist()->test.labels[i];
  EXPECT_GE(right, 0.92 * test.size());
  // Deterministic: the same images give the same key.
  const AlignResult again = align_keys(stored, xs, ys, opt);
  EXPECT_EQ(space.agreeing_bits(r.guess, again.guess), space.total_bits());
  for (size_t i = 0; i < r.interfaces.size(); ++i) EXPECT_GT(r.interfaces[i].final_score, 0.3) << r.interfaces[i].name;
}


// The statistic the attack climbs: at every keyed interface of the trained
// network, the true wiring matches the stored rows better than the no-key
// view (the stored order and signs taken as they are). This is what makes
// the weights give their key away; the attacker's view is scored here with
// the truth, which no attack may do.
TEST(AlignStatistic, TrueWiringScoresHigherThanTheNoKeyView) {
  if (!mnist()) GTEST_SKIP() << mnist_digits_dir() << " missing: run scripts/setup.sh";
  const Network plain = load_network(repo_root() + "/networks/small.json");
  const std::vector<BitVec> train = binarize_all(mnist()->train, plain.input_threshold);
  const std::vector<BitVec> xs(train.begin(), train.begin() + 200);
  AlignOptions opt;
  for (Scheme s : {Scheme::kA, Scheme::kB, Scheme::kC}) {
    const Network stored = protect_network(plain, s, {1, 2}, master_key_from_seed(3), false, key_seed_label(3));
    const KeyGuess truth = derive_network_keys(stored, master_key_from_seed(3));
    const KeyGuess zero = KeySpace(stored).zero();
    for (int i = 0; i <= 2; ++i) {
      if (!interface_pieces(stored, i).keyed()) continue;
      const InterfaceStatistics st = interface_statistics(stored, interface_inputs(stored, truth, i, xs), i, opt);
      const double right = interface_score(st, interface_map(stored, truth, i));
      const double none = interface_score(st, interface_map(stored, zero, i));
      EXPECT_GT(right, none + 0.1) << scheme_id(s) << " " << interface_name(stored, i);
      EXPECT_GT(right, 0.3) << scheme_id(s) << " " << interface_name(stored, i);
    }
  }
}

}  // namespace
}  // namespace xbg::attack
