// VCD runs: the cycle-stepped mode with the sc_clock reports exactly what the
// phase mode reports (cycles, results, activity), and the trace it writes
// holds the documented signals and converts cleanly with vcd2fst.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sc_test_util.h"

namespace xbg {
namespace {

namespace fs = std::filesystem;

const std::vector<int> kTopology = {30, 20, 12, 4};
constexpr size_t kFrozenVcdBytes = 321229;
constexpr uint64_t kFrozenVcdFingerprint = 0xac0058cf9dd287deull;

struct Runs {
  RunResult fast, traced;
  sc_core::sc_time end_fast, end_traced;
  std::string vcd_text;
  fs::path vcd;
};

Runs run_both(SimConfig cfg, const std::string& tag, int images = 3) {
  const Network plain = test::edgy_random_network(kTopology, 31);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test", &cfg.puf);
  const auto inputs = test::random_inputs(kTopology[0], images, 32);
  Runs r;
  r.vcd = fs::temp_directory_path() / ("xbg_test_" + tag + ".vcd");
  fs::remove(r.vcd);
  RunOptions opt;
  r.fast = run_accelerator(cfg, model, inputs, nullptr, opt);
  r.end_fast = sc_core::sc_time_stamp();
  opt.vcd_path = r.vcd.string();
  r.traced = run_accelerator(cfg, model, inputs, nullptr, opt);
  r.end_traced = sc_core::sc_time_stamp();
  std::ifstream in(r.vcd);
  std::stringstream s;
  s << in.rdbuf();
  r.vcd_text = s.str();
  return r;
}

void expect_same(const RunResult& a, const RunResult& b) {
  EXPECT_EQ(a.predictions, b.predictions);
  EXPECT_EQ(a.cycles_total, b.cycles_total);
  EXPECT_EQ(a.cycles_min, b.cycles_min);
  EXPECT_EQ(a.cycles_max, b.cycles_max);
  EXPECT_EQ(a.layer_cycles_total, b.layer_cycles_total);
  EXPECT_EQ(a.overhead_cycles_total, b.overhead_cycles_total);
  EXPECT_EQ(a.latency_cycles_total, b.latency_cycles_total);
  EXPECT_EQ(a.busy_cycles_total, b.busy_cycles_total);
  EXPECT_EQ(a.boot_cycles, b.boot_cycles);
  EXPECT_EQ(a.programming_cycles, b.programming_cycles);
  EXPECT_EQ(a.golden_agreement, b.golden_agreement);
  EXPECT_EQ(a.ledger.to_json(), b.ledger.to_json());  // every count, busy cycle and energy
}

TEST(Vcd, SameCyclesResultsAndActivityWithAndWithoutTrace) {
  SimConfig cfg = test::config_for("C", {1, 2});
  cfg.comparator.columns_per_comparator = 4;  // several column groups per layer
  const Runs r = run_both(cfg, "same");
  EXPECT_EQ(r.fast.images, 3);
  expect_same(r.fast, r.traced);
  EXPECT_EQ(r.end_fast, r.end_traced);
  fs::remove(r.vcd);
}

TEST(Vcd, SameWithPufBootAndDigitalClassifier) {
  SimConfig cfg = test::config_for("A", {1});
  cfg.protection.key_source = "chip";
  cfg.protection.chip_seed = 3;
  cfg.classifier.readout = "digital";
  const Runs r = run_both(cfg, "boot");
  EXPECT_EQ(r.fast.key_status, "ok");
  EXPECT_EQ(r.traced.key_status, "ok");
  expect_same(r.fast, r.traced);
  EXPECT_EQ(r.end_fast, r.end_traced);
  fs::remove(r.vcd);
}

TEST(Vcd, TraceHoldsTheDocumentedSignals) {
  SimConfig cfg = test::config_for("C", {1, 2});
  cfg.protection.key_source = "chip";
  cfg.comparator.columns_per_comparator = 4;
  const Runs r = run_both(cfg, "signals", 1);
  ASSERT_FALSE(r.vcd_text.empty()) << r.vcd;
  // $var <type> <width> <id> <name> $end, inside $scope module <block> $end.
  for (const char* var : {" clk ", " busy ", " done ", " key_ready ", " key_error ", " state ", " layer ", " image ",
                          " key_applied ", " read ", " deciding ", " active_group ", " y_star "})
    EXPECT_NE(r.vcd_text.find(var), std::string::npos) << var;
  for (const char* scope : {"$scope module accelerator", "$scope module controller", "$scope module status",
                            "$scope module fc1", "$scope module fc2", "$scope module pre_unit", "$scope module post_unit",
                            "$scope module comparator", "$scope module crossbar"})
    EXPECT_NE(r.vcd_text.find(scope), std::string::npos) << scope;
  EXPECT_NE(r.vcd_text.find(" 20 "), std::string::npos);  // FC1's y* is a 20-bit vector
  // The clock toggles once per half period: at least two value changes per cycle of the run.
  size_t changes = 0;
  for (size_t p = r.vcd_text.find("\n#"); p != std::string::npos; p = r.vcd_text.find("\n#", p + 1)) ++changes;
  EXPECT_GE(changes, 2 * r.traced.cycles_total);
  fs::remove(r.vcd);
}

TEST(Vcd, TraceConvertsWithVcd2fst) {
  if (std::system("command -v vcd2fst > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "vcd2fst not installed (Debian package gtkwave): conversion not checked";
  SimConfig cfg = test::config_for("B", {1, 2});
  const Runs r = run_both(cfg, "fst", 2);
  const fs::path fst = fs::temp_directory_path() / "xbg_test_fst.fst";
  fs::remove(fst);
  const std::string cmd = "vcd2fst " + r.vcd.string() + " " + fst.string() + " > /dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  EXPECT_TRUE(fs::exists(fst));
  EXPECT_GT(fs::file_size(fst), 0u);
  fs::remove(fst);
  fs::remove(r.vcd);
}

// FNV-1a of a VCD without its $date block, which names the wall-clock time
// of the run and is the only part that may change between identical runs.
uint64_t vcd_fingerprint(const std::string& text) {
  std::string kept = text;
  const size_t date = kept.find("$date");
  if (date != std::string::npos) kept.erase(date, kept.find("$end", date) + 4 - date);
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : kept) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// The waveform of a fixed run is frozen: speeding up the stepped mode or the
// power merge must not move a byte (the fingerprint was taken from the
// waveform writer before they were sped up). SystemC's own tracer writes most
// of the file, so another SystemC release may legitimately differ.
TEST(Vcd, WaveformOfAFixedRunIsUnchanged) {
  if (std::string(sc_core::sc_version()).rfind("SystemC 2.3.4-Accellera", 0) != 0)
    GTEST_SKIP() << "frozen with SystemC 2.3.4; this is " << sc_core::sc_version();
  SimConfig cfg = test::config_for("C", {1, 2});
  cfg.protection.key_source = "chip";
  cfg.comparator.columns_per_comparator = 4;
  const Runs r = run_both(cfg, "frozen", 3);
  EXPECT_EQ(r.vcd_text.size(), kFrozenVcdBytes);
  EXPECT_EQ(vcd_fingerprint(r.vcd_text), kFrozenVcdFingerprint) << std::hex << vcd_fingerprint(r.vcd_text);
  fs::remove(r.vcd);
}

TEST(Vcd, PipelinedRunsRefuseTracing) {
  SimConfig cfg = test::config_for("C", {1});
  cfg.controller.pipeline = true;
  const Network plain = test::edgy_random_network(kTopology, 33);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  RunOptions opt;
  opt.vcd_path = (fs::temp_directory_path() / "xbg_test_refused.vcd").string();
  EXPECT_THROW(run_accelerator(cfg, model, test::random_inputs(30, 2, 1), nullptr, opt), std::invalid_argument);
}

}  // namespace
}  // namespace xbg
