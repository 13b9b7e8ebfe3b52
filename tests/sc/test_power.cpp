// The power model on the SystemC datapath: conservation (breakdown and trace
// add up to the total), protection costs, crossbar energy by hand, and the
// split between leakage (time) and dynamic energy (events).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

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

// Gate equivalents of the pre/post units by hand: a registered unit has one
// data flip-flop per bit, XOR per bit when it inverts, MUX2 per bit when it
// swaps, and a flip-flop per key bit it holds (A: m + m/2 in the pre-unit,
// B: n + n/2 in the post-unit, C: m in the pre-unit and n/2 in the post-unit).
double unit_area_mm2(const EnergyConfig& c, double ge) { return ge * c.ge_area_um2 * 1e-6; }

TEST(Power, ProtectionUnitAreaFollowsTheSchemesGatesAndKeyBits) {
  const EnergyConfig c;
  const double ff = c.flip_flop_ge;
  double pre_c = 0, post_c = 0, pre_a = 0, post_b = 0, post_c_single = 0;
  for (int l : {0, 1}) {
    const int m = kTopology[l], n = kTopology[l + 1];
    pre_c += m * (c.xor_ge + ff) + m * ff;
    post_c += n * (c.mux2_ge + ff) + (n / 2) * ff;
    post_c_single += n * (c.mux2_ge + ff);  // the swap reads the first bits of the inversion key
    pre_a += m * (c.xor_ge + c.mux2_ge + ff) + (m + m / 2) * ff;
    post_b += n * (c.xor_ge + c.mux2_ge + ff) + (n + n / 2) * ff;
  }
  const PowerRun rc = run_scheme("C", {1, 2}, 2);
  EXPECT_NEAR(rc.report.area_breakdown_mm2.at("pre_unit"), unit_area_mm2(c, pre_c), 1e-15);
  EXPECT_NEAR(rc.report.area_breakdown_mm2.at("post_unit"), unit_area_mm2(c, post_c), 1e-15);
  const PowerRun ra = run_scheme("A", {1, 2}, 2);
  EXPECT_NEAR(ra.report.area_breakdown_mm2.at("pre_unit"), unit_area_mm2(c, pre_a), 1e-15);
  EXPECT_EQ(ra.report.area_breakdown_mm2.count("post_unit"), 0u);
  const PowerRun rb = run_scheme("B", {1, 2}, 2);
  EXPECT_NEAR(rb.report.area_breakdown_mm2.at("post_unit"), unit_area_mm2(c, post_b), 1e-15);

  PowerRun single{test::config_for("C", {1, 2}), {}, {}, {}};
  single.cfg.protection.single_key = true;
  single.model = provision_model(test::edgy_random_network(kTopology, 21), single.cfg.protection, "test");
  RunOptions opt;
  opt.check_golden = false;
  single.result = run_accelerator(single.cfg, single.model, test::random_inputs(kTopology[0], 2, 3), nullptr, opt);
  single.report = energy_report(single.cfg, single.model, single.result);
  EXPECT_NEAR(single.report.area_breakdown_mm2.at("post_unit"), unit_area_mm2(c, post_c_single), 1e-15);
}

TEST(Power, SramPufTakesSramBitAreaAndRramPufCrosspointPairs) {
  PowerRun sram = run_scheme("C", {1, 2}, 1);
  ASSERT_EQ(sram.cfg.puf.kind, "sram");
  const EnergyConfig& c = sram.cfg.energy;
  EXPECT_NEAR(sram.report.area_breakdown_mm2.at("puf"), sram.cfg.puf.cells * c.sram_bit_area_um2 * 1e-6, 1e-15);
  SimConfig rram_cfg = sram.cfg;
  rram_cfg.puf.kind = "rram";
  const PowerModel rram_model(rram_cfg, ChipShape{kTopology});
  const int puf = sram.result.ledger.find_block("puf");
  ASSERT_GE(puf, 0);
  const double f_um = c.feature_size_nm * 1e-3;
  EXPECT_NEAR(rram_model.area_mm2(sram.result.ledger, puf), rram_cfg.puf.cells * c.puf_cell_pair_area_f2 * f_um * f_um * 1e-6,
              1e-15);
}

PowerRun run_tiled(int tile_rows, int tile_cols, const std::string& partial_sums, int images) {
  PowerRun r{test::config_for("C", {1, 2}), {}, {}, {}};
  r.cfg.crossbar.tile_rows = tile_rows;
  r.cfg.crossbar.tile_cols = tile_cols;
  r.cfg.crossbar.partial_sums = partial_sums;
  r.model = provision_model(test::edgy_random_network(kTopology, 21), r.cfg.protection, "test");
  RunOptions opt;
  opt.check_golden = false;
  r.result = run_accelerator(r.cfg, r.model, test::random_inputs(kTopology[0], images, 3), nullptr, opt);
  r.report = energy_report(r.cfg, r.model, r.result);
  return r;
}

