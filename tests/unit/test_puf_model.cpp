#include <cmath>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "core/common/config.h"
#include "core/puf/key_failure.h"
#include "core/puf/puf_model.h"
#include "core/puf/puf_quality.h"

namespace xbg {
namespace {

PufConfig shipped(const std::string& name) {
  const std::string path = std::string(XBG_SOURCE_DIR) + "/configs/puf/" + name + ".json";
  PufConfig cfg = load_config<PufFileConfig>(path, {}).puf;
  cfg.validate(path);
  return cfg;
}

// One population evaluation per kind (100 chips x 10 boots x 12 corners),
// shared by the tests below: the expensive part runs once.
const PufQuality& population(const std::string& kind) {
  static std::map<std::string, PufQuality> cache;
  auto it = cache.find(kind);
  if (it == cache.end()) {
    PufQualityOptions opt;
    opt.chips = 100;
    opt.reads = 10;
    it = cache.emplace(kind, evaluate_puf_population(shipped(kind), opt)).first;
  }
  return it->second;
}

TEST(PufConfig, ShippedConfigsMatchDefaultsAndValidate) {
  EXPECT_EQ(dump_config(shipped("sram")), dump_config(PufConfig{}));
  const PufConfig r = shipped("rram");
  EXPECT_EQ(r.kind, "rram");
  EXPECT_EQ(r.corners().size(), 12u);
}

TEST(PufConfig, ValidationNamesTheField) {
  auto expect_error = [](PufConfig c, const std::string& field) {
    try {
      c.validate("x.json");
      ADD_FAILURE() << "no error for " << field;
    } catch (const UserError& e) {
      EXPECT_NE(std::string(e.what()).find("x.json: puf." + field + ":"), std::string::npos) << e.what();
    }
  };
  PufConfig c;
  c.ecc.repetition = 6;
  expect_error(c, "ecc.repetition");
  c = PufConfig{};
  c.ecc.bch_m = 4;
  c.ecc.bch_t = 8;
  expect_error(c, "ecc.bch_t");
  c = PufConfig{};
  c.ecc.bch_blocks = 1;  // 155 message bits < 256
  expect_error(c, "ecc.bch_blocks");
  c = PufConfig{};
  c.cells = 3000;
  expect_error(c, "cells");
  c = PufConfig{};
  c.enrollment_reads = 2;
  expect_error(c, "enrollment_reads");
  // Unknown fields and bad types are the framework's job; check it reaches us.
  EXPECT_THROW(parse_config<PufFileConfig>(json::parse(R"({"puf": {"ecc": {"bch_q": 3}}})"), "y.json"), UserError);
  EXPECT_THROW(parse_config<PufFileConfig>(json::parse(R"({"puf": {"kind": "dram"}})"), "y.json"), UserError);
}

TEST(PufModel, ReadsAreDeterministicPerSeedCornerAndIndex) {
  for (const std::string kind : {"sram", "rram"}) {
    const PufConfig cfg = shipped(kind);
    const auto a = PufArray::create(cfg, 5), b = PufArray::create(cfg, 5), other = PufArray::create(cfg, 6);
    const PufCorner hot{125.0, 0.9};
    EXPECT_EQ(a->read(hot, 3), b->read(hot, 3)) << kind;
    EXPECT_NE(a->read(hot, 3), a->read(hot, 4)) << kind;
    EXPECT_NE(a->read(hot, 3), a->read({125.0, 1.1}, 3)) << kind;  // same sigma, independent draw
    EXPECT_NE(a->read(hot, 3), other->read(hot, 3)) << kind;
    EXPECT_EQ(a->enroll().response, b->enroll().response) << kind;
  }
}

TEST(PufModel, NoiseGrowsAwayFromNominal) {
  const PufConfig cfg;
  const double nominal = cfg.noise_sigma(cfg.nominal());
  EXPECT_DOUBLE_EQ(nominal, cfg.sram.noise_sigma);
  EXPECT_GT(cfg.noise_sigma({85.0, 1.0}), nominal);
  EXPECT_GT(cfg.noise_sigma({125.0, 1.0}), cfg.noise_sigma({85.0, 1.0}));
  EXPECT_GT(cfg.noise_sigma({-40.0, 1.0}), nominal);
  EXPECT_GT(cfg.noise_sigma({25.0, 0.9}), nominal);
  EXPECT_GT(sram_model_bit_error_rate(cfg, {125.0, 0.9}), sram_model_bit_error_rate(cfg, {85.0, 0.9}));
}

TEST(PufModel, SramModelBerHasTheClosedFormForOneEnrollmentRead) {
  // Enrolled and boot reads are jointly normal with correlation
  // rho = 1 / sqrt((1 + se^2)(1 + sb^2)); they differ in sign with
  // probability acos(rho) / pi (Sheppard's formula).
  const PufConfig cfg;
  for (const PufCorner& c : cfg.corners()) {
    const double se = cfg.noise_sigma(cfg.nominal()), sb = cfg.noise_sigma(c);
    const double rho = 1.0 / std::sqrt((1 + se * se) * (1 + sb * sb));
    EXPECT_NEAR(sram_model_bit_error_rate(cfg, c), std::acos(rho) / std::acos(-1.0), 1e-9) << c.name();
  }
  // More enrollment reads (majority) lower the error rate.
  PufConfig five = cfg;
  five.enrollment_reads = 5;
  EXPECT_LT(sram_model_bit_error_rate(five, {125.0, 0.9}), sram_model_bit_error_rate(cfg, {125.0, 0.9}));
}

TEST(PufModel, SramRawBerIsInTheLiteratureRange) {
  // Nominal intra-distance a few %, extreme corners 5-15 % (docs/design.md §4.1).
  const PufConfig cfg;
  EXPECT_LT(sram_model_bit_error_rate(cfg, cfg.nominal()), 0.05);
  double worst = 0.0;
  for (const PufCorner& c : cfg.corners()) worst = std::max(worst, sram_model_bit_error_rate(cfg, c));
  EXPECT_GT(worst, 0.05);
  EXPECT_LT(worst, 0.15);
}

class PufPopulation : public ::testing::TestWithParam<std::string> {};

TEST_P(PufPopulation, UniformityAndUniquenessNearHalf) {
  const PufQuality& q = population(GetParam());
  EXPECT_EQ(q.chips, 100);
  EXPECT_NEAR(q.uniformity.mean, 0.5, 0.02);
  EXPECT_NEAR(q.uniqueness.mean, 0.5, 0.02);
  EXPECT_NEAR(q.bit_aliasing.mean, 0.5, 0.02);
  EXPECT_EQ(q.inter.size(), 100u * 99u / 2u);
  // The per-bit min-entropy estimate matches what an ideal source shows with
  // 100 chips (the estimator is biased low, not the PUF).
  EXPECT_NEAR(q.min_entropy_per_bit, q.min_entropy_ideal_reference, 0.02);
  EXPECT_GE(q.residual_entropy_bits, 256.0);
}

TEST_P(PufPopulation, IntraChipDistanceAtNominalAtMostFivePercent) {
  const PufQuality& q = population(GetParam());
  const PufConfig cfg = shipped(GetParam());
  int nominal_corners = 0;
  for (const CornerQuality& c : q.corners) {
    if (c.corner.temperature_c == cfg.nominal_temperature_c && c.corner.voltage_v == cfg.nominal_voltage_v) {
      EXPECT_LE(c.intra_hd.mean, 0.05) << c.corner.name();
      ++nominal_corners;
    }
    if (GetParam() == "rram") {
      EXPECT_LT(c.key_ber, 0.01) << c.corner.name();  // RRAM key bits: well under 1 %
    }
  }
  EXPECT_EQ(nominal_corners, 1);
}

TEST_P(PufPopulation, ReconstructionSucceedsOnAThousandBootsAtEveryCorner) {
  const PufQuality& q = population(GetParam());
  ASSERT_EQ(q.corners.size(), 12u);
  for (const CornerQuality& c : q.corners) {
    EXPECT_EQ(c.boots, 1000) << c.corner.name();
    EXPECT_EQ(c.failures, 0) << c.corner.name();
    EXPECT_EQ(c.wrong_key_accepted, 0) << c.corner.name();
    EXPECT_LE(c.key_failure_bound, shipped(GetParam()).target_key_failure) << c.corner.name();
  }
}

// The exact model BER exists for the SRAM model only.
TEST(PufPopulationSram, MeasuredBerMatchesTheModel) {
  const PufQuality& q = population("sram");
  for (const CornerQuality& c : q.corners) {
    // 99.9 % interval over chips x code bits (conservative for correlated reads).
    const int64_t trials = static_cast<int64_t>(q.chips) * q.code_bits;
    const Interval iv = clopper_pearson(std::llround(c.key_ber * trials), trials, 0.999);
    EXPECT_GE(c.model_ber, iv.lo) << c.corner.name();
    EXPECT_LE(c.model_ber, iv.hi) << c.corner.name();
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, PufPopulation, ::testing::Values("sram", "rram"));

}  // namespace
}  // namespace xbg
