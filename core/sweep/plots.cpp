#include "core/sweep/plots.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "core/common/error.h"
#include "core/sweep/quantity.h"

namespace xbg::sweep {

namespace {

bool cell_equals(const json& cell, const std::string& text) {
  if (cell.is_number()) {
    char* end = nullptr;
    const double d = std::strtod(text.c_str(), &end);
    if (!text.empty() && end && *end == '\0') return cell.get<double>() == d;
  }
  return format_cell(cell) == text;
}

double number_of(const json& cell) {
  if (cell.is_number()) return cell.get<double>();
  if (cell.is_boolean()) return cell.get<bool>() ? 1.0 : 0.0;
  return std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> column_values(const Table& t, int column, const std::vector<size_t>& rows) {
  std::vector<double> v;
  for (size_t r : rows) v.push_back(number_of(t.rows[r][static_cast<size_t>(column)]));
  return v;
}

// The series of one combination of group values: the legend shows the values
// ("2 ns, replica") under a key title naming the columns ("clock period, comparator reference").
struct Groups {
  std::vector<int> columns;
  std::vector<Quantity> quantities;  // per column, for numeric values
  Groups(const Table& t, const std::vector<std::string>& group, const std::vector<size_t>& rows) {
    for (const auto& g : group) {
      columns.push_back(t.find_column(g, "--group"));
      quantities.push_back(describe_column(t.columns[static_cast<size_t>(columns.back())], column_values(t, columns.back(), rows)));
    }
  }
  std::string label(const Table& t, size_t row) const {
    std::string s;
    for (size_t i = 0; i < columns.size(); ++i) {
      const json& cell = t.rows[row][static_cast<size_t>(columns[i])];
      std::string text = format_cell(cell);
      if (cell.is_number()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%g", cell.get<double>() * quantities[i].scale);
        text = buf + (quantities[i].unit.empty() ? "" : " " + quantities[i].unit);
      }
      s += (s.empty() ? "" : ", ") + text;
    }
    return s;
  }
  std::string key_title() const {
    std::string s;
    for (const auto& q : quantities) s += (s.empty() ? "" : ", ") + q.name;
    return s;
  }
};

// x positions: numbers as they are; anything else categorical, in first-seen order.
struct XAxis {
  bool categorical = false;
  std::vector<std::string> labels;
  double position(const json& cell) {
    if (!categorical) return number_of(cell);
    const std::string s = format_cell(cell);
    auto it = std::find(labels.begin(), labels.end(), s);
    if (it != labels.end()) return static_cast<double>(it - labels.begin());
    labels.push_back(s);
    return static_cast<double>(labels.size() - 1);
  }
};

}  // namespace

std::vector<size_t> filter_rows(const Table& t, const std::vector<std::string>& where) {
  std::vector<std::pair<int, std::string>> filters;
  for (const auto& w : where) {
    const auto eq = w.find('=');
    if (eq == std::string::npos || eq == 0) throw UserError("--where " + w + ": expected column=value");
    filters.emplace_back(t.find_column(w.substr(0, eq), "--where " + w), w.substr(eq + 1));
  }
  std::vector<size_t> rows;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    bool keep = true;
    for (const auto& [c, v] : filters) keep = keep && cell_equals(t.rows[r][static_cast<size_t>(c)], v);
    if (keep) rows.push_back(r);
  }
  if (!filters.empty() && rows.empty()) throw UserError("--where: no row matches every filter");
  return rows;
}

SeriesPlot metric_plot(const Table& t, const PlotRequest& req) {
  const int xc = t.find_column(req.x, "--x"), yc = t.find_column(req.y, "--y");
  const std::vector<size_t> rows = filter_rows(t, req.where);
  const Groups groups(t, req.group, rows);
  XAxis xaxis;
  for (size_t r : rows) xaxis.categorical |= !t.rows[r][static_cast<size_t>(xc)].is_number();

  std::vector<std::string> order;
  std::map<std::string, std::vector<size_t>> by_group;
  for (size_t r : rows) {
    const json& y = t.rows[r][static_cast<size_t>(yc)];
    if (y.is_null()) continue;  // not reported by this run
    if (!y.is_number()) throw UserError("--y " + req.y + ": column '" + t.columns[static_cast<size_t>(yc)] + "' is not numeric");
    const std::string g = groups.label(t, r);
    if (!by_group.count(g)) order.push_back(g);
    by_group[g].push_back(r);
  }
  if (order.empty()) throw UserError("--y " + req.y + ": no row has a value for '" + t.columns[static_cast<size_t>(yc)] + "'");

  std::vector<size_t> plotted;
  for (const auto& g : order) plotted.insert(plotted.end(), by_group[g].begin(), by_group[g].end());
  const Quantity xq = describe_column(t.columns[static_cast<size_t>(xc)], column_values(t, xc, plotted));
  const Quantity yq = describe_column(t.columns[static_cast<size_t>(yc)], column_values(t, yc, plotted));
  const double xscale = xaxis.categorical ? 1.0 : xq.scale;
  SeriesPlot plot;
  plot.png_path = req.png_path;
  plot.xlabel = xaxis.categorical ? xq.name : xq.label();
  plot.ylabel = yq.label();
  plot.title = req.title.empty() ? yq.name + " vs " + xq.name : req.title;
  plot.key_title = groups.key_title();
  plot.logx = req.logx;
  plot.logy = req.logy;
  for (const auto& g : order) {
    std::vector<std::pair<double, size_t>> pts;
    for (size_t r : by_group[g]) pts.emplace_back(xaxis.position(t.rows[r][static_cast<size_t>(xc)]), r);
    std::stable_sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 1; i < pts.size(); ++i) {
      if (pts[i].first != pts[i - 1].first) continue;
      // Name what differs between the two rows, so the user knows what to group or fix.
      std::string differ;
      for (size_t c = 0; c < t.columns.size(); ++c) {
        if (static_cast<int>(c) == xc || static_cast<int>(c) == yc || t.columns[c] == "id") continue;
        if (!req.axis_columns.empty() &&
            std::find(req.axis_columns.begin(), req.axis_columns.end(), t.columns[c]) == req.axis_columns.end())
          continue;
        if (t.rows[pts[i].second][c] != t.rows[pts[i - 1].second][c]) differ += (differ.empty() ? "" : ", ") + t.columns[c];
      }
      throw UserError("--x " + req.x + ": several rows at " + t.columns[static_cast<size_t>(xc)] + "=" + format_cell(t.rows[pts[i].second][static_cast<size_t>(xc)]) +
                      (g.empty() ? "" : " in series " + g) + "; they differ in: " + (differ.empty() ? "(nothing)" : differ) +
                      " (add to --group or fix with --where column=value)");
    }
    Series s;
    s.title = g.empty() ? yq.name : g;
    for (const auto& [x, r] : pts) {
      s.x.push_back(x * xscale);
      s.y.push_back(number_of(t.rows[r][static_cast<size_t>(yc)]) * yq.scale);
    }
    plot.series.push_back(std::move(s));
  }
  plot.x_tick_labels = xaxis.labels;
  return plot;
}

