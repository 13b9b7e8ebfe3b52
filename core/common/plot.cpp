#include "core/common/plot.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/common/error.h"
#include "core/common/output_file.h"

namespace xbg {

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

static std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("''") : std::string(1, c);
  return out + "'";
}

void plot_csv(const PlotSpec& spec) {
  if (!gnuplot_available()) throw UserError(spec.png_path + ": gnuplot not found (install gnuplot-nox: scripts/setup.sh)");
  std::ifstream header_in(spec.csv_path);
  if (!header_in) throw UserError(spec.csv_path + ": cannot open CSV for plotting");
  std::string header;
  std::getline(header_in, header);
  std::vector<std::string> names;
  std::stringstream hs(header);
  for (std::string f; std::getline(hs, f, ',');) names.push_back(f);

  OutputFile png(spec.png_path);
  std::ostringstream g;
  // Enhanced text only for the powers of ten on log axes (10^6, not 1e+06);
  // titles, labels and series names stay literal (noenhanced).
  g << "set terminal pngcairo size 900,560 enhanced font 'sans,10'\n"
    << "set output " << quote(png.temp_path()) << "\n"
    << "set datafile separator ','\n"
    << "set key outside right top noenhanced\nset grid\n"
    << "set title " << quote(spec.title) << " noenhanced\n"
    << "set xlabel " << quote(spec.xlabel) << " noenhanced\nset ylabel " << quote(spec.ylabel) << " noenhanced\n";
  g << (spec.logx ? "set logscale x\nset format x '10^{%L}'\n" : "set xtics noenhanced\n");
  g << (spec.logy ? "set logscale y\nset format y '10^{%L}'\n" : "set ytics noenhanced\n");
  if (spec.style == "histogram") g << "set style data histograms\nset style fill solid 0.8 border -1\nset xtics rotate by -30\n";
  g << spec.extra << "\n";
  g << "plot ";
  for (size_t i = 0; i < spec.y_columns.size(); ++i) {
    const int y = spec.y_columns[i];
    const std::string title = y - 1 < static_cast<int>(names.size()) ? names[y - 1] : "col" + std::to_string(y);
    if (i) g << ", ";
    g << quote(spec.csv_path);
    if (spec.style == "histogram") g << " every ::1 using " << y << ":xtic(" << spec.x_column << ")";
    else g << " every ::1 using " << spec.x_column << ":" << y << " with " << spec.style;
    g << " title " << quote(title) << " noenhanced";
  }
  g << "\n";
  FILE* p = popen("gnuplot 2>&1", "w");
  if (!p) throw UserError(spec.png_path + ": cannot start gnuplot");
  const std::string script = g.str();
  std::fwrite(script.data(), 1, script.size(), p);
  const int rc = pclose(p);
  if (rc != 0) throw UserError(spec.png_path + ": gnuplot failed (exit " + std::to_string(rc) + ")");
  if (!png_complete(png.temp_path())) throw UserError(spec.png_path + ": write failed: gnuplot left an incomplete PNG");
  png.commit();
}

std::string csv_escape(const std::string& field) {
  if (field.find_first_of(",\"\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace xbg
