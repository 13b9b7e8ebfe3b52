#include "core/bnn/golden.h"

#include <immintrin.h>

#include <cstring>
#include <stdexcept>

#include "core/common/error.h"

namespace xbg {

namespace {

constexpr int kGroup = 8;  // columns per interleaved group = 64-bit lanes of a 512-bit vector

// A layer repacked for speed: word w of columns 8g..8g+7 is contiguous, so one
// 512-bit load fetches the same input word's weights for 8 columns.
struct PackedLayer {
  int m = 0, n = 0, words = 0, groups = 0;
  std::vector<uint64_t> weights;         // groups * words * 8
  std::vector<int64_t> max_mismatches;   // per padded column: y=+1 iff mismatches <= limit
  bool is_classifier = false;
};

PackedLayer pack(int m, int n, const std::vector<BitVec>& columns, const std::vector<int>* thresholds) {
  PackedLayer p;
  p.m = m;
  p.n = n;
  p.words = (m + 63) / 64;
  p.groups = (n + kGroup - 1) / kGroup;
  p.weights.assign(static_cast<size_t>(p.groups) * p.words * kGroup, 0);
  p.max_mismatches.assign(static_cast<size_t>(p.groups) * kGroup, -1);
  for (int k = 0; k < n; ++k) {
    const int g = k / kGroup, c = k % kGroup;
    for (int w = 0; w < p.words; ++w) p.weights[(static_cast<size_t>(g) * p.words + w) * kGroup + c] = columns[k].data()[w];
    // s = m - 2*mismatches >= B  <=>  mismatches <= (m - B) / 2, exact since B has the parity of m.
    if (thresholds) p.max_mismatches[k] = (m - (*thresholds)[k]) / 2;
  }
  p.is_classifier = thresholds == nullptr;
  return p;
}

// Mismatch counts for 8 columns of group g; the body is shared by the scalar
// paths and compiled once per target so the builtin becomes POPCNT where allowed.
__attribute__((always_inline)) inline void group_mismatches_scalar(const PackedLayer& p, int g, const uint64_t* x,
                                                                   int64_t out[kGroup]) {
  const uint64_t* base = p.weights.data() + static_cast<size_t>(g) * p.words * kGroup;
  for (int c = 0; c < kGroup; ++c) out[c] = 0;
  for (int w = 0; w < p.words; ++w) {
    const uint64_t xw = x[w];
    for (int c = 0; c < kGroup; ++c) out[c] += __builtin_popcountll(base[w * kGroup + c] ^ xw);
  }
}

template <int kPath>
__attribute__((always_inline)) inline void layer_body(const PackedLayer& p, const uint64_t* x, uint64_t* y_words,
                                                      int* sums) {
  const int out_words = (p.n + 63) / 64;
  if (y_words) std::memset(y_words, 0, sizeof(uint64_t) * out_words);
  for (int g = 0; g < p.groups; ++g) {
    int64_t mism[kGroup];
    group_mismatches_scalar(p, g, x, mism);
    if (sums) {
      for (int c = 0; c < kGroup && g * kGroup + c < p.n; ++c) sums[g * kGroup + c] = p.m - 2 * static_cast<int>(mism[c]);
    } else {
      uint64_t byte = 0;
      for (int c = 0; c < kGroup; ++c) byte |= static_cast<uint64_t>(mism[c] <= p.max_mismatches[g * kGroup + c]) << c;
      y_words[g / 8] |= byte << (8 * (g % 8));
    }
  }
  if (y_words && (p.n % 64)) y_words[out_words - 1] &= (uint64_t{1} << (p.n % 64)) - 1;
}

__attribute__((noinline)) void layer_generic(const PackedLayer& p, const uint64_t* x, uint64_t* y, int* sums) {
  layer_body<0>(p, x, y, sums);
}

__attribute__((noinline, target("popcnt"))) void layer_popcnt(const PackedLayer& p, const uint64_t* x, uint64_t* y,
                                                              int* sums) {
  layer_body<1>(p, x, y, sums);
}

__attribute__((noinline, target("avx512f,avx512vpopcntdq"))) void layer_avx512(const PackedLayer& p,
                                                                               const uint64_t* x, uint64_t* y,
                                                                               int* sums) {
  const int out_words = (p.n + 63) / 64;
  if (y) std::memset(y, 0, sizeof(uint64_t) * out_words);
  const __m512i m_vec = _mm512_set1_epi64(p.m);
  for (int g = 0; g < p.groups; ++g) {
    const uint64_t* base = p.weights.data() + static_cast<size_t>(g) * p.words * kGroup;
    __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
    int w = 0;
    for (; w + 1 < p.words; w += 2) {  // two accumulators hide the add latency
      acc0 = _mm512_add_epi64(acc0, _mm512_popcnt_epi64(_mm512_xor_si512(
                                        _mm512_loadu_si512(base + w * kGroup), _mm512_set1_epi64(x[w]))));
      acc1 = _mm512_add_epi64(acc1, _mm512_popcnt_epi64(_mm512_xor_si512(
                                        _mm512_loadu_si512(base + (w + 1) * kGroup), _mm512_set1_epi64(x[w + 1]))));
    }
    if (w < p.words)
      acc0 = _mm512_add_epi64(acc0, _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(base + w * kGroup),
                                                                         _mm512_set1_epi64(x[w]))));
    const __m512i mism = _mm512_add_epi64(acc0, acc1);
    if (sums) {
      alignas(64) int64_t s[kGroup];
      _mm512_store_si512(s, _mm512_sub_epi64(m_vec, _mm512_add_epi64(mism, mism)));
      for (int c = 0; c < kGroup && g * kGroup + c < p.n; ++c) sums[g * kGroup + c] = static_cast<int>(s[c]);
    } else {
      const __m512i limit = _mm512_loadu_si512(p.max_mismatches.data() + g * kGroup);
      const uint64_t byte = _mm512_cmple_epi64_mask(mism, limit);
      y[g / 8] |= byte << (8 * (g % 8));
    }
  }
  if (y && (p.n % 64)) y[out_words - 1] &= (uint64_t{1} << (p.n % 64)) - 1;
}

