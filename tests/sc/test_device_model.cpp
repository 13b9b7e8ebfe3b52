// The device model inside the SystemC datapath (docs/design.md §3.5): zero variation
// reproduces the ideal path exactly, the same seed gives the same chip, read
// noise has the configured variance, comparator offsets and noise behave as
// drawn, and replica references track what nominal ones cannot.
#include <gtest/gtest.h>

#include <cmath>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>

#include "models/accelerator/accelerator.h"
#include "models/common/payload.h"
#include "models/comparator/comparator_bank.h"
#include "models/crossbar/crossbar_tile.h"
#include "models/crossbar/device_setup.h"
#include "probe.h"
#include "sc_test_util.h"
#include "tb/host.h"
#include "tb/kernel.h"

namespace xbg {
namespace {

using test::Probe;

const std::vector<int> kTopology = {101, 64, 37, 10};


struct Variant {
  const char* name;
  void (*apply)(SimConfig&);
};
void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

class ZeroVariation : public ::testing::TestWithParam<Variant> {};

// Every device effect at zero magnitude, through the device engine (or with
// references that track the devices): the same per-layer outputs as the
// golden engine on every image, and the same cycles as the popcount path.
TEST_P(ZeroVariation, ReproducesTheIdealPathExactly) {
  const Network plain = test::edgy_random_network(kTopology, 31);
  SimConfig cfg = test::config_for("C", {1, 2});
  GetParam().apply(cfg);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const GoldenEngine golden(plain);
  const auto images = test::random_inputs(kTopology[0], 120, 32);
  const RunResult r = test::run_and_compare(cfg, model, golden, images);
  EXPECT_EQ(r.golden_checked, 120);
  EXPECT_EQ(r.golden_agreement, 1.0);

  SimConfig ideal = cfg;
  ideal.crossbar.fast_path = true;
  ideal.comparator.reference = "nominal_median";
  ideal.device = DeviceConfig{};
  const RunResult fast = test::run_and_compare(ideal, model, golden, images);
  EXPECT_EQ(r.cycles_total, fast.cycles_total);
  EXPECT_EQ(r.layer_cycles_total, fast.layer_cycles_total);
  if (cfg.comparator.reference != "replica") {
    // Same activity event by event (replica columns add their own reads and pulses).
    EXPECT_EQ(r.ledger.to_json(), fast.ledger.to_json());
  }
}

const Variant kZeroVariants[] = {
    {"device_engine", [](SimConfig& c) { c.crossbar.fast_path = false; }},
    {"inactive_drift_and_temperature",
     [](SimConfig& c) {
       c.crossbar.fast_path = false;
       c.device.chip_seed = 99;
       c.device.temperature_c = c.device.reference_temperature_c;
       c.device.temp_coeff_lrs_per_k = 1e-3;  // no shift at the reference temperature
       c.device.drift_time_s = 0.5;           // before t0: no drift yet
       c.device.drift_nu_lrs = 0.1;
     }},
    {"nominal_mean", [](SimConfig& c) { c.comparator.reference = "nominal_mean"; }},
    {"replica", [](SimConfig& c) { c.comparator.reference = "replica"; }},
    {"tiled_analog_device_engine",
     [](SimConfig& c) {
       c.crossbar.fast_path = false;
       c.crossbar.tile_rows = 64;
       c.crossbar.tile_cols = 16;
     }},
    {"tiled_adc_device_engine",
     [](SimConfig& c) {
       c.crossbar.fast_path = false;
       c.crossbar.tile_rows = 64;
       c.crossbar.partial_sums = "adc";
     }},
    {"tiled_adc_replica",
     [](SimConfig& c) {
       c.comparator.reference = "replica";
       c.crossbar.tile_rows = 48;
       c.crossbar.partial_sums = "adc";
     }},
};
INSTANTIATE_TEST_SUITE_P(Variants, ZeroVariation, ::testing::ValuesIn(kZeroVariants),
                         [](const auto& info) { return std::string(info.param.name); });

SimConfig noisy_chip_config(int64_t seed) {
  SimConfig cfg = test::config_for("C", {1, 2});
  cfg.device.chip_seed = seed;
  cfg.device.sigma_log_lrs = 0.15;
  cfg.device.sigma_log_hrs = 0.4;
  cfg.device.read_noise_rel = 0.05;
  cfg.device.stuck_hrs_rate = 0.01;
  cfg.comparator.offset_sigma_ua = 5.0;
  cfg.comparator.noise_sigma_ua = 2.0;
  return cfg;
}

std::vector<InferenceResult> collect(const SimConfig& cfg, const ProvisionedModel& model, const std::vector<BitVec>& images) {
  std::vector<InferenceResult> out(images.size());
  RunOptions opt;
  opt.check_golden = false;
  opt.on_image = [&](int i, const InferenceResult& res) { out[i] = res; };
  run_accelerator(cfg, model, images, nullptr, opt);
  return out;
}

TEST(DeviceModel, SameSeedSameResultOtherSeedOtherChip) {
  const Network plain = test::edgy_random_network(kTopology, 33);
  const ProvisionedModel model = provision_model(plain, noisy_chip_config(1).protection, "test");
  const auto images = test::random_inputs(kTopology[0], 60, 34);
  const auto a = collect(noisy_chip_config(7), model, images);
  const auto b = collect(noisy_chip_config(7), model, images);
  const auto c = collect(noisy_chip_config(8), model, images);
  int differ = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    EXPECT_EQ(a[i].layer_outputs, b[i].layer_outputs) << "image " << i;
    EXPECT_EQ(a[i].class_sums, b[i].class_sums);
    differ += a[i].layer_outputs != c[i].layer_outputs;
  }
  EXPECT_GT(differ, 30);  // another chip flips some neuron on most images
}

// run_accelerator builds the arrays just before the first START to time that
// work apart from the images (programming_s); the chip itself builds them at
// the START. Both must give the same chip: every draw, every result.
TEST(DeviceModel, ArraysBuiltBeforeStartAreTheChipBuiltAtStart) {
  const SimConfig cfg = noisy_chip_config(9);
  const Network plain = test::edgy_random_network(kTopology, 37);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const auto images = test::random_inputs(kTopology[0], 40, 38);
  const auto timed = collect(cfg, model, images);

  fresh_sc_kernel();
  EnergyLedger ledger;
  Accelerator acc("accelerator", cfg, kTopology, ledger);
  configure_chip(acc, cfg);
  std::vector<InferenceResult> at_start(images.size());
  HostPlan plan;
  plan.image = &model.stored;
  plan.images = &images;
  plan.after_programming = [&] { acc.load_keys(model.keys); };
  Host host("host", acc.interrupt(), plan);
  host.bus.bind(acc.host);
  acc.set_monitor([&](int slot, const InferenceResult& r) { at_start[static_cast<size_t>(host.batch_base() + slot)] = r; });
  sc_core::sc_start();
  ASSERT_EQ(host.log().images_run, static_cast<int>(images.size()));
  for (size_t i = 0; i < images.size(); ++i) {
    EXPECT_EQ(timed[i].layer_outputs, at_start[i].layer_outputs) << "image " << i;
    EXPECT_EQ(timed[i].class_sums, at_start[i].class_sums) << "image " << i;
  }

  RunOptions opt;
  opt.check_golden = false;
  const RunResult r = run_accelerator(cfg, model, images, nullptr, opt);
  EXPECT_GT(r.programming_s, 0.0);  // measured apart, not inside sim_s
  EXPECT_EQ(r.boot_s, 0.0);         // key-seed run: no BOOT
  EXPECT_EQ(run_accelerator(cfg, model, {}, nullptr, opt).programming_s, 0.0);  // no START: nothing built
}

class Bench : public ::testing::Test {
 protected:
  void SetUp() override { fresh_sc_kernel(); }
  ClockConfig clock_;
  EnergyLedger ledger_;
};

// The per-read Gaussian of each output current has variance
// (rho V)^2 sum of G^2 over its driven cells (summed over tiles when merged).
// Checked with a chi-square interval at 1e-6 per side on 3,000 reads of each
// column: a formula missing a square, the V, or summing sigmas instead of
// variances is off by a factor of 2 or more and fails.
class ReadNoise : public Bench, public ::testing::WithParamInterface<std::string> {};

TEST_P(ReadNoise, HasTheConfiguredVariance) {
  CrossbarConfig cfg;
  cfg.v_read_v = 0.2;
  cfg.g_lrs_us = 100.0;
  cfg.g_hrs_us = 2.0;
  cfg.tile_rows = 64;  // 32 pairs per tile: 200 pairs in 7 row tiles
  cfg.partial_sums = GetParam();
  DeviceConfig dev;
  dev.read_noise_rel = 0.05;
  Timebase tb(clock_);
  CrossbarTile tile("tile", cfg, tb, ledger_, "fc1.crossbar");
  Probe probe("probe");
  probe.wire(tile);
  tile.configure_devices(dev, "nominal_median");
  const int m = 200, n = 8;
  const Network net = test::edgy_random_network({m, n, 2}, 35);
  tile.program(m, n, net.hidden[0].columns);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  const BitVec x = test::random_inputs(m, 1, 36)[0];

  const bool per_tile = GetParam() == "adc";
  const int outputs = per_tile ? tile.row_tiles() * n : n;
  std::vector<double> expected_mean(outputs), expected_var(outputs);
  for (int t = 0; t < tile.row_tiles(); ++t)
    for (int k = 0; k < n; ++k) {
      double g = 0.0, g2 = 0.0;
      for (int i = 32 * t; i < std::min(m, 32 * (t + 1)); ++i) {
        const double gi = (x.get(i) == net.hidden[0].columns[k].get(i) ? 100e-6 : 2e-6);
        g += gi;
        g2 += gi * gi;
      }
      const int j = per_tile ? t * n + k : k;
      expected_mean[j] += 0.2 * g;
      expected_var[j] += (0.05 * 0.2) * (0.05 * 0.2) * g2;
    }
  const int reads = 3000;
  std::vector<double> sum(outputs, 0.0), sum2(outputs, 0.0);
  for (int r = 0; r < reads; ++r) {
    ASSERT_EQ(probe.send(x), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(static_cast<int>(probe.currents.size()), outputs);
    for (int j = 0; j < outputs; ++j) {
      const double d = probe.currents[j] - expected_mean[j];
      sum[j] += d;
      sum2[j] += d * d;
    }
  }
  const boost::math::chi_squared chi(reads - 1);
  const double lo = boost::math::quantile(chi, 1e-6) / (reads - 1);
  const double hi = boost::math::quantile(boost::math::complement(chi, 1e-6)) / (reads - 1);
  for (int j = 0; j < outputs; ++j) {
    const double mean_dev = sum[j] / reads;
    const double var = (sum2[j] - reads * mean_dev * mean_dev) / (reads - 1);
    EXPECT_NEAR(mean_dev, 0.0, 5.5 * std::sqrt(expected_var[j] / reads)) << "output " << j;
    EXPECT_GT(var / expected_var[j], lo) << "output " << j;
    EXPECT_LT(var / expected_var[j], hi) << "output " << j;
  }
}

INSTANTIATE_TEST_SUITE_P(Merging, ReadNoise, ::testing::Values("analog", "adc"));

TEST_F(Bench, ComparatorOffsetsAreDrawnOncePerComparatorAndShared) {
  ComparatorConfig cfg;
  cfg.columns_per_comparator = 4;
  cfg.offset_sigma_ua = 3.0;
  Timebase tb(clock_);
  ComparatorBank bank("bank", cfg, tb, ledger_, "fc1.comparator");
  Probe probe("probe");
  probe.wire(bank);
  const int n = 4096;
  bank.configure_chip(11, CrossbarConfig{}, nullptr);
  bank.program_references(std::vector<double>(n, 0.0));
  ComparatorBank other("other", cfg, tb, ledger_, "fc1.comparator_b");
  Probe other_probe("other_probe");
  other_probe.wire(other);
  other.configure_chip(11, CrossbarConfig{}, nullptr);
  other.program_references(std::vector<double>(n, 0.0));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  ASSERT_EQ(bank.comparators(), 1024);
  // Sample std of the 1,024 offsets within a chi-square interval of sigma.
  double s2 = 0.0, mean = 0.0;
  for (int c = 0; c < 1024; ++c) mean += bank.offset_a(c) / 1024;
  for (int c = 0; c < 1024; ++c) s2 += (bank.offset_a(c) - mean) * (bank.offset_a(c) - mean) / 1023;
  const boost::math::chi_squared chi(1023);
  const double sigma2 = 3e-6 * 3e-6;
  EXPECT_GT(s2 / sigma2, boost::math::quantile(chi, 1e-6) / 1023);
  EXPECT_LT(s2 / sigma2, boost::math::quantile(boost::math::complement(chi, 1e-6)) / 1023);
  // Zero current against zero reference: the decision is the sign of the
  // comparator's offset, the same for its 4 columns, the same on every read.
  ColumnCurrents currents;
  currents.current_a.assign(n, 0.0);
  for (int rep = 0; rep < 2; ++rep) {
    ASSERT_EQ(probe.send_currents(currents, n), tlm::TLM_OK_RESPONSE);
    for (int k = 0; k < n; ++k) EXPECT_EQ(probe.bits.get(k), bank.offset_a(k / 4) >= 0.0) << "column " << k;
  }
  EXPECT_NE(other.offset_a(0), bank.offset_a(0));  // another comparator bank, other draws
}

TEST_F(Bench, ComparatorNoiseFlipsDecisionsWithTheGaussianProbability) {
  ComparatorConfig cfg;
  cfg.columns_per_comparator = 1;
  cfg.noise_sigma_ua = 2.0;
  Timebase tb(clock_);
  ComparatorBank bank("bank", cfg, tb, ledger_, "fc2.comparator");
  Probe probe("probe");
  probe.wire(bank);
  const int n = 256;
  bank.program_references(std::vector<double>(n, 10e-6));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  ColumnCurrents currents;
  currents.current_a.assign(n, 10e-6 - 1e-6);  // half a sigma below the reference
  int plus = 0;
  const int reads = 200;
  for (int r = 0; r < reads; ++r) {
    ASSERT_EQ(probe.send_currents(currents, n), tlm::TLM_OK_RESPONSE);
    plus += probe.bits.popcount();
  }
  const double trials = static_cast<double>(reads) * n;
  const double p_expected = boost::math::cdf(boost::math::normal(), -0.5);  // P(noise >= 1 uA) = 30.9 %
  using boost::math::binomial_distribution;
  EXPECT_LE(binomial_distribution<>::find_lower_bound_on_p(trials, plus, 1e-6), p_expected) << plus;
  EXPECT_GE(binomial_distribution<>::find_upper_bound_on_p(trials, plus, 1e-6), p_expected) << plus;
}

// Drift scales LRS and HRS cells by different factors: references from the
// nominal levels land between the wrong levels, replica columns drift with
// the array and stay exact.
TEST(DeviceModel, ReplicaReferencesTrackDriftNominalOnesDoNot) {
  const Network plain = test::edgy_random_network(kTopology, 37);
  SimConfig cfg = test::config_for("C", {1, 2});
  cfg.device.drift_time_s = 1e6;
  cfg.device.drift_nu_lrs = 0.02;  // LRS down 24 %
  cfg.device.drift_nu_hrs = 0.10;  // HRS down 75 %
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const auto images = test::random_inputs(kTopology[0], 100, 38);
  RunOptions opt;
  const RunResult nominal = run_accelerator(cfg, model, images, nullptr, opt);
  EXPECT_LT(nominal.golden_agreement, 0.5);
  cfg.comparator.reference = "replica";
  const RunResult replica = test::run_and_compare(cfg, model, GoldenEngine(plain), images);
  EXPECT_EQ(replica.golden_agreement, 1.0);
}

TEST(DeviceModel, ProgrammingPulsesAndConductanceReachTheLedger) {
  const Network plain = test::edgy_random_network(kTopology, 39);
  SimConfig cfg = test::config_for("none", {});
  cfg.device.sigma_log_lrs = 0.3;
  cfg.device.write_verify_iterations = 10;
  cfg.device.write_verify_tolerance = 0.1;
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  RunOptions opt;
  opt.check_golden = false;
  const RunResult r = run_accelerator(cfg, model, test::random_inputs(kTopology[0], 10, 40), nullptr, opt);
  const EnergyLedger& L = r.ledger;
  const auto prog = L.find_block("fc1.crossbar.programming");
  ASSERT_GE(prog, 0);
  EXPECT_GT(L.event_count(prog, "set_pulses"), 101u * 64u);  // verify retries on top of one per LRS cell
  EXPECT_EQ(L.event_count(prog, "reset_pulses"), 101u * 64u);  // HRS has no spread here: one pulse each
  EXPECT_EQ(L.event_count(prog, "verify_reads"), L.event_count(prog, "set_pulses") + L.event_count(prog, "reset_pulses"));
  // Driven conductance of 10 reads: between all-HRS and all-LRS.
  const auto xb = L.find_block("fc1.crossbar");
  const double g_ns = static_cast<double>(L.event_count(xb, "driven_conductance_ns"));
  EXPECT_GT(g_ns, 10 * 101 * 64 * 1.0e3 * 0.9);
  EXPECT_LT(g_ns, 10 * 101 * 64 * 100.0e3 * 1.1);
}

}  // namespace
}  // namespace xbg
