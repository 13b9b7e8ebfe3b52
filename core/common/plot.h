#pragma once
#include <string>
#include <vector>

namespace xbg {

// Turns CSV data into a PNG with gnuplot (Debian gnuplot-nox, pngcairo or png
// terminal). One series per y column; `style` is a gnuplot style such as
// "linespoints", "boxes", "histogram". Throws UserError if gnuplot fails.
struct PlotSpec {
  std::string title, xlabel, ylabel;
  std::string csv_path, png_path;
  int x_column = 1;                       // 1-based CSV column
  std::vector<int> y_columns = {2};       // 1-based
  std::string style = "linespoints";
  bool logx = false, logy = false;
  std::string extra;                      // raw gnuplot lines appended before plot
};
void plot_csv(const PlotSpec& spec);
bool gnuplot_available();

// CSV helper: quotes fields containing commas or quotes.
std::string csv_escape(const std::string& field);

}  // namespace xbg
