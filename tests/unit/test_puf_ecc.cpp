#include <cmath>
#include <random>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "core/puf/bch.h"
#include "core/puf/concatenated_code.h"
#include "core/puf/key_failure.h"

namespace xbg {
namespace {

std::vector<uint8_t> random_bits(std::mt19937_64& rng, int n) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = rng() & 1;
  return v;
}

bool syndromes_zero(const BchCode& c, const std::vector<uint8_t>& w) {
  std::vector<uint8_t> copy = w;
  BchDecodeStats st;
  return c.decode(copy, &st) && st.errors_corrected == 0 && copy == w;
}

TEST(Bch, EveryPrimitivePolynomialBuildsTheField) {
  for (int m = 3; m <= 12; ++m) {
    const BchCode c(m, 1);  // the constructor throws if alpha's order is not 2^m - 1
    EXPECT_EQ(c.n(), (1 << m) - 1);
    EXPECT_EQ(c.k(), c.n() - m);  // Hamming code
    EXPECT_EQ(c.gf_pow_alpha(c.n()), 1);
  }
}

TEST(Bch, DimensionsMatchTheStandardTable) {
  // (n, k, t) from the binary primitive BCH table (Lin & Costello, app. C).
  const int table[][3] = {{15, 7, 2}, {31, 16, 3}, {63, 45, 3}, {127, 64, 10}, {255, 155, 13},
                          {255, 131, 18}, {511, 340, 20}, {511, 421, 10}, {1023, 1013, 1}};
  for (const auto& row : table) {
    const int m = static_cast<int>(std::lround(std::log2(row[0] + 1)));
    const BchCode c(m, row[2]);
    EXPECT_EQ(c.n(), row[0]);
    EXPECT_EQ(c.k(), row[1]) << "BCH(" << row[0] << ", t=" << row[2] << ")";
  }
  EXPECT_THROW(BchCode(4, 8), std::invalid_argument);  // t too large for n = 15
}

TEST(Bch, GaloisFieldMultiplicationIsAFieldProduct) {
  const BchCode c(8, 2);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 1000; ++i) {
    const int a = rng() % 256, b = rng() % 256, d = rng() % 256;
    EXPECT_EQ(c.gf_mul(a, b), c.gf_mul(b, a));
    EXPECT_EQ(c.gf_mul(c.gf_mul(a, b), d), c.gf_mul(a, c.gf_mul(b, d)));
    EXPECT_EQ(c.gf_mul(a, b ^ d), c.gf_mul(a, b) ^ c.gf_mul(a, d));
  }
}

TEST(Bch, EncodingIsSystematicLinearAndGivesCodewords) {
  const BchCode c(8, 13);
  std::mt19937_64 rng(2);
  for (int i = 0; i < 20; ++i) {
    const auto a = random_bits(rng, c.k()), b = random_bits(rng, c.k());
    std::vector<uint8_t> ab(c.k());
    for (int j = 0; j < c.k(); ++j) ab[j] = a[j] ^ b[j];
    const auto ca = c.encode(a), cb = c.encode(b), cab = c.encode(ab);
    EXPECT_EQ(c.message_of(ca), a);
    EXPECT_TRUE(syndromes_zero(c, ca));
    for (int j = 0; j < c.n(); ++j) EXPECT_EQ(cab[j], ca[j] ^ cb[j]);
  }
}

TEST(Bch, CorrectsEveryErrorWeightUpToT) {
  std::mt19937_64 rng(3);
  for (auto [m, t] : {std::pair{4, 2}, {5, 3}, {6, 5}, {8, 13}, {9, 20}, {10, 8}}) {
    const BchCode c(m, t);
    for (int w = 0; w <= t; ++w) {
      for (int trial = 0; trial < 8; ++trial) {
        const auto cw = c.encode(random_bits(rng, c.k()));
        auto rx = cw;
        std::set<int> pos;
        while (static_cast<int>(pos.size()) < w) pos.insert(static_cast<int>(rng() % c.n()));
        for (int p : pos) rx[p] ^= 1;
        BchDecodeStats st;
        ASSERT_TRUE(c.decode(rx, &st)) << "m=" << m << " t=" << t << " weight " << w;
        EXPECT_EQ(rx, cw);
        EXPECT_EQ(st.errors_corrected, w);
      }
    }
  }
}

TEST(Bch, BeyondTNeverReturnsTheSentCodewordAndNeverANonCodeword) {
  const BchCode c(6, 4);
  std::mt19937_64 rng(4);
  int failures = 0, miscorrections = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    const auto cw = c.encode(random_bits(rng, c.k()));
    auto rx = cw;
    std::set<int> pos;
    const int w = c.t() + 1 + static_cast<int>(rng() % 4);
    while (static_cast<int>(pos.size()) < w) pos.insert(static_cast<int>(rng() % c.n()));
    for (int p : pos) rx[p] ^= 1;
    const auto received = rx;
    if (!c.decode(rx)) {
      ++failures;
      EXPECT_EQ(rx, received);  // left as received
    } else {
      ++miscorrections;
      EXPECT_NE(rx, cw);
      EXPECT_TRUE(syndromes_zero(c, rx));
    }
  }
  EXPECT_GT(failures, 0);
  EXPECT_GT(miscorrections, 0);  // a short code does land on other codewords: the key check is needed
}

