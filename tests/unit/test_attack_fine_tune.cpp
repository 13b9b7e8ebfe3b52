// fine-tune and query-extraction (docs/threat-model.md, a thief with a working chip): retraining must start exactly
// where the stolen weights stand (the baseline for unprotected weights, the
// no-key accuracy for W*), and the extraction clone must learn the chip.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/attack/methods.h"
#include "core/attack/retrain.h"
#include "core/bnn/golden.h"
#include "core/protection/protect_network.h"
#include "core/train/trainer.h"
#include "tests/unit/mnist_fixture.h"

namespace xbg::attack {
namespace {

const Dataset* mnist() { return shared_mnist(); }

#define REQUIRE_MNIST() \
  if (!mnist()) GTEST_SKIP() << mnist_digits_dir() << " missing: run scripts/setup.sh"

// A small plain network with three hidden layers, trained briefly.
const Network& small_net() {
  static const Network net = [] {
    TrainOptions o;
    o.topology = {784, 64, 64, 64, 10};
    o.epochs = 2;
    o.batch = 50;
    o.lr = 0.01;
    o.train_fraction = 0.25;
    o.seed = 3;
    return train_network(*mnist(), o, nullptr).net;
  }();
  return net;
}

AttackData attack_data() {
  AttackData d;
  d.name = "mnist";
  d.raw = mnist();
  d.train_x = binarize_all(mnist()->train, kMnistThreshold);
  d.test_x = binarize_all(mnist()->test, kMnistThreshold);
  d.train_y.assign(mnist()->train.labels.begin(), mnist()->train.labels.end());
  d.test_y.assign(mnist()->test.labels.begin(), mnist()->test.labels.end());
  return d;
}

AttackOutcome run_method(const std::string& name, const Network& stored, const KeyGuess& truth, const json& cfg) {
  static const AttackData data = attack_data();
  const Evaluator eval(stored, truth, data, 500);
  const AttackContext ctx{"test", stored, eval, data, 5, "", "test", "test"};
  return find_method(name).run(ctx, cfg, "(test)");
}

TEST(FineTune, FromOriginalWeightsStartsAtTheBaseline) {
  REQUIRE_MNIST();
  const Network& plain = small_net();
  const KeySpace space(plain);
  const AttackOutcome o = run_method("fine-tune", plain, space.zero(),
                                     {{"fractions", {0.01}}, {"steps", 2}, {"min_epochs", 1}, {"scratch", false}});
  const json& run = o.details["runs"][0];
  const double start = run["from_wstar_curve"][0][1].get<double>();
  EXPECT_EQ(run["from_wstar_curve"][0][0].get<int>(), 0);
  // The baseline of the evaluator: the golden engine on the plain network.
  const ImageSet test = head_images(mnist()->test, 500);
  const GoldenEngine engine(plain);
  int correct = 0;
  for (int i = 0; i < test.count(); ++i)
    correct += engine.predict(binarize(test.image(i), test.image_size(), plain.input_threshold)) == test.labels[i];
  EXPECT_DOUBLE_EQ(start, static_cast<double>(correct) / test.count());
  EXPECT_DOUBLE_EQ(start, o.details["baseline_accuracy"].get<double>());
  EXPECT_GT(start, 0.5);  // a trained network, so the check is not vacuous
}

TEST(FineTune, FromStolenWeightsStartsAtTheNoKeyAccuracy) {
  REQUIRE_MNIST();
  const MasterKey master = master_key_from_seed(11);
  const Network stored = protect_network(small_net(), Scheme::kC, {1, 2, 3}, master, false, key_seed_label(11));
  const AttackOutcome o = run_method("fine-tune", stored, derive_network_keys(stored, master),
                                     {{"fractions", {0.01}}, {"steps", 2}, {"min_epochs", 1}, {"checkpoints", 0}});
  const json& run = o.details["runs"][0];
  EXPECT_DOUBLE_EQ(run["from_wstar_curve"][0][1].get<double>(), o.details["no_key_accuracy"].get<double>());
  EXPECT_LT(o.details["no_key_accuracy"].get<double>(), o.details["baseline_accuracy"].get<double>());
  EXPECT_EQ(run["train_images"].get<int>(), 80);  // 1 % of the 8,000 training images
  EXPECT_TRUE(run.contains("from_scratch_accuracy"));
  EXPECT_EQ(run["from_scratch_curve"].size(), 1u);  // scratch has no epoch-0 point
}

TEST(QueryExtraction, CloneLearnsTheChipsAnswers) {
  REQUIRE_MNIST();
  const MasterKey master = master_key_from_seed(12);
  const Network stored = protect_network(small_net(), Scheme::kB, {1, 2, 3}, master, false, key_seed_label(12));
  const AttackOutcome o = run_method("query-extraction", stored, derive_network_keys(stored, master),
                                     {{"queries", {2000}}, {"steps", 100}, {"lr", 0.01}, {"from_wstar", false}});
  const json& run = o.details["runs"][0];
  EXPECT_EQ(run["original_train_images"].get<int>(), 2000);
  EXPECT_EQ(run["shifted_copies"].get<int>(), 0);
  // The chip is the keyed network: it scores the plain network's accuracy.
  EXPECT_GT(o.details["chip_accuracy"].get<double>(), 0.5);
  // Chance is 10 %; a clone trained on 2,000 chip answers learns far more.
  EXPECT_GT(run["from_scratch_accuracy"].get<double>(), 0.4);
}

TEST(QueryExtraction, BeyondTheTrainingSplitUsesShiftedCopies) {
  REQUIRE_MNIST();
  const MasterKey master = master_key_from_seed(13);
  const Network stored = protect_network(small_net(), Scheme::kA, {1}, master, false, key_seed_label(13));
  const AttackOutcome o = run_method("query-extraction", stored, derive_network_keys(stored, master),
                                     {{"queries", {8100}}, {"steps", 1}, {"min_epochs", 1}, {"scratch", false}});
  const json& run = o.details["runs"][0];
  EXPECT_EQ(run["original_train_images"].get<int>(), 8000);
  EXPECT_EQ(run["shifted_copies"].get<int>(), 100);
  int total = 0;
  for (const auto& k : run["chip_label_histogram"]) total += k.get<int>();
  EXPECT_EQ(total, 8100);
}

}  // namespace
}  // namespace xbg::attack
