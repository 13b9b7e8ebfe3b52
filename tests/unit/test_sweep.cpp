// Sweep machinery without running anything: spec checking, point
// enumeration, shards, Pareto fronts, result tables and plot grouping.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include "core/common/error.h"
#include "core/sweep/pareto.h"
#include "core/sweep/plots.h"
#include "core/sweep/spec.h"
#include "core/sweep/table.h"

namespace xbg::sweep {
namespace {

using ojson = nlohmann::ordered_json;

Spec spec_of(const std::string& text) { return parse_spec(ojson::parse(text), "s.json", sim_schema()); }

std::vector<Point> points_of(const std::string& text) { return enumerate_points(spec_of(text), make_sim_resolver("")); }

// The UserError a spec produces when parsed and enumerated ("" if none).
std::string spec_error(const std::string& text) {
  try {
    points_of(text);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(SweepSpec, RangesExpandInclusiveAndKeepIntegers) {
  EXPECT_EQ(expand_range(json::parse(R"({"range": [1, 8], "step": 3})"), "a"), (std::vector<json>{1, 4, 7}));
  EXPECT_EQ(expand_range(json::parse(R"({"range": [1, 4]})"), "a"), (std::vector<json>{1, 2, 3, 4}));
  EXPECT_EQ(expand_range(json::parse(R"({"range": [1, 16], "factor": 2})"), "a"), (std::vector<json>{1, 2, 4, 8, 16}));
  const auto f = expand_range(json::parse(R"({"range": [0.1, 0.5], "step": 0.1})"), "a");
  ASSERT_EQ(f.size(), 5u);  // no lost last point from accumulated error
  EXPECT_TRUE(f[2].is_number_float());
  EXPECT_EQ(f[2].get<double>(), 0.3);  // 0.1 + 2 * 0.1 cleaned, not 0.30000000000000004
  EXPECT_EQ(expand_range(json::parse(R"({"range": [0, 1], "count": 3})"), "a"), (std::vector<json>{0.0, 0.5, 1.0}));
  EXPECT_EQ(expand_range(json::parse(R"({"range": [2, 6], "count": 3})"), "a"), (std::vector<json>{2, 4, 6}));
}

TEST(SweepSpec, BadRangesNameTheAxis) {
  auto err = [](const char* text) {
    try {
      expand_range(json::parse(text), "axes.x");
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(err(R"({"range": [4, 1]})"), "axes.x.range: last (1) is below first (4)");
  EXPECT_EQ(err(R"({"range": [1, 4], "step": 0})"), "axes.x.step: must be a number > 0");
  EXPECT_EQ(err(R"({"range": [1, 4], "step": 1, "factor": 2})"), "axes.x: give one of step, factor, count");
  EXPECT_EQ(err(R"({"range": [1]})"), "axes.x.range: expected [first, last] (two numbers)");
  EXPECT_EQ(err(R"({"range": [1, 4], "steps": 1})"), "axes.x.steps: unknown field (a range takes range and one of step, factor, count)");
  EXPECT_EQ(err(R"({"range": [0, 4], "factor": 2})"), "axes.x.range: a geometric range (factor) needs first > 0");
}

TEST(SweepSpec, BadSpecsFailWithOneLineNamingTheField) {
  EXPECT_EQ(spec_error(R"({"axes": {"comparator.columns_per_comparatr": [1, 2]}})"),
            "s.json: axes.comparator.columns_per_comparatr: unknown config field 'comparator.columns_per_comparatr' (see xbarguard config --dump)");
  EXPECT_EQ(spec_error(R"({"axes": {"comparatr.columns_per_comparator": [1]}})"),
            "s.json: axes.comparatr.columns_per_comparator: unknown config field 'comparatr' (see xbarguard config --dump)");
  EXPECT_EQ(spec_error(R"({"axes": {"comparator": [1]}})"),
            "s.json: axes.comparator: 'comparator' is a config section, not a field; name one of its fields");
  EXPECT_EQ(spec_error(R"({"axes": {"comparator.columns_per_comparator": []}})"),
            "s.json: axes.comparator.columns_per_comparator: empty axis (no values)");
  EXPECT_EQ(spec_error(R"({"axes": {}})"), "s.json: axes: empty: a grid sweep needs at least one axis");
  EXPECT_EQ(spec_error(R"({"axes": {"clock.period_ns": [1, 1.0]}})"), "s.json: axes.clock.period_ns: value 1.0 appears twice");
  EXPECT_EQ(spec_error(R"({"axis": {"clock.period_ns": [1]}})"), "s.json: axis: unknown field");
  EXPECT_EQ(spec_error(R"({"mode": "list", "points": []})"), "s.json: points: empty list (no points)");
  EXPECT_EQ(spec_error(R"({"mode": "zip", "axes": {"clock.period_ns": [1]}})"), "s.json: mode: 'zip' is not one of: grid, list");
  EXPECT_EQ(spec_error(R"({"images": 0, "axes": {"clock.period_ns": [1]}})"),
            "s.json: images: expected an integer >= 1 (images per point), got 0");
  EXPECT_EQ(spec_error(R"({"set": {"clock.period": 2}, "axes": {"clock.period_ns": [1]}})"),
            "s.json: set.clock.period: unknown config field 'clock.period' (see xbarguard config --dump)");
  EXPECT_EQ(spec_error(R"({"set": {"clock.period_ns": 2}, "axes": {"clock.period_ns": [1]}})"),
            "s.json: axes.clock.period_ns: also fixed by the spec (clock.period_ns); vary it or fix it, not both");
  // Wrong type and out-of-range values are the config reader's errors, caught
  // while resolving every point, before anything runs.
  const std::string type_error = spec_error(R"({"axes": {"comparator.columns_per_comparator": [1, 2, "four"]}})");
  EXPECT_EQ(type_error.rfind("s.json: comparator.columns_per_comparator: expected an integer, got a string", 0), 0u) << type_error;
  EXPECT_EQ(type_error.find('\n'), std::string::npos);
  const std::string range_error = spec_error(R"({"axes": {"comparator.columns_per_comparator": [0, 1]}})");
  EXPECT_NE(range_error.find("comparator.columns_per_comparator: value 0 out of range"), std::string::npos) << range_error;
  const std::string choice_error = spec_error(R"({"axes": {"protection.scheme": ["A", "Z"]}})");
  EXPECT_NE(choice_error.find("protection.scheme: 'Z' is not one of"), std::string::npos) << choice_error;
  const std::string float_step = spec_error(R"({"axes": {"comparator.columns_per_comparator": {"range": [1, 2], "step": 0.5}}})");
  EXPECT_NE(float_step.find("comparator.columns_per_comparator: expected an integer, got a number"), std::string::npos) << float_step;
}

TEST(SweepSpec, GridEnumeratesFirstAxisOutermostWithFixedSettings) {
  const auto pts = points_of(R"({"network": "n.json", "dataset": "mnist", "images": 7,
      "set": {"simulation.check_golden": false},
      "axes": {"comparator.columns_per_comparator": {"range": [1, 3]}, "protection.scheme": ["none", "C"]}})");
  ASSERT_EQ(pts.size(), 6u);
  EXPECT_EQ(pts[1].values[0].value, 1);
  EXPECT_EQ(pts[1].values[1].value, "C");
  EXPECT_EQ(pts[2].values[0].value, 2);
  EXPECT_EQ(pts[2].values[1].value, "none");
  EXPECT_EQ(pts[5].sets, (std::vector<std::string>{"network=\"n.json\"", "dataset.name=\"mnist\"", "dataset.limit=7",
                                                   "simulation.check_golden=false", "comparator.columns_per_comparator=3",
                                                   "protection.scheme=\"C\""}));
  EXPECT_EQ(pts[5].effective["comparator"]["columns_per_comparator"], 3);
  EXPECT_EQ(pts[5].effective["dataset"]["limit"], 7);
  std::set<std::string> ids;
  for (const auto& p : pts) {
    EXPECT_EQ(p.id.size(), 12u);
    ids.insert(p.id);
  }
  EXPECT_EQ(ids.size(), pts.size());
  // Ids depend on the design point only: the same point in another spec keeps its id (resume after extending an axis).
  const auto wider = points_of(R"({"network": "n.json", "dataset": "mnist", "images": 7,
      "set": {"simulation.check_golden": false},
      "axes": {"comparator.columns_per_comparator": {"range": [1, 4]}, "protection.scheme": ["none", "C"]}})");
  EXPECT_EQ(wider[5].id, pts[5].id);
  const auto other_images = points_of(R"({"network": "n.json", "dataset": "mnist", "images": 8,
      "set": {"simulation.check_golden": false},
      "axes": {"comparator.columns_per_comparator": {"range": [1, 3]}, "protection.scheme": ["none", "C"]}})");
  EXPECT_NE(other_images[5].id, pts[5].id);
}

TEST(SweepSpec, LinkedAxisMovesSeveralFieldsTogether) {
  const auto pts = points_of(R"({"axes": {
      "clock.period_ns": [1, 2],
      "variation": [{"crossbar.read_time_ns": 5, "comparator.decision_time_ns": 1},
                    {"crossbar.read_time_ns": 10, "comparator.decision_time_ns": 2}]}})");
  ASSERT_EQ(pts.size(), 4u);
  ASSERT_EQ(pts[3].values.size(), 3u);
  EXPECT_EQ(pts[3].values[1].path, "crossbar.read_time_ns");  // written order, not alphabetical
  EXPECT_EQ(pts[3].values[1].value, 10);
  EXPECT_EQ(pts[3].values[2].path, "comparator.decision_time_ns");
  EXPECT_EQ(pts[3].effective["comparator"]["decision_time_ns"], 2.0);
  EXPECT_EQ(pts[1].effective["crossbar"]["read_time_ns"], 10.0);
  EXPECT_EQ(spec_error(R"({"axes": {"v": [{"crossbar.read_time_ns": 5}, {"crossbar.read_tme_ns": 10}]}})"),
            "s.json: axes.v[1]: a linked axis needs the same fields in every value (as its first)");
  EXPECT_EQ(spec_error(R"({"axes": {"v": [{"crossbar.read_tme_ns": 5}]}})"),
            "s.json: axes.v.crossbar.read_tme_ns: unknown config field 'crossbar.read_tme_ns' (see xbarguard config --dump)");
  EXPECT_EQ(spec_error(R"({"axes": {"crossbar.read_time_ns": [1], "v": [{"crossbar.read_time_ns": 5}]}})"),
            "s.json: axes.v.crossbar.read_time_ns: varied by two axes");
}

TEST(SweepSpec, ListModeFillsUnlistedColumnsWithTheBaseValue) {
  const auto pts = points_of(R"({"mode": "list", "points": [
      {"clock.period_ns": 1.5}, {"clock.period_ns": 3, "protection.scheme": "A"}]})");
  ASSERT_EQ(pts.size(), 2u);
  ASSERT_EQ(pts[0].values.size(), 2u);
  EXPECT_EQ(pts[0].values[1].path, "protection.scheme");
  EXPECT_EQ(pts[0].values[1].value, "C");  // the default scheme
  EXPECT_EQ(pts[1].values[1].value, "A");
  EXPECT_EQ(spec_error(R"({"mode": "list", "points": [{"clock.period_ns": 2}, {"clock.period_ns": 2.0}]})"),
            "s.json: points 0 and 1 are the same design point (clock.period_ns=2.0)");
}

