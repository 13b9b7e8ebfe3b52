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

const std::string kPowers = "'10^{%L}'";

// A log axis over more than four decades reads best as powers of ten (10^8,
// not 1e+08); shorter ones keep plain numbers (0.1, 1, 10).
std::string tick_format(bool log, const std::vector<double>& values) {
  if (!log) return "'%g'";
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (double v : values)
    if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
  return hi > 0 && hi / lo > 1e4 ? kPowers : "'%g'";
}

}  // namespace

std::string series_plot_script(const SeriesPlot& plot) {
  std::vector<double> xs, ys;
  for (const auto& ser : plot.series) {
    xs.insert(xs.end(), ser.x.begin(), ser.x.end());
    ys.insert(ys.end(), ser.y.begin(), ser.y.end());
  }
  const std::string fx = tick_format(plot.logx, xs), fy = tick_format(plot.logy, ys);
  std::ostringstream g;
  g.precision(17);
  // Enhanced text only for the 10^{n} tick labels: every name and title is
  // noenhanced, so an underscore in a value stays an underscore.
  g << "set terminal pngcairo size 900,560 enhanced font 'sans,10'\n"
    << "set output " << quote(plot.png_path) << "\n"
    << "set key below noenhanced" << (plot.key_title.empty() ? "" : " title " + quote(plot.key_title)) << "\nset grid\n"
    << "set format x " << fx << "\nset format y " << fy << "\n"
    << "set xtics " << (fx == kPowers ? "enhanced" : "noenhanced") << "\nset ytics "
    << (fy == kPowers ? "enhanced" : "noenhanced") << "\n"
    << "set title " << quote(plot.title) << " noenhanced\n"
    << "set xlabel " << quote(plot.xlabel) << " noenhanced\nset ylabel " << quote(plot.ylabel) << " noenhanced\n";
  if (plot.logx) g << "set logscale x\n";
  if (plot.logy) g << "set logscale y\n";
  if (plot.logx && fx != kPowers && plot.x_tick_labels.empty()) {
    // Few decades: gnuplot would label only the powers of ten (one tick for
    // 128..2048), so label the swept values themselves.
    std::vector<double> ticks;
    for (double x : xs)
      if (std::isfinite(x) && x > 0) ticks.push_back(x);
    std::sort(ticks.begin(), ticks.end());
    ticks.erase(std::unique(ticks.begin(), ticks.end()), ticks.end());
    if (ticks.size() >= 2 && ticks.size() <= 12) {
      g << "set xtics (";
      for (size_t i = 0; i < ticks.size(); ++i) g << (i ? ", " : "") << ticks[i];
      g << ")\n";
    }
  }
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
    g << " title " << quote(plot.series[s].title) << " noenhanced";
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
