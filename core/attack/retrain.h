#pragma once
// Retraining helpers shared by the attacks that train a network (fine-tune,
// query-extraction): the trainer of core/train, run epoch by epoch with the
// test accuracy sampled along the way.
#include <cstdint>
#include <utility>
#include <vector>

#include "core/bnn/network.h"
#include "core/data/dataset.h"
#include "core/train/trainer.h"

namespace xbg::attack {

struct RetrainCurve {
  std::vector<std::pair<int, double>> points;  // (epoch, test accuracy); epoch 0 = the start (init only)
  double seconds = 0;
  double final_accuracy() const { return points.empty() ? 0.0 : points.back().second; }
};

// Trains opt.epochs epochs on `subset` of `train`, from `init`'s binary
// weights (nullptr: from scratch, latent weights drawn from opt.seed), and
// scores the trainer's binarized inference on `test` at epoch 0 (init only),
// at `checkpoints` evenly spaced epochs and after the last epoch.
RetrainCurve retrain(const TrainOptions& opt, const ImageSet& train, const std::vector<int>& subset,
                     const ImageSet& test, const Network* init, int checkpoints);

// Trainer options for retraining the stored network's architecture: the
// attack config's batch, learning rate, schedule and latent init, the run's
// seed and the model's input threshold (epochs and fraction left to the caller).
template <class RetrainConfig>
TrainOptions retrain_options(const Network& stored, uint64_t seed, const RetrainConfig& cfg) {
  TrainOptions o;
  o.topology = stored.topology();
  o.batch = cfg.batch;
  o.lr = cfg.lr;
  o.schedule = cfg.schedule;
  o.seed = seed;
  o.threshold = stored.input_threshold;
  o.init_latent = cfg.init_latent;
  return o;
}

// The first `limit` images (limit < 0 or >= count: all).
ImageSet head_images(const ImageSet& set, int limit);
ImageSet subset_images(const ImageSet& set, const std::vector<int>& idx);

// Epochs that give at least `steps` minibatch steps on `images` images (and
// at least min_epochs): small labelled sets get more passes, so every
// training-set size gets a comparable number of updates.
int epochs_for_steps(int images, int batch, int steps, int min_epochs);

}  // namespace xbg::attack
