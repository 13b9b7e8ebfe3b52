#include "core/protection/evaluation.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace xbg {
namespace {

double flip_fraction(const BitVec& a, const BitVec& b) {
  return a.size() ? static_cast<double>(hamming_distance(a, b)) / a.size() : 0.0;
}

BitVec sign_of(const std::vector<int>& sums, const std::vector<int>& thresholds) {
  BitVec y(static_cast<int>(sums.size()));
  for (size_t k = 0; k < sums.size(); ++k)
    if (sums[k] >= thresholds[k]) y.set(static_cast<int>(k), true);
  return y;
}

// Which side of the layer the scheme's swap acts on (none if it has no swap).
const char* swap_side(Scheme s) {
  const SchemeDescriptor& d = describe(s);
  if (d.has(Side::kPre, PieceKind::kPairSwap)) return "input";
  if (d.has(Side::kPost, PieceKind::kPairSwap)) return "output";
  return "";
}

}  // namespace

EvalSet make_eval_set(const Network& plain, std::vector<BitVec> inputs, std::vector<uint8_t> labels) {
  if (inputs.size() != labels.size()) throw std::invalid_argument("make_eval_set: inputs and labels differ in count");
  EvalSet set;
  set.inputs = std::move(inputs);
  set.labels = std::move(labels);
  const GoldenEngine engine(plain);
  set.plain.resize(set.inputs.size());
  for (size_t i = 0; i < set.inputs.size(); ++i) {
    engine.infer(set.inputs[i], set.plain[i]);
    set.plain_correct += set.plain[i].prediction == set.labels[i];
  }
  return set;
}

Spread spread_of(std::vector<double> values) {
  Spread s;
  s.values = std::move(values);
  if (s.values.empty()) return s;
  const double n = static_cast<double>(s.values.size());
  s.mean = std::accumulate(s.values.begin(), s.values.end(), 0.0) / n;
  double ss = 0;
  for (double v : s.values) ss += (v - s.mean) * (v - s.mean);
  s.std = s.values.size() > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
  s.min = *std::min_element(s.values.begin(), s.values.end());
  s.max = *std::max_element(s.values.begin(), s.values.end());
  return s;
}

RowResult evaluate_row(const Network& plain, const EvalSet& set, Scheme scheme, bool single_key,
                       const std::vector<int>& layers, const std::vector<uint64_t>& key_seeds,
                       uint64_t wrong_seed_offset, const std::function<void()>& progress) {
  RowResult row;
  row.scheme = scheme;
  row.single_key = single_key;
  row.layers = layers;
  row.key_seeds = key_seeds;
  row.wrong_seed_offset = wrong_seed_offset;
  row.images = static_cast<int>(set.inputs.size());
  for (int fc : layers) {
    const BinaryLayer& l = plain.hidden.at(fc - 1);
    row.layer_key_bits.push_back(key_lengths(scheme, l.m, l.n, single_key));
    row.key_bits += row.layer_key_bits.back().total();
  }
  std::vector<double> right, no_key, wrong;
  GoldenTrace trace;
  for (uint64_t seed : key_seeds) {
    const MasterKey master = master_key_from_seed(seed);
    const Network stored = protect_network(plain, scheme, layers, master, single_key, key_seed_label(seed));
    const KeyedGolden keyed(stored, derive_network_keys(stored, master));
    const GoldenEngine bare(stored);
    const KeyedGolden clone(stored, derive_network_keys(stored, master_key_from_seed(seed + wrong_seed_offset)));
    int right_ok = 0, bare_ok = 0, clone_ok = 0;
    for (size_t i = 0; i < set.inputs.size(); ++i) {
      keyed.infer(set.inputs[i], trace);
      row.right_key_prediction_mismatches += trace.prediction != set.plain[i].prediction;
      for (size_t l = 0; l < trace.layer_outputs.size(); ++l)
        row.right_key_layer_mismatches += trace.layer_outputs[l] != set.plain[i].layer_outputs[l];
      right_ok += trace.prediction == set.labels[i];
      bare_ok += bare.predict(set.inputs[i]) == set.labels[i];
      clone_ok += clone.predict(set.inputs[i]) == set.labels[i];
    }
    const double n = std::max<size_t>(set.inputs.size(), 1);
    right.push_back(right_ok / n);
    no_key.push_back(bare_ok / n);
    wrong.push_back(clone_ok / n);
    if (progress) progress();
  }
  row.right_key = spread_of(right);
  row.no_key = spread_of(no_key);
  row.wrong_key = spread_of(wrong);
  return row;
}

