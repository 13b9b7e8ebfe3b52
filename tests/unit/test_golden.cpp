#include <gtest/gtest.h>

#include <random>

#include "core/bnn/golden.h"

namespace xbg {
namespace {

BitVec random_input(int m, std::mt19937_64& rng) {
  BitVec x(m);
  for (int i = 0; i < m; ++i) x.set(i, rng() & 1);
  return x;
}

// Naive integer class sums from the unpacked definition.
std::vector<int> reference_sums(const Classifier& c, const BitVec& x) {
  std::vector<int> s(c.n, 0);
  for (int k = 0; k < c.n; ++k)
    for (int i = 0; i < c.m; ++i) s[k] += c.columns[k].value(i) * x.value(i);
  return s;
}

class GoldenPaths : public ::testing::TestWithParam<CpuPath> {};

TEST_P(GoldenPaths, EqualsNaiveMatrixVectorOnOddEvenAndUnalignedSizes) {
  const CpuPath path = GetParam();
  if (!cpu_path_supported(path)) GTEST_SKIP() << cpu_path_name(path) << " not supported on this CPU";
  const std::vector<std::vector<int>> topologies = {
      {1, 1, 1}, {3, 5, 2}, {63, 64, 65, 3}, {64, 7, 10}, {130, 129, 128, 127, 9}, {784, 100, 37, 10}, {200, 513, 10}};
  std::mt19937_64 rng(42);
  for (const auto& topo : topologies) {
    const Network net = random_network(topo, rng());
    const GoldenEngine engine(net, path);
    ASSERT_EQ(engine.path(), path);
    for (int trial = 0; trial < 20; ++trial) {
      const BitVec x = random_input(topo.front(), rng);
      GoldenTrace trace;
      engine.infer(x, trace);
      BitVec a = x;
      for (size_t l = 0; l < net.hidden.size(); ++l) {
        a = reference_layer_forward(net.hidden[l], a);
        ASSERT_EQ(trace.layer_outputs[l], a) << "layer " << l << " topology size " << topo.size();
      }
      const auto sums = reference_sums(net.classifier, a);
      ASSERT_EQ(trace.class_sums, sums);
      ASSERT_EQ(trace.prediction, net.classifier.argmax(sums));
      ASSERT_EQ(engine.predict(x), trace.prediction);
    }
  }
}

TEST_P(GoldenPaths, SignOfZeroIsPlusOne) {
  const CpuPath path = GetParam();
  if (!cpu_path_supported(path)) GTEST_SKIP() << cpu_path_name(path) << " not supported on this CPU";
  // m = 4, x = +1 everywhere, weights with two +1: s = 0. B = 0 -> +1, B = 2 -> -1.
  Network net = random_network({4, 2, 2}, 1);
  auto& l = net.hidden[0];
  l.columns[0] = BitVec::from_hex("3", 4);
  l.columns[1] = BitVec::from_hex("3", 4);
  l.thresholds = {0, 2};
  BitVec x(4);
  for (int i = 0; i < 4; ++i) x.set(i, true);
  GoldenTrace t;
  GoldenEngine(net, path).infer(x, t);
  EXPECT_TRUE(t.layer_outputs[0].get(0));
  EXPECT_FALSE(t.layer_outputs[0].get(1));
}

INSTANTIATE_TEST_SUITE_P(AllCpuPaths, GoldenPaths,
                         ::testing::Values(CpuPath::kGeneric, CpuPath::kPopcnt, CpuPath::kAvx512),
                         [](const auto& info) {
                           std::string n = cpu_path_name(info.param);
                           for (auto& ch : n) if (ch == '-') ch = '_';
                           return n;
                         });

TEST(Golden, ThresholdExtremesAreConstant) {
  Network net = random_network({70, 3, 2}, 7);
  auto& l = net.hidden[0];
  l.thresholds = {-70, 72, 70};  // always +1, always -1, +1 only when all match
  std::mt19937_64 rng(3);
  const GoldenEngine engine(net);
  for (int t = 0; t < 50; ++t) {
    GoldenTrace tr;
    engine.infer(random_input(70, rng), tr);
    EXPECT_TRUE(tr.layer_outputs[0].get(0));
    EXPECT_FALSE(tr.layer_outputs[0].get(1));
  }
  GoldenTrace tr;
  engine.infer(l.columns[2], tr);
  EXPECT_TRUE(tr.layer_outputs[0].get(2));
}

TEST(Golden, ArgmaxTiesGoToLowestIndex) {
  Classifier c;
  c.n = 3;
  c.scale = {1.0, 1.0, 1.0};
  c.bias = {0.0, 0.0, 0.0};
  EXPECT_EQ(c.argmax({5, 7, 7}), 1);
  EXPECT_EQ(c.argmax({7, 7, 7}), 0);
  c.bias = {0.0, -2.0, 0.0};
  EXPECT_EQ(c.argmax({5, 7, 5}), 0);
}

TEST(Golden, AutoPathIsTheFastestSupported) {
  const Network net = random_network({16, 8, 2}, 1);
  EXPECT_EQ(GoldenEngine(net).path(), supported_cpu_paths().back());
}

TEST(BitVec, HexRoundTripAndPaddingIsClean) {
  std::mt19937_64 rng(9);
  for (int size : {1, 3, 4, 63, 64, 65, 130}) {
    const BitVec v = random_input(size, rng);
    EXPECT_EQ(BitVec::from_hex(v.to_hex(), size), v);
  }
  EXPECT_THROW(BitVec::from_hex("f", 3), std::invalid_argument);   // bit 3 beyond size
  EXPECT_THROW(BitVec::from_hex("g", 4), std::invalid_argument);
  EXPECT_THROW(BitVec::from_hex("ff", 4), std::invalid_argument);  // wrong length
}

}  // namespace
}  // namespace xbg
