#include "core/attack/tvla.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace xbg::attack {

WelchAccumulator::WelchAccumulator(int samples) : samples_(samples) {
  if (samples < 1) throw std::invalid_argument("WelchAccumulator: need at least one sample per trace");
  for (Moments* m : {&a_, &b_}) {
    m->mean.assign(samples, 0.0);
    m->m2.assign(samples, 0.0);
  }
}

void WelchAccumulator::add_to(Moments& m, const double* trace) {
  ++m.n;
  const double inv_n = 1.0 / static_cast<double>(m.n);
  for (int s = 0; s < samples_; ++s) {
    const double delta = trace[s] - m.mean[s];
    m.mean[s] += delta * inv_n;
    m.m2[s] += delta * (trace[s] - m.mean[s]);
  }
}

void WelchAccumulator::add(int group, const double* trace, int length) {
  if (length != samples_)
    throw std::invalid_argument("WelchAccumulator: trace of " + std::to_string(length) + " samples, expected " +
                                std::to_string(samples_));
  if (group != 0 && group != 1) throw std::invalid_argument("WelchAccumulator: group must be 0 or 1");
  add_to(group == 0 ? a_ : b_, trace);
}

void WelchAccumulator::add(int group, const std::vector<double>& trace) {
  add(group, trace.data(), static_cast<int>(trace.size()));
}

WelchResult WelchAccumulator::result(double threshold) const {
  if (a_.n < 2 || b_.n < 2) throw std::logic_error("WelchAccumulator: need at least two traces in each group");
  WelchResult r;
  r.threshold = threshold;
  r.count_a = a_.n;
  r.count_b = b_.n;
  r.mean_a = a_.mean;
  r.mean_b = b_.mean;
  r.t.resize(samples_);
  const double na = static_cast<double>(a_.n), nb = static_cast<double>(b_.n);
  for (int s = 0; s < samples_; ++s) {
    const double diff = a_.mean[s] - b_.mean[s];
    const double se2 = a_.m2[s] / (na - 1) / na + b_.m2[s] / (nb - 1) / nb;
    double t;
    // A noise-free simulator gives constant groups: a difference without any
    // spread is a certain distinction, not an undefined statistic. Equal
    // means within rounding of the running mean count as no difference.
    const double scale = std::max({std::fabs(a_.mean[s]), std::fabs(b_.mean[s]), 1e-300});
    if (se2 <= 0 || !std::isfinite(se2)) {
      t = std::fabs(diff) <= 1e-12 * scale ? 0.0 : std::copysign(std::numeric_limits<double>::infinity(), diff);
    } else {
      t = diff / std::sqrt(se2);
    }
    r.t[s] = t;
    const double at = std::fabs(t);
    if (at > threshold) ++r.leaking_samples;
    if (r.max_index < 0 || at > r.max_abs_t) {
      r.max_abs_t = at;
      r.max_index = s;
    }
  }
  return r;
}

WelchResult welch_t_test(const std::vector<std::vector<double>>& group_a,
                         const std::vector<std::vector<double>>& group_b, double threshold) {
  if (group_a.empty() || group_b.empty()) throw std::invalid_argument("welch_t_test: empty group");
  WelchAccumulator acc(static_cast<int>(group_a.front().size()));
  for (const auto& tr : group_a) acc.add(0, tr);
  for (const auto& tr : group_b) acc.add(1, tr);
  return acc.result(threshold);
}

}  // namespace xbg::attack
