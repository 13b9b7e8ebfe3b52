// End-to-end sweeps through the real `xbarguard` binary (found through
// XBG_BINARY_DIR, which ctest sets): a sweep's rows equal single runs of the
// same configs, a restarted sweep runs only the missing points, and shards
// together give exactly the unsharded points.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/bnn/model_io.h"
#include "core/bnn/network.h"
#include "core/common/config.h"
#include "core/common/paths.h"
#include "core/sweep/table.h"

namespace xbg {
namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string output;
};

Result sh(const std::string& cmd) {
  Result r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) r.output += buf;
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string shq(const std::string& s) { return "'" + s + "'"; }

class SweepCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* bin = std::getenv("XBG_BINARY_DIR");
    if (!bin || !fs::exists(fs::path(bin) / "xbarguard")) GTEST_SKIP() << "XBG_BINARY_DIR/xbarguard not built (run through ctest)";
    xbg_ = (fs::path(bin) / "xbarguard").string();
    dir_ = fs::temp_directory_path() / ("xbg_sweep_cli_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const fs::path small = fs::path(repo_root()) / "networks" / "small.json";
    if (fs::exists(small)) {
      network_ = small.string();
    } else {
      Network net = random_network({784, 32, 32, 32, 10}, 7);
      net.name = "sweep-test";
      net.dataset = "mnist";
      network_ = (dir_ / "tiny.json").string();
      save_network(net, network_);
    }
    spec_ = (dir_ / "four.json").string();
    std::ofstream(spec_) << json{{"base_config", "configs/default.json"},
                                 {"network", network_},
                                 {"dataset", "mnist"},
                                 {"images", kImages},
                                 // networks/small.json has two hidden layers
                                 {"set", {{"protection.layers", {1, 2}}}},
                                 {"axes", {{"comparator.columns_per_comparator", {1, 4}}, {"protection.scheme", {"none", "C"}}}}}
                                .dump(1);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  Result sweep(const std::string& out, const std::string& extra = "") {
    return sh(shq(xbg_) + " sweep --spec " + shq(spec_) + " --out " + shq((dir_ / out).string()) + " --jobs 2 " + extra);
  }
  json results(const std::string& out) { return load_json_file((dir_ / out / "results.json").string()); }
  static std::vector<std::string> ids(const json& results) {
    std::vector<std::string> v;
    for (const auto& r : results["rows"]) v.push_back(r["id"]);
    return v;
  }

  static constexpr int kImages = 12;
  std::string xbg_, network_, spec_;
  fs::path dir_;
};

// Everything a run computes deterministically (not wall-clock speeds).
const std::vector<std::string> kDeterministic = {"accuracy",          "correct",          "golden_agreement",
                                                 "cycles_per_inference", "latency_ns_per_inference", "chip_inferences_per_s",
                                                 "energy_per_inference_j", "average_power_w", "area_mm2",
                                                 "protection_overhead_pct", "predictions"};