// Each column tile has its own word-line drivers (area counts them per tile),
// so a read that spans two column tiles drives each row twice; and with
// partial_sums = adc the hidden layers compare digitally: no comparator area.
TEST(Power, WordLineDriversPerColumnTileAndNoComparatorsWithAdcPartialSums) {
  const PowerRun whole = run_tiled(0, 0, "analog", 4);
  const PowerRun split = run_tiled(0, 32, "analog", 4);  // FC1 (n = 64) and FC2 (n = 37): two column tiles each
  const double extra_rows = kTopology[0] + kTopology[1];   // one more driven row per input of FC1 and FC2
  const auto dynamic = [](const PowerRun& r) {  // the extra drivers also leak; compare the events only
    return r.report.energy_breakdown_j.at("crossbar") - r.report.leakage_breakdown_j.at("crossbar");
  };
  EXPECT_NEAR(dynamic(split) - dynamic(whole), extra_rows * whole.cfg.energy.wl_driver_fj * 1e-15,
              1e-6 * extra_rows * whole.cfg.energy.wl_driver_fj * 1e-15);
  EXPECT_GT(whole.report.area_breakdown_mm2.at("comparator"), 0.0);
  const PowerRun adc = run_tiled(64, 0, "adc", 2);
  EXPECT_EQ(adc.report.area_breakdown_mm2.count("comparator"), 0u);
  EXPECT_GT(adc.report.area_breakdown_mm2.at("adc"), 0.0);
}

// A chip boot's helper-data transfer and status reads are boot energy: per
// inference, a booted run of scheme C costs in every block what an offline-key
// run costs (C leaves the crossbar currents and the post-unit's toggles
// key-independent; only the pre-unit's first toggle count, from reset, sees
// the key), however few images share the boot.
TEST(Power, BootHostTrafficIsBootEnergyNotInferenceEnergy) {
  SimConfig chip = test::config_for("C", {1, 2});
  chip.protection.key_source = "chip";
  chip.protection.chip_seed = 5;
  const Network plain = test::edgy_random_network(kTopology, 21);
  const ProvisionedModel booted_model = provision_model(plain, chip.protection, "test", &chip.puf);
  ASSERT_TRUE(booted_model.boots_from_puf());
  const PowerRun offline = run_scheme("C", {1, 2}, 3);
  RunOptions opt;
  opt.check_golden = false;
  const RunResult booted = run_accelerator(chip, booted_model, test::random_inputs(kTopology[0], 3, 3), nullptr, opt);
  ASSERT_EQ(booted.key_status, "ok");
  const EnergyReport rep = energy_report(chip, booted_model, booted);
  ASSERT_EQ(rep.energy_breakdown_j.size(), offline.report.energy_breakdown_j.size());
  for (const auto& [kind, e] : rep.energy_breakdown_j) {
    if (kind != "pre_unit") {
      EXPECT_NEAR(e, offline.report.energy_breakdown_j.at(kind), 1e-9 * e) << kind;
    }
  }
  // The helper data (hundreds of bytes at host_if_fj_per_byte) lands in the boot figure.
  EXPECT_GT(rep.boot_energy_j, offline.report.boot_energy_j + 100 * chip.energy.host_if_fj_per_byte * 1e-15);
}

// --vcd: one real-valued power signal per present block plus the total,
// merged from the ledger's trace; the total integrates over the waveform to
// the traced energy (boot included) plus leakage in the host gaps.
TEST(Power, VcdPowerSignalsIntegrateToTheTracedEnergy) {
  PowerRun r{test::config_for("C", {1, 2}), {}, {}, {}};
  r.model = provision_model(test::edgy_random_network(kTopology, 21), r.cfg.protection, "test");
  const std::string vcd = (std::filesystem::temp_directory_path() / "xbg_test_power.vcd").string();
  RunOptions opt;
  opt.check_golden = false;
  opt.vcd_path = vcd;
  r.result = run_accelerator(r.cfg, r.model, test::random_inputs(kTopology[0], 2, 3), nullptr, opt);
  const PowerTrace t = make_power_trace(power_model_for(r.cfg, r.model), r.result.ledger, /*include_boot=*/true);
  ASSERT_GT(t.image.size(), 0u);

  std::ifstream in(vcd);
  std::map<std::string, std::string> id_of;  // signal name -> id
  std::map<std::string, std::vector<std::pair<uint64_t, double>>> changes;  // id -> (time ps, value)
  uint64_t now = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream is(line);
    std::string tok;
    is >> tok;
    if (tok == "$var") {
      std::string type, width, id, name;
      is >> type >> width >> id >> name;
      if (type == "real") id_of[name] = id;
    } else if (!tok.empty() && tok[0] == '#') {
      now = std::stoull(tok.substr(1));
    } else if (!tok.empty() && tok[0] == 'r') {
      std::string id;
      is >> id;
      changes[id].emplace_back(now, std::stod(tok.substr(1)));
    }
  }
  std::filesystem::remove(vcd);
  EXPECT_EQ(id_of.size(), t.block_names.size() + 1);
  ASSERT_TRUE(id_of.count("total_w"));
  ASSERT_TRUE(id_of.count("fc1_crossbar_w"));
  const auto& total = changes[id_of["total_w"]];
  ASSERT_GE(total.size(), 2u);
  double integral_j = 0.0;
  for (size_t i = 0; i + 1 < total.size(); ++i) integral_j += total[i].second * (total[i + 1].first - total[i].first) * 1e-12;
  const double span_s = (total.back().first - total.front().first) * 1e-12;
  const double idle_w = std::accumulate(t.leakage_w.begin(), t.leakage_w.end(), 0.0);
  const double gaps_s = span_s - static_cast<double>(t.image.size()) * t.period_s;
  EXPECT_GE(gaps_s, -1e-15);
  EXPECT_NEAR(integral_j, t.energy_j() + idle_w * gaps_s, 1e-6 * t.energy_j());  // values printed to 9 digits
  double crossbar_peak_w = 0.0;
  for (const auto& [time, w] : changes[id_of["fc1_crossbar_w"]]) crossbar_peak_w = std::max(crossbar_peak_w, w);
  EXPECT_GT(crossbar_peak_w, 1e-3);  // reads draw milliwatts, leakage nanowatts
}

}  // namespace
}  // namespace xbg