TEST(ConcatenatedCode, CorrectsRepetitionGroupsUpToTheOuterLimit) {
  EccConfig ecc;  // 2 x BCH(255,155,13) x 7
  const ConcatenatedCode code(ecc);
  ASSERT_EQ(code.code_bits(), 3570);
  ASSERT_EQ(code.message_bits(), 310);
  std::mt19937_64 rng(5);
  BitVec msg(code.message_bits());
  for (int i = 0; i < msg.size(); ++i) msg.set(i, rng() & 1);
  const BitVec cw = code.encode(msg);
  const int n = code.outer().n(), r = code.repetition();
  BitVec rx = cw;
  for (int b = 0; b < code.blocks(); ++b) {
    // t groups outvoted (4 of 7 copies flipped) plus 3 flips in every other group.
    for (int j = 0; j < n; ++j) {
      const int flips = j < code.outer().t() ? (r + 1) / 2 : (r - 1) / 2;
      for (int c = 0; c < flips; ++c) rx.flip((b * n + j) * r + c);
    }
  }
  CodeDecodeStats st;
  const auto d = code.decode(rx, &st);
  EXPECT_TRUE(d.ok);
  EXPECT_EQ(d.codeword, cw);
  EXPECT_EQ(d.message, msg);
  EXPECT_EQ(st.errors_corrected, code.blocks() * code.outer().t());
  EXPECT_EQ(st.repetition_votes, code.code_bits());

  rx.flip(code.outer().t() * r + 3);  // a 4th flip outvotes one more group in block 0
  const auto d2 = code.decode(rx);
  EXPECT_FALSE(d2.ok && d2.message == msg);
}

TEST(KeyFailure, ClosedFormsForSmallCases) {
  for (double p : {0.01, 0.1, 0.3}) {
    EXPECT_DOUBLE_EQ(repetition_failure(1, p), p);
    EXPECT_NEAR(repetition_failure(3, p), 3 * p * p - 2 * p * p * p, 1e-15);
    // P(X > 1) for n = 4: 1 - q^4 - 4 p q^3.
    const double q = 1 - p;
    EXPECT_NEAR(binomial_tail_above(4, 1, p), 1 - std::pow(q, 4) - 4 * p * std::pow(q, 3), 1e-14);
  }
  EXPECT_EQ(binomial_tail_above(10, 10, 0.5), 0.0);
  // Deep tail keeps relative precision: P(X > 30) for Binomial(255, 0.001) ~ C(255,31) p^31.
  const double tail = binomial_tail_above(255, 30, 1e-3);
  const double lead = std::exp(std::lgamma(256) - std::lgamma(32) - std::lgamma(225) + 31 * std::log(1e-3) +
                               224 * std::log1p(-1e-3));
  EXPECT_NEAR(tail / lead, 1.0, 0.01);
}

TEST(KeyFailure, CodeLimitMeetsTheTarget) {
  const EccConfig ecc;
  const double limit = max_bit_error_rate(ecc, 1e-6);
  EXPECT_NEAR(key_failure_probability(ecc, limit), 1e-6, 1e-8);
  EXPECT_GT(key_failure_probability(ecc, limit * 1.05), 1e-6);
  EXPECT_LT(key_failure_probability(ecc, 0.05), key_failure_probability(ecc, 0.10));
}

TEST(KeyFailure, ClopperPearsonKnownValues) {
  // k = 0: upper bound 1 - (alpha/2)^(1/n).
  EXPECT_NEAR(clopper_pearson(0, 100).hi, 1 - std::pow(0.025, 0.01), 1e-9);
  const Interval iv = clopper_pearson(50, 100);
  EXPECT_LT(iv.lo, 0.5);
  EXPECT_GT(iv.hi, 0.5);
  EXPECT_NEAR(iv.lo, 0.3983, 1e-3);  // standard tables
  EXPECT_NEAR(iv.hi, 0.6017, 1e-3);
}

TEST(KeyFailure, IdealMinEntropyEstimatorBias) {
  EXPECT_DOUBLE_EQ(ideal_min_entropy_estimate(1), 0.0);  // one chip: every bit looks fixed
  EXPECT_LT(ideal_min_entropy_estimate(100), 0.95);
  EXPECT_GT(ideal_min_entropy_estimate(10000), 0.98);
}

}  // namespace
}  // namespace xbg
