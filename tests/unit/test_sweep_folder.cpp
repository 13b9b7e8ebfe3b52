// What a sweep trusts in its folder and its spec: names from files never
// become paths outside the output folder, a report counts only for the point
// it records, another sweep's folder is refused, and workers die with the
// sweep. No simulation runs here (reports are written by hand), except in
// the one test that goes through the real binary.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "core/common/config.h"
#include "core/common/error.h"
#include "core/common/paths.h"
#include "core/sweep/runner.h"
#include "core/sweep/spec.h"
#include "core/sweep/sweep.h"

namespace xbg::sweep {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

class SweepFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("xbg_sweep_folder_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static Spec spec_of(const std::string& text) { return parse_spec(ojson::parse(text), "s.json", sim_schema()); }
  static std::string spec_error(const std::string& text) {
    try {
      spec_of(text);
    } catch (const UserError& e) {
      return e.what();
    }
    return "";
  }
  // What `xbarguard run --report` records about its point (the rest of a report does not matter here).
  static json report_of(const Point& p, const std::string& accuracy_tag) {
    return {{"config", p.effective}, {"chips", json::array({json::object()})}, {"no_key", false}, {"tag", accuracy_tag}};
  }
  // A sweep folder of two points with their reports, as run_sweep leaves it.
  std::vector<Point> two_point_folder(const std::string& out) {
    const Spec spec = spec_of(R"({"name": "two", "axes": {"comparator.columns_per_comparator": [1, 2]}})");
    const std::vector<Point> pts = enumerate_points(spec, make_sim_resolver(""));
    json points = json::array();
    for (const auto& p : pts) points.push_back({{"index", p.index}, {"id", p.id}, {"values", {p.values[0].value}}});
    fs::create_directories(dir_ / out / "points");
    std::ofstream(dir_ / out / "sweep.json") << json{{"format", "xbarguard-sweep"}, {"name", "two"},
                                                     {"columns", spec.columns()}, {"points", points}};
    for (const auto& p : pts) std::ofstream(point_report_path((dir_ / out).string(), p.id)) << report_of(p, p.id);
    return pts;
  }
  fs::path dir_;
};

TEST_F(SweepFolder, ASpecNameThatIsAPathIsRefused) {
  for (const std::string name : {"../escape", "a/b", "/tmp/x", "a\\\\b"}) {
    const std::string e = spec_error(R"({"name": ")" + name + R"(", "axes": {"clock.period_ns": [1]}})");
    EXPECT_EQ(e.rfind("s.json: name: '", 0), 0u) << e;
    EXPECT_NE(e.find("is not a plain name"), std::string::npos) << e;
  }
  EXPECT_EQ(spec_error(R"({"name": "..ok-name_1.2", "axes": {"clock.period_ns": [1]}})"), "");
}

TEST_F(SweepFolder, PointIdsFromTheRecordMustBeIds) {
  two_point_folder("s");
  json record = load_json_file((dir_ / "s" / "sweep.json").string());
  record["points"][1]["id"] = "../../../escaped";
  std::ofstream(dir_ / "s" / "sweep.json") << record;
  try {
    write_results((dir_ / "s").string());
    FAIL() << "a path as point id was accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("sweep.json: points[1].id: expected a point id"), std::string::npos) << e.what();
  }
  EXPECT_THROW(merge_sweeps({(dir_ / "s").string()}, (dir_ / "m").string()), UserError);
  EXPECT_FALSE(fs::exists(dir_ / "escaped.json"));
  EXPECT_FALSE(fs::exists(dir_ / "m" / "results.csv"));
}

TEST_F(SweepFolder, AReportCountsOnlyForThePointItRecords) {
  const std::vector<Point> pts = two_point_folder("s");
  const std::string d = (dir_ / "s").string();
  EXPECT_TRUE(point_finished(d, pts[0].id));
  EXPECT_TRUE(point_finished(d, pts[1].id));
  EXPECT_EQ(report_point_id(report_of(pts[0], "")), pts[0].id);

  // Swapped files: each parses and carries a config, but not its own point's.
  const std::string a = point_report_path(d, pts[0].id), b = point_report_path(d, pts[1].id);
  fs::rename(a, d + "/tmp.json");
  fs::rename(b, a);
  fs::rename(d + "/tmp.json", b);
  EXPECT_FALSE(point_finished(d, pts[0].id));
  EXPECT_FALSE(point_finished(d, pts[1].id));
  int missing = 0;
  const Table t = write_results(d, &missing);
  EXPECT_EQ(missing, 2);
  EXPECT_TRUE(t.rows.empty());

  // The same config with another chip count or no_key is another point.
  json other = report_of(pts[0], "");
  other["no_key"] = true;
  EXPECT_NE(report_point_id(other), pts[0].id);
  other = report_of(pts[0], "");
  other["chips"].push_back(json::object());
  EXPECT_NE(report_point_id(other), pts[0].id);
  EXPECT_EQ(report_point_id(json{{"config", pts[0].effective}}), "");
}

TEST_F(SweepFolder, AnotherSweepsFolderIsRefused) {
  two_point_folder("s");
  const std::string d = (dir_ / "s").string();
  const std::string before = load_json_file(d + "/sweep.json").dump();
  EXPECT_NO_THROW(check_out_dir(d, spec_of(R"({"name": "two", "axes": {"clock.period_ns": [1, 2]}})")));  // extended
  try {
    check_out_dir(d, spec_of(R"({"name": "other", "axes": {"clock.period_ns": [1]}})"));
    FAIL() << "another sweep's folder was accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("holds the sweep 'two', not 'other'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(load_json_file(d + "/sweep.json").dump(), before);

  // Any other non-empty folder is not a sweep folder; absent or empty ones are fine.
  std::ofstream(dir_ / "notes.txt") << "mine";
  const Spec spec = spec_of(R"({"name": "other", "axes": {"clock.period_ns": [1]}})");
  EXPECT_THROW(check_out_dir(dir_.string(), spec), UserError);
  EXPECT_THROW(merge_sweeps({d}, dir_.string()), UserError);
  EXPECT_FALSE(fs::exists(dir_ / "points"));
  EXPECT_THROW(check_out_dir((dir_ / "notes.txt").string(), spec), UserError);
  EXPECT_NO_THROW(check_out_dir((dir_ / "new").string(), spec));
  fs::create_directories(dir_ / "empty");
  EXPECT_NO_THROW(check_out_dir((dir_ / "empty").string(), spec));
}

// Polls for a condition another process brings about; the bound only keeps
// a broken build from hanging the suite, the test never measures time.
template <class F> bool eventually(F&& done) {
  for (int i = 0; i < 600; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && (text[paren + 2] == 'Z' || text[paren + 2] == 'X');
}

TEST_F(SweepFolder, WorkersDieWhenTheSweepIsKilled) {
  const std::string pid_file = (dir_ / "worker.pid").string();
  const pid_t sweep = fork();
  ASSERT_GE(sweep, 0);
  if (sweep == 0) {  // the "sweep": one long worker that writes its pid
    Job job{{"/bin/sh", "-c", "echo $$ > '" + pid_file + ".part' && mv '" + pid_file + ".part' '" + pid_file + "' && exec sleep 300"}, ""};
    run_jobs({job}, RunJobsOptions{});
    _exit(0);
  }
  pid_t worker = 0;
  const bool started = eventually([&] {
    std::ifstream in(pid_file);
    return static_cast<bool>(in >> worker);
  });
  kill(sweep, SIGKILL);  // as kill -9: no handler runs, nothing is cleaned up
  waitpid(sweep, nullptr, 0);
  ASSERT_TRUE(started) << "the worker never started";
  ASSERT_GT(worker, 0);
  const bool gone = eventually([&] { return process_gone(worker); });
  if (!gone) kill(worker, SIGKILL);
  EXPECT_TRUE(gone) << "worker " << worker << " outlived its sweep";
}

}  // namespace
}  // namespace xbg::sweep
