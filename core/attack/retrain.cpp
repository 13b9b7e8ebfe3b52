#include "core/attack/retrain.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace xbg::attack {

ImageSet head_images(const ImageSet& set, int limit) {
  if (limit < 0 || limit >= set.count()) return set;
  ImageSet out;
  out.rows = set.rows;
  out.cols = set.cols;
  out.pixels.assign(set.pixels.begin(), set.pixels.begin() + static_cast<size_t>(limit) * set.image_size());
  out.labels.assign(set.labels.begin(), set.labels.begin() + limit);
  return out;
}

ImageSet subset_images(const ImageSet& set, const std::vector<int>& idx) {
  ImageSet out;
  out.rows = set.rows;
  out.cols = set.cols;
  out.pixels.reserve(idx.size() * static_cast<size_t>(set.image_size()));
  for (int i : idx) {
    out.pixels.insert(out.pixels.end(), set.image(i), set.image(i) + set.image_size());
    out.labels.push_back(set.labels[i]);
  }
  return out;
}

int epochs_for_steps(int images, int batch, int steps, int min_epochs) {
  const int batches = std::max(1, (images + batch - 1) / batch);
  return std::max(min_epochs, (steps + batches - 1) / batches);
}

RetrainCurve retrain(const TrainOptions& opt, const ImageSet& train, const std::vector<int>& subset,
                     const ImageSet& test, const Network* init, int checkpoints) {
  const auto t0 = std::chrono::steady_clock::now();
  BnnTrainer trainer(opt);
  RetrainCurve out;
  if (init) {
    trainer.init_from_network(*init, subset_images(train, subset));
    out.points.push_back({0, accuracy(trainer.predict(test), test)});
  }
  std::vector<int> marks;
  for (int c = 1; c <= checkpoints; ++c)
    marks.push_back(static_cast<int>(std::lround(static_cast<double>(c) * opt.epochs / (checkpoints + 1))));
  for (int e = 1; e <= opt.epochs; ++e) {
    trainer.train_epoch(train, subset, nullptr);
    if (e == opt.epochs || std::find(marks.begin(), marks.end(), e) != marks.end())
      out.points.push_back({e, accuracy(trainer.predict(test), test)});
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace xbg::attack
