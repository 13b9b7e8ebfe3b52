#include "core/train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <thread>

#include <Eigen/Dense>

#include "core/bnn/golden.h"
#include "core/common/error.h"
#include "core/common/progress.h"

namespace xbg {
namespace {

using MatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowF = Eigen::RowVectorXf;
using VecD = Eigen::VectorXd;

constexpr double kPi = 3.14159265358979323846;
constexpr double kAdamBeta1 = 0.9, kAdamBeta2 = 0.999, kAdamEps = 1e-8;

// Runs f(begin, end) on the two fixed halves of [0, n). The split never
// depends on `threads`, so one thread and two threads give the same bits.
template <class F>
void two_halves(int n, int threads, F&& f) {
  const int mid = n / 2;
  if (threads >= 2 && mid > 0) {
    std::thread t([&] { f(mid, n); });
    f(0, mid);
    t.join();
  } else {
    f(0, mid);
    f(mid, n);
  }
}

// out = x * w, split by rows of x.
void matmul_rows(const MatF& x, const MatF& w, MatF& out, int threads) {
  out.resize(x.rows(), w.cols());
  two_halves(static_cast<int>(x.rows()), threads, [&](int b, int e) {
    if (e > b) out.middleRows(b, e - b).noalias() = x.middleRows(b, e - b) * w;
  });
}

// out = x * w^T, split by rows of x.
void matmul_rows_t(const MatF& x, const MatF& w, MatF& out, int threads) {
  out.resize(x.rows(), w.rows());
  two_halves(static_cast<int>(x.rows()), threads, [&](int b, int e) {
    if (e > b) out.middleRows(b, e - b).noalias() = x.middleRows(b, e - b) * w.transpose();
  });
}

// out = x^T * d, split by columns of d.
void matmul_tn_cols(const MatF& x, const MatF& d, MatF& out, int threads) {
  out.resize(x.cols(), d.cols());
  two_halves(static_cast<int>(d.cols()), threads, [&](int b, int e) {
    if (e > b) out.middleCols(b, e - b).noalias() = x.transpose() * d.middleCols(b, e - b);
  });
}

float sign_pm1(float v) { return v >= 0.0f ? 1.0f : -1.0f; }  // sign(0) = +1

struct Adam {
  MatF m, v;
  void init(Eigen::Index r, Eigen::Index c) {
    m = MatF::Zero(r, c);
    v = MatF::Zero(r, c);
  }
  void step(MatF& w, const MatF& g, double lr_t, double bc1, double bc2) {
    constexpr float b1 = static_cast<float>(kAdamBeta1), b2 = static_cast<float>(kAdamBeta2);
    m = b1 * m + (1.0f - b1) * g;
    v = b2 * v + (1.0f - b2) * g.cwiseProduct(g);
    const float a = static_cast<float>(lr_t / bc1);
    const float s = static_cast<float>(1.0 / std::sqrt(bc2));
    w.array() -= a * m.array() / ((v.array().sqrt() * s) + static_cast<float>(kAdamEps));
  }
};

struct AdamD {
  VecD m, v;
  void init(Eigen::Index n) {
    m = VecD::Zero(n);
    v = VecD::Zero(n);
  }
  void step(VecD& w, const VecD& g, double lr_t, double bc1, double bc2) {
    m = kAdamBeta1 * m + (1.0 - kAdamBeta1) * g;
    v = kAdamBeta2 * v + (1.0 - kAdamBeta2) * g.cwiseProduct(g);
    w.array() -= (lr_t / bc1) * m.array() / ((v.array() / bc2).sqrt() + kAdamEps);
  }
};

struct Layer {
  int m = 0, n = 0;
  MatF w;   // latent weights, m x n, in [-1, 1]
  MatF wb;  // sign(w)
  VecD gamma, beta, run_mean, run_var;
  Adam adam_w;
  AdamD adam_gamma, adam_beta;
  // Per-batch caches for the backward pass.
  MatF x, zhat, a;
  RowF inv_std;

