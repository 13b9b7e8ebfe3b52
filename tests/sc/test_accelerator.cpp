// The SystemC datapath on small random networks: bit-exact against the golden
// engine for every scheme, the no-key view, both crossbar paths, both
// classifier readouts, and the activity the blocks report.
#include <gtest/gtest.h>

#include "core/protection/protect_network.h"
#include "core/protection/transforms.h"
#include "sc_test_util.h"

namespace xbg {
namespace {

const std::vector<int> kTopology = {101, 64, 37, 10};  // odd sizes: parity and floor(len/2) swaps

class EveryScheme : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryScheme, PerLayerOutputsEqualGoldenOnPlainNetwork) {
  const Network plain = test::edgy_random_network(kTopology, 11);
  const SimConfig cfg = test::config_for(GetParam(), {1, 2});
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  if (GetParam() != "none") {
    ASSERT_TRUE(model.stored.is_protected());
  }
  const GoldenEngine golden(plain);
  const auto images = test::random_inputs(kTopology[0], 300, 5);
  const RunResult r = test::run_and_compare(cfg, model, golden, images);
  EXPECT_EQ(r.golden_checked, 300);
  EXPECT_EQ(r.golden_agreement, 1.0);
}

TEST_P(EveryScheme, OnlyOneLayerProtectedStillExact) {
  const Network plain = test::edgy_random_network(kTopology, 12);
  const SimConfig cfg = test::config_for(GetParam(), {2});
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  EXPECT_EQ(model.stored.hidden[0].scheme, "none");
  const GoldenEngine golden(plain);
  test::run_and_compare(cfg, model, golden, test::random_inputs(kTopology[0], 100, 6));
}

TEST_P(EveryScheme, NoKeyRunsStoredWeightsAsPlain) {
  const Network plain = test::edgy_random_network(kTopology, 13);
  const SimConfig cfg = test::config_for(GetParam(), {1, 2});
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  // The attacker's view is the golden engine on the stored W*, B*.
  const GoldenEngine stored(model.stored);
  test::run_and_compare(cfg, model, stored, test::random_inputs(kTopology[0], 100, 7), /*no_key=*/true);
}

INSTANTIATE_TEST_SUITE_P(Schemes, EveryScheme,
                         ::testing::Values("none", "A", "B", "C", "row-inv", "row-swap", "col-inv", "col-swap", "perm",
                                           "perm-signed", "col-block-perm"),
                         test::SchemeName());

TEST(Accelerator, AlreadyProtectedModelRunsWithItsKeySeed) {
  const Network plain = test::edgy_random_network(kTopology, 14);
  SimConfig cfg = test::config_for("B", {1, 2});
  const Network stored = provision_model(plain, cfg.protection, "test").stored;
  const ProvisionedModel from_file = provision_model(stored, cfg.protection, "test");
  EXPECT_FALSE(from_file.plain.has_value());
  EXPECT_TRUE(from_file.warning.empty());
  test::run_and_compare(cfg, from_file, GoldenEngine(plain), test::random_inputs(kTopology[0], 100, 8));

  cfg.protection.key_seed = 8;  // not the provisioning key
  EXPECT_FALSE(provision_model(stored, cfg.protection, "test").warning.empty());
}

TEST(Accelerator, AlreadyProtectedModelRejectsOtherScheme) {
  const Network plain = test::edgy_random_network(kTopology, 15);
  const Network stored = provision_model(plain, test::config_for("C", {1, 2}).protection, "test").stored;
  try {
    provision_model(stored, test::config_for("A", {1, 2}).protection, "cfg.json");
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.json: protection:"), std::string::npos) << e.what();
  }
}

TEST(Accelerator, ProtectionOfMissingLayerIsAConfigError) {
  const Network plain = test::edgy_random_network(kTopology, 16);
  try {
    provision_model(plain, test::config_for("C", {1, 3}).protection, "cfg.json");
    FAIL() << "expected a UserError";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("cfg.json: protection.layers[1]: FC3 does not exist", 0), 0u) << e.what();
  }
}

