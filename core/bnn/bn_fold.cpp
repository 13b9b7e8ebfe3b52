#include "core/bnn/bn_fold.h"

#include <cmath>
#include <stdexcept>

namespace xbg {

namespace {
// The float decision the fold must reproduce exactly, evaluated the same way
// everywhere (tests compare against this expression).
bool bn_positive(const BatchNormParams& bn, double s) { return bn.gamma * (s - bn.mu) / bn.sigma + bn.beta >= 0.0; }
}  // namespace

int fold_batch_norm(const BatchNormParams& bn, int m, bool& negate_column) {
  if (!(bn.sigma > 0.0) || !std::isfinite(bn.gamma) || !std::isfinite(bn.beta) || !std::isfinite(bn.mu))
    throw std::invalid_argument("fold_batch_norm: sigma must be > 0 and parameters finite");
  negate_column = bn.gamma < 0.0;
  if (bn.gamma == 0.0) return bn.beta >= 0.0 ? -m : m + 2;  // constant output

  // y = +1 iff s >= tau (gamma > 0) or, after negating the column, s' >= -tau.
  // Start from tau and then walk the lattice s = -m, -m+2, ..., m with the
  // exact float predicate, so rounding in tau can never flip a decision.
  const double tau = bn.mu - bn.beta * bn.sigma / bn.gamma;
  const double start = negate_column ? -tau : tau;
  auto positive = [&](long long s_stored) {  // decision for stored sum s' (= s or -s)
    return bn_positive(bn, negate_column ? -static_cast<double>(s_stored) : static_cast<double>(s_stored));
  };
  long long b;
  if (start <= -m) b = -m;
  else if (start > m) b = m + 2;
  else {
    b = static_cast<long long>(std::ceil(start));
    if (((b - m) % 2 + 2) % 2) ++b;
  }
  while (b - 2 >= -m && positive(b - 2)) b -= 2;
  while (b <= m && !positive(b)) b += 2;
  if (b < -m) b = -m;
  if (b > m + 2) b = m + 2;
  return static_cast<int>(b);
}

void fold_batch_norm(BinaryLayer& layer, const std::vector<BatchNormParams>& bn) {
  if (static_cast<int>(bn.size()) != layer.n) throw std::invalid_argument("fold_batch_norm: one BN per column expected");
  layer.thresholds.resize(layer.n);
  for (int k = 0; k < layer.n; ++k) {
    bool negate = false;
    layer.thresholds[k] = fold_batch_norm(bn[k], layer.m, negate);
    if (negate) {
      BitVec& col = layer.columns[k];
      for (int w = 0; w < col.num_words(); ++w) col.data()[w] = ~col.data()[w];
      if (layer.m % 64) col.data()[col.num_words() - 1] &= (uint64_t{1} << (layer.m % 64)) - 1;
    }
  }
}

}  // namespace xbg