  void binarize_weights() { wb = w.unaryExpr([](float v) { return sign_pm1(v); }); }
};

}  // namespace

struct BnnTrainer::Impl {
  TrainOptions opt;
  std::vector<Layer> layers;  // hidden layers, then the classifier
  std::mt19937_64 rng_order;  // batch order and shifts
  int64_t step = 0;
  int epochs_done = 0;
  int64_t total_steps = 0;    // set at the first epoch from the subset size

  int threads() const { return opt.threads; }

  double lr_at(int64_t t) const {
    const double frac = total_steps > 0 ? static_cast<double>(t) / static_cast<double>(total_steps) : 0.0;
    if (opt.schedule == "cosine") return opt.lr * 0.5 * (1.0 + std::cos(kPi * std::min(frac, 1.0)));
    if (opt.schedule == "step") return opt.lr * (frac < 0.5 ? 1.0 : frac < 0.75 ? 0.1 : 0.01);
    return opt.lr;
  }

  // Binarized input rows for images[idx[b..e)], each shifted by its (dx, dy).
  void fill_inputs(const ImageSet& set, const int* idx, int count, const int* shifts, MatF& x) const {
    const int rows = set.rows, cols = set.cols, size = set.image_size();
    x.resize(count, size);
    for (int r = 0; r < count; ++r) {
      const float* img = set.image(idx[r]);
      float* out = x.data() + static_cast<size_t>(r) * size;
      const int dx = shifts ? shifts[2 * r] : 0, dy = shifts ? shifts[2 * r + 1] : 0;
      for (int y = 0; y < rows; ++y) {
        const int sy = y - dy;
        for (int c = 0; c < cols; ++c) {
          const int sx = c - dx;
          // Pixels shifted in from outside the frame are background (0 < threshold).
          const bool on = sy >= 0 && sy < rows && sx >= 0 && sx < cols && pixel_on(img[sy * cols + sx], opt.threshold);
          out[y * cols + c] = on ? 1.0f : -1.0f;
        }
      }
    }
  }

  BatchNormParams bn_params(const Layer& L, int k) const {
    BatchNormParams p;
    p.gamma = L.gamma[k];
    p.beta = L.beta[k];
    p.mu = L.run_mean[k];
    p.sigma = std::sqrt(L.run_var[k] + opt.bn_eps);
    return p;
  }