TEST_F(SweepCli, FourPointSweepRowsEqualSingleRunsOfTheSameConfigs) {
  const Result r = sweep("full");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("4 points; 0 already done, 4 run, 0 failed"), std::string::npos) << r.output;
  const json res = results("full");
  ASSERT_EQ(res["rows"].size(), 4u);
  const sweep::Table csv = sweep::read_csv((dir_ / "full" / "results.csv").string());
  ASSERT_EQ(csv.rows.size(), 4u);
  // The same four configs as single runs, written independently of the sweep's own commands (two at a time).
  std::string singles;
  for (size_t i = 0; i < 4; ++i) {
    const json& row = res["rows"][i];
    singles += shq(xbg_) + " run --config configs/default.json --set network=" + shq(json(network_).dump()) +
               " --set dataset.name=mnist --set dataset.limit=" + std::to_string(kImages) +
               " --set protection.layers=[1,2] --set comparator.columns_per_comparator=" + row["values"]["comparator.columns_per_comparator"].dump() +
               " --set protection.scheme=" + row["values"]["protection.scheme"].get<std::string>() + " --report " +
               shq((dir_ / ("single" + std::to_string(i) + ".json")).string()) + (i % 2 == 0 ? " & " : "; wait; ");
  }
  const Result s = sh(singles);
  std::set<std::string> combos;
  for (size_t i = 0; i < 4; ++i) {
    const json& row = res["rows"][i];
    const int k = row["values"]["comparator.columns_per_comparator"];
    const std::string scheme = row["values"]["protection.scheme"];
    combos.insert(std::to_string(k) + scheme);
    const std::string single = (dir_ / ("single" + std::to_string(i) + ".json")).string();
    ASSERT_TRUE(fs::exists(single)) << s.output;
    const json one = load_json_file(single);
    const json point = load_json_file((dir_ / "full" / row["report"].get<std::string>()).string());
    EXPECT_EQ(point["config"], one["config"]) << "point " << i;
    for (const auto& m : kDeterministic) {
      EXPECT_EQ(point.contains(m), one.contains(m)) << m;
      if (one.contains(m)) {
        EXPECT_EQ(point[m], one[m]) << m << " of point " << i;
      }
    }
    // The table holds the same numbers as the report, absent ones as empty cells.
    for (const auto& m : res["metrics"]) {
      const int c = csv.column(m.get<std::string>());
      ASSERT_GE(c, 0) << m;
      EXPECT_EQ(csv.rows[i][static_cast<size_t>(c)], sweep::report_value(point, m.get<std::string>())) << m;
      EXPECT_EQ(row["metrics"][m.get<std::string>()], sweep::report_value(point, m.get<std::string>())) << m;
    }
    EXPECT_EQ(csv.rows[i][1], k);
    EXPECT_EQ(csv.rows[i][2], scheme);
  }
  EXPECT_EQ(combos, (std::set<std::string>{"1none", "1C", "4none", "4C"}));
}

TEST_F(SweepCli, AChipThatRefusesToBootIsAResultNotAFailure) {
  // At 400 degC the SRAM PUF has more bit errors than the code corrects: the
  // run ends in a key error (exit status 4) with its report, and the sweep
  // records the point instead of failing it.
  spec_ = (dir_ / "hot.json").string();
  std::ofstream(spec_) << json{{"base_config", "configs/default.json"},
                               {"network", network_},
                               {"dataset", "mnist"},
                               {"images", 2},
                               {"set", {{"protection.layers", {1, 2}}, {"protection.key_source", "chip"}}},
                               {"axes", {{"boot.temperature_c", {25, 400}}}}}
                              .dump(1);
  const Result r = sweep("hot");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("2 points; 0 already done, 2 run, 0 failed"), std::string::npos) << r.output;
  const json res = results("hot");
  ASSERT_EQ(res["rows"].size(), 2u);
  std::set<std::string> status;
  for (const auto& row : res["rows"])
    status.insert(load_json_file((dir_ / "hot" / row["report"].get<std::string>()).string())["key_status"]);
  EXPECT_EQ(status, (std::set<std::string>{"ok", "error"}));
}

