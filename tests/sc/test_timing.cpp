// Cycle counts: a hand-computed inference, comparator sharing, and the
// per-layer split adding up to the whole.
#include <gtest/gtest.h>

#include "sc_test_util.h"

namespace xbg {
namespace {

// FC1 16 -> 8 (scheme C: pre- and post-unit active), classifier 8 -> 4.
SimConfig small_config() {
  SimConfig cfg = test::config_for("C", {1});
  cfg.clock.period_ns = 2.0;
  cfg.controller.start_cycles = 1;
  cfg.controller.layer_setup_cycles = 1;
  cfg.controller.done_cycles = 1;
  cfg.activation_buffer.port_width_bits = 4;
  cfg.activation_buffer.access_cycles = 1;
  cfg.pre_unit.latency_cycles = 1;
  cfg.post_unit.latency_cycles = 1;
  cfg.crossbar.read_time_ns = 10.0;        // 5 cycles
  cfg.comparator.columns_per_comparator = 2;
  cfg.comparator.decision_time_ns = 3.0;   // rounds up to 2 cycles
  cfg.classifier.readout = "adc";
  cfg.classifier.adc.bit_time_ns = 2.0;    // ceil(log2(9)) = 4 bits -> 4 cycles
  cfg.classifier.adc.columns_per_adc = 3;  // 4 columns: 3 conversions in sequence
  cfg.classifier.affine_cycles_per_class = 1;
  return cfg;
}

RunResult run_small(const SimConfig& cfg, int images = 5) {
  const Network plain = test::edgy_random_network({16, 8, 4}, 3);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  return test::run_and_compare(cfg, model, GoldenEngine(plain), test::random_inputs(16, images, 4));
}

TEST(Timing, HandComputedSmallNetwork) {
  const RunResult r = run_small(small_config());
  // overhead: start 1 + input write 16 bits / 4 = 4, done 1                    = 6
  // FC1: setup 1 + read 4 + pre 1 + array 5 + 2 rounds x 2 + post 1 + write 2 = 18
  // FC2: setup 1 + read 2 + array 5 + 3 conversions x 4 + affine 4 x 1        = 24
  const uint64_t expected = 6 + 18 + 24;
  EXPECT_EQ(r.cycles_min, expected);
  EXPECT_EQ(r.cycles_max, expected);
  EXPECT_EQ(r.cycles_total, 5 * expected);
  EXPECT_EQ(r.layer_cycles_total, (std::vector<uint64_t>{5 * 18, 5 * 24}));
  EXPECT_EQ(r.overhead_cycles_total, 5u * 6);
  EXPECT_DOUBLE_EQ(r.latency_ns_per_inference(), expected * 2.0);
}

TEST(Timing, BypassedUnitsCostNothing) {
  SimConfig cfg = small_config();
  cfg.protection.scheme = "col-inv";  // no pre-unit
  EXPECT_EQ(run_small(cfg).cycles_min, 48u - 1);
  cfg.protection.scheme = "none";
  EXPECT_EQ(run_small(cfg).cycles_min, 48u - 2);
}

TEST(Timing, DigitalClassifierCycles) {
  SimConfig cfg = small_config();
  cfg.classifier.readout = "digital";
  cfg.classifier.popcount.bits_per_cycle = 4;  // 8 bits: 2 cycles per class
  cfg.classifier.popcount.units = 3;           // 4 classes: 2 rounds
  // FC2: setup 1 + read 2 + popcount 2 x 2 + affine 4 = 11 (instead of 24)
  EXPECT_EQ(run_small(cfg).cycles_min, 6u + 18 + 11);
}

TEST(Timing, DoublingColumnsPerComparatorDoublesCompareCycles) {
  SimConfig cfg = small_config();
  const Network plain = test::edgy_random_network({16, 8, 4}, 3);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const auto images = test::random_inputs(16, 4, 4);
  auto compare_cycles = [&](int k, uint64_t& total) {
    cfg.comparator.columns_per_comparator = k;
    const RunResult r = test::run_and_compare(cfg, model, GoldenEngine(plain), images);
    total = r.cycles_min;
    return r.ledger.busy_cycles(r.ledger.find_block("fc1.comparator")) / r.images;
  };
  uint64_t t1, t2, t4, t8, t16;
  EXPECT_EQ(compare_cycles(1, t1), 1u * 2);
  EXPECT_EQ(compare_cycles(2, t2), 2u * 2);
  EXPECT_EQ(compare_cycles(4, t4), 4u * 2);
  EXPECT_EQ(compare_cycles(8, t8), 8u * 2);
  // 8 columns: a 16-column comparator still makes only 8 decisions.
  EXPECT_EQ(compare_cycles(16, t16), 8u * 2);
  EXPECT_EQ(t2 - t1, 2u);
  EXPECT_EQ(t4 - t2, 4u);
  EXPECT_EQ(t8 - t4, 8u);
  EXPECT_EQ(t16, t8);
}

TEST(Timing, ClockPeriodScalesAnalogPhasesOnly) {
  // Digital phases are whole cycles; analog times round up to the new period.
  SimConfig cfg = small_config();
  cfg.clock.period_ns = 4.0;
  // array 10 ns -> 3 cycles, decision 3 ns -> 1 cycle, a conversion (asynchronous SAR,
  // 4 bits x 2 ns = 8 ns) -> 2 cycles.
  // overhead 6; FC1: 1 + 4 + 1 + 3 + 2 x 1 + 1 + 2 = 14; FC2: 1 + 2 + 3 + 3 x 2 + 4 = 16
  const RunResult r = run_small(cfg);
  EXPECT_EQ(r.cycles_min, 6u + 14 + 16);
  EXPECT_DOUBLE_EQ(r.latency_ns_per_inference(), (6 + 14 + 16) * 4.0);
}

TEST(Timing, LayerCyclesAddUpToTheInference) {
  const Network plain = test::edgy_random_network({101, 64, 37, 10}, 21);
  const SimConfig cfg = test::config_for("B", {1, 2});
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  RunOptions opt;
  int checked = 0;
  opt.on_image = [&](int, const InferenceResult& res) {
    uint64_t sum = res.overhead_cycles;
    for (uint64_t c : res.layer_cycles) sum += c;
    EXPECT_EQ(sum, res.cycles);
    ++checked;
  };
  run_accelerator(cfg, model, test::random_inputs(101, 20, 1), nullptr, opt);
  EXPECT_EQ(checked, 20);
}

TEST(Timing, SimulatedTimeIsTheSumOfInferences) {
  const Network plain = test::edgy_random_network({16, 8, 4}, 3);
  const SimConfig cfg = small_config();
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const RunResult r = run_accelerator(cfg, model, test::random_inputs(16, 7, 2), nullptr, RunOptions{});
  // One image at a time: the chip's busy time over all STARTs is the sum of
  // the inferences. The kernel clock also covers what the host did through
  // the register map before and between them (programming, bus transfers).
  EXPECT_EQ(r.busy_cycles_total, r.cycles_total);
  EXPECT_GT(sc_core::sc_time_stamp(),
            sc_core::sc_time(static_cast<double>(r.cycles_total + r.programming_cycles) * 2.0, sc_core::SC_NS));
}

}  // namespace
}  // namespace xbg
