#include "core/sweep/pareto.h"

#include <cmath>

#include "core/common/error.h"

namespace xbg::sweep {

std::vector<bool> pareto_front(const std::vector<std::vector<double>>& rows, const std::vector<Goal>& goals) {
  const size_t n = rows.size(), k = goals.size();
  std::vector<bool> usable(n, true);
  for (size_t i = 0; i < n; ++i) {
    if (rows[i].size() != k) throw std::invalid_argument("pareto_front: row with the wrong number of objectives");
    for (double v : rows[i]) usable[i] = usable[i] && !std::isnan(v);
  }
  // "Better" as a plain comparison after flipping maximised objectives.
  auto value = [&](size_t i, size_t o) { return goals[o] == Goal::kMax ? -rows[i][o] : rows[i][o]; };
  auto dominates = [&](size_t a, size_t b) {
    bool strictly = false;
    for (size_t o = 0; o < k; ++o) {
      if (value(a, o) > value(b, o)) return false;
      if (value(a, o) < value(b, o)) strictly = true;
    }
    return strictly;
  };
  std::vector<bool> front(n, false);
  for (size_t i = 0; i < n; ++i) {
    if (!usable[i]) continue;
    bool dominated = false;
    for (size_t j = 0; j < n && !dominated; ++j) dominated = j != i && usable[j] && dominates(j, i);
    front[i] = !dominated;
  }
  return front;
}

Goal default_goal(const std::string& metric) {
  for (const char* up : {"accuracy", "agreement", "yield", "per_s", "throughput", "images_s"})
    if (metric.find(up) != std::string::npos) return Goal::kMax;
  return Goal::kMin;
}

std::pair<std::string, Goal> parse_objective(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return {text, default_goal(text)};
  const std::string name = text.substr(0, colon), goal = text.substr(colon + 1);
  if (name.empty()) throw UserError("'" + text + "': empty metric name");
  if (goal == "min") return {name, Goal::kMin};
  if (goal == "max") return {name, Goal::kMax};
  throw UserError("'" + text + "': goal must be :min or :max");
}

}  // namespace xbg::sweep
