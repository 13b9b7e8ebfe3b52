#pragma once
// From a results table to plots: a metric against an axis with one series
// per value of grouping axes, and the Pareto front of two metrics.
#include <string>
#include <vector>

#include "core/sweep/pareto.h"
#include "core/sweep/series_plot.h"
#include "core/sweep/table.h"

namespace xbg::sweep {

struct PlotRequest {
  std::string x, y;                 // column names (suffix match, Table::find_column)
  std::vector<std::string> group;   // one series per combination of these columns' values
  std::vector<std::string> where;   // "column=value" row filters
  std::vector<std::string> axis_columns;  // the sweep's varied fields, for hints (may be empty)
  std::string png_path, title;
  bool logx = false, logy = false;
};

// Rows passing every "column=value" filter (numbers compare numerically).
std::vector<size_t> filter_rows(const Table& t, const std::vector<std::string>& where);

// Metric y against x. Rows without a y value are left out (metric not
// reported); two rows of one series at the same x are an error naming the
// columns that tell them apart (add them to group or fix them with where).
SeriesPlot metric_plot(const Table& t, const PlotRequest& req);

struct ParetoResult {
  SeriesPlot plot;
  std::vector<size_t> rows;   // rows with both objectives (after filters)
  std::vector<bool> front;    // per entry of rows
  Goal x_goal = Goal::kMin, y_goal = Goal::kMin;
  int x_column = -1, y_column = -1;
};
// req.x and req.y are objectives: "metric[:min|:max]" (see parse_objective).
ParetoResult pareto_plot(const Table& t, const PlotRequest& req);

}  // namespace xbg::sweep
