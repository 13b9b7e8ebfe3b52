// The power model on the SystemC datapath: conservation (breakdown and trace
// add up to the total), protection costs, crossbar energy by hand, and the
// split between leakage (time) and dynamic energy (events).
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/energy/power_model.h"
#include "sc_test_util.h"
#include "tb/power_report.h"

namespace xbg {
namespace {

const std::vector<int> kTopology = {101, 64, 37, 10};

struct PowerRun {
  SimConfig cfg;
  ProvisionedModel model;
  RunResult result;
  EnergyReport report;
};

PowerRun run_scheme(const std::string& scheme, std::vector<int> layers, int images, bool trace = false,
               double period_ns = 2.0) {
  PowerRun r{test::config_for(scheme, std::move(layers)), {}, {}, {}};
  r.cfg.clock.period_ns = period_ns;
  r.model = provision_model(test::edgy_random_network(kTopology, 21), r.cfg.protection, "test");
  RunOptions opt;
  opt.check_golden = false;
  opt.power_trace = trace;
  r.result = run_accelerator(r.cfg, r.model, test::random_inputs(kTopology[0], images, 3), nullptr, opt);
  r.report = energy_report(r.cfg, r.model, r.result);
  return r;
}

double sum_of(const std::map<std::string, double>& m) {
  return std::accumulate(m.begin(), m.end(), 0.0, [](double a, const auto& kv) { return a + kv.second; });
}

TEST(Power, BreakdownAddsUpToEnergyPerInference) {
  for (const char* scheme : {"none", "A", "B", "C"}) {
    const PowerRun r = run_scheme(scheme, {1, 2}, 20);
    EXPECT_GT(r.report.energy_per_inference_j, 0.0) << scheme;
    EXPECT_NEAR(sum_of(r.report.energy_breakdown_j), r.report.energy_per_inference_j, 1e-12 * r.report.energy_per_inference_j)
        << scheme;
    EXPECT_NEAR(sum_of(r.report.area_breakdown_mm2), r.report.area_mm2, 1e-12) << scheme;
    EXPECT_GT(r.report.programming_energy_j, 0.0) << scheme;
  }
}

TEST(Power, UnprotectedHasNoPrePostEnergyOrArea) {
  const PowerRun r = run_scheme("none", {1, 2}, 10);
  EXPECT_EQ(r.report.energy_breakdown_j.count("pre_unit") ? r.report.energy_breakdown_j.at("pre_unit") : 0.0, 0.0);
  EXPECT_EQ(r.report.energy_breakdown_j.count("post_unit") ? r.report.energy_breakdown_j.at("post_unit") : 0.0, 0.0);
  EXPECT_EQ(r.report.pre_post_share_pct, 0.0);
  EXPECT_EQ(r.report.area_overhead_pct, 0.0);
}

TEST(Power, SchemeCCostsMoreThanUnprotected) {
  PowerRun r = run_scheme("C", {1, 2}, 20);
  add_protection_overhead(r.report, r.cfg, r.model, test::random_inputs(kTopology[0], 20, 3));
  ASSERT_TRUE(r.report.has_protection_overhead);
  EXPECT_GT(r.report.protection_overhead_pct, 0.0);
  EXPECT_GT(r.report.pre_post_share_pct, 0.0);
  EXPECT_GT(r.report.area_overhead_pct, 0.0);
}

// E = V^2 t_read sum over driven cells of G, with p matching (LRS) pairs per column.
double closed_form_fc1_j(const SimConfig& cfg, const Network& plain, const std::vector<BitVec>& images,
                         const std::vector<bool>& inverted) {
  const BinaryLayer& l = plain.hidden[0];
  const double g_l = cfg.crossbar.g_lrs_us * 1e-6, g_h = cfg.crossbar.g_hrs_us * 1e-6;
  double g = 0.0;
  for (const BitVec& x : images)
    for (int k = 0; k < l.n; ++k) {
      const int p_plain = (l.m + l.column_sum(k, x)) / 2;
      const int p = inverted[k] ? l.m - p_plain : p_plain;
      g += p * g_l + (l.m - p) * g_h;
    }
  return cfg.crossbar.v_read_v * cfg.crossbar.v_read_v * cfg.crossbar.read_time_ns * 1e-9 * g;
}

double measured_fc1_current_energy_j(const PowerRun& r) {
  const EnergyLedger& ledger = r.result.ledger;
  const PowerModel model = power_model_for(r.cfg, r.model);
  const int b = ledger.find_block("fc1.crossbar");
  for (int e = 0; e < ledger.num_events(); ++e)
    if (ledger.event_block(e) == b && ledger.event_name(e) == "driven_conductance_ns")
      return static_cast<double>(ledger.event_count(e) - ledger.inference_mark().event_counts[e]) * model.event_energy_j(ledger, e);
  return -1.0;
}

TEST(Power, CrossbarReadEnergyMatchesClosedFormAndColumnInversion) {
  const Network plain = test::edgy_random_network(kTopology, 21);
  const auto images = test::random_inputs(kTopology[0], 5, 3);
  const PowerRun none = run_scheme("none", {1, 2}, 5);
  const std::vector<bool> no_inversion(plain.hidden[0].n, false);
  const double e_none = closed_form_fc1_j(none.cfg, plain, images, no_inversion);
  EXPECT_NEAR(measured_fc1_current_energy_j(none), e_none, 1e-6 * e_none);

  const PowerRun inv = run_scheme("col-inv", {1, 2}, 5);
  std::vector<bool> inverted(plain.hidden[0].n);
  int flipped = 0;
  for (int k = 0; k < plain.hidden[0].n; ++k) {
    inverted[k] = inv.model.stored.hidden[0].columns[k] != plain.hidden[0].columns[k];
    flipped += inverted[k];
  }
  ASSERT_GT(flipped, 0);
  const double e_inv = closed_form_fc1_j(inv.cfg, plain, images, inverted);
  EXPECT_NEAR(measured_fc1_current_energy_j(inv), e_inv, 1e-6 * e_inv);
  EXPECT_NE(e_inv, e_none);  // the key changes the crossbar currents
}

TEST(Power, DoublingClockPeriodScalesLeakageWithTimeOnly) {
  const PowerRun fast = run_scheme("C", {1, 2}, 10, false, 2.0);
  const PowerRun slow = run_scheme("C", {1, 2}, 10, false, 4.0);
  // Controller energy is per active cycle, and its cycle counts are fixed: no clock dependence either.
  EXPECT_NEAR(slow.report.dynamic_per_inference_j, fast.report.dynamic_per_inference_j,
              1e-12 * fast.report.dynamic_per_inference_j);
  const double t_fast = fast.report.inference_time_s, t_slow = slow.report.inference_time_s;
  ASSERT_GT(t_slow, t_fast);
  EXPECT_NEAR(slow.report.leakage_per_inference_j / fast.report.leakage_per_inference_j, t_slow / t_fast, 1e-9);
}

TEST(Power, PowerTraceIntegratesToReportedEnergy) {
  const PowerRun r = run_scheme("C", {1, 2}, 4, /*trace=*/true);
  const PowerTrace t = power_trace(r.cfg, r.model, r.result);
  EXPECT_EQ(t.image.size(), r.result.cycles_total);
  EXPECT_NEAR(t.energy_j(), r.report.energy_total_j, 1e-9 * r.report.energy_total_j);
  EXPECT_EQ(t.image.front(), 0u);
  EXPECT_EQ(t.image.back(), 3u);
}

TEST(Power, SingleImageTraceCoversOneInference) {
  SimConfig cfg = test::config_for("C", {1, 2});
  const ProvisionedModel model = provision_model(test::edgy_random_network(kTopology, 21), cfg.protection, "test");
  const auto img = test::random_inputs(kTopology[0], 1, 9);
  const PowerTrace t = image_power_trace(cfg, model, img[0]);
  RunOptions opt;
  opt.check_golden = false;
  const RunResult r = run_accelerator(cfg, model, img, nullptr, opt);
  EXPECT_EQ(t.image.size(), r.cycles_total);
  const EnergyReport rep = energy_report(cfg, model, r);
  EXPECT_NEAR(t.energy_j(), rep.energy_total_j, 1e-9 * rep.energy_total_j);
}

}  // namespace
}  // namespace xbg
