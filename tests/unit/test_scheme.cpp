// The scheme descriptors (core/protection/scheme.h) and what follows from
// them: every fact here is checked by walking the table, so a new scheme is
// covered the moment its descriptor exists.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "core/common/error.h"
#include "core/protection/transforms.h"

namespace xbg {
namespace {

BitVec random_bits(int size, std::mt19937_64& rng) {
  BitVec v(size);
  for (int i = 0; i < size; ++i)
    if (rng() & 1) v.set(i, true);
  return v;
}

BinaryLayer random_layer(int m, int n, std::mt19937_64& rng) {
  BinaryLayer l;
  l.m = m;
  l.n = n;
  for (int k = 0; k < n; ++k) {
    l.columns.push_back(random_bits(m, rng));
    l.thresholds.push_back(threshold_with_parity(static_cast<long long>(rng() % (2 * m + 3)) - m, m));
  }
  return l;
}

// sign(W^T x - B) from column popcounts, independent of the transforms.
BitVec forward(const BinaryLayer& layer, const BitVec& x) {
  BitVec y(layer.n);
  for (int k = 0; k < layer.n; ++k)
    if (layer.column_sum(k, x) >= layer.thresholds[k]) y.set(k, true);
  return y;
}

bool single_key_allowed(Scheme s, int m, int n) {
  try {
    key_lengths(s, m, n, true);
    return true;
  } catch (const UserError&) {
    return false;
  }
}

LayerKey random_key(Scheme s, int m, int n, bool single, std::mt19937_64& rng) {
  return layer_key_from_bits(s, m, n, single, random_bits(key_lengths(s, m, n, single).total(), rng));
}

void expect_same_layer(const BinaryLayer& a, const BinaryLayer& b, const std::string& what) {
  ASSERT_EQ(a.m, b.m) << what;
  ASSERT_EQ(a.n, b.n) << what;
  for (int k = 0; k < a.n; ++k) {
    ASSERT_EQ(a.columns[k], b.columns[k]) << what << " column " << k;
    ASSERT_EQ(a.thresholds[k], b.thresholds[k]) << what << " threshold " << k;
  }
}

const int kSizes[][2] = {{1, 1}, {2, 3}, {5, 4}, {7, 9}, {16, 16}, {33, 17}, {64, 65}, {130, 71}};

TEST(SchemeTable, CodesIdsAndUnitsAreConsistent) {
  std::set<std::string> ids;
  std::set<int> codes;
  for (const SchemeDescriptor& d : scheme_descriptors()) {
    EXPECT_TRUE(ids.insert(d.id).second) << d.id;
    EXPECT_TRUE(codes.insert(static_cast<int>(d.code)).second) << d.id;
    EXPECT_EQ(&describe(d.code), &d) << d.id;
    EXPECT_EQ(scheme_id(d.code), d.id);
    EXPECT_EQ(parse_scheme(d.id), d.code);
    EXPECT_TRUE(is_scheme_id(d.id));
    EXPECT_TRUE(is_scheme_code(static_cast<uint32_t>(d.code)));
    EXPECT_EQ(scheme_has_pre_unit(d.code), d.has_unit(Side::kPre)) << d.id;
    EXPECT_EQ(scheme_has_post_unit(d.code), d.has_unit(Side::kPost)) << d.id;
    EXPECT_EQ(d.pieces.empty(), d.code == Scheme::kNone) << d.id;
  }
  EXPECT_EQ(ids.size(), all_schemes().size());
  EXPECT_EQ(scheme_ids_by_code().size(), ids.size());
  EXPECT_EQ(scheme_ids_by_code().front(), "none");  // code 0: a blank LAYER_CFG is a plain layer
  EXPECT_FALSE(is_scheme_code(static_cast<uint32_t>(ids.size())));
  EXPECT_FALSE(is_scheme_id("a"));
  EXPECT_THROW(describe(static_cast<Scheme>(1000)), std::invalid_argument);
}

TEST(SchemeTable, KeyLengthsAndRegistersAreTheSumsOfThePieces) {
  for (const SchemeDescriptor& d : scheme_descriptors())
    for (const auto& size : kSizes) {
      const int m = size[0], n = size[1];
      int r = 0, s = 0, pre = 0, post = 0;
      for (const Piece& p : d.pieces) {
        const int len = p.side == Side::kPre ? m : n;
        const int bits = piece_key_bits(p, len);
        switch (p.kind) {
          case PieceKind::kInversion: EXPECT_EQ(bits, len); break;
          case PieceKind::kPairSwap: EXPECT_EQ(bits, len / 2); break;
          case PieceKind::kPermutation: EXPECT_EQ(bits, waksman_switches(len)); break;
          case PieceKind::kBlockPermutation:
            EXPECT_EQ(bits, len / p.block * waksman_switches(p.block) + waksman_switches(len % p.block));
            break;
        }
        (p.slot == KeySlot::kR ? r : s) += bits;
        (p.side == Side::kPre ? pre : post) += piece_register_bits(p, len);
      }
      const KeyLengths kl = key_lengths(d.code, m, n, false);
      EXPECT_EQ(kl.inversion_bits, r) << d.id << " " << m << "x" << n;
      EXPECT_EQ(kl.swap_bits, s) << d.id << " " << m << "x" << n;
      EXPECT_EQ(kl.total(), r + s);
      // Separate keys: every key bit (or the table made from it) sits in exactly one unit's registers.
      EXPECT_EQ(unit_key_register_bits(d.code, Side::kPre, m, n, false), pre) << d.id;
      EXPECT_EQ(unit_key_register_bits(d.code, Side::kPost, m, n, false), post) << d.id;
      if (single_key_allowed(d.code, m, n)) {
        const KeyLengths one = key_lengths(d.code, m, n, true);
        EXPECT_EQ(one.total(), r) << d.id;
        EXPECT_EQ(unit_key_register_bits(d.code, Side::kPre, m, n, true) +
                      unit_key_register_bits(d.code, Side::kPost, m, n, true),
                  r)
            << d.id << ": with a single key the units hold R only";
      } else {
        EXPECT_GT(s, r) << d.id;
        EXPECT_THROW(unit_key_register_bits(d.code, Side::kPre, m, n, true), UserError);
      }
    }
}

TEST(SchemeTable, GatesPerBitFollowThePieces) {
  for (const SchemeDescriptor& d : scheme_descriptors())
    for (Side side : {Side::kPre, Side::kPost})
      for (int len : {16, 512, 784}) {
        const UnitGates g = d.gates(side, len);
        double mux = 0;
        for (const Piece& p : d.pieces) {
          if (p.side != side) continue;
          if (p.kind == PieceKind::kPairSwap) mux += 1;
          if (p.kind == PieceKind::kPermutation) mux += 2.0 * waksman_switches(len) / len;
          if (p.kind == PieceKind::kBlockPermutation) mux += p.block - 1;  // every len here is whole blocks
        }
        EXPECT_EQ(g.xor2, d.has(side, PieceKind::kInversion) ? 1.0 : 0.0) << d.id;
        EXPECT_DOUBLE_EQ(g.mux2, mux) << d.id;
        EXPECT_EQ(g.xor2 + g.mux2 > 0, d.has_unit(side)) << d.id;
      }
}

// A Waksman network of n <= 8 inputs reaches every one of the n! orders
// (rearrangeable) with sum ceil(log2 i) switches, the fewest whole bits that
// can; its inverse undoes it; the depth is 2 ceil(log2 n) - 1 switch stages.
TEST(SchemeTable, WaksmanNetworkReachesEveryPermutation) {
  const Piece net{Side::kPre, PieceKind::kPermutation, KeySlot::kS};
  const int expected_switches[] = {0, 0, 1, 3, 5, 8, 11, 14, 17};
  double factorial = 1;
  for (int n = 1; n <= 8; ++n) {
    factorial *= n;
    const int bits = waksman_switches(n);
    EXPECT_EQ(bits, expected_switches[n]);
    EXPECT_GE(bits, std::ceil(log2_factorial(n) - 1e-9)) << n;
    EXPECT_NEAR(std::exp2(log2_factorial(n)), factorial, 1e-6 * factorial);
    std::set<std::vector<int>> seen;
    for (uint32_t code = 0; code < (1u << bits); ++code) {
      BitVec key(bits);
      for (int j = 0; j < bits; ++j) key.set(j, (code >> j) & 1);
      std::vector<int> src = permutation_sources(net, key, n);
      std::vector<int> sorted = src;
      std::sort(sorted.begin(), sorted.end());
      for (int j = 0; j < n; ++j) ASSERT_EQ(sorted[j], j) << "not a permutation, n=" << n << " key=" << code;
      seen.insert(src);
    }
    EXPECT_EQ(static_cast<double>(seen.size()), factorial) << n;
  }
  EXPECT_EQ(waksman_depth(784), 19);
  EXPECT_EQ(waksman_depth(512), 17);
  EXPECT_EQ(waksman_switches(784), 6817);  // log2(784!) = 6,413
  EXPECT_EQ(waksman_switches(512), 4097);  // log2(512!) = 3,875
}

// Fisher-Yates inside blocks: every key gives a permutation that keeps each
// block's positions in the block, and a block of 4 reaches all 24 orders.
TEST(SchemeTable, BlockPermutationStaysInsideItsBlocks) {
  const Piece blocks{Side::kPost, PieceKind::kBlockPermutation, KeySlot::kS, 4};
  EXPECT_EQ(piece_key_bits(blocks, 4), 5);
  EXPECT_EQ(piece_key_bits(blocks, 11), 2 * 5 + 3);  // two blocks of 4 and one of 3
  EXPECT_EQ(piece_register_bits(blocks, 11), 8 * 2 + 3 * 2);
  std::set<std::vector<int>> seen;
  for (uint32_t code = 0; code < 32; ++code) {
    BitVec key(5);
    for (int j = 0; j < 5; ++j) key.set(j, (code >> j) & 1);
    seen.insert(permutation_sources(blocks, key, 4));
  }
  EXPECT_EQ(seen.size(), 24u);
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 50; ++trial) {
    const std::vector<int> src = permutation_sources(blocks, random_bits(13, rng), 11);
    for (int j = 0; j < 11; ++j) ASSERT_EQ(src[j] / 4, j / 4) << "left its block";
  }
  EXPECT_THROW(permutation_sources(blocks, BitVec(12), 11), std::invalid_argument);
  EXPECT_THROW(permutation_sources(Piece{Side::kPre, PieceKind::kInversion, KeySlot::kR}, BitVec(4), 4),
               std::invalid_argument);
}

// pre, stored W*, B*, post: the plain layer's outputs for every scheme, key and input.
TEST(SchemeTable, EveryDescriptorIsExactOnRandomLayers) {
  std::mt19937_64 rng(20261207);
  for (const SchemeDescriptor& d : scheme_descriptors())
    for (const auto& size : kSizes)
      for (bool single : {false, true}) {
        const int m = size[0], n = size[1];
        if (single && !single_key_allowed(d.code, m, n)) continue;
        for (int trial = 0; trial < 4; ++trial) {
          const BinaryLayer plain = random_layer(m, n, rng);
          const LayerKey key = random_key(d.code, m, n, single, rng);
          const BinaryLayer stored = protect_layer(plain, key);
          EXPECT_EQ(stored.scheme, d.id);
          for (int i = 0; i < 16; ++i) {
            const BitVec x = random_bits(m, rng);
            ASSERT_EQ(post_unit_recover(key, forward(stored, pre_unit_transform(key, x))), forward(plain, x))
                << d.id << (single ? " single-key " : " ") << m << "x" << n;
          }
        }
      }
}

// The inverses are derived (pieces in reverse order, each inverted), not
// written per scheme: undoing the stored layer with its key gives the plain
// layer back, and with any other key gives the layer the keyed units compute.
TEST(SchemeTable, DerivedInversesUndoTheForwardOrder) {
  std::mt19937_64 rng(7);
  for (const SchemeDescriptor& d : scheme_descriptors())
    for (const auto& size : kSizes) {
      const int m = size[0], n = size[1];
      const BinaryLayer plain = random_layer(m, n, rng);
      const LayerKey key = random_key(d.code, m, n, false, rng);
      const BinaryLayer stored = protect_layer(plain, key);
      expect_same_layer(unprotect_layer(stored, key), plain, d.id + " right key");
      EXPECT_EQ(unprotect_layer(stored, key).scheme, "none");
      const LayerKey other = random_key(d.code, m, n, false, rng);
      const BinaryLayer seen = unprotect_layer(stored, other);
      for (int i = 0; i < 16; ++i) {
        const BitVec x = random_bits(m, rng);
        EXPECT_EQ(pre_unit_inverse(key, pre_unit_transform(key, x)), x) << d.id;
        EXPECT_EQ(pre_unit_transform(key, pre_unit_inverse(key, x)), x) << d.id;
        ASSERT_EQ(forward(seen, x), post_unit_recover(other, forward(stored, pre_unit_transform(other, x))))
            << d.id << " " << m << "x" << n << ": a wrong key";
      }
      LayerKey foreign = key;
      foreign.scheme = d.code == Scheme::kNone ? Scheme::kA : Scheme::kNone;
      EXPECT_THROW(unprotect_layer(stored, foreign), std::invalid_argument) << d.id;
    }
}

// A piece's bits in its key string, per the layout of scheme.h: the string's
// pre-unit pieces first, then its post-unit pieces, each in descriptor order.
BitVec share_of(const LayerKey& key, const SchemeDescriptor& d, const Piece& piece, int m, int n) {
  int first = 0;
  for (Side side : {Side::kPre, Side::kPost})
    for (const Piece& p : d.pieces) {
      if (p.side != side || p.slot != piece.slot) continue;
      const int bits = piece_key_bits(p, side == Side::kPre ? m : n);
      if (&p == &piece) {
        BitVec out(bits);
        for (int j = 0; j < bits; ++j) out.set(j, key.bits(p.slot).get(first + j));
        return out;
      }
      first += bits;
    }
  ADD_FAILURE() << "piece not in " << d.id;
  return BitVec();
}

// Run-time order within a unit is the descriptor's order: scheme A's pre-unit
// is X* = P_S D_R X (XOR, then swap), B's post-unit y = P_S D_R y*.
TEST(SchemeTable, UnitsApplyTheirPiecesInDescriptorOrder) {
  std::mt19937_64 rng(11);
  for (const SchemeDescriptor& d : scheme_descriptors()) {
    const int m = 12, n = 10;
    const LayerKey key = random_key(d.code, m, n, false, rng);
    for (Side side : {Side::kPre, Side::kPost}) {
      const BitVec v = random_bits(side == Side::kPre ? m : n, rng);
      BitVec expect = v;
      for (const Piece& p : d.pieces) {
        if (p.side != side) continue;
        const BitVec k = share_of(key, d, p, m, n);
        if (p.kind == PieceKind::kInversion) {
          for (int i = 0; i < expect.size(); ++i) expect.set(i, expect.get(i) != k.get(i));
        } else if (p.kind == PieceKind::kPairSwap) {
          expect = pairwise_swap(expect, k);
        } else {
          const std::vector<int> src = permutation_sources(p, k, expect.size());
          const BitVec in = expect;
          for (int i = 0; i < expect.size(); ++i) expect.set(i, in.get(src[i]));
        }
      }
      EXPECT_EQ(side == Side::kPre ? pre_unit_transform(key, v) : post_unit_recover(key, v), expect) << d.id;
    }
  }
  const SchemeDescriptor& a = describe(Scheme::kA);
  ASSERT_EQ(a.pieces.size(), 2u);
  EXPECT_EQ(a.pieces[0].kind, PieceKind::kInversion);
  EXPECT_EQ(a.pieces[1].kind, PieceKind::kPairSwap);
  const SchemeDescriptor& b = describe(Scheme::kB);
  ASSERT_EQ(b.pieces.size(), 2u);
  EXPECT_EQ(b.pieces[0].kind, PieceKind::kInversion);
  EXPECT_EQ(b.pieces[0].side, Side::kPost);
}

TEST(SchemeTable, KeyInfoStringIsTheHkdfLabel) {
  EXPECT_EQ(layer_key_info(2, Scheme::kC, true), "xbarguard/v1/layer=2/scheme=C/single=1");
  EXPECT_EQ(layer_key_info(1, Scheme::kRowSwap, false), "xbarguard/v1/layer=1/scheme=row-swap/single=0");
}

}  // namespace
}  // namespace xbg
