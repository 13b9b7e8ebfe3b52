#include "core/bnn/network.h"

#include <random>

#include "core/common/error.h"
#include "core/protection/scheme.h"

namespace xbg {

int BinaryLayer::column_sum(int k, const BitVec& x) const {
  return m - 2 * hamming_distance(columns[k], x);
}

int Classifier::argmax(const std::vector<int>& sums) const {
  int best = 0;
  double best_score = scale[0] * sums[0] + bias[0];
  for (int c = 1; c < n; ++c) {
    const double score = scale[c] * sums[c] + bias[c];
    if (score > best_score) { best = c; best_score = score; }  // strict: ties go to the lowest index
  }
  return best;
}

std::vector<int> Network::topology() const {
  std::vector<int> t;
  t.push_back(input_size());
  for (const auto& l : hidden) t.push_back(l.n);
  t.push_back(classifier.n);
  return t;
}

bool Network::is_protected() const {
  for (const auto& l : hidden)
    if (l.scheme != "none") return true;
  return false;
}

int threshold_with_parity(long long v, int m) {
  if (((v - m) % 2 + 2) % 2 != 0) ++v;
  if (v < -m) v = -m;
  if (v > m + 2) v = m + 2;
  return static_cast<int>(v);
}

void validate_network(const Network& net, const std::string& where) {
  auto fail = [&](const std::string& field, const std::string& msg) { throw UserError(where + ": " + field + ": " + msg); };
  if (net.classifier.m <= 0 || net.classifier.n <= 0) fail("classifier", "empty classifier");
  int prev = net.input_size();
  if (prev <= 0) fail("layers", "input size must be positive");
  for (size_t li = 0; li < net.hidden.size(); ++li) {
    const auto& l = net.hidden[li];
    const std::string f = "layers[" + std::to_string(li) + "]";
    if (l.m != prev) fail(f + ".m", "is " + std::to_string(l.m) + ", previous layer gives " + std::to_string(prev));
    if (l.n <= 0) fail(f + ".n", "must be positive");
    if (static_cast<int>(l.columns.size()) != l.n) fail(f + ".weights", "expected " + std::to_string(l.n) + " columns");
    if (static_cast<int>(l.thresholds.size()) != l.n) fail(f + ".thresholds", "expected " + std::to_string(l.n) + " values");
    for (int k = 0; k < l.n; ++k) {
      if (l.columns[k].size() != l.m) fail(f + ".weights[" + std::to_string(k) + "]", "expected " + std::to_string(l.m) + " bits");
      const int b = l.thresholds[k];
      if (b < -l.m || b > l.m + 2) fail(f + ".thresholds[" + std::to_string(k) + "]", "outside [-m, m+2]");
      if (((b - l.m) % 2 + 2) % 2) fail(f + ".thresholds[" + std::to_string(k) + "]", "does not have the parity of m");
    }
    if (!is_scheme_id(l.scheme)) fail(f + ".scheme", "unknown scheme id '" + l.scheme + "'");
    prev = l.n;
  }
  const auto& c = net.classifier;
  if (c.m != prev) fail("classifier.m", "is " + std::to_string(c.m) + ", previous layer gives " + std::to_string(prev));
  if (static_cast<int>(c.columns.size()) != c.n) fail("classifier.weights", "expected " + std::to_string(c.n) + " columns");
  for (int k = 0; k < c.n; ++k)
    if (c.columns[k].size() != c.m) fail("classifier.weights[" + std::to_string(k) + "]", "expected " + std::to_string(c.m) + " bits");
  if (static_cast<int>(c.scale.size()) != c.n) fail("classifier.scale", "expected " + std::to_string(c.n) + " values");
  if (static_cast<int>(c.bias.size()) != c.n) fail("classifier.bias", "expected " + std::to_string(c.n) + " values");
}

static BitVec random_bits(int size, std::mt19937_64& rng) {
  BitVec v(size);
  for (int w = 0; w < v.num_words(); ++w) v.data()[w] = rng();
  if (size % 64) v.data()[v.num_words() - 1] &= (uint64_t{1} << (size % 64)) - 1;
  return v;
}

Network random_network(const std::vector<int>& topology, uint64_t seed) {
  if (topology.size() < 2) throw UserError("random_network: topology needs at least input and output sizes");
  std::mt19937_64 rng(seed);
  Network net;
  net.name = "random";
  for (size_t i = 0; i + 2 < topology.size(); ++i) {
    BinaryLayer l;
    l.m = topology[i];
    l.n = topology[i + 1];
    for (int k = 0; k < l.n; ++k) {
      l.columns.push_back(random_bits(l.m, rng));
      const long long span = l.m / 4 + 1;
      l.thresholds.push_back(threshold_with_parity(static_cast<long long>(rng() % (2 * span + 1)) - span, l.m));
    }
    net.hidden.push_back(std::move(l));
  }
  auto& c = net.classifier;
  c.m = topology[topology.size() - 2];
  c.n = topology.back();
  for (int k = 0; k < c.n; ++k) {
    c.columns.push_back(random_bits(c.m, rng));
    c.scale.push_back(0.5 + static_cast<double>(rng() % 1000) / 1000.0);
    c.bias.push_back(static_cast<double>(rng() % 1000) / 100.0 - 5.0);
  }
  return net;
}

}  // namespace xbg
