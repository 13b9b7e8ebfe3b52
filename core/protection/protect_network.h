#pragma once
// Whole-network protection (docs/design.md §2) and keyed golden inference: the oracle
// that the SystemC accelerator with pre/post units must match bit for bit.
#include <cstdint>
#include <string>
#include <vector>

#include "core/bnn/golden.h"
#include "core/bnn/network.h"
#include "core/protection/transforms.h"

namespace xbg {

// Label that every output using master_key_from_seed must carry.
std::string key_seed_label(uint64_t seed);  // "key-seed S (offline, not a PUF key)"

// A master key together with where it came from; the label goes into the
// protected model (provisioning.key_source) and into every report.
struct KeySource {
  MasterKey key{};
  std::string label;
};
KeySource key_source_from_seed(uint64_t seed);  // offline experiments (--key-seed)

// Protects the hidden layers `layers` (1-based FC numbers, as --layers 1,2,3)
// of a plain network with `scheme`, each with its own HKDF-derived key. The
// result stores W*, B*, per-layer scheme ids and single-key flags, and
// provisioning.{key_source, key_derivation, protected_layers}; never the key.
// UserError for a protected input, an unknown or repeated layer, or a refused
// single-key option.
Network protect_network(const Network& plain, Scheme scheme, const std::vector<int>& layers,
                        const MasterKey& master, bool single_key, const std::string& key_source);
// A layer set as --layers takes it: "1,2,3" or "all" (every one of
// `hidden_layers`) -> 1-based FC numbers. UserError naming --layers.
std::vector<int> parse_layer_list(const std::string& text, int hidden_layers);

// One scheme per hidden layer (Scheme::kNone leaves a layer plain).
Network protect_network(const Network& plain, const std::vector<Scheme>& per_layer,
                        const MasterKey& master, bool single_key, const std::string& key_source);

// The per-layer keys of a protected network (one per hidden layer; plain layers
// get an empty kNone key), derived as on the chip from the master key and the
// scheme ids / single-key flags stored in the model.
std::vector<LayerKey> derive_network_keys(const Network& stored, const MasterKey& master);

// Inference on the stored W*, B* with the run-time pieces of every layer:
// x* = pre(x); y* = sign(s - B*) with s from the stored weights; y = post(y*).
// With the right keys it equals GoldenEngine on the plain network; with other
// keys it is the "clone with a wrong key" attacker view. The no-key view
// (W*, B* used as plain) is simply GoldenEngine on the stored network.
class KeyedGolden {
 public:
  KeyedGolden(const Network& stored, std::vector<LayerKey> keys, CpuPath path = CpuPath::kAuto);
  int predict(const BitVec& input) const;
  // layer_outputs are the recovered y of each layer (what the next layer sees).
  void infer(const BitVec& input, GoldenTrace& trace) const;
  const GoldenEngine& engine() const { return engine_; }
  const std::vector<LayerKey>& keys() const { return keys_; }

 private:
  void hidden_layer(int layer, const BitVec& x, BitVec& x_star, std::vector<int>& sums, BitVec& y) const;
  GoldenEngine engine_;
  std::vector<LayerKey> keys_;
  std::vector<std::vector<int>> thresholds_;  // B* per hidden layer
  Classifier classifier_;  // scale/bias/argmax of FC4 (its sums come from engine_)
};

}  // namespace xbg
