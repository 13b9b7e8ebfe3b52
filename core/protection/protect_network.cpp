#include "core/protection/protect_network.h"

#include <algorithm>
#include <set>
#include <sstream>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdexcept>

#include "core/common/error.h"

namespace xbg {
namespace {

// y_k = +1 (bit set) iff s_k - B*_k >= 0, sign(0) = +1. The comparator bank in
// software; SSE2 (baseline x86-64) packs 4 decisions per step from sign bits.
void pack_signs(const int* sums, const int* thresholds, int n, uint64_t* words) {
  std::fill(words, words + (n + 63) / 64, uint64_t{0});
  int k = 0;
#ifdef __SSE2__
  for (; k + 4 <= n; k += 4) {
    const __m128i d = _mm_sub_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sums + k)),
                                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(thresholds + k)));
    const uint64_t nonneg = ~static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(d))) & 0xFu;
    words[k >> 6] |= nonneg << (k & 63);
  }
#endif
  for (; k < n; ++k) words[k >> 6] |= static_cast<uint64_t>(sums[k] >= thresholds[k]) << (k & 63);
}

}  // namespace

std::vector<int> parse_layer_list(const std::string& text, int hidden_layers) {
  std::vector<int> out;
  if (text == "all") {
    for (int i = 1; i <= hidden_layers; ++i) out.push_back(i);
    return out;
  }
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      const int v = std::stoi(item, &used);
      if (used != item.size()) throw std::invalid_argument(item);
      out.push_back(v);
    } catch (const std::exception&) {
      throw UserError("--layers: '" + item + "' is not a layer number (use e.g. 1,2,3 or all)");
    }
  }
  if (out.empty()) throw UserError("--layers: empty list");
  return out;
}

std::string key_seed_label(uint64_t seed) {
  return "key-seed " + std::to_string(seed) + " (offline, not a PUF key)";
}

KeySource key_source_from_seed(uint64_t seed) { return {master_key_from_seed(seed), key_seed_label(seed)}; }

Network protect_network(const Network& plain, Scheme scheme, const std::vector<int>& layers,
                        const MasterKey& master, bool single_key, const std::string& key_source) {
  const int count = static_cast<int>(plain.hidden.size());
  std::vector<Scheme> per_layer(count, Scheme::kNone);
  std::set<int> seen;
  for (int fc : layers) {
    if (fc < 1 || fc > count)
      throw UserError("layers: FC" + std::to_string(fc) + " does not exist (the network has " +
                      std::to_string(count) + " protectable hidden layers, FC1..FC" +
                      std::to_string(count) + ")");
    if (!seen.insert(fc).second) throw UserError("layers: FC" + std::to_string(fc) + " given twice");
    per_layer[fc - 1] = scheme;
  }
  return protect_network(plain, per_layer, master, single_key, key_source);
}

Network protect_network(const Network& plain, const std::vector<Scheme>& per_layer,
                        const MasterKey& master, bool single_key, const std::string& key_source) {
  if (plain.is_protected())
    throw UserError("model: already protected; protection starts from the plain trained model");
  if (per_layer.size() != plain.hidden.size())
    throw std::invalid_argument("protect_network: " + std::to_string(per_layer.size()) +
                                " schemes for " + std::to_string(plain.hidden.size()) + " layers");
  Network out = plain;
  nlohmann::json protected_layers = nlohmann::json::array();
  for (size_t i = 0; i < per_layer.size(); ++i) {
    if (per_layer[i] == Scheme::kNone) continue;
    const BinaryLayer& layer = plain.hidden[i];
    const int fc = static_cast<int>(i) + 1;
    const LayerKey key = derive_layer_key(master, fc, per_layer[i], layer.m, layer.n, single_key);
    out.hidden[i] = protect_layer(layer, key);
    protected_layers.push_back({{"layer", fc}, {"scheme", scheme_id(per_layer[i])},
                                {"single_key", single_key},
                                {"key_bits", key_lengths(per_layer[i], layer.m, layer.n, single_key).total()}});
  }
  out.provisioning["key_source"] = key_source;
  out.provisioning["key_derivation"] =
      "HKDF-SHA256(master key, salt empty, info \"xbarguard/v1/layer=<FC>/scheme=<id>/single=<0|1>\")";
  out.provisioning["protected_layers"] = protected_layers;
  return out;
}

std::vector<LayerKey> derive_network_keys(const Network& stored, const MasterKey& master) {
  std::vector<LayerKey> keys;
  for (size_t i = 0; i < stored.hidden.size(); ++i) {
    const BinaryLayer& layer = stored.hidden[i];
    const Scheme s = parse_scheme(layer.scheme);
    if (s == Scheme::kNone) {
      keys.emplace_back();
      continue;
    }
    keys.push_back(derive_layer_key(master, static_cast<int>(i) + 1, s, layer.m, layer.n,
                                    layer.single_key));
  }
  return keys;
}

KeyedGolden::KeyedGolden(const Network& stored, std::vector<LayerKey> keys, CpuPath path)
    : engine_(stored, path), keys_(std::move(keys)), classifier_(stored.classifier) {
  if (keys_.size() != stored.hidden.size())
    throw std::invalid_argument("KeyedGolden: " + std::to_string(keys_.size()) + " keys for " +
                                std::to_string(stored.hidden.size()) + " hidden layers");
  for (size_t i = 0; i < keys_.size(); ++i) {
    const BinaryLayer& layer = stored.hidden[i];
    if (scheme_id(keys_[i].scheme) != layer.scheme)
      throw std::invalid_argument("KeyedGolden: FC" + std::to_string(i + 1) + " stored with scheme " +
                                  layer.scheme + " but key is for " + scheme_id(keys_[i].scheme));
    thresholds_.push_back(layer.thresholds);
  }
}

void KeyedGolden::hidden_layer(int layer, const BitVec& x, BitVec& x_star, std::vector<int>& sums,
                               BitVec& y) const {
  const LayerKey& key = keys_[layer];
  pre_unit_transform_into(key, x, x_star);
  engine_.layer_sums(layer, x_star, sums);
  const std::vector<int>& b = thresholds_[layer];
  if (y.size() != static_cast<int>(b.size())) y = BitVec(static_cast<int>(b.size()));
  pack_signs(sums.data(), b.data(), static_cast<int>(b.size()), y.data());
  post_unit_recover_inplace(key, y);
}

int KeyedGolden::predict(const BitVec& input) const {
  // Per-thread scratch: attacks and tables call this millions of times.
  thread_local std::vector<BitVec> x_star, y;
  thread_local std::vector<int> sums;
  const size_t layers = keys_.size();
  if (x_star.size() < layers) {
    x_star.resize(layers);
    y.resize(layers);
  }
  const BitVec* x = &input;
  for (size_t l = 0; l < layers; ++l) {
    hidden_layer(static_cast<int>(l), *x, x_star[l], sums, y[l]);
    x = &y[l];
  }
  engine_.layer_sums(static_cast<int>(layers), *x, sums);
  return classifier_.argmax(sums);
}

void KeyedGolden::infer(const BitVec& input, GoldenTrace& trace) const {
  std::vector<int> sums;
  BitVec x_star;
  trace.layer_outputs.resize(keys_.size());
  const BitVec* x = &input;
  for (size_t l = 0; l < keys_.size(); ++l) {
    hidden_layer(static_cast<int>(l), *x, x_star, sums, trace.layer_outputs[l]);
    x = &trace.layer_outputs[l];
  }
  engine_.layer_sums(static_cast<int>(keys_.size()), *x, trace.class_sums);
  trace.prediction = classifier_.argmax(trace.class_sums);
}

}  // namespace xbg
