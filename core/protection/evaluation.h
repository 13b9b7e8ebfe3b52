#pragma once
// Accuracy of protected networks over many keys (the paper's Tables I-III) and
// the diagnostics that explain a weak row: how much each layer's output is
// corrupted in the no-key view and which swap key bits actually move data.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/bnn/golden.h"
#include "core/bnn/network.h"
#include "core/protection/protect_network.h"

namespace xbg {

// A labelled test split with the plain network's reference behaviour.
struct EvalSet {
  std::vector<BitVec> inputs;
  std::vector<uint8_t> labels;
  std::vector<GoldenTrace> plain;  // plain network's trace per image
  int plain_correct = 0;
  double plain_accuracy() const { return inputs.empty() ? 0.0 : double(plain_correct) / inputs.size(); }
};
EvalSet make_eval_set(const Network& plain, std::vector<BitVec> inputs, std::vector<uint8_t> labels);

struct Spread {
  std::vector<double> values;  // one per key
  double mean = 0, std = 0, min = 0, max = 0;  // std: sample (n-1)
};
Spread spread_of(std::vector<double> values);

// One row of a protection table: a scheme on a set of layers, over many keys.
struct RowResult {
  Scheme scheme = Scheme::kNone;
  bool single_key = false;
  std::vector<int> layers;                 // 1-based FC numbers
  std::vector<KeyLengths> layer_key_bits;  // per protected layer
  int key_bits = 0;                        // total
  std::vector<uint64_t> key_seeds;         // right keys (master_key_from_seed)
  uint64_t wrong_seed_offset = 0;          // clone key for seed S is seed S + offset
  int images = 0;
  // Images whose prediction with the right key differs from the plain network,
  // summed over all keys; exactness means 0. Layer outputs are compared too.
  int64_t right_key_prediction_mismatches = 0;
  int64_t right_key_layer_mismatches = 0;
  Spread right_key;  // accuracy with the right key (equals plain)
  Spread no_key;     // stored W*, B* used as plain weights, plain inputs
  Spread wrong_key;  // clone: pre/post units driven by another chip's key
};

// `progress` is called once per key (for a ProgressBar); may be empty.
RowResult evaluate_row(const Network& plain, const EvalSet& set, Scheme scheme, bool single_key,
                       const std::vector<int>& layers, const std::vector<uint64_t>& key_seeds,
                       uint64_t wrong_seed_offset, const std::function<void()>& progress = {});

// Why a row keeps accuracy without the key, per protected layer, mean over keys:
struct LayerDiagnosis {
  int fc = 0;
  Scheme scheme = Scheme::kNone;
  // Fraction of this layer's output bits that differ from the plain output when
  // the stored W*, B* see the layer's correct (plain) input: the damage the
  // transform does on its own.
  double local_flip_fraction = 0;
  // Fraction of this layer's output bits that differ in the full no-key run
  // (damage accumulated from earlier protected layers included).
  double no_key_flip_fraction = 0;
  // Swap key bits: S_i only changes data when the two swapped values differ.
  // side: "input" (row swap: X_{2i}, X_{2i+1}) or "output" (column swap).
  std::string swap_side;
  int swap_bits = 0;
  double mean_pair_disagreement = 0;  // P(v_{2i} != v_{2i+1}) over images and pairs
  int weak_swap_bits = 0;             // pairs that differ in < 1 % of images
  // Expected data bits per image the swap actually moves (sum over set S_i of
  // 2 P(pair differs)), mean over keys, versus the inversion bits set (each
  // always moves one bit).
  double swap_bits_moving_data = 0;
  double inversion_bits_set = 0;
  // Row transforms: the stored weights see W*^T X = W^T T X with T = D_R P_S
  // (A), D_R (C, row-inv) or P_S (row-swap); the share of the m inputs that T
  // changes, mean over images and keys. 0 for column-only schemes.
  double input_changed_fraction = 0;
};
std::vector<LayerDiagnosis> diagnose_row(const Network& plain, const EvalSet& set, Scheme scheme, bool single_key,
                                         const std::vector<int>& layers, const std::vector<uint64_t>& key_seeds);

}  // namespace xbg