TEST_F(SweepCli, RestartedSweepRunsOnlyTheMissingPoints) {
  const Result half = sweep("resume", "--shard 1/2");
  ASSERT_EQ(half.code, 0) << half.output;
  const json first = results("resume");
  ASSERT_EQ(first["rows"].size(), 2u);
  ASSERT_EQ(first["missing"].size(), 2u);
  const std::string kept = (dir_ / "resume" / first["rows"][0]["report"].get<std::string>()).string();
  const std::string broken = (dir_ / "resume" / first["rows"][1]["report"].get<std::string>()).string();
  struct stat before{};
  ASSERT_EQ(stat(kept.c_str(), &before), 0);
  std::stringstream kept_text;
  kept_text << std::ifstream(kept).rdbuf();
  // A report cut short (as by a crash outside the temp-then-rename path) is not a finished point.
  std::ofstream(broken) << "{\"tool\": \"xbarguard\", \"accur";

  const Result rest = sweep("resume");
  ASSERT_EQ(rest.code, 0) << rest.output;
  EXPECT_NE(rest.output.find("4 points; 1 already done, 3 run, 0 failed"), std::string::npos) << rest.output;
  struct stat after{};
  ASSERT_EQ(stat(kept.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  std::stringstream again;
  again << std::ifstream(kept).rdbuf();
  EXPECT_EQ(again.str(), kept_text.str());
  const json all = results("resume");
  EXPECT_EQ(all["rows"].size(), 4u);
  EXPECT_EQ(all["missing"].size(), 0u);
  EXPECT_NO_THROW(load_json_file(broken));

  // Nothing left: a third start runs nothing.
  const Result none = sweep("resume");
  EXPECT_NE(none.output.find("4 already done, 0 run"), std::string::npos) << none.output;
}

TEST_F(SweepCli, ShardsTogetherGiveExactlyTheUnshardedPoints) {
  // The unsharded point list, without running anything.
  const Result dry = sweep("dry", "--dry-run");
  ASSERT_EQ(dry.code, 0) << dry.output;
  std::vector<std::string> all;
  std::istringstream lines(dry.output);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string index, id;
    if (words >> index >> id && id.size() == 12) all.push_back(id);
  }
  ASSERT_EQ(all.size(), 4u) << dry.output;
  EXPECT_FALSE(fs::exists(dir_ / "dry" / "points")) << "--dry-run must not create anything";

  ASSERT_EQ(sweep("a", "--shard 1/2").code, 0);
  ASSERT_EQ(sweep("b", "--shard 2/2").code, 0);
  const std::vector<std::string> a = ids(results("a")), b = ids(results("b"));
  std::set<std::string> both(a.begin(), a.end());
  for (const auto& id : b) EXPECT_TRUE(both.insert(id).second) << id << " ran in both shards";
  EXPECT_EQ(both, std::set<std::string>(all.begin(), all.end()));

  const Result m = sh(shq(xbg_) + " sweep merge " + shq((dir_ / "a").string()) + " " + shq((dir_ / "b").string()) +
                      " --out " + shq((dir_ / "merged").string()));
  ASSERT_EQ(m.code, 0) << m.output;
  EXPECT_NE(m.output.find("4 of 4 points present"), std::string::npos) << m.output;
  EXPECT_EQ(ids(results("merged")), all);  // the unsharded order
  const sweep::Table merged = sweep::read_csv((dir_ / "merged" / "results.csv").string());
  EXPECT_EQ(merged.rows.size(), 4u);
}

TEST_F(SweepCli, BadSpecFailsBeforeAnyPointRuns) {
  // The bad value is in the last point: nothing may run before it is found.
  std::ofstream(spec_) << json{{"network", network_},
                               {"dataset", "mnist"},
                               {"images", kImages},
                               {"axes", {{"comparator.columns_per_comparator", {1, 2, "eight"}}}}}
                              .dump();
  const Result r = sweep("bad");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("comparator.columns_per_comparator: expected an integer, got a string"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << "one line: " << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "bad"));
}

TEST_F(SweepCli, MisspelledMetricIsAnErrorNotAnEmptyColumn) {
  std::ofstream(spec_) << json{{"network", network_},
                               {"dataset", "mnist"},
                               {"images", 4},
                               {"set", {{"protection.layers", {1, 2}}}},
                               {"metrics", {"accuracy", "energy_per_inference_j", "acuracy"}},
                               {"axes", {{"comparator.columns_per_comparator", {1}}}}}
                              .dump();
  const Result r = sweep("typo");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("four.json: metrics[2]: 'acuracy' is not a field of the run report"), std::string::npos)
      << r.output;
  // The finished point is kept: the fixed spec resumes without rerunning it.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_ / "typo" / "points"), fs::directory_iterator{}), 1);
}

}  // namespace
}  // namespace xbg