using LayerFn = void (*)(const PackedLayer&, const uint64_t*, uint64_t*, int*);

LayerFn layer_fn(CpuPath p) {
  switch (p) {
    case CpuPath::kGeneric: return layer_generic;
    case CpuPath::kPopcnt: return layer_popcnt;
    case CpuPath::kAvx512: return layer_avx512;
    default: throw std::logic_error("layer_fn: unresolved path");
  }
}

}  // namespace

std::string cpu_path_name(CpuPath p) {
  switch (p) {
    case CpuPath::kAuto: return "auto";
    case CpuPath::kGeneric: return "generic";
    case CpuPath::kPopcnt: return "popcnt";
    case CpuPath::kAvx512: return "avx512-vpopcntdq";
  }
  return "?";
}

bool cpu_path_supported(CpuPath p) {
  __builtin_cpu_init();
  switch (p) {
    case CpuPath::kAuto:
    case CpuPath::kGeneric: return true;
    case CpuPath::kPopcnt: return __builtin_cpu_supports("popcnt");
    case CpuPath::kAvx512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
  }
  return false;
}

std::vector<CpuPath> supported_cpu_paths() {
  std::vector<CpuPath> out;
  for (CpuPath p : {CpuPath::kGeneric, CpuPath::kPopcnt, CpuPath::kAvx512})
    if (cpu_path_supported(p)) out.push_back(p);
  return out;
}

struct GoldenEngine::Packed {
  std::vector<PackedLayer> layers;  // hidden layers then the classifier
  Classifier classifier;            // scale/bias for argmax
  LayerFn fn = nullptr;
  int max_words = 0;
};

GoldenEngine::GoldenEngine(const Network& net, CpuPath path) : packed_(std::make_unique<Packed>()) {
  if (path == CpuPath::kAuto) path = supported_cpu_paths().back();
  if (!cpu_path_supported(path)) throw UserError("golden engine: CPU path " + cpu_path_name(path) + " is not supported here");
  path_ = path;
  packed_->fn = layer_fn(path);
  for (const auto& l : net.hidden) packed_->layers.push_back(pack(l.m, l.n, l.columns, &l.thresholds));
  packed_->layers.push_back(pack(net.classifier.m, net.classifier.n, net.classifier.columns, nullptr));
  packed_->classifier = net.classifier;
  for (const auto& p : packed_->layers) packed_->max_words = std::max({packed_->max_words, p.words, (p.n + 63) / 64});
}

GoldenEngine::~GoldenEngine() = default;
GoldenEngine::GoldenEngine(GoldenEngine&&) noexcept = default;
GoldenEngine& GoldenEngine::operator=(GoldenEngine&&) noexcept = default;

void GoldenEngine::layer_sums(int layer, const BitVec& input, std::vector<int>& sums) const {
  const PackedLayer& p = packed_->layers.at(layer);
  if (input.size() != p.m) throw std::invalid_argument("layer_sums: input size mismatch");
  sums.resize(p.n);
  packed_->fn(p, input.data(), nullptr, sums.data());
}

int GoldenEngine::predict(const BitVec& input) const {
  const auto& layers = packed_->layers;
  if (input.size() != layers.front().m) throw std::invalid_argument("predict: input size mismatch");
  thread_local std::vector<uint64_t> a, b;
  thread_local std::vector<int> sums;
  a.resize(packed_->max_words);
  b.resize(packed_->max_words);
  const uint64_t* x = input.data();
  for (size_t i = 0; i + 1 < layers.size(); ++i) {
    packed_->fn(layers[i], x, a.data(), nullptr);
    std::swap(a, b);
    x = b.data();
  }
  sums.resize(layers.back().n);
  packed_->fn(layers.back(), x, nullptr, sums.data());
  return packed_->classifier.argmax(sums);
}

void GoldenEngine::infer(const BitVec& input, GoldenTrace& trace) const {
  const auto& layers = packed_->layers;
  if (input.size() != layers.front().m) throw std::invalid_argument("infer: input size mismatch");
  const size_t hidden = layers.size() - 1;
  trace.layer_outputs.resize(hidden);
  const BitVec* x = &input;
  for (size_t i = 0; i < hidden; ++i) {
    if (trace.layer_outputs[i].size() != layers[i].n) trace.layer_outputs[i] = BitVec(layers[i].n);
    packed_->fn(layers[i], x->data(), trace.layer_outputs[i].data(), nullptr);
    x = &trace.layer_outputs[i];
  }
  trace.class_sums.resize(layers.back().n);
  packed_->fn(layers.back(), x->data(), nullptr, trace.class_sums.data());
  trace.prediction = packed_->classifier.argmax(trace.class_sums);
}

BitVec reference_layer_forward(const BinaryLayer& layer, const BitVec& x) {
  BitVec y(layer.n);
  for (int k = 0; k < layer.n; ++k) {
    int s = 0;
    for (int i = 0; i < layer.m; ++i) s += layer.columns[k].value(i) * x.value(i);
    y.set(k, s - layer.thresholds[k] >= 0);  // sign(0) = +1
  }
  return y;
}

}  // namespace xbg
