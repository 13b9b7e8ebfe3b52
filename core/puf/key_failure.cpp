#include "core/puf/key_failure.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/special_functions/beta.hpp>

#include "core/puf/bch.h"

namespace xbg {

double binomial_tail_above(int n, int t, double q) {
  if (t >= n) return 0.0;
  if (t < 0) return 1.0;
  if (q <= 0.0) return 0.0;
  if (q >= 1.0) return 1.0;
  // P(X >= t + 1) = I_q(t + 1, n - t): the regularized incomplete beta keeps
  // full relative precision far into the tail (1e-30 and below).
  return boost::math::ibeta(t + 1, n - t, q);
}

double repetition_failure(int r, double p) {
  if (r % 2 == 0) throw std::invalid_argument("repetition_failure: r must be odd");
  return binomial_tail_above(r, r / 2, p);
}

double key_failure_probability(const EccConfig& ecc, double p) {
  const BchCode bch(ecc.bch_m, ecc.bch_t);
  const double q = repetition_failure(ecc.repetition, p);
  const double block = binomial_tail_above(bch.n(), bch.t(), q);
  // 1 - (1 - block)^blocks without cancellation for tiny `block`.
  return -std::expm1(ecc.bch_blocks * std::log1p(-std::min(block, 1.0 - 1e-300)));
}

double max_bit_error_rate(const EccConfig& ecc, double target) {
  double lo = 0.0, hi = 0.5;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    (key_failure_probability(ecc, mid) <= target ? lo : hi) = mid;
  }
  return lo;
}

Interval clopper_pearson(int64_t k, int64_t n, double confidence) {
  if (n <= 0) return {0.0, 1.0};
  const double alpha = 1.0 - confidence;
  using B = boost::math::binomial_distribution<double>;
  Interval iv;
  iv.lo = k == 0 ? 0.0 : B::find_lower_bound_on_p(static_cast<double>(n), static_cast<double>(k), alpha / 2);
  iv.hi = k == n ? 1.0 : B::find_upper_bound_on_p(static_cast<double>(n), static_cast<double>(k), alpha / 2);
  return iv;
}

double ideal_min_entropy_estimate(int chips) {
  const boost::math::binomial_distribution<double> b(chips, 0.5);
  double e = 0.0;
  for (int k = 0; k <= chips; ++k) {
    const double f = std::max(k, chips - k) / static_cast<double>(chips);
    e += boost::math::pdf(b, k) * -std::log2(f);
  }
  return e;
}

}  // namespace xbg
