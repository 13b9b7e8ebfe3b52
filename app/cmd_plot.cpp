// xbarguard plot: PNGs from sweep results (docs/dse.md): a metric against an
// axis grouped by other axes, or the Pareto front of two metrics.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "app/cli.h"
#include "core/common/config.h"
#include "core/common/error.h"
#include "core/sweep/plots.h"
#include "core/sweep/table.h"

namespace {

namespace fs = std::filesystem;
namespace sw = xbg::sweep;

std::vector<std::string> split_commas(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    size_t start = 0;
    while (start <= s.size()) {
      const size_t comma = s.find(',', start);
      const std::string part = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

std::string file_safe(std::string s) {
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return s;
}

int run(int argc, char** argv) {
  namespace po = xbg::cli::po;
  std::string results, x, y, out, title, front_csv;
  std::vector<std::string> group, where;
  bool pareto = false, logx = false, logy = false;
  po::options_description opts("plot options");
  opts.add_options()
      ("results,r", po::value(&results), "results.csv of a sweep, or its directory")
      ("x", po::value(&x), "x column: an axis (e.g. comparator.columns_per_comparator, or just columns_per_comparator); with --pareto a metric[:min|:max]")
      ("y", po::value(&y), "y column: a metric (e.g. latency_ns_per_inference); with --pareto a metric[:min|:max]")
      ("group,g", po::value(&group)->composing(), "one series per value of this axis (repeatable or comma-separated)")
      ("where", po::value(&where)->composing(), "keep only rows with column=value (repeatable)")
      ("pareto", po::bool_switch(&pareto), "plot every point of x vs y and mark the non-dominated ones")
      ("front-csv", po::value(&front_csv), "with --pareto: also write the front's rows to this CSV")
      ("out,o", po::value(&out), "PNG to write (default: next to the results)")
      ("title", po::value(&title), "plot title")
      ("logx", po::bool_switch(&logx), "logarithmic x axis")
      ("logy", po::bool_switch(&logy), "logarithmic y axis");
  po::variables_map vm;
  if (!xbg::cli::parse(argc, argv,
                       "plot --results DIR|results.csv --x AXIS --y METRIC [--group AXIS] [--where col=value] [--out FILE.png]\n"
                       "       xbarguard plot --results DIR|results.csv --pareto --x METRIC[:min|max] --y METRIC[:min|max] [--out FILE.png]",
                       opts, vm))
    return 0;
  if (results.empty()) throw xbg::UserError("plot: --results: required (a sweep's results.csv or directory)");
  if (x.empty() || y.empty()) throw xbg::UserError("plot: --x and --y: both required");
  if (!front_csv.empty() && !pareto) throw xbg::UserError("plot: --front-csv: only with --pareto");
  std::string csv = results;
  if (fs::is_directory(csv)) csv = (fs::path(csv) / "results.csv").string();
  const sw::Table table = sw::read_csv(csv);

  sw::PlotRequest req;
  req.x = x;
  req.y = y;
  req.group = split_commas(group);
  req.where = where;
  req.title = title;
  req.logx = logx;
  req.logy = logy;
  // The sweep's own record says which columns are axes: better hints on ambiguous plots.
  const fs::path json_path = fs::path(csv).parent_path() / "results.json";
  if (fs::exists(json_path)) {
    try {
      const xbg::json j = xbg::load_json_file(json_path.string());
      if (j.contains("columns") && j["columns"].is_array()) req.axis_columns = j["columns"].get<std::vector<std::string>>();
    } catch (const std::exception&) {
    }
  }
  const fs::path dir = fs::path(csv).parent_path();
  req.png_path = !out.empty() ? out
                 : (dir / ((pareto ? "pareto_" + file_safe(y) + "_vs_" + file_safe(x) : file_safe(y) + "_vs_" + file_safe(x)) + ".png")).string();

  if (!pareto) {
    const sw::SeriesPlot plot = sw::metric_plot(table, req);
    sw::plot_series(plot);
    size_t points = 0;
    for (const auto& s : plot.series) points += s.x.size();
    std::printf("plot        %s: %zu series, %zu points\n", req.png_path.c_str(), plot.series.size(), points);
    return 0;
  }
  const sw::ParetoResult res = sw::pareto_plot(table, req);
  sw::plot_series(res.plot);
  sw::Table front;
  front.columns = table.columns;
  size_t n_front = 0;
  for (size_t i = 0; i < res.rows.size(); ++i)
    if (res.front[i]) ++n_front, front.rows.push_back(table.rows[res.rows[i]]);
  std::printf("plot        %s: %zu points, %zu on the Pareto front (%s %s, %s %s)\n", req.png_path.c_str(), res.rows.size(),
              n_front, table.columns[static_cast<size_t>(res.x_column)].c_str(), res.x_goal == sw::Goal::kMax ? "max" : "min",
              table.columns[static_cast<size_t>(res.y_column)].c_str(), res.y_goal == sw::Goal::kMax ? "max" : "min");
  // The front itself, with the varied fields that produce it.
  std::vector<size_t> cols;
  const int id_col = table.column("id");
  if (id_col >= 0) cols.push_back(static_cast<size_t>(id_col));
  for (const auto& a : req.axis_columns) {
    const int c = table.column(a);
    if (c >= 0) cols.push_back(static_cast<size_t>(c));
  }
  cols.push_back(static_cast<size_t>(res.x_column));
  cols.push_back(static_cast<size_t>(res.y_column));
  std::string header;
  for (size_t c : cols) header += (header.empty() ? "" : "  ") + table.columns[c];
  std::printf("front       %s\n", header.c_str());
  for (const auto& row : front.rows) {
    std::string line;
    for (size_t c : cols) line += (line.empty() ? "" : "  ") + sw::format_cell(row[c]);
    std::printf("            %s\n", line.c_str());
  }
  if (!front_csv.empty()) {
    sw::write_csv(front, front_csv);
    std::printf("front csv   %s\n", front_csv.c_str());
  }
  return 0;
}

xbg::cli::Registrar reg("plot", "PNG from sweep results: metric vs axis grouped by another axis, or a Pareto front", &run);

}  // namespace
