// Whole-network protection: keyed inference on the stored W*, B* equals the
// plain network image by image and layer by layer, for every scheme.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <unistd.h>
#include <sstream>

#include "core/bnn/golden.h"
#include "core/bnn/model_io.h"
#include "core/common/error.h"
#include "core/common/paths.h"
#include "core/data/dataset.h"
#include "core/protection/hkdf.h"
#include "core/protection/protect_network.h"

namespace xbg {
namespace {

const Scheme kProtecting[] = {Scheme::kA,      Scheme::kB,      Scheme::kC,      Scheme::kRowInv,
                              Scheme::kRowSwap, Scheme::kColInv, Scheme::kColSwap};
const std::vector<std::vector<int>> kLayerSets = {{1}, {2}, {3}, {1, 2, 3}};

// A random 784-512-512-512-10 network whose thresholds sit near the middle of
// the sum distribution, so every hidden neuron toggles and a wrong bit shows.
Network mixed_random_network(uint64_t seed) {
  Network net = random_network({784, 512, 512, 512, 10}, seed);
  std::mt19937_64 rng(seed + 1);
  for (auto& l : net.hidden)
    for (auto& b : l.thresholds)
      b = threshold_with_parity(static_cast<long long>(rng() % 41) - 20, l.m);
  return net;
}

std::vector<BitVec> random_inputs(int count, int size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<BitVec> out;
  for (int i = 0; i < count; ++i) {
    BitVec v(size);
    for (int j = 0; j < size; ++j)
      if (rng() & 1) v.set(j, true);
    out.push_back(v);
  }
  return out;
}

bool single_key_allowed(const Network& net, Scheme s, const std::vector<int>& layers) {
  for (int fc : layers) {
    const KeyLengths kl = key_lengths(s, net.hidden[fc - 1].m, net.hidden[fc - 1].n, false);
    if (kl.swap_bits > kl.inversion_bits) return false;
  }
  return true;
}

TEST(ProtectNetwork, RandomNetworkEverySchemeExactLayerByLayer) {
  const Network plain = mixed_random_network(7);
  const GoldenEngine reference(plain);
  const auto inputs = random_inputs(120, 784, 8);
  std::vector<GoldenTrace> expected(inputs.size());
  std::set<int> classes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    reference.infer(inputs[i], expected[i]);
    classes.insert(expected[i].prediction);
  }
  ASSERT_GE(classes.size(), 3u) << "random network too degenerate to test anything";
  const MasterKey master = master_key_from_seed(1234);
  for (Scheme s : kProtecting)
    for (const auto& layers : kLayerSets)
      for (bool single : {false, true}) {
        if (single && !single_key_allowed(plain, s, layers)) continue;
        const Network stored = protect_network(plain, s, layers, master, single, key_seed_label(1234));
        const KeyedGolden keyed(stored, derive_network_keys(stored, master));
        for (size_t i = 0; i < inputs.size(); ++i) {
          GoldenTrace t;
          keyed.infer(inputs[i], t);
          ASSERT_EQ(t.layer_outputs, expected[i].layer_outputs)
              << scheme_id(s) << " layers " << layers.size() << " single " << single << " image " << i;
          ASSERT_EQ(t.class_sums, expected[i].class_sums);
          ASSERT_EQ(t.prediction, expected[i].prediction);
          ASSERT_EQ(keyed.predict(inputs[i]), expected[i].prediction);
        }
      }
}

// Odd layer sizes: swap lengths floor(len/2), partial words, scalar tail of the sign packing.
TEST(ProtectNetwork, OddSizedNetworkEverySchemeExact) {
  Network plain = random_network({37, 23, 13, 9, 5}, 44);
  std::mt19937_64 rng(45);
  for (auto& l : plain.hidden)
    for (auto& b : l.thresholds) b = threshold_with_parity(static_cast<long long>(rng() % 7) - 3, l.m);
  const GoldenEngine reference(plain);
  const auto inputs = random_inputs(300, 37, 46);
  for (Scheme s : kProtecting)
    for (bool single : {false, true}) {
      if (single && !single_key_allowed(plain, s, {1, 2, 3})) continue;
      for (uint64_t seed = 0; seed < 5; ++seed) {
        const MasterKey master = master_key_from_seed(seed);
        const Network stored = protect_network(plain, s, {1, 2, 3}, master, single, key_seed_label(seed));
        const KeyedGolden keyed(stored, derive_network_keys(stored, master));
        for (const auto& x : inputs) {
          GoldenTrace want, got;
          reference.infer(x, want);
          keyed.infer(x, got);
          ASSERT_EQ(got.layer_outputs, want.layer_outputs) << scheme_id(s) << " single " << single << " seed " << seed;
          ASSERT_EQ(keyed.predict(x), want.prediction);
        }
      }
    }
}

TEST(ProtectNetwork, InPlaceRunTimePiecesMatchValueForms) {
  const auto vs = random_inputs(50, 131, 9);
  for (Scheme s : kProtecting) {
    const LayerKey key = derive_layer_key(master_key_from_seed(3), 2, s, 131, 131, false);
    for (const auto& v : vs) {
      BitVec out(7);  // wrong size on purpose: must be resized
      pre_unit_transform_into(key, v, out);
      EXPECT_EQ(out, pre_unit_transform(key, v));
      BitVec y = v;
      post_unit_recover_inplace(key, y);
      EXPECT_EQ(y, post_unit_recover(key, v));
    }
  }
}

TEST(ProtectNetwork, NoKeyAndWrongKeyViewsDiffer) {
  const Network plain = mixed_random_network(17);
  const GoldenEngine reference(plain);
  const auto inputs = random_inputs(60, 784, 18);
  const MasterKey master = master_key_from_seed(5), other = master_key_from_seed(6);
  for (Scheme s : kProtecting) {
    const Network stored = protect_network(plain, s, {1, 2, 3}, master, false, key_seed_label(5));
    const GoldenEngine no_key(stored);  // attacker: copied W*, B* used as plain weights
    const KeyedGolden clone(stored, derive_network_keys(stored, other));  // wrong chip key
    int no_key_diff = 0, clone_diff = 0;
    for (const auto& x : inputs) {
      GoldenTrace want, got_no_key, got_clone;
      reference.infer(x, want);
      no_key.infer(x, got_no_key);
      clone.infer(x, got_clone);
      no_key_diff += got_no_key.layer_outputs.back() != want.layer_outputs.back();
      clone_diff += got_clone.layer_outputs.back() != want.layer_outputs.back();
    }
    EXPECT_EQ(no_key_diff, 60) << scheme_id(s);
    EXPECT_EQ(clone_diff, 60) << scheme_id(s);
  }
}

TEST(ProtectNetwork, SavedModelCarriesSchemesNotTheKey) {
  const Network plain = mixed_random_network(3);
  const MasterKey master = master_key_from_seed(77);
  const Network stored = protect_network(plain, Scheme::kC, {1, 3}, master, true, key_seed_label(77));
  EXPECT_EQ(stored.hidden[0].scheme, "C");
  EXPECT_EQ(stored.hidden[1].scheme, "none");
  EXPECT_EQ(stored.hidden[2].scheme, "C");
  EXPECT_TRUE(stored.hidden[0].single_key);
  EXPECT_EQ(stored.provisioning.at("key_source"), "key-seed 77 (offline, not a PUF key)");

  const auto path = std::filesystem::temp_directory_path() /
                    ("xbg_protect_test_" + std::to_string(::getpid()) + ".json");
  save_network(stored, path.string());
  const Network loaded = load_network(path.string());
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  std::filesystem::remove(path);

  // Neither the master key nor any derived key appears in the file.
  const std::string body = text.str();
  EXPECT_EQ(body.find(bytes_to_hex(master.data(), master.size())), std::string::npos);
  for (const LayerKey& k : derive_network_keys(stored, master))
    if (k.r.size() > 0) {
      EXPECT_EQ(body.find(k.r.to_hex()), std::string::npos);
    }

  const GoldenEngine reference(plain);
  const KeyedGolden keyed(loaded, derive_network_keys(loaded, master));
  EXPECT_EQ(keyed.keys()[1].scheme, Scheme::kNone);
  for (const auto& x : random_inputs(50, 784, 4)) {
    GoldenTrace want, got;
    reference.infer(x, want);
    keyed.infer(x, got);
    ASSERT_EQ(got.layer_outputs, want.layer_outputs);
  }
}

TEST(ProtectNetwork, RefusesBadRequests) {
  const Network plain = mixed_random_network(1);
  const MasterKey master = master_key_from_seed(0);
  const Network stored = protect_network(plain, Scheme::kA, {1}, master, false, "test");
  EXPECT_THROW(protect_network(stored, Scheme::kA, {2}, master, false, "test"), UserError);
  EXPECT_THROW(protect_network(plain, Scheme::kA, {4}, master, false, "test"), UserError);
  EXPECT_THROW(protect_network(plain, Scheme::kA, {0}, master, false, "test"), UserError);
  EXPECT_THROW(protect_network(plain, Scheme::kA, {2, 2}, master, false, "test"), UserError);
  // Scheme C single-key needs n/2 <= m: a 20-input layer with 64 outputs cannot.
  const Network narrow = random_network({20, 64, 10}, 2);
  EXPECT_THROW(protect_network(narrow, Scheme::kC, {1}, master, true, "test"), UserError);
  EXPECT_NO_THROW(protect_network(narrow, Scheme::kC, {1}, master, false, "test"));
  // Keys that do not match the stored schemes are a programming error.
  EXPECT_THROW(KeyedGolden(stored, derive_network_keys(plain, master)), std::invalid_argument);
}

// The shipped MNIST network on the whole MNIST test split, every scheme on all
// three hidden layers: identical predictions image by image.
TEST(ProtectNetwork, ShippedMnistIdenticalPredictionsEveryScheme) {
  const Network plain = load_network(resolve_path("networks/mnist.json"));
  Dataset data;
  try {
    data = load_dataset("mnist");
  } catch (const UserError& e) {
    GTEST_SKIP() << "MNIST data not available: " << e.what();
  }
  const auto inputs = binarize_all(data.test, plain.input_threshold);
  const GoldenEngine reference(plain);
  std::vector<int> expected;
  for (const auto& x : inputs) expected.push_back(reference.predict(x));
  const MasterKey master = master_key_from_seed(2024);
  for (Scheme s : kProtecting)
    for (bool single : {false, true}) {
      if (single && !single_key_allowed(plain, s, {1, 2, 3})) continue;
      const Network stored = protect_network(plain, s, {1, 2, 3}, master, single, key_seed_label(2024));
      const KeyedGolden keyed(stored, derive_network_keys(stored, master));
      int mismatches = 0;
      for (size_t i = 0; i < inputs.size(); ++i) mismatches += keyed.predict(inputs[i]) != expected[i];
      EXPECT_EQ(mismatches, 0) << scheme_id(s) << " single " << single << " on " << inputs.size() << " images";
    }
}

}  // namespace
}  // namespace xbg