std::vector<LayerDiagnosis> diagnose_row(const Network& plain, const EvalSet& set, Scheme scheme, bool single_key,
                                         const std::vector<int>& layers, const std::vector<uint64_t>& key_seeds) {
  const int hidden = static_cast<int>(plain.hidden.size());
  std::vector<LayerDiagnosis> out(hidden);
  std::vector<Scheme> per_layer(hidden, Scheme::kNone);
  for (int fc : layers) per_layer.at(fc - 1) = scheme;
  const double images = std::max<size_t>(set.inputs.size(), 1);

  // Pair disagreement of the values each swap acts on, from the plain activations.
  std::vector<std::vector<double>> pair_diff(hidden);
  for (int l = 0; l < hidden; ++l) {
    out[l].fc = l + 1;
    out[l].scheme = per_layer[l];
    out[l].swap_side = swap_side(per_layer[l]);
    if (out[l].swap_side.empty()) continue;
    const bool input_side = out[l].swap_side == "input";
    const int len = input_side ? plain.hidden[l].m : plain.hidden[l].n;
    std::vector<double>& p = pair_diff[l];
    p.assign(len / 2, 0.0);
    for (size_t i = 0; i < set.inputs.size(); ++i) {
      const BitVec& v = input_side ? (l == 0 ? set.inputs[i] : set.plain[i].layer_outputs[l - 1])
                                   : set.plain[i].layer_outputs[l];
      for (int q = 0; q < len / 2; ++q) p[q] += v.get(2 * q) != v.get(2 * q + 1);
    }
    for (double& x : p) x /= images;
    out[l].swap_bits = len / 2;
    out[l].mean_pair_disagreement = p.empty() ? 0.0 : std::accumulate(p.begin(), p.end(), 0.0) / p.size();
    out[l].weak_swap_bits = static_cast<int>(std::count_if(p.begin(), p.end(), [](double x) { return x < 0.01; }));
  }

  const double keys = std::max<size_t>(key_seeds.size(), 1);
  GoldenTrace trace;
  std::vector<int> sums;
  for (uint64_t seed : key_seeds) {
    const MasterKey master = master_key_from_seed(seed);
    const Network stored = protect_network(plain, per_layer, master, single_key, key_seed_label(seed));
    const std::vector<LayerKey> lk = derive_network_keys(stored, master);
    const GoldenEngine bare(stored);
    for (int l = 0; l < hidden; ++l) {
      if (per_layer[l] == Scheme::kNone) continue;
      out[l].inversion_bits_set += lk[l].r.popcount() / keys;
      if (out[l].swap_side.empty()) continue;  // S drives no pair swap (permutations): no pair statistics
      double moving = 0;
      for (int q = 0; q < lk[l].s.size(); ++q)
        if (lk[l].s.get(q)) moving += 2 * pair_diff[l][q];
      out[l].swap_bits_moving_data += moving / keys;
    }
    for (size_t i = 0; i < set.inputs.size(); ++i) {
      bare.infer(set.inputs[i], trace);
      for (int l = 0; l < hidden; ++l) {
        out[l].no_key_flip_fraction +=
            flip_fraction(trace.layer_outputs[l], set.plain[i].layer_outputs[l]) / (images * keys);
        if (per_layer[l] == Scheme::kNone) continue;
        const BitVec& in = l == 0 ? set.inputs[i] : set.plain[i].layer_outputs[l - 1];
        if (scheme_has_pre_unit(per_layer[l]))  // W*^T x = W^T T x, T the inverse of the pre-unit
          out[l].input_changed_fraction += flip_fraction(pre_unit_inverse(lk[l], in), in) / (images * keys);
        bare.layer_sums(l, in, sums);
        out[l].local_flip_fraction +=
            flip_fraction(sign_of(sums, stored.hidden[l].thresholds), set.plain[i].layer_outputs[l]) / (images * keys);
      }
    }
  }
  return out;
}

}  // namespace xbg
