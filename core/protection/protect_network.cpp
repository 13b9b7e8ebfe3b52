#include "core/protection/protect_network.h"

#include <set>
#include <stdexcept>

#include "core/common/error.h"

namespace xbg {

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

BitVec KeyedGolden::hidden_layer(int layer, const BitVec& x, std::vector<int>& sums) const {
  const LayerKey& key = keys_[layer];
  engine_.layer_sums(layer, pre_unit_transform(key, x), sums);
  const std::vector<int>& b = thresholds_[layer];
  BitVec y_star(static_cast<int>(b.size()));
  uint64_t* w = y_star.data();
  for (size_t k = 0; k < b.size(); ++k)
    w[k >> 6] |= static_cast<uint64_t>(sums[k] >= b[k]) << (k & 63);  // sign(0) = +1
  return post_unit_recover(key, y_star);
}

int KeyedGolden::predict(const BitVec& input) const {
  std::vector<int> sums;
  BitVec x = input;
  for (int l = 0; l < static_cast<int>(keys_.size()); ++l) x = hidden_layer(l, x, sums);
  engine_.layer_sums(static_cast<int>(keys_.size()), x, sums);
  return classifier_.argmax(sums);
}

void KeyedGolden::infer(const BitVec& input, GoldenTrace& trace) const {
  trace.layer_outputs.clear();
  std::vector<int> sums;
  BitVec x = input;
  for (int l = 0; l < static_cast<int>(keys_.size()); ++l) {
    x = hidden_layer(l, x, sums);
    trace.layer_outputs.push_back(x);
  }
  engine_.layer_sums(static_cast<int>(keys_.size()), x, trace.class_sums);
  trace.prediction = classifier_.argmax(trace.class_sums);
}

}  // namespace xbg
