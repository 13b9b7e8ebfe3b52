// The features attack: its pieces must be exact where they are math (the
// closed-form leave-one-out, the grid symmetries), and on the trained MNIST
// network it must lay out the scrambled first layer and beat a head on the
// bare pixels.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/attack/feature_head.h"
#include "core/bnn/model_io.h"
#include "core/common/paths.h"
#include "tests/unit/mnist_fixture.h"

namespace xbg::attack {
namespace {

TEST(FeaturesAttack, ClosedFormLeaveOneOutEqualsRefittingWithoutEachImage) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal;
  const int k = 40, d = 12, classes = 3;
  Eigen::MatrixXd f(k, d);
  std::vector<int> y(k);
  for (int i = 0; i < k; ++i) {
    y[i] = i % classes;
    for (int j = 0; j < d; ++j) f(i, j) = normal(rng) + (j == y[i] ? 1.0 : 0.0);
  }
  for (double lambda : {0.5, 5.0}) {
    int right = 0;
    for (int i = 0; i < k; ++i) {
      Eigen::MatrixXd rest(k - 1, d);
      std::vector<int> yr;
      for (int r = 0, o = 0; r < k; ++r)
        if (r != i) rest.row(o++) = f.row(r), yr.push_back(y[r]);
      const RidgeHead h = fit_ridge_head(rest, yr, classes, {lambda});
      right += h.predict(f.row(i).transpose()) == y[i];
    }
    EXPECT_DOUBLE_EQ(ridge_loo_accuracy(f, y, classes, lambda), static_cast<double>(right) / k) << lambda;
  }
}

// What the layout stands on, on both shipped networks (measured: 100 % of
// the 484 inner pixels, 3 or more pixels from the border): the stored row most
// like an inner pixel's row (by |Gram|) is one of its 8 neighbours' rows, and
// the two agree in sign.
TEST(FeaturesAttack, TheRowMostLikeAnInnerPixelsRowIsANeighbours) {
  for (const char* name : {"/networks/mnist.json", "/networks/fashion.json"}) {
    const Network net = load_network(repo_root() + name);
    const BinaryLayer& fc1 = net.hidden[0];
    const int side = 28;
    Eigen::MatrixXf w(fc1.m, fc1.n);
    for (int c = 0; c < fc1.n; ++c)
      for (int p = 0; p < fc1.m; ++p) w(p, c) = fc1.columns[c].get(p) ? 1.f : -1.f;
    Eigen::MatrixXf g = w * w.transpose();
    g.diagonal().setZero();
    int inner = 0, neighbour = 0;
    for (int p = 0; p < fc1.m; ++p) {
      const int r = p / side, c = p % side;
      if (r < 3 || r > side - 4 || c < 3 || c > side - 4) continue;
      Eigen::Index q = 0;
      g.row(p).cwiseAbs().maxCoeff(&q);
      ++inner;
      neighbour += std::abs(q / side - r) <= 1 && std::abs(q % side - c) <= 1 && g(p, q) > 0;
    }
    EXPECT_GE(neighbour, inner * 99 / 100) << name << ": " << neighbour << " of " << inner;
  }
}

// A layout made from the true pixel positions, turned and shifted: among all
// readings orient_pixel_layout offers, one is the true map exactly.
TEST(FeaturesAttack, EveryGridSymmetryOfATrueLayoutIsReadBack) {
  const Network net = load_network(repo_root() + "/networks/small.json");
  const BinaryLayer& fc1 = net.hidden[0];
  const int side = 28;
  std::mt19937_64 rng(11);
  std::vector<BitVec> xs;
  for (int i = 0; i < 20; ++i) {
    BitVec x(fc1.m);
    for (int p = 0; p < fc1.m; ++p)
      if (rng() & 1) x.set(p, true);
    xs.push_back(x);
  }
  for (int turn = 0; turn < 8; ++turn) {
    PixelLayout layout;
    for (int p = 0; p < fc1.m; ++p) {
      int r = p / side, c = p % side;
      if (turn & 1) r = side - 1 - r;
      if (turn & 2) c = side - 1 - c;
      if (turn & 4) std::swap(r, c);
      layout.row.push_back(r + 2);  // an offset the reading must undo
      layout.col.push_back(c);
      layout.flip.push_back(turn == 5);  // and once a global sign
    }
    const auto readings = orient_pixel_layout(fc1, layout, side, side, xs, 0);
    bool found = false;
    for (const auto& cand : readings) {
      bool same = true;
      for (int p = 0; p < fc1.m && same; ++p) same = cand.map.pi[p] == p && !cand.map.flip[p];
      found = found || same;
    }
    EXPECT_TRUE(found) << "symmetry " << turn;
  }
}

// Measured: 721 of the layout's 799 inner 4-adjacencies are true ones; with
// the first 100 training images a head on the laid-out FC1 scores 83.1 % on
// the first 1,000 test images against 73.4 % on the pixels (the attack's own
// figures, on its image pool: docs/results/security.md).
TEST(FeaturesAttack, LaysOutAScrambledFirstLayerAndBeatsAHeadOnPixels) {
  if (!shared_mnist()) GTEST_SKIP() << mnist_digits_dir() << " missing: run scripts/setup.sh";
  const Dataset& ds = *shared_mnist();
  const Network net = load_network(repo_root() + "/networks/mnist.json");
  const BinaryLayer& plain = net.hidden[0];
  const int m = plain.m, side = ds.train.rows;
  InterfaceMap scramble;
  const BinaryLayer stored = scramble_rows(plain, 5, scramble);
  const std::vector<int>& pi = scramble.pi;  // the pixel each stored row reads

  const PixelLayout layout = lay_out_pixel_rows(stored, side, ds.train.cols);
  std::map<std::pair<int, int>, int> at;
  for (int p = 0; p < m; ++p) at[{layout.row[p], layout.col[p]}] = p;
  int inner = 0, inner_true = 0;
  for (const auto& [rc, p] : at)
    for (auto [dr, dc] : {std::pair{0, 1}, std::pair{1, 0}}) {
      const auto it = at.find({rc.first + dr, rc.second + dc});
      if (it == at.end()) continue;
      const int a = pi[p], b = pi[it->second];
      if (a / side < 4 || a / side >= side - 4 || a % side < 4 || a % side >= side - 4) continue;
      ++inner;
      inner_true += std::abs(a / side - b / side) + std::abs(a % side - b % side) == 1;
    }
  EXPECT_GT(inner_true, 0.8 * inner) << inner_true << " of " << inner;

  const int k = 100, test = 1000;
  std::vector<BitVec> xs, txs;
  std::vector<int> ys, tys;
  for (int i = 0; i < k; ++i)
    xs.push_back(binarize(ds.train.image(i), m, net.input_threshold)), ys.push_back(ds.train.labels[i]);
  for (int i = 0; i < test; ++i)
    txs.push_back(binarize(ds.test.image(i), m, net.input_threshold)), tys.push_back(ds.test.labels[i]);
  auto fit_and_score = [&](const BinaryLayer* layer, const InterfaceMap* map) {
    const RidgeHead h = fit_ridge_head(first_layer_feature_matrix(layer, map, xs), ys, 10, {1, 10, 100});
    int right = 0;
    for (int i = 0; i < test; ++i) right += h.predict(first_layer_features(layer, map, txs[i])) == tys[i];
    return static_cast<double>(right) / test;
  };
  const auto readings = orient_pixel_layout(stored, layout, side, ds.train.cols, xs, 0);
  const size_t chosen = choose_pixel_reading(stored, readings, xs, ys, 10, 10);
  const double features = fit_and_score(&stored, &readings[chosen].map);
  const double pixels = fit_and_score(nullptr, nullptr);
  EXPECT_GT(features, pixels + 0.05) << features << " vs " << pixels;
}

}  // namespace
}  // namespace xbg::attack