  // Training step on one batch; returns (loss sum, correct count).
  std::pair<double, int> train_batch(const MatF& input, const uint8_t* labels, double lr_t) {
    const int B = static_cast<int>(input.rows());
    const int nl = static_cast<int>(layers.size());
    const float eps = static_cast<float>(opt.bn_eps);
    for (int l = 0; l < nl; ++l) {
      Layer& L = layers[l];
      if (l == 0) L.x = input;
      else L.x = layers[l - 1].a.unaryExpr([](float v) { return sign_pm1(v); });
      MatF z;
      matmul_rows(L.x, L.wb, z, threads());
      const RowF mean = z.colwise().mean();
      z.rowwise() -= mean;
      const RowF var = z.array().square().colwise().mean();
      L.inv_std = (var.array() + eps).rsqrt();
      L.zhat = z.array().rowwise() * L.inv_std.array();
      const RowF g = L.gamma.cast<float>().transpose(), b = L.beta.cast<float>().transpose();
      L.a = (L.zhat.array().rowwise() * g.array()).rowwise() + b.array();
      const double mom = opt.bn_momentum;
      const double unbias = static_cast<double>(B) / static_cast<double>(B - 1);
      L.run_mean = (1.0 - mom) * L.run_mean + mom * mean.cast<double>().transpose();
      L.run_var = (1.0 - mom) * L.run_var + (mom * unbias) * var.cast<double>().transpose();
    }

    // Softmax cross-entropy on the classifier's BN output.
    Layer& C = layers.back();
    MatF d(B, C.n);
    double loss = 0;
    int correct = 0;
    for (int r = 0; r < B; ++r) {
      const auto row = C.a.row(r);
      Eigen::Index best;
      const float mx = row.maxCoeff(&best);
      correct += (static_cast<int>(best) == labels[r]);
      double sum = 0;
      for (int c = 0; c < C.n; ++c) sum += std::exp(static_cast<double>(row[c] - mx));
      loss += std::log(sum) - static_cast<double>(row[labels[r]] - mx);
      for (int c = 0; c < C.n; ++c)
        d(r, c) = static_cast<float>((std::exp(static_cast<double>(row[c] - mx)) / sum - (c == labels[r] ? 1.0 : 0.0)) / B);
    }

    ++step;
    const double bc1 = 1.0 - std::pow(kAdamBeta1, static_cast<double>(step));
    const double bc2 = 1.0 - std::pow(kAdamBeta2, static_cast<double>(step));
    for (int l = nl - 1; l >= 0; --l) {
      Layer& L = layers[l];
      // d is dLoss/dA for this layer.
      const VecD dgamma = (d.array() * L.zhat.array()).colwise().sum().cast<double>().transpose();
      const VecD dbeta = d.colwise().sum().cast<double>().transpose();
      const RowF g = L.gamma.cast<float>().transpose();
      MatF dzhat = d.array().rowwise() * g.array();
      const RowF s1 = dzhat.colwise().sum();
      const RowF s2 = (dzhat.array() * L.zhat.array()).colwise().sum();
      const float fb = static_cast<float>(B);
      MatF dz = ((dzhat.array() * fb).rowwise() - s1.array()) - (L.zhat.array().rowwise() * s2.array());
      dz.array().rowwise() *= (L.inv_std.array() / fb);
      MatF dw;
      matmul_tn_cols(L.x, dz, dw, threads());
      if (l > 0) {
        MatF dx;
        matmul_rows_t(dz, L.wb, dx, threads());
        // Straight-through estimator of sign: pass the gradient where |a| <= 1.
        const MatF& a_prev = layers[l - 1].a;
        d = (a_prev.array().abs() <= 1.0f).select(dx, 0.0f);
      }
      L.adam_w.step(L.w, dw, lr_t, bc1, bc2);
      L.w = L.w.cwiseMax(-1.0f).cwiseMin(1.0f);
      L.binarize_weights();
      L.adam_gamma.step(L.gamma, dgamma, lr_t, bc1, bc2);
      L.adam_beta.step(L.beta, dbeta, lr_t, bc1, bc2);
    }
    return {loss, correct};
  }

  // Binarized inference with running statistics: class scores per image.
  void predict_block(const MatF& input, std::vector<int>& out, int offset) const {
    MatF x = input, z;
    const int nl = static_cast<int>(layers.size());
    for (int l = 0; l + 1 < nl; ++l) {
      const Layer& L = layers[l];
      matmul_rows(x, L.wb, z, threads());
      std::vector<BatchNormParams> bn(L.n);
      for (int k = 0; k < L.n; ++k) bn[k] = bn_params(L, k);
      x.resize(z.rows(), z.cols());
      for (Eigen::Index r = 0; r < z.rows(); ++r)
        for (int k = 0; k < L.n; ++k) {
          const BatchNormParams& p = bn[k];
          const double s = z(r, k);  // an exact integer
          x(r, k) = (p.gamma * (s - p.mu) / p.sigma + p.beta >= 0.0) ? 1.0f : -1.0f;
        }
    }
    const Layer& C = layers.back();
    matmul_rows(x, C.wb, z, threads());
    std::vector<double> a(C.n), b(C.n);
    for (int c = 0; c < C.n; ++c) classifier_affine(c, a[c], b[c]);
    for (Eigen::Index r = 0; r < z.rows(); ++r) {
      int best = 0;
      double best_score = a[0] * static_cast<double>(z(r, 0)) + b[0];
      for (int c = 1; c < C.n; ++c) {
        const double score = a[c] * static_cast<double>(z(r, c)) + b[c];
        if (score > best_score) best = c, best_score = score;  // ties go to the lowest index
      }
      out[offset + r] = best;
    }
  }

