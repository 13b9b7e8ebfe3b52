#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "core/common/config.h"
#include "core/protection/hkdf.h"
#include "core/puf/helper_data.h"
#include "core/puf/key_failure.h"
#include "core/puf/provisioning.h"
#include "core/puf/puf_model.h"

namespace xbg {
namespace {

PufConfig shipped(const std::string& kind) {
  return load_config<PufFileConfig>(std::string(XBG_SOURCE_DIR) + "/configs/puf/" + kind + ".json", {}).puf;
}

class PufKeygen : public ::testing::TestWithParam<std::string> {};

TEST_P(PufKeygen, SameChipAndHelperGiveTheSameKeyAtNominal) {
  const PufConfig cfg = shipped(GetParam());
  const Enrollment e = enroll_chip(7, cfg);
  for (uint64_t boot = 0; boot < 100; ++boot) {
    const BootResult r = boot_chip(7, e.helper_data, cfg, cfg.nominal(), boot);
    ASSERT_TRUE(r.ok()) << "boot " << boot << ": " << r.detail;
    EXPECT_EQ(r.key, e.key);
    EXPECT_EQ(r.reason, KeyErrorReason::kNone);
  }
  // Enrollment is reproducible; another nonce is a new enrollment with a new key.
  EXPECT_EQ(enroll_chip(7, cfg).helper_data, e.helper_data);
  const Enrollment again = enroll_chip(7, cfg, 1);
  EXPECT_NE(again.key, e.key);
  EXPECT_NE(again.helper_data["salt"], e.helper_data["salt"]);
}

TEST_P(PufKeygen, CloneChipsNeverReconstructTheEnrolledKey) {
  const PufConfig cfg = shipped(GetParam());
  const Enrollment e = enroll_chip(1, cfg);
  int decode_failures = 0, check_failures = 0;
  for (uint64_t clone = 2; clone < 202; ++clone) {
    const BootResult r = boot_chip(clone, e.helper_data, cfg, cfg.nominal(), 0);
    EXPECT_EQ(r.status, KeyStatus::kKeyError) << "clone " << clone;
    EXPECT_NE(r.key, e.key) << "clone " << clone;  // even with the check bypassed
    decode_failures += r.reason == KeyErrorReason::kDecodeFailure;
    check_failures += r.reason == KeyErrorReason::kKeyCheckMismatch;
  }
  EXPECT_EQ(decode_failures + check_failures, 200);
}

// Flips every bit of the helper data text one at a time: each variant must give
// key-error (unparseable, malformed, or a failed key check or tag).
void expect_every_bit_flip_detected(const std::string& text, const BitVec& response, const PufConfig& cfg) {
  ASSERT_TRUE(reconstruct_key(response, text, cfg).ok());
  int64_t variants = 0, undetected = 0;
  std::string t = text;
  for (size_t i = 0; i < t.size(); ++i) {
    for (int b = 0; b < 8; ++b) {
      t[i] = static_cast<char>(t[i] ^ (1 << b));
      const BootResult r = reconstruct_key(response, t, cfg);
      ++variants;
      if (r.ok()) {
        ++undetected;
        ADD_FAILURE() << "undetected flip of bit " << b << " of byte " << i << " ('" << text[i] << "')";
      }
      t[i] = text[i];
    }
  }
  EXPECT_EQ(variants, static_cast<int64_t>(8 * text.size()));
  EXPECT_EQ(undetected, 0);
}

TEST_P(PufKeygen, EverySingleBitChangeOfTheHelperDataIsDetected) {
  const PufConfig cfg = shipped(GetParam());
  const Enrollment e = enroll_chip(3, cfg);
  const BitVec response = PufArray::create(cfg, 3)->read(cfg.nominal(), 0);
  expect_every_bit_flip_detected(e.helper_data.dump(), response, cfg);
}

TEST(PufKeygenFormat, PrettyPrintedHelperDataIsTheSameAndAlsoTamperEvident) {
  // Whitespace is not part of the helper data: a pretty-printed copy boots, and
  // a flipped bit in its whitespace still never yields a key.
  const PufConfig cfg;
  const Enrollment e = enroll_chip(4, cfg);
  const BitVec response = PufArray::create(cfg, 4)->read(cfg.nominal(), 0);
  expect_every_bit_flip_detected(e.helper_data.dump(2), response, cfg);
}

TEST(PufKeygenFormat, ChangedValuesAreCaughtByKeyCheckOrTag) {
  const PufConfig cfg;
  const Enrollment e = enroll_chip(5, cfg);
  const BitVec response = PufArray::create(cfg, 5)->read(cfg.nominal(), 0);
  HelperData h;
  std::string why;
  ASSERT_TRUE(helper_from_json(e.helper_data, h, why)) << why;

  // One offset bit: the decoder corrects it as noise, but the reconstructed
  // response then differs in that bit, so the key check fails.
  HelperData off = h;
  off.offset.flip(100);
  EXPECT_EQ(reconstruct_key(response, helper_to_json(off), cfg).reason, KeyErrorReason::kKeyCheckMismatch);
  // The key check value itself.
  HelperData kcv = h;
  kcv.key_check[0] ^= 1;
  EXPECT_EQ(reconstruct_key(response, helper_to_json(kcv), cfg).reason, KeyErrorReason::kKeyCheckMismatch);
  // The tag.
  HelperData tag = h;
  tag.tag[31] ^= 0x80;
  EXPECT_EQ(reconstruct_key(response, helper_to_json(tag), cfg).reason, KeyErrorReason::kTagMismatch);
  // Uppercase hex is the same bytes but not the canonical form: refused.
  nlohmann::json upper = e.helper_data;
  std::string salt = upper["salt"];
  for (char& c : salt) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  upper["salt"] = salt;
  EXPECT_EQ(reconstruct_key(response, upper, cfg).reason, KeyErrorReason::kMalformedHelper);
  // Helper data made for another code.
  PufConfig other = cfg;
  other.ecc.bch_t = 14;
  EXPECT_EQ(reconstruct_key(response, e.helper_data, other).reason, KeyErrorReason::kConfigMismatch);
  // Not JSON at all.
  EXPECT_EQ(boot_chip(5, std::string("{"), cfg, cfg.nominal(), 0).reason, KeyErrorReason::kMalformedHelper);
}

TEST(PufKeygenFormat, HelperDataNeverContainsTheKey) {
  const PufConfig cfg;
  const Enrollment e = enroll_chip(6, cfg);
  const std::string text = e.helper_data.dump();
  EXPECT_EQ(text.find(bytes_to_hex(e.key.data(), e.key.size())), std::string::npos);
  EXPECT_EQ(e.helper_data["format"], "xbarguard-puf-helper");
}

TEST(PufKeygenStress, MonteCarloFailureRateMatchesTheAnalyticalEstimate) {
  // Push the boot corner past the code's limit until the model predicts a key
  // failure rate of about 0.2, then boot that many fresh chips once each (one
  // boot per chip keeps the trials independent).
  PufConfig cfg;
  auto analytic = [&](double t_c) {
    return key_failure_probability(cfg.ecc, sram_model_bit_error_rate(cfg, {t_c, cfg.nominal_voltage_v}));
  };
  double lo = 125.0, hi = 400.0;
  for (int i = 0; i < 40; ++i) {
    const double mid = 0.5 * (lo + hi);
    (analytic(mid) < 0.2 ? lo : hi) = mid;
  }
  const PufCorner stressed{lo, cfg.nominal_voltage_v};
  const double expected = analytic(lo);
  ASSERT_NEAR(expected, 0.2, 0.01);
  const double ber = sram_model_bit_error_rate(cfg, stressed);
  EXPECT_GT(ber, max_bit_error_rate(cfg.ecc, cfg.target_key_failure));  // near the limit, above the 1e-6 point

  const int chips = 1500;
  int failures = 0, wrong_keys = 0;
  for (int c = 0; c < chips; ++c) {
    const uint64_t seed = 100000 + c;
    const Enrollment e = enroll_chip(seed, cfg);
    const BootResult r = boot_chip(seed, e.helper_data, cfg, stressed, 0);
    failures += !r.ok();
    wrong_keys += r.ok() && r.key != e.key;
  }
  const Interval iv = clopper_pearson(failures, chips, 0.99);
  EXPECT_GE(expected, iv.lo) << failures << "/" << chips << " failed at " << stressed.name() << ", BER " << ber;
  EXPECT_LE(expected, iv.hi) << failures << "/" << chips << " failed at " << stressed.name() << ", BER " << ber;
  EXPECT_EQ(wrong_keys, 0);
}

TEST(PufProvisioning, ProvisionForProtectAndBootFromTheRecord) {
  const PufConfig cfg = shipped("rram");
  nlohmann::json prov;
  const MasterKey key = provision_for_protect(11, cfg, prov);
  ASSERT_TRUE(prov.contains("helper_data"));
  ASSERT_TRUE(prov.contains("puf"));
  EXPECT_EQ(prov.size(), 2u);
  const BootResult r = boot_from_provisioning(11, prov, {85.0, 1.1}, 9);
  ASSERT_TRUE(r.ok()) << r.detail;
  EXPECT_EQ(r.key, key);
  EXPECT_EQ(r.stats.puf_bits_read, 2 * cfg.cells);
  EXPECT_EQ(r.stats.bch_blocks, cfg.ecc.bch_blocks);
  EXPECT_GT(r.stats.bch_gf_mults, 0);
  EXPECT_GT(r.stats.sha256_compressions, 0);
  EXPECT_FALSE(boot_from_provisioning(12, prov, cfg.nominal(), 0).ok());  // a clone
  EXPECT_EQ(key_status_name(KeyStatus::kKeyError), "key_error");
}

TEST(PufProvisioning, TooFewStablePairsIsAClearError) {
  PufConfig cfg = shipped("rram");
  cfg.cells = 520;  // the code needs 511 stable pairs, the mask keeps ~72 %
  try {
    enroll_chip(1, cfg);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("stable"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, PufKeygen, ::testing::Values("sram", "rram"));

}  // namespace
}  // namespace xbg
