// Layer pipelining: the schedule itself on hand-computed cases, and on the
// accelerator identical predictions and activity with higher throughput.
#include <gtest/gtest.h>

#include "models/controller/pipeline.h"
#include "sc_test_util.h"

namespace xbg {
namespace {

TEST(PipelineSchedule, EqualStagesOverlapFully) {
  PipelineSchedule s;
  s.reset(3);
  const std::vector<uint64_t> d = {4, 4, 4};
  for (int i = 0; i < 5; ++i) {
    const auto p = s.place(d);
    EXPECT_EQ(p.entry, 4u * i);
    EXPECT_EQ(p.latency(), 12u);
  }
  EXPECT_EQ(s.makespan(), 12u + 4 * 4);
}

TEST(PipelineSchedule, SlowStageSetsTheIntervalAndBlocksTheOnesBefore) {
  // Stage 1 takes 10: an image waits in stage 0 until stage 1 takes it, so
  // stage 0 cannot accept the next one earlier (no queue between stages).
  PipelineSchedule s;
  s.reset(3);
  const std::vector<uint64_t> d = {2, 10, 3};
  auto p0 = s.place(d);  // stage 0 [0,2), 1 [2,12), 2 [12,15)
  EXPECT_EQ(p0.entry, 0u);
  EXPECT_EQ(p0.exit, 15u);
  auto p1 = s.place(d);  // stage 0 from 2 (image 0 left it at 2), done 4; stage 1 from 12; stage 2 [22,25)
  EXPECT_EQ(p1.entry, 2u);
  EXPECT_EQ(p1.exit, 25u);
  auto p2 = s.place(d);  // stage 0 free when image 1 moved to stage 1 at 12
  EXPECT_EQ(p2.entry, 12u);
  EXPECT_EQ(p2.exit, 35u);
  EXPECT_EQ(s.makespan(), 35u);  // 15 + 2 x the slowest stage
}

TEST(PipelineSchedule, SingleStageIsSequential) {
  PipelineSchedule s;
  s.reset(1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.place({7}).latency(), 7u);
  EXPECT_EQ(s.makespan(), 21u);
}

TEST(Pipeline, SamePredictionsAndActivityHigherThroughput) {
  const std::vector<int> topo = {101, 64, 37, 10};
  const Network plain = test::edgy_random_network(topo, 41);
  SimConfig cfg = test::config_for("C", {1, 2});
  cfg.host_if.input_slots = 16;
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const auto images = test::random_inputs(101, 40, 42);  // 3 STARTs: 16 + 16 + 8
  const GoldenEngine golden(plain);
  const RunResult seq = test::run_and_compare(cfg, model, golden, images);
  cfg.controller.pipeline = true;
  const RunResult pipe = test::run_and_compare(cfg, model, golden, images);

  EXPECT_EQ(pipe.predictions, seq.predictions);
  EXPECT_EQ(pipe.golden_agreement, 1.0);
  EXPECT_EQ(pipe.cycles_total, seq.cycles_total);  // the same work ...
  EXPECT_EQ(pipe.ledger.to_json(), seq.ledger.to_json());
  EXPECT_EQ(seq.busy_cycles_total, seq.cycles_total);  // ... one image at a time
  EXPECT_EQ(seq.latency_cycles_total, seq.cycles_total);
  EXPECT_LT(pipe.busy_cycles_total, seq.busy_cycles_total);  // ... overlapped
  EXPECT_GT(pipe.chip_inferences_per_s(), 1.5 * seq.chip_inferences_per_s());
  EXPECT_GE(pipe.latency_cycles_total, pipe.cycles_total);  // a pipelined image never finishes sooner
  std::printf("[ figure   ] %d images, scheme C: %.0f vs %.0f inferences/s, latency %.1f vs %.1f cycles\n", seq.images,
              seq.chip_inferences_per_s(), pipe.chip_inferences_per_s(),
              static_cast<double>(seq.latency_cycles_total) / seq.images,
              static_cast<double>(pipe.latency_cycles_total) / pipe.images);
}

TEST(Pipeline, BatchTimeIsTheScheduleMakespan) {
  // Hand-computed: the small network of test_timing (FC1 16 -> 8, scheme C;
  // classifier 8 -> 4): stages load 5, FC1 18, classifier 24 + done 1.
  SimConfig cfg = test::config_for("C", {1});
  cfg.controller.pipeline = true;
  cfg.activation_buffer.port_width_bits = 4;
  cfg.crossbar.read_time_ns = 10.0;
  cfg.comparator.columns_per_comparator = 2;
  cfg.comparator.decision_time_ns = 3.0;
  cfg.classifier.adc.bit_time_ns = 2.0;
  cfg.classifier.adc.columns_per_adc = 3;
  cfg.host_if.input_slots = 4;
  const Network plain = test::edgy_random_network({16, 8, 4}, 3);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const RunResult r = test::run_and_compare(cfg, model, GoldenEngine(plain), test::random_inputs(16, 4, 4));
  ASSERT_EQ(r.cycles_min, 48u);
  PipelineSchedule s;
  s.reset(3);
  for (int i = 0; i < 4; ++i) s.place({5, 18, 25});
  EXPECT_EQ(r.busy_cycles_total, s.makespan());
  EXPECT_EQ(s.makespan(), 48u + 3 * 25);
}

}  // namespace
}  // namespace xbg
