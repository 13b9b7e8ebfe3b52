#pragma once
// Test vector leakage assessment (TVLA, Goodwill et al., NIST NIAT 2011;
// Schneider & Moradi, CHES 2015): a Welch t-test, per sample, between two
// groups of traces (fixed versus random key). |t| > 4.5 at any sample counts
// as leakage (false-positive rate ~1e-5 per sample for large groups).
//
// Generic over traces: a trace is a vector of samples (cycles of one block, or
// blocks x cycles flattened); the accumulator keeps per-sample running means
// and variances (Welford), so traces are never stored.
#include <cstdint>
#include <string>
#include <vector>

namespace xbg::attack {

constexpr double kTvlaThreshold = 4.5;

struct WelchResult {
  std::vector<double> t;        // per sample; +-inf where both groups are constant and differ
  std::vector<double> mean_a, mean_b;
  int64_t count_a = 0, count_b = 0;
  double max_abs_t = 0;         // over all samples (inf possible)
  int max_index = -1;           // sample of max |t|, -1 if no samples
  int leaking_samples = 0;      // |t| > threshold
  double threshold = kTvlaThreshold;
};

class WelchAccumulator {
 public:
  explicit WelchAccumulator(int samples);
  int samples() const { return samples_; }
  // group 0 = A (fixed), 1 = B (random). std::invalid_argument on a wrong length.
  void add(int group, const std::vector<double>& trace);
  void add(int group, const double* trace, int length);
  int64_t count(int group) const { return group == 0 ? a_.n : b_.n; }
  // Needs at least two traces per group (std::logic_error otherwise).
  WelchResult result(double threshold = kTvlaThreshold) const;

 private:
  struct Moments {
    int64_t n = 0;
    std::vector<double> mean, m2;  // Welford: sum of squared deviations
  };
  void add_to(Moments& m, const double* trace);
  int samples_;
  Moments a_, b_;
};

// Welch t of two sets of traces given as rows (every row the same length).
WelchResult welch_t_test(const std::vector<std::vector<double>>& group_a,
                         const std::vector<std::vector<double>>& group_b, double threshold = kTvlaThreshold);

}  // namespace xbg::attack
