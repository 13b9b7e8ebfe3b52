// Helper-data manipulation (docs/threat-model.md): on the shipped chip (tag + key check)
// every manipulation ends in key-error; without the tag, the mask attack
// must actually work, or the claim that the tag is what stops it is untested.
#include <gtest/gtest.h>

#include "core/attack/helper_data_attack.h"
#include "core/puf/concatenated_code.h"
#include "core/puf/helper_data.h"

namespace xbg::attack {
namespace {

// A small RRAM chip: one BCH(255, t=8) block, no repetition (fast boots).
PufConfig small_rram() {
  PufConfig c;
  c.kind = "rram";
  c.cells = 512;
  c.ecc.repetition = 1;
  c.ecc.bch_m = 8;
  c.ecc.bch_t = 8;
  c.ecc.bch_blocks = 1;
  return c;
}

TEST(HelperDataAttack, EveryManipulationEndsInKeyErrorOnTheCheckedChip) {
  for (const PufConfig& cfg : {PufConfig{}, small_rram()}) {
    const Enrollment e = enroll_chip(5, cfg);
    const CampaignResult r = manipulation_campaign(cfg, 5, e.helper_data, 25, 1);
    EXPECT_EQ(r.baseline_ok, r.baseline_boots) << cfg.kind;
    ASSERT_EQ(r.categories.size(), 8u);
    for (const auto& c : r.categories) {
      EXPECT_EQ(c.trials, 25) << cfg.kind << " " << c.name;
      EXPECT_EQ(c.accepted[0], 0) << cfg.kind << " " << c.name;  // full chip
    }
  }
}

TEST(HelperDataAttack, CodewordShiftPassesOnlyWithoutTheTag) {
  // The key check alone cannot see a codeword added to the offset (the same
  // response comes back); the tag is what refuses it.
  const PufConfig cfg;
  const Enrollment e = enroll_chip(6, cfg);
  const CampaignResult r = manipulation_campaign(cfg, 6, e.helper_data, 20, 2);
  for (const auto& c : r.categories) {
    if (c.name == "offset: + codeword") {
      EXPECT_EQ(c.accepted[1], c.trials);
      EXPECT_EQ(c.accepted_same_key[1], c.trials);
      EXPECT_EQ(c.reasons.at("tag_mismatch"), c.trials);
    }
    if (c.name == "offset: 1 bit" || c.name == "salt: 1 bit") {
      EXPECT_EQ(c.accepted[1], 0) << c.name;
    }
  }
}

TEST(HelperDataAttack, ChipAcceptsFollowsTheChecks) {
  BootResult r;
  r.status = KeyStatus::kKeyError;
  r.reason = KeyErrorReason::kTagMismatch;
  EXPECT_FALSE(chip_accepts(r, ChipCheck::kFull));
  EXPECT_TRUE(chip_accepts(r, ChipCheck::kNoTag));
  r.reason = KeyErrorReason::kKeyCheckMismatch;
  EXPECT_FALSE(chip_accepts(r, ChipCheck::kNoTag));
  EXPECT_TRUE(chip_accepts(r, ChipCheck::kDecoderOnly));
  r.reason = KeyErrorReason::kDecodeFailure;
  EXPECT_FALSE(chip_accepts(r, ChipCheck::kDecoderOnly));
}

TEST(HelperDataAttack, MaskAttackLearnsNothingFromTheCheckedChip) {
  const PufConfig cfg = small_rram();
  const Enrollment e = enroll_chip(7, cfg);
  MaskAttackOptions opt;
  opt.chip = ChipCheck::kFull;
  const MaskAttackResult r = mask_attack(cfg, 7, e.helper_data, opt);
  EXPECT_TRUE(r.applicable);
  EXPECT_EQ(r.relations_learned, 0);
  EXPECT_EQ(r.bits_recovered, 0);
  EXPECT_FALSE(r.key_recovered);
  EXPECT_GT(r.queries, 0);
}

TEST(HelperDataAttack, MaskAttackRecoversTheKeyWithoutTheTag) {
  const PufConfig cfg = small_rram();
  const Enrollment e = enroll_chip(7, cfg);
  MaskAttackOptions opt;
  opt.chip = ChipCheck::kNoTag;
  const MaskAttackResult r = mask_attack(cfg, 7, e.helper_data, opt);
  ASSERT_TRUE(r.applicable) << r.note;
  EXPECT_TRUE(r.key_recovered) << r.note << " queries " << r.queries << " relations " << r.relations_learned
                               << " links " << r.links_learned << " offline " << r.offline_candidates;
  EXPECT_TRUE(r.key_matches);
  EXPECT_EQ(r.bits_recovered, r.code_bits);
  EXPECT_EQ(r.links_correct, r.links_learned);  // clear answers were never wrong here
  EXPECT_LT(r.queries, 4 * r.code_bits);
}

TEST(HelperDataAttack, MaskAttackNeedsRepetitionOne) {
  const PufConfig cfg;  // SRAM, repetition 7
  const Enrollment e = enroll_chip(8, cfg);
  const MaskAttackResult r = mask_attack(cfg, 8, e.helper_data, MaskAttackOptions{});
  EXPECT_FALSE(r.applicable);
  EXPECT_EQ(r.queries, 0);
}

}  // namespace
}  // namespace xbg::attack
