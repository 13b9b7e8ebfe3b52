#include "core/sweep/series_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "core/common/error.h"
#include "core/common/output_file.h"
#include "core/common/plot.h"

namespace xbg::sweep {

namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string series_plot_script(const SeriesPlot& plot) {
  std::ostringstream g;
  g.precision(17);
  g << "set terminal pngcairo size 900,560 noenhanced font 'sans,10'\n"
    << "set output " << quote(plot.png_path) << "\n"
    << "set key outside right top\nset grid\n"
    // %g keeps 2e-09 J readable where gnuplot's default prints 0.000000002.
    << "set format x '%g'\nset format y '%g'\n"
    << "set title " << quote(plot.title) << "\n"
    << "set xlabel " << quote(plot.xlabel) << "\nset ylabel " << quote(plot.ylabel) << "\n";
  if (plot.logx) g << "set logscale x\n";
  if (plot.logy) g << "set logscale y\n";
  if (!plot.x_tick_labels.empty()) {
    g << "set xtics (";
    for (size_t i = 0; i < plot.x_tick_labels.size(); ++i) g << (i ? ", " : "") << quote(plot.x_tick_labels[i]) << " " << i;
    g << ")\nset xrange [-0.5:" << static_cast<double>(plot.x_tick_labels.size()) - 0.5 << "]\n";
  } else {
    // An explicit x range with a margin: gnuplot's autoscale either pads to the
    // next (log) tic or puts the end points on the border.
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& ser : plot.series)
      for (double x : ser.x)
        if (std::isfinite(x) && (!plot.logx || x > 0)) lo = std::min(lo, x), hi = std::max(hi, x);
    if (lo <= hi) {
      if (plot.logx) {
        const double f = lo == hi ? 2.0 : std::pow(hi / lo, 0.05);
        g << "set xrange [" << lo / f << ":" << hi * f << "]\n";
      } else {
        const double pad = lo == hi ? (lo == 0 ? 1.0 : std::fabs(lo) * 0.1) : (hi - lo) * 0.05;
        g << "set xrange [" << lo - pad << ":" << hi + pad << "]\n";
      }
    }
  }
  for (size_t s = 0; s < plot.series.size(); ++s) {
    g << "$s" << s << " << EOD\n";
    const auto& ser = plot.series[s];
    for (size_t i = 0; i < ser.x.size() && i < ser.y.size(); ++i) g << ser.x[i] << " " << ser.y[i] << "\n";
    g << "EOD\n";
  }
  g << "plot ";
  bool first = true;
  for (size_t s = 0; s < plot.series.size(); ++s) {
    if (plot.series[s].x.empty()) continue;  // gnuplot refuses an empty datablock
    g << (first ? "" : ", ") << "$s" << s << " using 1:2 with " << plot.series[s].style;
    if (!plot.series[s].extra.empty()) g << " " << plot.series[s].extra;
    g << " title " << quote(plot.series[s].title);
    first = false;
  }
  if (first) g << "NaN notitle";
  g << "\n";
  return g.str();
}

void plot_series(const SeriesPlot& plot) {
  if (!gnuplot_available()) throw UserError(plot.png_path + ": gnuplot not found (install gnuplot-nox: scripts/setup.sh)");
  OutputFile png(plot.png_path);
  SeriesPlot to_temp = plot;  // gnuplot writes the temporary file; commit() moves it
  to_temp.png_path = png.temp_path();
  const std::string script = series_plot_script(to_temp);
  FILE* p = popen("gnuplot 2>&1", "w");
  if (!p) throw UserError(plot.png_path + ": cannot start gnuplot");
  std::fwrite(script.data(), 1, script.size(), p);
  const int rc = pclose(p);
  if (rc != 0) throw UserError(plot.png_path + ": gnuplot failed (exit " + std::to_string(rc) + ")");
  if (!png_complete(png.temp_path())) throw UserError(plot.png_path + ": write failed: gnuplot left an incomplete PNG");
  png.commit();
}

}  // namespace xbg::sweep
