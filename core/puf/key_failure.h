#pragma once
// Analytical key failure of the concatenated code, for independent bit errors
// of probability p. Over a chip population the per-read errors of distinct
// cells are independent and identically distributed (each cell's skew and
// noise are independent draws), so these are the population-average failure
// probabilities per boot, not just bounds; Monte Carlo checks them.
#include <cstdint>

#include "core/puf/puf_config.h"

namespace xbg {

// P(majority of r copies wrong), r odd.
double repetition_failure(int r, double p);
// P(more than t of n bits wrong), each wrong with probability q.
double binomial_tail_above(int n, int t, double q);
// P(key reconstruction fails) = 1 - (1 - P(block > t errors))^blocks.
double key_failure_probability(const EccConfig& ecc, double p);
// The largest raw bit-error rate with key failure <= target (bisection).
double max_bit_error_rate(const EccConfig& ecc, double target);

// Two-sided Clopper-Pearson interval for k successes in n trials.
struct Interval {
  double lo = 0.0, hi = 1.0;
};
Interval clopper_pearson(int64_t k, int64_t n, double confidence = 0.95);

// Expected value of the per-bit min-entropy estimate -log2(max(p, 1-p)) when
// p is estimated from `chips` chips of an ideal (unbiased) PUF: the estimator
// is biased low, and this is the value a perfect PUF would show.
double ideal_min_entropy_estimate(int chips);

}  // namespace xbg
