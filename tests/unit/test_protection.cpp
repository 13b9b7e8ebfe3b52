// Exactness of every protection scheme (docs/design.md §2.5, paper Theorem II.1): the
// protected layer with the right key equals the plain layer for every key and
// input, and the pieces it is made of behave as the paper says.
#include <gtest/gtest.h>

#include <random>

#include "core/bnn/golden.h"
#include "core/common/error.h"
#include "core/protection/hkdf.h"
#include "core/protection/transforms.h"

namespace xbg {
namespace {

const Scheme kEvery[] = {Scheme::kA,      Scheme::kB,          Scheme::kC,           Scheme::kRowInv,
                         Scheme::kRowSwap, Scheme::kColInv,     Scheme::kColSwap,     Scheme::kPerm,
                         Scheme::kPermSigned, Scheme::kColBlockPerm, Scheme::kNone};

BitVec random_bits(int size, std::mt19937_64& rng) {
  BitVec v(size);
  for (int i = 0; i < size; ++i)
    if (rng() & 1) v.set(i, true);
  return v;
}

BitVec bits_from_int(uint64_t value, int first, int count) {
  BitVec v(count);
  for (int i = 0; i < count; ++i)
    if ((value >> (first + i)) & 1) v.set(i, true);
  return v;
}

// The key with bit pattern `code` (bit j of code = key bit j).
LayerKey key_from_code(Scheme s, int m, int n, bool single, uint64_t code) {
  const KeyLengths kl = key_lengths(s, m, n, single);
  return layer_key_from_bits(s, m, n, single, bits_from_int(code, 0, kl.total()));
}

// Fast forward of one layer via column popcounts (not the code under test).
BitVec forward(const BinaryLayer& layer, const BitVec& x) {
  BitVec y(layer.n);
  for (int k = 0; k < layer.n; ++k)
    if (layer.column_sum(k, x) >= layer.thresholds[k]) y.set(k, true);
  return y;
}

BitVec protected_forward(const BinaryLayer& stored, const LayerKey& key, const BitVec& x) {
  return post_unit_recover(key, forward(stored, pre_unit_transform(key, x)));
}

BinaryLayer random_layer(int m, int n, std::mt19937_64& rng, bool full_threshold_range) {
  BinaryLayer l;
  l.m = m;
  l.n = n;
  for (int k = 0; k < n; ++k) {
    l.columns.push_back(random_bits(m, rng));
    // Full range [-m, m+2] exercises the clamps; near 0 gives mixed outputs.
    const long long lo = full_threshold_range ? -m : -2 * static_cast<long long>(std::sqrt(m));
    const long long hi = full_threshold_range ? m + 2 : -lo;
    l.thresholds.push_back(threshold_with_parity(lo + static_cast<long long>(rng() % (hi - lo + 1)), m));
  }
  return l;
}

void expect_thresholds_valid(const BinaryLayer& l) {
  for (int b : l.thresholds) {
    ASSERT_GE(b, -l.m);
    ASSERT_LE(b, l.m + 2);
    ASSERT_EQ(((b - l.m) % 2 + 2) % 2, 0) << "B* = " << b << " lost the parity of m = " << l.m;
  }
}

TEST(Protection, SchemeIdsRoundTripAndUnknownIsUserError) {
  for (Scheme s : all_schemes()) EXPECT_EQ(parse_scheme(scheme_id(s)), s);
  EXPECT_EQ(all_schemes().size(), 11u);
  EXPECT_THROW(parse_scheme("D"), UserError);
  EXPECT_THROW(parse_scheme("a"), UserError);
  EXPECT_TRUE(scheme_has_pre_unit(Scheme::kA));
  EXPECT_FALSE(scheme_has_post_unit(Scheme::kA));
  EXPECT_TRUE(scheme_has_pre_unit(Scheme::kC));
  EXPECT_TRUE(scheme_has_post_unit(Scheme::kC));
  EXPECT_FALSE(scheme_has_pre_unit(Scheme::kB));
  EXPECT_TRUE(scheme_has_post_unit(Scheme::kB));
  EXPECT_FALSE(scheme_has_pre_unit(Scheme::kNone));
  EXPECT_FALSE(scheme_has_post_unit(Scheme::kNone));
}

TEST(Protection, KeyLengthsMatchPaperFormulas) {
  // Tables I-III of the paper for the 784-512-512-512 network.
  EXPECT_EQ(key_lengths(Scheme::kA, 784, 512, false).total(), 392 + 784);
  EXPECT_EQ(key_lengths(Scheme::kA, 512, 512, false).total(), 256 + 512);
  EXPECT_EQ(key_lengths(Scheme::kB, 784, 512, false).total(), 256 + 512);
  EXPECT_EQ(key_lengths(Scheme::kC, 784, 512, false).total(), 784 + 256);
  EXPECT_EQ(key_lengths(Scheme::kC, 512, 512, false).total(), 512 + 256);
  for (int m = 1; m <= 40; ++m)
    for (int n = 1; n <= 40; ++n) {
      auto total = [&](Scheme s, bool single) { return key_lengths(s, m, n, single).total(); };
      EXPECT_EQ(total(Scheme::kA, false), m + m / 2);
      EXPECT_EQ(total(Scheme::kB, false), n + n / 2);
      EXPECT_EQ(total(Scheme::kC, false), m + n / 2);
      EXPECT_EQ(total(Scheme::kRowInv, false), m);
      EXPECT_EQ(total(Scheme::kRowSwap, false), m / 2);
      EXPECT_EQ(total(Scheme::kColInv, false), n);
      EXPECT_EQ(total(Scheme::kColSwap, false), n / 2);
      EXPECT_EQ(total(Scheme::kNone, false), 0);
      // Waksman networks on both sides; with signs, plus one bit per row and column.
      EXPECT_EQ(total(Scheme::kPerm, false), waksman_switches(m) + waksman_switches(n));
      EXPECT_EQ(total(Scheme::kPermSigned, false), m + n + waksman_switches(m) + waksman_switches(n));
      EXPECT_EQ(total(Scheme::kColBlockPerm, false), n / 8 * 17 + waksman_switches(n % 8));
      EXPECT_EQ(total(Scheme::kA, true), m);
      EXPECT_EQ(total(Scheme::kB, true), n);
      if (n / 2 > m) {
        EXPECT_THROW(total(Scheme::kC, true), UserError) << m << "x" << n;
      } else {
        EXPECT_EQ(total(Scheme::kC, true), m);
      }
      if (m / 2 > 0) {
        EXPECT_THROW(total(Scheme::kRowSwap, true), UserError);
      }
      if (n / 2 > 0) {
        EXPECT_THROW(total(Scheme::kColSwap, true), UserError);
      }
      if (n > 1) {  // position bits only: nothing to reuse
        EXPECT_THROW(total(Scheme::kPerm, true), UserError);
        EXPECT_THROW(total(Scheme::kColBlockPerm, true), UserError);
      }
    }
  // The reference network with FC1-3 protected.
  EXPECT_EQ(key_lengths(Scheme::kPerm, 784, 512, false).total(), 6817 + 4097);
  EXPECT_EQ(key_lengths(Scheme::kPermSigned, 784, 512, false).total(), 784 + 512 + 6817 + 4097);
  EXPECT_EQ(key_lengths(Scheme::kColBlockPerm, 784, 512, false).total(), 64 * 17);
  EXPECT_THROW(key_lengths(Scheme::kC, 100, 512, true), UserError);
  EXPECT_THROW(key_lengths(Scheme::kA, 0, 5, false), std::invalid_argument);
}

TEST(Protection, PairwiseSwapIsInvolutionAndMatchesDefinition) {
  std::mt19937_64 rng(11);
  for (int len = 0; len <= 300; ++len) {
    for (int rep = 0; rep < 4; ++rep) {
      const BitVec v = random_bits(len, rng);
      const BitVec s = random_bits(len / 2, rng);
      const BitVec once = pairwise_swap(v, s);
      EXPECT_EQ(pairwise_swap(once, s), v) << "len " << len;
      for (int i = 0; i < len; ++i) {
        const int partner = (i / 2 < s.size() && s.get(i / 2)) ? (i ^ 1) : i;
        ASSERT_EQ(once.get(i), v.get(partner)) << "len " << len << " pos " << i;
      }
      // Padding bits past size() must stay zero for word-wise popcounts.
      if (len % 64) {
        EXPECT_EQ(once.data()[once.num_words() - 1] >> (len % 64), 0u);
      }
    }
  }
  EXPECT_THROW(pairwise_swap(BitVec(10), BitVec(4)), std::invalid_argument);
}

// Every scheme (and single-key variant), every key, every input, thresholds over
// the whole [-m, m+2] range in every column, m, n in 1..5. Keys of more than
// 10 bits (the permutation schemes on the larger of these layers) are 128
// random ones instead of all.
TEST(Protection, ExhaustiveSmallLayersExact) {
  std::mt19937_64 rng(5);
  int64_t checked = 0;
  for (int m = 1; m <= 5; ++m) {
    std::vector<int> values;  // every threshold with the parity of m in [-m, m+2]
    for (int b = -m; b <= m + 2; b += 2) values.push_back(b);
    for (int n = 1; n <= 5; ++n) {
      for (int draw = 0; draw < 2; ++draw) {
        BinaryLayer plain = random_layer(m, n, rng, true);
        for (size_t shift = 0; shift < values.size(); ++shift) {
          for (int k = 0; k < n; ++k) plain.thresholds[k] = values[(shift + k) % values.size()];
          std::vector<BitVec> expected;
          for (uint64_t xi = 0; xi < (uint64_t{1} << m); ++xi)
            expected.push_back(forward(plain, bits_from_int(xi, 0, m)));
          for (Scheme s : kEvery) {
            for (bool single : {false, true}) {
              KeyLengths kl;
              try {
                kl = key_lengths(s, m, n, single);
              } catch (const UserError&) {
                continue;  // refused single-key option: tested in KeyLengthsMatchPaperFormulas
              }
              const int bits = kl.total();
              const bool all_keys = bits <= 10;
              for (uint64_t trial = 0; trial < (all_keys ? uint64_t{1} << bits : 128); ++trial) {
                const uint64_t code = all_keys ? trial : rng() & ((uint64_t{1} << bits) - 1);
                const LayerKey key = key_from_code(s, m, n, single, code);
                const BinaryLayer stored = protect_layer(plain, key);
                ASSERT_EQ(stored.scheme, scheme_id(s));
                expect_thresholds_valid(stored);
                for (uint64_t xi = 0; xi < (uint64_t{1} << m); ++xi) {
                  ASSERT_EQ(protected_forward(stored, key, bits_from_int(xi, 0, m)), expected[xi])
                      << scheme_id(s) << " single=" << single << " m=" << m << " n=" << n
                      << " key=" << code << " x=" << xi;
                  ++checked;
                }
              }
            }
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 1000000);
}

// Full-size layers (FC1 784x512, FC2/FC3 512x512), HKDF-derived keys.
TEST(Protection, RandomizedFullSizeLayersExact) {
  std::mt19937_64 rng(99);
  for (int m : {784, 512}) {
    const BinaryLayer plain = random_layer(m, 512, rng, false);
    std::vector<BitVec> inputs, expected;
    for (int i = 0; i < 40; ++i) {
      inputs.push_back(random_bits(m, rng));
      expected.push_back(forward(plain, inputs.back()));
    }
    int mixed = 0;  // outputs that are neither all +1 nor all -1: the check has teeth
    for (const auto& y : expected) mixed += (y.popcount() > 0 && y.popcount() < y.size());
    ASSERT_EQ(mixed, 40);
    for (Scheme s : kEvery)
      for (bool single : {false, true})
        for (uint64_t seed = 0; seed < 12; ++seed) {
          if (single && key_lengths(s, m, 512, false).swap_bits > key_lengths(s, m, 512, false).inversion_bits)
            continue;  // refused (row-swap, col-swap)
          const LayerKey key = derive_layer_key(master_key_from_seed(seed), 1, s, m, 512, single);
          const BinaryLayer stored = protect_layer(plain, key);
          expect_thresholds_valid(stored);
          for (size_t i = 0; i < inputs.size(); ++i)
            ASSERT_EQ(protected_forward(stored, key, inputs[i]), expected[i])
                << scheme_id(s) << " single=" << single << " m=" << m << " seed=" << seed;
        }
  }
}

TEST(Protection, TransformIsNotIdentityForNonzeroKeys) {
  std::mt19937_64 rng(3);
  const BinaryLayer plain = random_layer(784, 512, rng, false);
  const BitVec x = random_bits(784, rng);
  for (Scheme s : kEvery) {
    if (s == Scheme::kNone) continue;
    const LayerKey key = derive_layer_key(master_key_from_seed(1), 1, s, 784, 512, false);
    ASSERT_GT(key.r.popcount() + key.s.popcount(), 0);
    const BinaryLayer stored = protect_layer(plain, key);
    EXPECT_NE(stored.columns, plain.columns) << scheme_id(s);
    if (scheme_has_pre_unit(s)) {
      EXPECT_NE(pre_unit_transform(key, x), x) << scheme_id(s);
    }
    if (scheme_has_post_unit(s)) {
      const BitVec y = random_bits(512, rng);
      EXPECT_NE(post_unit_recover(key, y), y) << scheme_id(s);
    }
    // Distinct keys give distinct stored models (the theorem's second claim).
    const LayerKey other = derive_layer_key(master_key_from_seed(2), 1, s, 784, 512, false);
    EXPECT_NE(protect_layer(plain, other).columns, stored.columns) << scheme_id(s);
  }
  // A single nonzero bit in every position of a small layer changes W*: no key
  // bit is dead.
  const BinaryLayer small = random_layer(6, 6, rng, false);
  for (Scheme s : kEvery) {
    const KeyLengths kl = key_lengths(s, 6, 6, false);
    for (int bit = 0; bit < kl.total(); ++bit) {
      BinaryLayer distinct = small;  // rows/columns all different so every swap shows
      for (int k = 0; k < 6; ++k)
        for (int i = 0; i < 6; ++i) distinct.columns[k].set(i, (i == k) || (i == (k + 1) % 6 && k % 2));
      const BinaryLayer stored = protect_layer(distinct, key_from_code(s, 6, 6, false, uint64_t{1} << bit));
      EXPECT_TRUE(stored.columns != distinct.columns || stored.thresholds != distinct.thresholds)
          << scheme_id(s) << " key bit " << bit;
    }
  }
}

TEST(Protection, WrongKeyChangesOutputs) {
  std::mt19937_64 rng(21);
  const BinaryLayer plain = random_layer(512, 512, rng, false);
  for (Scheme s : kEvery) {
    if (s == Scheme::kNone) continue;
    const LayerKey right = derive_layer_key(master_key_from_seed(10), 2, s, 512, 512, false);
    const LayerKey wrong = derive_layer_key(master_key_from_seed(11), 2, s, 512, 512, false);
    const BinaryLayer stored = protect_layer(plain, right);
    int differing = 0, no_key_differing = 0;
    for (int i = 0; i < 20; ++i) {
      const BitVec x = random_bits(512, rng);
      const BitVec y = forward(plain, x);
      differing += protected_forward(stored, wrong, x) != y;
      no_key_differing += forward(stored, x) != y;  // attacker: W*, B* as plain weights
    }
    EXPECT_EQ(differing, 20) << scheme_id(s);
    EXPECT_EQ(no_key_differing, 20) << scheme_id(s);
  }
}

TEST(Protection, ColumnInversionThresholdFormula) {
  BinaryLayer plain;
  plain.m = 3;
  plain.n = 4;
  plain.columns.assign(4, BitVec(3));
  plain.thresholds = {-3, -1, 3, 5};
  LayerKey key;
  key.scheme = Scheme::kColInv;
  key.r = bits_from_int(0b1011, 0, 4);
  const BinaryLayer stored = protect_layer(plain, key);
  // B*_k = (1 - 2R_k) B_k + 2R_k
  EXPECT_EQ(stored.thresholds, (std::vector<int>{5, 3, 3, -3}));
  EXPECT_EQ(stored.columns[0].popcount(), 3);  // inverted: all +1
  EXPECT_EQ(stored.columns[2].popcount(), 0);
}

TEST(Protection, SchemeBStoresInvertedSwappedThresholds) {
  // B* = D_R (P_S B) + 2R: swap first, then invert at the new position.
  BinaryLayer plain;
  plain.m = 3;
  plain.n = 2;
  plain.columns = {bits_from_int(0b001, 0, 3), bits_from_int(0b110, 0, 3)};
  plain.thresholds = {-1, 3};
  LayerKey key;
  key.scheme = Scheme::kB;
  key.r = bits_from_int(0b01, 0, 2);
  key.s = bits_from_int(0b1, 0, 1);
  const BinaryLayer stored = protect_layer(plain, key);
  EXPECT_EQ(stored.thresholds, (std::vector<int>{-3 + 2, -1}));
  EXPECT_EQ(stored.columns[0], bits_from_int(0b001, 0, 3));  // column 1 (110) moved, then inverted
  EXPECT_EQ(stored.columns[1], bits_from_int(0b001, 0, 3));
}

TEST(Protection, RejectsMisshapedKeyAndDoubleProtection) {
  std::mt19937_64 rng(8);
  const BinaryLayer plain = random_layer(10, 6, rng, false);
  LayerKey key = derive_layer_key(master_key_from_seed(0), 1, Scheme::kA, 10, 6, false);
  const BinaryLayer stored = protect_layer(plain, key);
  EXPECT_THROW(protect_layer(stored, key), UserError);
  const LayerKey wrong_shape = derive_layer_key(master_key_from_seed(0), 1, Scheme::kA, 12, 6, false);
  EXPECT_THROW(protect_layer(plain, wrong_shape), std::invalid_argument);
  EXPECT_THROW(pre_unit_transform(key, BitVec(12)), std::invalid_argument);
}

TEST(KeyDerivation, DeterministicLayerAndSchemeSeparated) {
  const MasterKey mk = master_key_from_seed(42);
  EXPECT_EQ(mk, master_key_from_seed(42));
  EXPECT_NE(mk, master_key_from_seed(43));
  const auto labelled = sha256(bytes_of("xbarguard-offline-key-seed/42"));
  EXPECT_TRUE(std::equal(mk.begin(), mk.end(), labelled.begin()));

  const LayerKey a1 = derive_layer_key(mk, 1, Scheme::kA, 784, 512, false);
  EXPECT_EQ(a1.r.size(), 784);
  EXPECT_EQ(a1.s.size(), 392);
  EXPECT_EQ(a1.r, derive_layer_key(mk, 1, Scheme::kA, 784, 512, false).r);
  EXPECT_NE(a1.r, derive_layer_key(mk, 2, Scheme::kA, 784, 512, false).r);
  EXPECT_NE(a1.r, derive_layer_key(mk, 1, Scheme::kC, 784, 512, false).r);
  EXPECT_NE(a1.r, derive_layer_key(mk, 1, Scheme::kA, 784, 512, true).r);
  // Roughly balanced bits (HKDF output): 784 bits, 6 sigma is about +-84.
  EXPECT_NEAR(a1.r.popcount(), 392, 84);

  // The documented info string and bit order, so a hardware key unit can reproduce it.
  const Bytes okm = hkdf_sha256(Bytes(mk.begin(), mk.end()), {},
                                bytes_of("xbarguard/v1/layer=1/scheme=A/single=0"), (784 + 392 + 7) / 8);
  for (int j = 0; j < 784; ++j) ASSERT_EQ(a1.r.get(j), ((okm[j / 8] >> (j % 8)) & 1) != 0);
  for (int j = 0; j < 392; ++j) ASSERT_EQ(a1.s.get(j), ((okm[(784 + j) / 8] >> ((784 + j) % 8)) & 1) != 0);

  // A flat bit string splits into R then S, or S = first bits of R.
  const BitVec flat = bits_from_int(0b1101101, 0, 7);  // m = n = 5: |R| 5, |S| 2
  const LayerKey sep = layer_key_from_bits(Scheme::kA, 5, 5, false, flat);
  EXPECT_EQ(sep.r, bits_from_int(0b01101, 0, 5));
  EXPECT_EQ(sep.s, bits_from_int(0b11, 0, 2));
  const LayerKey one = layer_key_from_bits(Scheme::kA, 5, 5, true, bits_from_int(0b01110, 0, 5));
  EXPECT_EQ(one.s, bits_from_int(0b10, 0, 2));
  EXPECT_THROW(layer_key_from_bits(Scheme::kA, 5, 5, false, BitVec(6)), std::invalid_argument);

  const LayerKey single = derive_layer_key(mk, 3, Scheme::kB, 512, 512, true);
  EXPECT_TRUE(single.single_key);
  for (int j = 0; j < 256; ++j) ASSERT_EQ(single.s.get(j), single.r.get(j));
  EXPECT_EQ(derive_layer_key(mk, 1, Scheme::kNone, 784, 512, false).r.size(), 0);
  EXPECT_THROW(derive_layer_key(mk, 0, Scheme::kA, 784, 512, false), std::invalid_argument);
  EXPECT_THROW(derive_layer_key(mk, 1, Scheme::kC, 100, 512, true), UserError);
}

}  // namespace
}  // namespace xbg