  void classifier_affine(int c, double& a, double& b) const {
    const BatchNormParams p = bn_params(layers.back(), c);
    a = p.gamma / p.sigma;
    b = p.beta - a * p.mu;
  }
};

nlohmann::json TrainOptions::to_json() const {
  return {{"topology", topology},     {"epochs", epochs},         {"batch", batch},
          {"lr", lr},                 {"schedule", schedule},     {"shift", shift},
          {"seed", seed},             {"threshold", threshold},   {"train_fraction", train_fraction},
          {"init_range", init_range}, {"init_latent", init_latent}, {"bn_momentum", bn_momentum},
          {"bn_eps", bn_eps}};
}

void TrainOptions::validate() const {
  if (topology.size() < 2) throw UserError("--topology: needs at least an input and an output size");
  for (int v : topology)
    if (v < 1 || v > 1 << 16) throw UserError("--topology: size " + std::to_string(v) + " is out of range [1, 65536]");
  if (topology.back() < 2) throw UserError("--topology: the classifier needs at least 2 classes");
  if (epochs < 0 || epochs > 100000) throw UserError("--epochs: must be in [0, 100000]");
  if (batch < 2) throw UserError("--batch: must be >= 2 (batch norm needs batch statistics)");
  if (!(lr > 0.0) || !std::isfinite(lr)) throw UserError("--lr: must be > 0");
  if (schedule != "cosine" && schedule != "step" && schedule != "constant")
    throw UserError("--schedule: '" + schedule + "' is not one of cosine, step, constant");
  if (shift < 0 || shift > 8) throw UserError("--shift: must be in [0, 8]");
  if (!(threshold > 0.0 && threshold <= 1.0)) throw UserError("--threshold: must be in (0, 1]");
  if (!(train_fraction > 0.0 && train_fraction <= 1.0)) throw UserError("--train-fraction: must be in (0, 1]");
  if (!(init_range > 0.0 && init_range <= 1.0)) throw UserError("--init-range: must be in (0, 1]");
  if (!(init_latent > 0.0 && init_latent <= 1.0)) throw UserError("--init-latent: must be in (0, 1]");
  if (!(bn_momentum > 0.0 && bn_momentum <= 1.0)) throw UserError("bn_momentum: must be in (0, 1]");
  if (!(bn_eps > 0.0)) throw UserError("bn_eps: must be > 0");
  if (threads < 1 || threads > 2) throw UserError("--threads: must be 1 or 2");
}

BnnTrainer::BnnTrainer(const TrainOptions& opt) : impl_(std::make_unique<Impl>()) {
  opt.validate();
  impl_->opt = opt;
  std::mt19937_64 rng_init(opt.seed);
  impl_->rng_order.seed(opt.seed ^ 0x5deece66d2f1a3b7ULL);
  for (size_t l = 0; l + 1 < opt.topology.size(); ++l) {
    Layer L;
    L.m = opt.topology[l];
    L.n = opt.topology[l + 1];
    L.w.resize(L.m, L.n);
    for (int i = 0; i < L.m; ++i)
      for (int k = 0; k < L.n; ++k)
        L.w(i, k) = static_cast<float>((2.0 * uniform_unit(rng_init) - 1.0) * opt.init_range);
    L.binarize_weights();
    L.gamma = VecD::Ones(L.n);
    L.beta = VecD::Zero(L.n);
    L.run_mean = VecD::Zero(L.n);
    L.run_var = VecD::Ones(L.n);
    L.adam_w.init(L.m, L.n);
    L.adam_gamma.init(L.n);
    L.adam_beta.init(L.n);
    impl_->layers.push_back(std::move(L));
  }
}

BnnTrainer::~BnnTrainer() = default;
int BnnTrainer::epochs_done() const { return impl_->epochs_done; }
const TrainOptions& BnnTrainer::options() const { return impl_->opt; }

void BnnTrainer::init_from_network(const Network& net, const ImageSet& stats_images) {
  Impl& I = *impl_;
  if (net.topology() != I.opt.topology) throw UserError("--init: the model's topology differs from --topology");
  if (stats_images.count() == 0) throw UserError("--init: no images for batch-norm statistics");
  if (stats_images.image_size() != net.input_size()) throw UserError("--init: the model's input size differs from the images'");
  const int nl = static_cast<int>(I.layers.size());
  const float latent = static_cast<float>(I.opt.init_latent);
  auto set_weights = [&](Layer& L, const std::vector<BitVec>& columns) {
    for (int k = 0; k < L.n; ++k)
      for (int i = 0; i < L.m; ++i) L.w(i, k) = columns[k].get(i) ? latent : -latent;
    L.binarize_weights();
    L.adam_w.init(L.m, L.n);
    L.adam_gamma.init(L.n);
    L.adam_beta.init(L.n);
  };
  for (int l = 0; l + 1 < nl; ++l) set_weights(I.layers[l], net.hidden[l].columns);
  set_weights(I.layers.back(), net.classifier.columns);

  // Column sums of every layer over the images, running the model itself
  // (y = +1 iff s >= B), for the BN statistics.
  const int n = stats_images.count();
  std::vector<int> all(n);
  for (int i = 0; i < n; ++i) all[i] = i;
  MatF x, z;
  I.fill_inputs(stats_images, all.data(), n, nullptr, x);
  for (int l = 0; l < nl; ++l) {
    Layer& L = I.layers[l];
    matmul_rows(x, L.wb, z, I.threads());
    const Eigen::RowVectorXd mean = z.cast<double>().colwise().mean();
    const Eigen::RowVectorXd var =
        (z.cast<double>().rowwise() - mean).array().square().colwise().sum() / std::max(1, n - 1);
    L.gamma = VecD::Ones(L.n);
    L.beta = VecD::Zero(L.n);
    for (int k = 0; k < L.n; ++k) {
      L.run_mean[k] = mean[k];
      // A constant column gets sigma = 1: any positive sigma reproduces it.
      L.run_var[k] = var[k] > 0.25 ? var[k] : 1.0;
    }
    if (l + 1 < nl) {
      const BinaryLayer& src = net.hidden[l];
      for (int k = 0; k < L.n; ++k) {
        const BatchNormParams p = I.bn_params(L, k);
        // s and B share the parity of m, so s >= B iff s >= B - 1: the BN
        // decision boundary sits at B - 1, a whole unit from every reachable
        // s, far beyond any rounding in the fold.
        L.beta[k] = (p.mu - (src.thresholds[k] - 1)) / p.sigma;
      }
      x.resize(z.rows(), z.cols());
      for (Eigen::Index r = 0; r < z.rows(); ++r)
        for (int k = 0; k < L.n; ++k) x(r, k) = z(r, k) >= static_cast<float>(src.thresholds[k]) ? 1.0f : -1.0f;
    } else {
      // The affine must come back bit for bit (argmax ties are decided on
      // it), so gamma and beta are nudged by ulps until the export's formulas
      // return a_c and b_c exactly.
      const Classifier& cls = net.classifier;
      for (int k = 0; k < L.n; ++k) {
        const BatchNormParams p = I.bn_params(L, k);
        const double a = cls.scale[k], b = cls.bias[k];
        double g = a * p.sigma;
        for (int t = 0; t < 64 && g / p.sigma != a; ++t)
          g = std::nextafter(g, g / p.sigma < a ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity());
        L.gamma[k] = g;
        const double a_exp = g / p.sigma;
        double be = b + a_exp * p.mu;
        for (int t = 0; t < 64 && be - a_exp * p.mu != b; ++t)
          be = std::nextafter(be, be - a_exp * p.mu < b ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity());
        L.beta[k] = be;
      }
    }
  }
}

EpochStats BnnTrainer::train_epoch(const ImageSet& train, const std::vector<int>& subset, const ImageSet* test) {
  Impl& I = *impl_;
  const auto t0 = std::chrono::steady_clock::now();
  if (subset.empty()) throw UserError("train: empty training set");
  if (train.image_size() != I.opt.topology.front())
    throw UserError("--topology: input size " + std::to_string(I.opt.topology.front()) + " differs from the images' " +
                    std::to_string(train.image_size()));
  for (int i : subset)
    if (train.labels[i] >= I.opt.topology.back())
      throw UserError("train: label " + std::to_string(train.labels[i]) + " does not fit " +
                      std::to_string(I.opt.topology.back()) + " classes");
  const int B = I.opt.batch;
  const int64_t batches = (static_cast<int64_t>(subset.size()) + B - 1) / B;
  if (I.total_steps == 0) I.total_steps = batches * std::max(1, I.opt.epochs);

  std::vector<int> order = subset;
  seeded_shuffle(order, I.rng_order);
  EpochStats st;
  st.epoch = ++I.epochs_done;
  st.lr = I.lr_at(I.step);
  double loss = 0;
  int correct = 0, seen = 0;
  MatF x;
  std::vector<int> shifts;
  std::vector<uint8_t> labels;
  ProgressBar bar("epoch " + std::to_string(st.epoch), batches);
  for (int64_t bi = 0; bi < batches; ++bi) {
    const int begin = static_cast<int>(bi * B);
    const int count = std::min<int>(B, static_cast<int>(order.size()) - begin);
    // A last batch of one image has no batch statistics: it is skipped (the
    // next epoch's order differs, so no image is left out for good).
    if (count < 2) break;
    shifts.assign(2 * count, 0);
    if (I.opt.shift > 0)
      for (int& s : shifts) s = static_cast<int>(uniform_below(I.rng_order, 2 * I.opt.shift + 1)) - I.opt.shift;
    I.fill_inputs(train, order.data() + begin, count, I.opt.shift > 0 ? shifts.data() : nullptr, x);
    labels.resize(count);
    for (int r = 0; r < count; ++r) labels[r] = train.labels[order[begin + r]];
    const auto [l, c] = I.train_batch(x, labels.data(), I.lr_at(I.step));
    loss += l;
    correct += c;
    seen += count;
    bar.advance();
  }
  bar.finish();
  st.loss = seen ? loss / seen : 0.0;
  st.train_accuracy = seen ? static_cast<double>(correct) / seen : 0.0;
  if (test) st.test_accuracy = accuracy(predict(*test), *test);
  st.time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return st;
}

std::vector<int> BnnTrainer::predict(const ImageSet& images) const {
  const Impl& I = *impl_;
  if (images.image_size() != I.opt.topology.front())
    throw UserError("predict: image size " + std::to_string(images.image_size()) + " differs from the network input " +
                    std::to_string(I.opt.topology.front()));
  std::vector<int> out(images.count());
  constexpr int kChunk = 1000;
  std::vector<int> idx;
  MatF x;
  for (int b = 0; b < images.count(); b += kChunk) {
    const int count = std::min(kChunk, images.count() - b);
    idx.resize(count);
    for (int r = 0; r < count; ++r) idx[r] = b + r;
    I.fill_inputs(images, idx.data(), count, nullptr, x);
    I.predict_block(x, out, b);
  }
  return out;
}

std::vector<std::vector<BatchNormParams>> BnnTrainer::batch_norm_params() const {
  std::vector<std::vector<BatchNormParams>> out;
  for (const Layer& L : impl_->layers) {
    std::vector<BatchNormParams> v(L.n);
    for (int k = 0; k < L.n; ++k) v[k] = impl_->bn_params(L, k);
    out.push_back(std::move(v));
  }
  return out;
}

Network BnnTrainer::export_network(const std::string& name, const std::string& dataset) const {
  const Impl& I = *impl_;
  Network net;
  net.name = name;
  net.dataset = dataset;
  net.input_threshold = I.opt.threshold;
  auto columns_of = [](const Layer& L) {
    std::vector<BitVec> cols(L.n, BitVec(L.m));
    for (int k = 0; k < L.n; ++k)
      for (int i = 0; i < L.m; ++i)
        if (L.wb(i, k) > 0) cols[k].set(i, true);
    return cols;
  };
  const auto bn = batch_norm_params();
  for (size_t l = 0; l + 1 < I.layers.size(); ++l) {
    const Layer& L = I.layers[l];
    BinaryLayer out;
    out.m = L.m;
    out.n = L.n;
    out.columns = columns_of(L);
    out.thresholds.assign(L.n, 0);
    fold_batch_norm(out, bn[l]);
    net.hidden.push_back(std::move(out));
  }
  const Layer& C = I.layers.back();
  net.classifier.m = C.m;
  net.classifier.n = C.n;
  net.classifier.columns = columns_of(C);
  net.classifier.scale.resize(C.n);
  net.classifier.bias.resize(C.n);
  for (int c = 0; c < C.n; ++c) I.classifier_affine(c, net.classifier.scale[c], net.classifier.bias[c]);
  return net;
}

std::vector<int> training_subset(int n, double fraction, uint64_t seed) {
  std::vector<int> idx(n);
  for (int i = 0; i < n; ++i) idx[i] = i;
  if (fraction >= 1.0) return idx;
  std::mt19937_64 rng(seed ^ 0x7261696e66726163ULL);
  seeded_shuffle(idx, rng);
  const int keep = std::max(1, static_cast<int>(std::lround(fraction * n)));
  idx.resize(std::min(keep, n));
  std::sort(idx.begin(), idx.end());
  return idx;
}

void check_training_subset(int n, const TrainOptions& opt) {
  const size_t kept = training_subset(n, opt.train_fraction, opt.seed).size();
  // Batch norm learns from batch statistics: less than one full batch is not training.
  if (static_cast<int>(kept) < opt.batch)
    throw UserError("--train-fraction: " + nlohmann::json(opt.train_fraction).dump() + " of " + std::to_string(n) +
                    " training images keeps " + std::to_string(kept) + ", fewer than one batch (--batch " +
                    std::to_string(opt.batch) + ")");
}

double accuracy(const std::vector<int>& predictions, const ImageSet& images) {
  if (images.count() == 0) return 0.0;
  int ok = 0;
  for (int i = 0; i < images.count(); ++i) ok += (predictions[i] == images.labels[i]);
  return static_cast<double>(ok) / images.count();
}

std::vector<int> golden_mismatches(const Network& net, const ImageSet& images, const std::vector<int>& expected) {
  const GoldenEngine engine(net);
  std::vector<int> bad;
  for (int i = 0; i < images.count(); ++i)
    if (engine.predict(binarize(images.image(i), images.image_size(), net.input_threshold)) != expected[i]) bad.push_back(i);
  return bad;
}

TrainResult train_network(const Dataset& data, const TrainOptions& opt, const Network* init,
                          const std::function<void(const EpochStats&)>& on_epoch) {
  const auto t0 = std::chrono::steady_clock::now();
  BnnTrainer trainer(opt);
  TrainResult res;
  check_training_subset(data.train.count(), opt);
  const std::vector<int> subset = training_subset(data.train.count(), opt.train_fraction, opt.seed);
  if (init) {
    ImageSet stats;
    stats.rows = data.train.rows;
    stats.cols = data.train.cols;
    for (int i : subset) {
      stats.pixels.insert(stats.pixels.end(), data.train.image(i), data.train.image(i) + data.train.image_size());
      stats.labels.push_back(data.train.labels[i]);
    }
    trainer.init_from_network(*init, stats);
    std::vector<int> expected;
    {
      const GoldenEngine engine(*init);
      for (int i = 0; i < data.test.count(); ++i)
        expected.push_back(engine.predict(binarize(data.test.image(i), data.test.image_size(), opt.threshold)));
    }
    const std::vector<int> got = trainer.predict(data.test);
    int differ = 0;
    for (size_t i = 0; i < got.size(); ++i) differ += got[i] != expected[i];
    if (differ)
      throw UserError("--init: the initialised trainer differs from the model on " + std::to_string(differ) + " of " +
                      std::to_string(got.size()) + " test images");
    res.init_test_accuracy = accuracy(got, data.test);
    if (on_epoch) {
      EpochStats init_state;  // epoch 0: the state before the first update
      init_state.test_accuracy = res.init_test_accuracy;
      on_epoch(init_state);
    }
  }
  res.train_images = static_cast<int>(subset.size());
  for (int e = 0; e < opt.epochs; ++e) {
    res.history.push_back(trainer.train_epoch(data.train, subset, &data.test));
    if (on_epoch) on_epoch(res.history.back());
  }
  res.net = trainer.export_network(data.name, data.name);
  res.test_predictions = trainer.predict(data.test);
  res.test_accuracy = accuracy(res.test_predictions, data.test);
  res.train_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace xbg