TEST(SweepShards, ShardsPartitionThePointsExactly) {
  for (int shards = 1; shards <= 5; ++shards) {
    std::vector<int> owner(7, 0);
    for (int s = 1; s <= shards; ++s)
      for (int i = 0; i < 7; ++i) owner[static_cast<size_t>(i)] += in_shard(i, s, shards);
    EXPECT_EQ(owner, std::vector<int>(7, 1)) << shards << " shards";
  }
  EXPECT_EQ(parse_shard("2/8"), (std::pair<int, int>{2, 8}));
  for (const char* bad : {"0/2", "3/2", "1/0", "1", "a/b", "1/2/3", "-1/2", "/2"}) EXPECT_THROW(parse_shard(bad), UserError) << bad;
}

TEST(SweepPareto, MarksExactlyTheNonDominatedRowsOfAHandMadeTable) {
  // energy (min), accuracy (max)
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<std::vector<double>> rows = {
      {1.0, 0.80},  // front: cheapest
      {2.0, 0.90},  // front
      {2.5, 0.85},  // dominated by {2.0, 0.90}
      {3.0, 0.95},  // front: most accurate
      {3.0, 0.95},  // identical twin: also on the front
      {4.0, 0.95},  // dominated by {3.0, 0.95}: same accuracy, more energy
      {1.0, 0.70},  // dominated by {1.0, 0.80}
      {0.5, nan},   // metric absent: never on the front, dominates nothing
      {5.0, 0.94},  // dominated
  };
  EXPECT_EQ(pareto_front(rows, {Goal::kMin, Goal::kMax}),
            (std::vector<bool>{true, true, false, true, true, false, false, false, false}));
  // Both minimised (latency, energy).
  EXPECT_EQ(pareto_front({{1, 5}, {2, 2}, {5, 1}, {3, 3}, {2, 6}}, {Goal::kMin, Goal::kMin}),
            (std::vector<bool>{true, true, true, false, false}));
  EXPECT_EQ(parse_objective("accuracy"), (std::pair<std::string, Goal>{"accuracy", Goal::kMax}));
  EXPECT_EQ(parse_objective("energy_per_inference_j"), (std::pair<std::string, Goal>{"energy_per_inference_j", Goal::kMin}));
  EXPECT_EQ(parse_objective("accuracy:min").second, Goal::kMin);
  EXPECT_THROW(parse_objective("accuracy:best"), UserError);
}

