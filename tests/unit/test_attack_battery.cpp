// The security battery: its verdict is the strongest attack score and the
// strongest labels-only reference its methods report, a method that cannot
// model a protection is recorded as such, and a user's mistake is not
// mistaken for that.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/attack/battery.h"
#include "core/bnn/model_io.h"
#include "core/common/paths.h"
#include "core/protection/protect_network.h"
#include "tests/unit/mnist_fixture.h"
#include "tests/unit/temp_dir.h"

namespace xbg::attack {
namespace {

#define REQUIRE_MNIST() \
  if (!shared_mnist()) GTEST_SKIP() << mnist_digits_dir() << " missing: run scripts/setup.sh"

const AttackData& data() {
  static const AttackData d = attack_data(*shared_mnist(), "mnist", kMnistThreshold);
  return d;
}

SecurityVerdict battery(const std::string& scheme, const BatteryConfig& cfg, const std::string& cache_dir = "") {
  const Network plain = load_network(repo_root() + "/networks/small.json");
  const MasterKey master = master_key_from_seed(4);
  const Network stored = protect_network(plain, parse_scheme(scheme), {1, 2}, master, false, key_seed_label(4));
  const Evaluator eval(stored, derive_network_keys(stored, master), data(), 500);
  const AttackContext ctx{"test", stored, eval, data(), 3, "", "test", "test"};
  return cache_dir.empty() ? run_battery(ctx, cfg) : cached_battery(ctx, cfg, cache_dir);
}

TEST(SecurityBattery, TheVerdictIsTheStrongestScoreOfItsMethods) {
  REQUIRE_MNIST();
  BatteryConfig cfg;
  cfg.methods = {"no-key", "align", "features"};
  const SecurityVerdict v = battery("C", cfg);
  ASSERT_EQ(v.entries.size(), 3u);
  double best = -1, reference = -1;
  int bits = -1;
  for (const BatteryEntry& e : v.entries) {
    EXPECT_TRUE(e.applies) << e.method << ": " << e.why_not;
    EXPECT_FALSE(e.scores.empty()) << e.method;
    for (const AttackScore& s : e.scores) {
      EXPECT_LE(s.labelled_images, cfg.k) << e.method;
      EXPECT_LE(s.key_bits_right, v.key_bits) << e.method;
      (s.reference ? reference : best) = std::max(s.reference ? reference : best, s.test_accuracy);
      if (!s.reference) bits = std::max(bits, s.key_bits_right);
    }
  }
  EXPECT_DOUBLE_EQ(v.best_attack_accuracy, best);
  EXPECT_DOUBLE_EQ(v.scratch_reference, reference);  // the features method's head on the bare pixels
  EXPECT_EQ(v.key_bits_recovered, bits);
  EXPECT_GE(v.best_attack_accuracy, v.no_key_accuracy);
  // Scheme C leaves the statistics align reads: it gets well above chance.
  EXPECT_GT(v.best_attack_accuracy, 0.5);
  EXPECT_GT(v.key_bits_recovered, v.key_bits / 2);
}

TEST(SecurityBattery, AMethodThatCannotModelTheProtectionIsRecordedNotFatal) {
  REQUIRE_MNIST();
  BatteryConfig cfg;
  cfg.methods = {"align", "no-key"};
  const SecurityVerdict v = battery("perm", cfg);
  ASSERT_EQ(v.entries.size(), 2u);
  EXPECT_FALSE(v.entries[0].applies);
  EXPECT_EQ(v.entries[0].why_not.rfind("align:", 0), 0u) << v.entries[0].why_not;
  EXPECT_TRUE(v.entries[0].scores.empty());
  EXPECT_TRUE(v.entries[1].applies);
  EXPECT_DOUBLE_EQ(v.best_attack_accuracy, v.no_key_accuracy);
}

// An unprotected network is the plain model in the thief's hands: the
// verdict is its own accuracy, and no search runs against nothing.
TEST(SecurityBattery, AnUnprotectedNetworkIsItsOwnBestAttack) {
  REQUIRE_MNIST();
  const SecurityVerdict v = battery("none", BatteryConfig{});
  EXPECT_DOUBLE_EQ(v.best_attack_accuracy, v.no_key_accuracy);
  EXPECT_DOUBLE_EQ(v.no_key_accuracy, v.baseline_accuracy);
  EXPECT_EQ(v.key_bits, 0);
  for (const BatteryEntry& e : v.entries) EXPECT_EQ(e.applies, e.method == "no-key") << e.method;
}

TEST(SecurityBattery, AUsersMistakeStopsTheBattery) {
  REQUIRE_MNIST();
  BatteryConfig cfg;
  cfg.k = 9000;  // more labelled images than the 8,000-image training split
  cfg.methods = {"align"};
  EXPECT_THROW(battery("C", cfg), UserError);
  cfg.methods = {"battery"};
  cfg.k = 100;
  EXPECT_THROW(battery("C", cfg), UserError);
}

// The cache hands back the verdict it stored for the same stored network and
// settings, never one of another network, and recomputes a damaged entry.
TEST(SecurityBattery, TheCacheReturnsTheVerdictOfTheSameNetworkOnly) {
  REQUIRE_MNIST();
  const TempDir dir("xbg-battery-cache");
  BatteryConfig cfg;
  cfg.methods = {"no-key"};
  const SecurityVerdict c1 = battery("C", cfg, dir.path().string());
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path()))
    if (e.is_regular_file()) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  // Poison the entry: a cached read must return exactly what the file says.
  json j = json::parse(std::ifstream(files[0]));
  j["best_attack"] = "from the cache";
  std::ofstream(files[0]) << j.dump();
  EXPECT_EQ(battery("C", cfg, dir.path().string()).best_attack, "from the cache");
  // Another scheme is another stored network: computed, not read.
  EXPECT_NE(battery("B", cfg, dir.path().string()).best_attack, "from the cache");
  std::ofstream(files[0]) << "{ damaged";
  const SecurityVerdict c2 = battery("C", cfg, dir.path().string());
  EXPECT_EQ(c2.best_attack, c1.best_attack);
  EXPECT_DOUBLE_EQ(c2.no_key_accuracy, c1.no_key_accuracy);
}

}  // namespace
}  // namespace xbg::attack
