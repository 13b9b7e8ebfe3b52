#pragma once
#include <vector>

#include "core/bnn/network.h"

namespace xbg {

// Batch norm after a binary layer: y = +1 iff gamma*(s - mu)/sigma + beta >= 0.
struct BatchNormParams {
  double gamma = 1.0, beta = 0.0, mu = 0.0, sigma = 1.0;  // sigma > 0 (sqrt(var + eps))
};

// Folds the BN of one column into an even-parity integer threshold (docs/design.md §1.3).
// Returns B and sets `negate_column` when gamma < 0 (the column's weights must be
// negated so that y = +1 iff s' >= B).
int fold_batch_norm(const BatchNormParams& bn, int m, bool& negate_column);

// Folds every column of `layer` in place (negating columns where needed).
void fold_batch_norm(BinaryLayer& layer, const std::vector<BatchNormParams>& bn);

}  // namespace xbg