std::filesystem::path temp_dir() {
  auto d = std::filesystem::temp_directory_path() / ("xbg_sweep_unit_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                                     "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(d);
  return d;
}

TEST(SweepTable, CsvRoundTripKeepsAbsentCellsEmpty) {
  Table t;
  t.columns = {"id", "protection.scheme", "protection.layers", "accuracy", "energy_per_inference_j"};
  t.rows = {{"a1", "C", json::array({1, 2}), 0.9675, nullptr}, {"b2", "row-inv", json::array({3}), 1, 2.5e-9}};
  const auto path = (temp_dir() / "r.csv").string();
  write_csv(t, path);
  std::ifstream in(path);
  std::string header, line1;
  std::getline(in, header);
  std::getline(in, line1);
  EXPECT_EQ(header, "id,protection.scheme,protection.layers,accuracy,energy_per_inference_j");
  EXPECT_EQ(line1, "a1,C,\"[1,2]\",0.9675,");  // absent metric: empty, not 0
  const Table back = read_csv(path);
  EXPECT_EQ(back.columns, t.columns);
  ASSERT_EQ(back.rows.size(), 2u);
  EXPECT_TRUE(back.rows[0][4].is_null());
  EXPECT_EQ(back.rows[0][3], 0.9675);
  EXPECT_EQ(back.rows[1][4].get<double>(), 2.5e-9);
  EXPECT_EQ(back.rows[0][2], "[1,2]");
  EXPECT_EQ(back.find_column("scheme", "--x"), 1);
  EXPECT_THROW(back.find_column("nothing", "--x"), UserError);
  std::filesystem::remove_all(temp_dir());
}

TEST(SweepTable, PointIdsThatLookLikeNumbersStayText) {
  Table t;
  t.columns = {"id", "clock.period_ns", "note"};
  t.rows = {{"557e45011987", 2, "1e999"}, {"123456789012", 4, "x"}, {"12345678e123", 1, "y"}};
  const auto path = (temp_dir() / "ids.csv").string();
  write_csv(t, path);
  const Table back = read_csv(path);
  ASSERT_EQ(back.rows.size(), 3u);
  EXPECT_EQ(back.rows[0][0], "557e45011987");
  EXPECT_EQ(back.rows[1][0], "123456789012");
  EXPECT_EQ(back.rows[2][0], "12345678e123");
  EXPECT_EQ(back.rows[0][1], 2);
  EXPECT_EQ(back.rows[0][2], "1e999");  // out of range for a double: text, not null
  std::filesystem::remove_all(temp_dir());
}

TEST(SweepTable, MetricsComeFromReportsHeadlineFirst) {
  const json a = {{"accuracy", 0.5}, {"zeta", 1}, {"images", 10}, {"latency_ns_per_inference", 3.0}, {"config", json::object()},
                  {"energy", {{"total_j", 1e-9}}}, {"model", "x.json"},
                  {"energy_breakdown_j", {{"crossbar", 2e-9}, {"pre_unit", 1e-12}, {"note", "x"}}}};
  const json b = {{"average_power_w", 0.1}, {"accuracy", 0.7}};
  EXPECT_EQ(auto_metrics({&a, &b}),
            (std::vector<std::string>{"accuracy", "latency_ns_per_inference", "average_power_w", "energy_breakdown_j.crossbar",
                                      "energy_breakdown_j.pre_unit", "images", "zeta"}));
  EXPECT_EQ(report_value(a, "energy.total_j"), 1e-9);
  EXPECT_TRUE(report_value(a, "energy_per_inference_j").is_null());
  EXPECT_TRUE(report_value(a, "config").is_null());
}

// Wall-clock figures live in a report's `timing` object; a sweep still names
// them as before, and the job's total time (an object) is no automatic column.
TEST(SweepTable, TimingFiguresKeepTheirMetricNames) {
  const json r = {{"accuracy", 0.9},
                  {"timing", {{"sim_images_per_s", 500.0}, {"created_utc", "2026-01-01T00:00:00Z"},
                              {"total", {{"wall_seconds", 2.0}}}}}};
  EXPECT_EQ(auto_metrics({&r}), (std::vector<std::string>{"accuracy", "sim_images_per_s"}));
  EXPECT_EQ(report_value(r, "sim_images_per_s"), 500.0);
  EXPECT_EQ(report_value(r, "timing.sim_images_per_s"), 500.0);
  EXPECT_EQ(report_value(r, "total.wall_seconds"), 2.0);
  EXPECT_TRUE(report_value(r, "cpu_seconds").is_null());
  const json old = {{"sim_images_per_s", 400.0}, {"timing", {{"sim_images_per_s", 500.0}}}};
  EXPECT_EQ(report_value(old, "sim_images_per_s"), 400.0);  // a top-level field wins
  EXPECT_EQ(auto_metrics({&old}), (std::vector<std::string>{"sim_images_per_s"}));
}

Table sweep_table() {
  Table t;
  t.columns = {"id", "crossbar.mode", "comparator.columns_per_comparator", "protection.scheme", "latency_ns_per_inference"};
  int id = 0;
  for (const char* mode : {"analog", "adc"})
    for (int k : {1, 2, 4})
      for (const char* scheme : {"none", "C"})
        t.rows.push_back({"p" + std::to_string(id++), mode, k, scheme,
                          k * 10.0 + (std::string(mode) == "adc" ? 100 : 0) + (std::string(scheme) == "C" ? 1 : 0)});
  return t;
}

TEST(SweepPlot, GroupsIntoSeriesAndRefusesAmbiguousPoints) {
  const Table t = sweep_table();
  PlotRequest req;
  req.x = "columns_per_comparator";
  req.y = "latency_ns_per_inference";
  req.group = {"mode", "scheme"};
  const SeriesPlot p = metric_plot(t, req);
  ASSERT_EQ(p.series.size(), 4u);
  EXPECT_EQ(p.key_title, "crossbar mode, protection scheme");
  EXPECT_EQ(p.series[0].title, "analog, none");
  EXPECT_EQ(p.series[3].title, "adc, C");
  EXPECT_EQ(p.series[3].x, (std::vector<double>{1, 2, 4}));
  EXPECT_EQ(p.series[3].y, (std::vector<double>{111, 121, 141}));
  EXPECT_TRUE(p.x_tick_labels.empty());

  req.group = {"mode"};  // scheme left free: two rows per x
  try {
    metric_plot(t, req);
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("they differ in: protection.scheme"), std::string::npos) << e.what();
  }
  req.where = {"protection.scheme=C"};
  EXPECT_EQ(metric_plot(t, req).series.size(), 2u);

  // Categorical x: scheme ids at positions 0..k-1.
  PlotRequest cat;
  cat.x = "scheme";
  cat.y = "latency_ns_per_inference";
  cat.group = {"mode"};
  cat.where = {"columns_per_comparator=2"};
  const SeriesPlot c = metric_plot(t, cat);
  EXPECT_EQ(c.x_tick_labels, (std::vector<std::string>{"none", "C"}));
  EXPECT_EQ(c.series[1].y, (std::vector<double>{120, 121}));
  EXPECT_NE(series_plot_script(c).find("set xtics ('none' 0, 'C' 1)"), std::string::npos);
}

TEST(SweepPlot, ParetoPlotMarksTheFrontSeries) {
  Table t;
  t.columns = {"id", "k", "energy_per_inference_j", "accuracy"};
  t.rows = {{"a", 1, 1.0, 0.8}, {"b", 2, 2.0, 0.9}, {"c", 3, 2.5, 0.85}, {"d", 4, 3.0, 0.95}, {"e", 5, nullptr, 0.99}};
  PlotRequest req;
  req.x = "energy_per_inference_j";
  req.y = "accuracy";
  const ParetoResult r = pareto_plot(t, req);
  EXPECT_EQ(r.rows, (std::vector<size_t>{0, 1, 2, 3}));  // e has no energy: left out
  EXPECT_EQ(r.front, (std::vector<bool>{true, true, false, true}));
  ASSERT_EQ(r.plot.series.size(), 2u);
  EXPECT_EQ(r.plot.series[1].x, (std::vector<double>{1.0, 2.0, 3.0}));
  EXPECT_EQ(r.plot.series[1].y, (std::vector<double>{80, 90, 95}));  // accuracy in %
}

}  // namespace
}  // namespace xbg::sweep
