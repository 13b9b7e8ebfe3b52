// The run report that `xbarguard run` prints and writes (tb/run_report.h):
// every wall-clock figure in `timing` and nowhere else, the version on record,
// and request checks that name the flag.
#include <gtest/gtest.h>

#include <sstream>

#include "core/common/error.h"
#include "core/common/version.h"
#include "tb/run_report.h"

namespace xbg {
namespace {

RunRequest small_run() {
  RunRequest q;
  q.sets = {"network=\"networks/small.json\"", "protection.layers=[1,2]", "dataset.limit=8"};
  q.command_line = "run --set dataset.limit=8";
  q.progress = false;
  return q;
}

TEST(RunReport, WallClockFiguresLiveOnlyInTiming) {
  const RunReport rep = run_job(small_run());
  const nlohmann::json j = run_report_json(rep);
  for (const char* key : {"created_utc", "sim_images_per_s", "golden_images_per_s", "sim_seconds", "programming_seconds",
                          "boot_seconds", "setup_seconds", "total"}) {
    EXPECT_FALSE(j.contains(key)) << key;
    EXPECT_TRUE(j["timing"].contains(key)) << key;
  }
  EXPECT_GT(j["timing"]["total"]["wall_seconds"].get<double>(), 0.0);
  EXPECT_EQ(j["images"], 8);
  EXPECT_EQ(j["command_line"], "run --set dataset.limit=8");
  EXPECT_EQ(j["xbarguard_version"], version());
  EXPECT_EQ(j["xbarguard_commit"], git_commit());
  EXPECT_EQ(j["accuracy"], rep.result.accuracy);
  EXPECT_EQ(run_exit_status(rep, nullptr), 0);
  std::ostringstream console;
  print_run_report(console, rep);
  EXPECT_NE(console.str().find("dataset     mnist test, 8 images\n"), std::string::npos) << console.str();
  EXPECT_NE(console.str().find("protection  C on FC1,FC2\n"), std::string::npos) << console.str();
}

// A bare run on a two-hidden-layer network: every hidden layer protected,
// and the console says so, and which key it runs on.
TEST(RunReport, ABareRunSaysWhichLayersAndKeyItChose) {
  RunRequest q;
  q.sets = {"network=\"networks/small.json\"", "dataset.limit=4"};
  q.progress = false;
  q.overhead_run = false;
  const RunReport rep = run_job(q);
  std::ostringstream console;
  print_run_report(console, rep);
  const std::string out = console.str();
  EXPECT_NE(out.find("config      none: the built-in defaults"), std::string::npos) << out;
  EXPECT_NE(out.find("protection  C on FC1,FC2 (protection.layers not set: every hidden layer)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("key         key-seed 1 (offline, not a PUF key); the built-in key source"), std::string::npos) << out;
  // The report keeps the config as given, so a sweep point's id still matches it.
  EXPECT_TRUE(run_report_json(rep)["config"]["protection"]["layers"].empty());
}

TEST(RunReport, RequestChecksNameTheFlag) {
  RunRequest q = small_run();
  q.chips = 0;
  EXPECT_THROW(
      try { run_job(q); } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "--chips: must be in 1..10000");
        throw;
      },
      UserError);
  q = small_run();
  q.bypass_key_check = true;
  EXPECT_THROW(
      try { run_job(q); } catch (const UserError& e) {
        EXPECT_STREQ(e.what(), "--bypass-key-check: only with --clone-chip SEED");
        throw;
      },
      UserError);
}

}  // namespace
}  // namespace xbg
