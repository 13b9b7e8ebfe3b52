#pragma once
// Pareto front of design points over k objectives, each minimised or maximised.
#include <string>
#include <vector>

namespace xbg::sweep {

enum class Goal { kMin, kMax };

// front[i] is true iff no other row dominates row i (no worse in every
// objective and strictly better in one). Rows with a NaN objective (a metric
// the run did not report) are neither on the front nor dominate anything.
// Identical rows do not dominate each other: both are on the front.
std::vector<bool> pareto_front(const std::vector<std::vector<double>>& rows, const std::vector<Goal>& goals);

// "accuracy:max" -> ("accuracy", kMax); without a suffix the goal is guessed
// from the name: accuracy, agreement, yield and rates (per_s, throughput) are
// maximised, everything else (energy, power, latency, area, cycles) minimised.
Goal default_goal(const std::string& metric);
std::pair<std::string, Goal> parse_objective(const std::string& text);

}  // namespace xbg::sweep