TEST(Accelerator, ConductanceSummingPathEqualsPopcountPath) {
  const Network plain = test::edgy_random_network(kTopology, 17);
  SimConfig cfg = test::config_for("C", {1, 2});
  cfg.crossbar.fast_path = false;
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const auto images = test::random_inputs(kTopology[0], 60, 9);
  const RunResult slow = test::run_and_compare(cfg, model, GoldenEngine(plain), images);
  cfg.crossbar.fast_path = true;
  const RunResult fast = test::run_and_compare(cfg, model, GoldenEngine(plain), images);
  // Same cycles and the same activity, event by event.
  EXPECT_EQ(slow.cycles_total, fast.cycles_total);
  EXPECT_EQ(slow.ledger.to_json(), fast.ledger.to_json());
}

TEST(Accelerator, DigitalReadoutEqualsAdcReadout) {
  const Network plain = test::edgy_random_network(kTopology, 18);
  SimConfig cfg = test::config_for("A", {1, 2});
  cfg.classifier.readout = "digital";
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const RunResult r = test::run_and_compare(cfg, model, GoldenEngine(plain), test::random_inputs(kTopology[0], 100, 10));
  EXPECT_GE(r.ledger.find_block("fc3.popcount"), 0);
  EXPECT_LT(r.ledger.find_block("fc3.adc"), 0);
}

TEST(Accelerator, ClassifierCurrentsSpanEveryAdcCode) {
  // Levels for p = 0..m must each map to their own code (no clipping at the ends).
  const Network plain = test::edgy_random_network({8, 6, 4}, 19);
  SimConfig cfg = test::config_for("none", {});
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  std::vector<BitVec> all;
  for (int v = 0; v < 256; ++v) {
    BitVec b(8);
    for (int i = 0; i < 8; ++i) b.set(i, (v >> i) & 1);
    all.push_back(b);
  }
  test::run_and_compare(cfg, model, GoldenEngine(plain), all);
}

TEST(Accelerator, BlocksReportTheirActivity) {
  const Network plain = test::edgy_random_network(kTopology, 20);
  SimConfig cfg = test::config_for("C", {1});  // FC2 plain: its units stay idle
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const int images = 50;
  const RunResult r = test::run_and_compare(cfg, model, GoldenEngine(plain), test::random_inputs(kTopology[0], images, 11));
  const EnergyLedger& L = r.ledger;
  EXPECT_EQ(L.inferences(), 50u);
  EXPECT_EQ(L.event_count(L.find_block("fc1.comparator"), "decisions"), 64u * images);
  EXPECT_EQ(L.event_count(L.find_block("fc2.comparator"), "decisions"), 37u * images);
  EXPECT_EQ(L.event_count(L.find_block("fc1.crossbar"), "driven_rows"), 101u * images);
  const auto fc1 = L.find_block("fc1.crossbar");
  EXPECT_EQ(L.event_count(fc1, "lrs_cells_driven") + L.event_count(fc1, "hrs_cells_driven"), 101u * 64u * images);
  EXPECT_EQ(L.event_count(L.find_block("fc1.pre_unit"), "transforms"), 50u);
  EXPECT_EQ(L.event_count(L.find_block("fc1.post_unit"), "transforms"), 50u);
  EXPECT_EQ(L.event_count(L.find_block("fc2.pre_unit"), "transforms"), 0u);
  EXPECT_EQ(L.busy_cycles(L.find_block("fc2.post_unit")), 0u);
  EXPECT_EQ(L.event_count(L.find_block("fc3.adc"), "conversions"), 10u * images);
  EXPECT_GT(L.event_count(L.find_block("fc1.pre_unit"), "output_toggles"), 0u);
}

}  // namespace
}  // namespace xbg
