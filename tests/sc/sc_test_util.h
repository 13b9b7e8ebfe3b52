#pragma once
// Shared helpers of the SystemC tests: small networks, random inputs, and a
// run of the accelerator with an independent golden comparison per image.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/bnn/bitvec.h"
#include "core/bnn/golden.h"
#include "core/bnn/network.h"
#include "core/sim/sim_config.h"
#include "tb/run.h"

namespace xbg::test {

inline std::vector<BitVec> random_inputs(int size, int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<BitVec> out;
  for (int i = 0; i < count; ++i) {
    BitVec v(size);
    for (int b = 0; b < size; ++b) v.set(b, rng() & 1);
    out.push_back(std::move(v));
  }
  return out;
}

// A random network with the threshold edge cases a trained one has: B = -m
// (always +1) and B = m + 2 (always -1) on a few columns.
inline Network edgy_random_network(const std::vector<int>& topology, uint64_t seed) {
  Network net = random_network(topology, seed);
  for (auto& layer : net.hidden) {
    layer.thresholds[0] = -layer.m;
    layer.thresholds[1] = layer.m + 2;
    layer.thresholds[2] = threshold_with_parity(layer.m, layer.m);  // s == m only
  }
  return net;
}

// gtest parameter names cannot hold '-': "row-inv" -> "row_inv".
struct SchemeName {
  template <class Info> std::string operator()(const Info& info) const {
    std::string s = info.param;
    for (char& c : s)
      if (c == '-') c = '_';
    return s;
  }
};

inline SimConfig config_for(const std::string& scheme, std::vector<int> layers) {
  SimConfig cfg;
  cfg.protection.scheme = scheme;
  cfg.protection.layers = std::move(layers);
  cfg.protection.key_seed = 7;
  return cfg;
}

// Runs `images` and checks every image's per-layer outputs, class sums and
// prediction against `reference` (the golden engine on the network the
// accelerator must be equivalent to). Returns the run result.
inline RunResult run_and_compare(const SimConfig& cfg, const ProvisionedModel& model, const GoldenEngine& reference,
                                 const std::vector<BitVec>& images, bool no_key = false,
                                 const std::vector<uint8_t>* labels = nullptr) {
  RunOptions opt;
  opt.no_key = no_key;
  opt.check_golden = !no_key;
  int mismatches = 0;
  GoldenTrace trace;
  opt.on_image = [&](int i, const InferenceResult& res) {
    reference.infer(images[i], trace);
    const bool same = trace.layer_outputs == res.layer_outputs && trace.class_sums == res.class_sums &&
                      trace.prediction == res.prediction;
    if (!same && ++mismatches <= 3) ADD_FAILURE() << "image " << i << " differs from the reference";
  };
  RunResult r = run_accelerator(cfg, model, images, labels, opt);
  EXPECT_EQ(mismatches, 0);
  return r;
}

}  // namespace xbg::test
