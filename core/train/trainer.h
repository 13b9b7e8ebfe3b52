#pragma once
// A binarized MLP trainer: latent float weights in [-1, 1], sign
// binarization with the straight-through estimator, batch norm after every
// binary layer, Adam, a learning-rate schedule, optional ±k-pixel shifts.
// Float math on Eigen; each big matrix product is split into two fixed halves
// run on two threads, so the result never depends on thread timing or count.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bnn/bn_fold.h"
#include "core/bnn/network.h"
#include "core/data/dataset.h"

namespace xbg {

struct TrainOptions {
  std::vector<int> topology{784, 512, 512, 512, 10};
  int epochs = 60;
  int batch = 100;
  double lr = 0.03;                  // peak Adam step size (fine-tuning with --init wants less, e.g. 0.001)
  std::string schedule = "cosine";   // "cosine" | "step" (x0.1 at 50 % and 75 %) | "constant"
  int shift = 0;                     // random ±shift pixels in x and y per image and epoch
  uint64_t seed = 1;
  double threshold = 0.5;            // input binarization: pixel >= threshold -> +1
  double train_fraction = 1.0;       // seeded subset of the training set
  double init_range = 1.0;           // random init: latent weights uniform in [-r, r]
  double init_latent = 0.25;         // --init: latent weight = ±init_latent
  double bn_momentum = 0.1;          // running statistics: r = (1 - mom) r + mom * batch
  double bn_eps = 1e-5;              // sigma = sqrt(var + eps), in training and in the fold
  int threads = 2;                   // 1 or 2: how the two halves of each product run

  nlohmann::json to_json() const;
  void validate() const;             // UserError naming the flag
};

struct EpochStats {
  int epoch = 0;            // 1-based
  double lr = 0;            // at the epoch's first step
  double loss = 0;          // mean cross-entropy over the epoch's batches (training mode)
  double train_accuracy = 0;
  double test_accuracy = 0; // binarized inference with running statistics (what is exported)
  double time_s = 0;
};

class BnnTrainer {
 public:
  explicit BnnTrainer(const TrainOptions& opt);  // latent weights drawn from opt.seed
  ~BnnTrainer();
  BnnTrainer(const BnnTrainer&) = delete;
  BnnTrainer& operator=(const BnnTrainer&) = delete;

  // Starts from a model's binary weights (protected models are taken as they
  // are stored, as a thief would). Batch norm is set so that predict() gives
  // exactly the model's predictions: running statistics of every column's sum
  // over `stats_images`, gamma = +1, beta from the threshold; the classifier's
  // BN reproduces its affine a_c, b_c (to the last bit where the rounding of
  // sigma allows; otherwise within an ulp or two).
  void init_from_network(const Network& net, const ImageSet& stats_images);

  // One pass over `subset` (indices into train) in seeded random order.
  // `test` may be null (test_accuracy is then 0).
  EpochStats train_epoch(const ImageSet& train, const std::vector<int>& subset, const ImageSet* test);

  // The binarized network with running statistics, evaluated the trainer's
  // own way (float products of ±1 matrices, BN decision in double).
  std::vector<int> predict(const ImageSet& images) const;

  // BN folded into even-parity thresholds (fold_batch_norm), the classifier's
  // BN into a_c = gamma/sigma, b_c = beta - a_c mu.
  Network export_network(const std::string& name, const std::string& dataset) const;

  // Per hidden layer (then the classifier last), the BN the export folds.
  std::vector<std::vector<BatchNormParams>> batch_norm_params() const;

  int epochs_done() const;
  const TrainOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Indices of the training images used: all of them for fraction 1, else the
// first round(fraction * n) of a seeded shuffle (at least one).
std::vector<int> training_subset(int n, double fraction, uint64_t seed);
// UserError unless that subset of n training images holds at least one batch.
void check_training_subset(int n, const TrainOptions& opt);

struct TrainResult {
  Network net;
  std::vector<EpochStats> history;
  std::vector<int> test_predictions;  // trainer's binarized inference on data.test
  double test_accuracy = 0;
  double train_time_s = 0;
  int train_images = 0;
  double init_test_accuracy = -1;     // --init: the source model's accuracy (reproduced)
};

// A whole run: subset, optional init from `init` (checked: before the first
// update the trainer must give the golden engine's predictions of `init` on
// every test image, else UserError), epochs, export (metadata left to the
// caller). `on_epoch` sees each epoch's statistics, and with `init` first an
// epoch 0 holding only the reproduced model's test accuracy.
TrainResult train_network(const Dataset& data, const TrainOptions& opt, const Network* init,
                          const std::function<void(const EpochStats&)>& on_epoch = nullptr);

// Positions where the golden engine on `net` disagrees with `expected` over `images`.
std::vector<int> golden_mismatches(const Network& net, const ImageSet& images, const std::vector<int>& expected);

double accuracy(const std::vector<int>& predictions, const ImageSet& images);

}  // namespace xbg