ParetoResult pareto_plot(const Table& t, const PlotRequest& req) {
  const auto [xname, xgoal] = parse_objective(req.x);
  const auto [yname, ygoal] = parse_objective(req.y);
  ParetoResult res;
  res.x_goal = xgoal;
  res.y_goal = ygoal;
  res.x_column = t.find_column(xname, "--x");
  res.y_column = t.find_column(yname, "--y");
  const std::vector<size_t> candidates = filter_rows(t, req.where);
  std::vector<std::vector<double>> objectives;
  for (size_t r : candidates) {
    const json& x = t.rows[r][static_cast<size_t>(res.x_column)];
    const json& y = t.rows[r][static_cast<size_t>(res.y_column)];
    if (x.is_null() || y.is_null()) continue;
    if (!x.is_number() || !y.is_number())
      throw UserError("--pareto: '" + (x.is_number() ? yname : xname) + "' is not numeric; a Pareto front needs two metrics");
    res.rows.push_back(r);
    objectives.push_back({number_of(x), number_of(y)});
  }
  if (res.rows.empty()) throw UserError("--pareto: no row has values for both " + xname + " and " + yname);
  res.front = pareto_front(objectives, {xgoal, ygoal});

  const Groups groups(t, req.group, res.rows);
  const Quantity xq = describe_column(t.columns[static_cast<size_t>(res.x_column)], column_values(t, res.x_column, res.rows));
  const Quantity yq = describe_column(t.columns[static_cast<size_t>(res.y_column)], column_values(t, res.y_column, res.rows));
  SeriesPlot& plot = res.plot;
  plot.png_path = req.png_path;
  auto goal_text = [](Goal g) { return g == Goal::kMax ? " (higher is better)" : " (lower is better)"; };
  plot.xlabel = xq.label() + goal_text(xgoal);
  plot.ylabel = yq.label() + goal_text(ygoal);
  plot.title = req.title.empty() ? "Pareto front: " + yq.name + " vs " + xq.name : req.title;
  plot.key_title = groups.key_title();
  plot.logx = req.logx;
  plot.logy = req.logy;
  std::vector<std::string> order;
  std::map<std::string, Series> series;
  Series front;
  front.title = "Pareto front (non-dominated)";
  front.style = "linespoints";
  front.extra = "pt 6 ps 2.2 lw 2 lc rgb '#d62728'";
  std::vector<std::pair<double, double>> front_pts;
  for (size_t i = 0; i < res.rows.size(); ++i) {
    const std::string g = groups.label(t, res.rows[i]);
    if (!series.count(g)) {
      order.push_back(g);
      series[g].title = g.empty() ? "design points" : g;
      series[g].style = "points";
      series[g].extra = "pt 7 ps 1.1";
    }
    series[g].x.push_back(objectives[i][0] * xq.scale);
    series[g].y.push_back(objectives[i][1] * yq.scale);
    if (res.front[i]) front_pts.emplace_back(objectives[i][0] * xq.scale, objectives[i][1] * yq.scale);
  }
  std::sort(front_pts.begin(), front_pts.end());
  for (const auto& [x, y] : front_pts) front.x.push_back(x), front.y.push_back(y);
  for (const auto& g : order) plot.series.push_back(series[g]);
  plot.series.push_back(front);
  return res;
}

}  // namespace xbg::sweep
