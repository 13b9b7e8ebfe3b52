#pragma once
// Multi-series PNG plots through gnuplot, for sweeps: each series has its own
// x values (core/common/plot.h plots columns of one CSV against one x).
// Categorical x (strings such as scheme ids) is drawn at positions 0..k-1
// with the names as tick labels.
#include <string>
#include <vector>

namespace xbg::sweep {

struct Series {
  std::string title;
  std::vector<double> x, y;
  std::string style = "linespoints";  // gnuplot "with" clause
  std::string extra;                  // e.g. "pt 7 ps 1.8 lc rgb 'red'"
};

struct SeriesPlot {
  std::string title, xlabel, ylabel, png_path;
  std::string key_title;  // names what the series titles are values of (may be empty)
  std::vector<Series> series;
  std::vector<std::string> x_tick_labels;  // non-empty: categorical x, label i at x = i
  bool logx = false, logy = false;
};

// The gnuplot script (data inline as datablocks); public so tests can check
// it without gnuplot.
std::string series_plot_script(const SeriesPlot& plot);
// Runs gnuplot; UserError naming the PNG if it is missing or fails.
void plot_series(const SeriesPlot& plot);

}  // namespace xbg::sweep
