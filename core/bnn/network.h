#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bnn/bitvec.h"

namespace xbg {

// One binary fully connected layer (docs/design.md §1.1): Y = sign(W^T X - B), sign(0)=+1.
// W is m x n; column k holds the m weights of output neuron k.
struct BinaryLayer {
  int m = 0;                      // inputs
  int n = 0;                      // outputs
  std::vector<BitVec> columns;    // n columns of m bits, bit i set <=> W[i][k] = +1
  std::vector<int> thresholds;    // B, n entries, parity of m, within [-m, m+2]
  std::string scheme = "none";    // protection scheme id (docs/design.md §2.3) of the stored W*, B*
  bool single_key = false;        // paper III-A single-key option was used

  // s_k = (W^T X)_k for one column: m - 2 * mismatches.
  int column_sum(int k, const BitVec& x) const;
};

// The classifier (FC4): binary weights, integer sums s_c, then a per-class
// float affine a_c * s_c + b_c (its folded batch norm) and argmax with ties to
// the lowest class index. Never protected.
struct Classifier {
  int m = 0;
  int n = 0;
  std::vector<BitVec> columns;
  std::vector<double> scale;  // a_c
  std::vector<double> bias;   // b_c

  int argmax(const std::vector<int>& sums) const;
};

struct Network {
  std::string name;                 // e.g. "mnist"
  std::string dataset;              // "mnist" | "fashion" | "" (random)
  double input_threshold = 0.5;     // pixel >= threshold -> +1
  std::vector<BinaryLayer> hidden;  // FC1..FCk, protectable
  Classifier classifier;
  // Free-form provenance (trainer command, seed, accuracy) and, for protected
  // images, provisioning data such as the key source label and PUF helper
  // data. Never the key.
  nlohmann::json metadata = nlohmann::json::object();
  nlohmann::json provisioning = nlohmann::json::object();

  int input_size() const { return hidden.empty() ? classifier.m : hidden.front().m; }
  std::vector<int> topology() const;  // {784, 512, 512, 512, 10}
  bool is_protected() const;
};

// Consistency check (sizes, parity and range of thresholds, scheme ids).
// Throws UserError prefixed with `where`.
void validate_network(const Network& net, const std::string& where);

// A random network for tests and benchmarks: uniform weights, thresholds drawn
// uniformly among values with the parity of m in [-m/4, m/4] so outputs are mixed.
Network random_network(const std::vector<int>& topology, uint64_t seed);

// Smallest value >= v with the parity of m, clamped to [-m, m+2].
int threshold_with_parity(long long v, int m);

}  // namespace xbg
