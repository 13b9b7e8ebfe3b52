// Plot axes read as quantities, not field names: a name, a unit with the
// prefix that suits the values, accuracy in %, and powers of ten on long log axes.
#include <gtest/gtest.h>

#include "core/sweep/plots.h"
#include "core/sweep/quantity.h"

namespace xbg::sweep {
namespace {

TEST(PlotLabels, KnownMetricsGetANameAndAPrefixedUnit) {
  const Quantity e = describe_column("energy_per_inference_j", {2.58e-9, 2.59e-9});
  EXPECT_EQ(e.label(), "energy per inference [nJ]");
  EXPECT_DOUBLE_EQ(2.58e-9 * e.scale, 2.58);

  const Quantity p = describe_column("average_power_w", {0.0196, 0.017});
  EXPECT_EQ(p.label(), "average power [mW]");

  EXPECT_EQ(describe_column("latency_ns_per_inference", {132, 152}).label(), "latency per inference [ns]");
  EXPECT_EQ(describe_column("latency_ns_per_inference", {132, 152}).scale, 1.0);  // stays exact
  EXPECT_EQ(describe_column("latency_ns_per_inference", {1500, 9000}).label(), "latency per inference [µs]");
  EXPECT_EQ(describe_column("area_mm2", {0.05}).label(), "chip area [mm²]");
  EXPECT_EQ(describe_column("comparator.offset_sigma_ua", {0.5, 20}).label(), "comparator offset σ [µA]");
  // The prefix suits the middle of a log axis, not only its largest value.
  EXPECT_EQ(describe_column("comparator.offset_sigma_ua", {5, 1280}).label(), "comparator offset σ [µA]");
}

TEST(PlotLabels, FractionsAreDrawnInPercent) {
  for (const char* c : {"accuracy", "golden_agreement", "accuracy_worst"}) {
    const Quantity q = describe_column(c, {0.875, 0.9});
    EXPECT_EQ(q.unit, "%") << c;
    EXPECT_EQ(q.scale, 100.0) << c;
  }
  EXPECT_EQ(describe_column("device.stuck_lrs_rate", {0.001, 0.2}).label(), "cells stuck at LRS [%]");
  // Already a percentage: not scaled again.
  EXPECT_EQ(describe_column("protection_overhead_pct", {3.5}).scale, 1.0);
}

TEST(PlotLabels, TimeIsNeverPrefixedAboveSeconds) {
  const Quantity t = describe_column("device.drift_time_s", {1, 1e8});
  EXPECT_EQ(t.label(), "time since programming [s]");
  EXPECT_EQ(t.scale, 1.0);
}

TEST(PlotLabels, UnknownColumnsReadTheirUnitFromTheName) {
  EXPECT_EQ(describe_column("crossbar.read_time_ns", {10}).label(), "read time [ns]");
  EXPECT_EQ(describe_column("energy_breakdown_j.crossbar", {1e-9}).label(), "crossbar (energy breakdown) [nJ]");
  EXPECT_EQ(describe_column("area_breakdown_mm2.adc", {0.01}).label(), "adc (area breakdown) [mm²]");
  EXPECT_EQ(describe_column("pre_unit_energy_j", {3e-12}).label(), "pre unit energy [pJ]");
  EXPECT_EQ(describe_column("tile_count", {4}).label(), "tile count");
}

TEST(PlotLabels, MetricPlotScalesValuesAndNamesTheGroups) {
  Table t;
  t.columns = {"id", "clock.period_ns", "comparator.reference", "accuracy", "energy_per_inference_j"};
  t.rows = {{"a", 1, "replica", 0.9, 2e-9}, {"b", 2, "replica", 0.8, 3e-9},
            {"c", 1, "nominal_median", 0.7, 2e-9}, {"d", 2, "nominal_median", 0.6, 3e-9}};
  PlotRequest req;
  req.x = "period_ns";
  req.y = "accuracy";
  req.group = {"reference"};
  const SeriesPlot p = metric_plot(t, req);
  EXPECT_EQ(p.xlabel, "clock period [ns]");
  EXPECT_EQ(p.ylabel, "test accuracy [%]");
  EXPECT_EQ(p.title, "test accuracy vs clock period");
  EXPECT_EQ(p.key_title, "comparator reference");
  ASSERT_EQ(p.series.size(), 2u);
  EXPECT_EQ(p.series[0].title, "replica");
  EXPECT_EQ(p.series[0].y, (std::vector<double>{90, 80}));

  req.group = {"period_ns"};
  req.x = "reference";
  req.y = "energy_per_inference_j";
  const SeriesPlot q = metric_plot(t, req);
  EXPECT_EQ(q.xlabel, "comparator reference");  // categorical: no unit
  EXPECT_EQ(q.series[0].title, "1 ns");
  EXPECT_DOUBLE_EQ(q.series[1].y[0], 3.0);
}

TEST(PlotLabels, LongLogAxesGetPowersOfTen) {
  SeriesPlot p;
  p.png_path = "x.png";
  p.logx = true;
  Series s;
  s.title = "s";
  s.x = {1, 10, 1e8};
  s.y = {1, 2, 3};
  p.series.push_back(s);
  EXPECT_NE(series_plot_script(p).find("set format x '10^{%L}'"), std::string::npos);
  p.series[0].x = {0.1, 1, 20};  // two decades: plain numbers read better
  EXPECT_NE(series_plot_script(p).find("set format x '%g'"), std::string::npos);
  p.series[0].x = {128, 256, 2048};  // a few powers of two: ticks at the swept values
  EXPECT_NE(series_plot_script(p).find("set xtics (128, 256, 2048)"), std::string::npos);
  // Names stay literal under the enhanced terminal.
  EXPECT_NE(series_plot_script(p).find("title 's' noenhanced"), std::string::npos);
}

}  // namespace
}  // namespace xbg::sweep
