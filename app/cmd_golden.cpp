// xbarguard golden: the bit-packed reference engine on a dataset.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "app/cli.h"
#include "core/bnn/golden.h"
#include "core/bnn/model_io.h"
#include "core/common/error.h"
#include "core/common/output_file.h"
#include "core/common/paths.h"
#include "core/common/progress.h"
#include "core/common/report.h"
#include "core/data/dataset_cache.h"

namespace {

xbg::CpuPath parse_path(const std::string& s) {
  for (auto p : {xbg::CpuPath::kAuto, xbg::CpuPath::kGeneric, xbg::CpuPath::kPopcnt, xbg::CpuPath::kAvx512})
    if (s == xbg::cpu_path_name(p) || (p == xbg::CpuPath::kAvx512 && s == "avx512")) return p;
  throw xbg::UserError("--cpu-path: '" + s + "' is not one of auto, generic, popcnt, avx512");
}

int run(int argc, char** argv) {
  namespace po = xbg::cli::po;
  std::string model_path, dataset, cpu = "auto";
  int limit = -1, repeat = 1;
  std::string report_path;
  po::options_description opts("golden options");
  opts.add_options()
      ("model,m", po::value(&model_path)->required(), "model file (e.g. networks/mnist.json)")
      ("dataset,d", po::value(&dataset), "mnist | fashion (default: the model's own dataset)")
      ("limit,n", po::value(&limit), "use only the first N test images")
      ("repeat", po::value(&repeat), "repeat the pass N times for a steadier images/s figure")
      ("cpu-path", po::value(&cpu), "popcount path: auto | generic | popcnt | avx512");
  opts.add_options()("report", po::value(&report_path), "write a JSON report to this file");
  po::variables_map vm;
  if (!xbg::cli::parse(argc, argv, "golden --model FILE [--dataset mnist|fashion] [--limit N]", opts, vm)) return 0;
  if (vm.count("limit") && limit < 1) throw xbg::UserError("--limit: must be >= 1");
  if (repeat < 1) throw xbg::UserError("--repeat: must be >= 1");
  const xbg::CpuPath path = parse_path(cpu);
  if (!report_path.empty()) xbg::check_output_path(report_path);

  const xbg::Network net = xbg::load_network(xbg::resolve_path(model_path));
  if (dataset.empty()) dataset = net.dataset;
  if (dataset.empty()) throw xbg::UserError(model_path + ": dataset: empty; pass --dataset mnist|fashion");
  xbg::BinarizedSet test = xbg::load_binarized(dataset, "test", net.input_threshold);
  if (test.image_size() != net.input_size())
    throw xbg::UserError(model_path + ": layers[0].m: model takes " + std::to_string(net.input_size()) +
                         " inputs, dataset images have " + std::to_string(test.image_size()));
  if (limit > 0 && limit < test.count()) test.images.resize(static_cast<size_t>(limit));
  const std::vector<xbg::BitVec>& inputs = test.images;
  const xbg::GoldenEngine engine(net, path);

  int correct = 0;
  std::vector<int> predictions(inputs.size());
  xbg::ProgressBar bar("golden", static_cast<int64_t>(inputs.size()) * repeat);
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < repeat; ++r) {
    for (size_t i = 0; i < inputs.size(); ++i) predictions[i] = engine.predict(inputs[i]);
    bar.advance(static_cast<int64_t>(inputs.size()));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bar.finish();
  for (size_t i = 0; i < inputs.size(); ++i) correct += predictions[i] == test.labels[i];
  const double accuracy = inputs.empty() ? 0.0 : static_cast<double>(correct) / inputs.size();
  const double ips = seconds > 0 ? inputs.size() * repeat / seconds : 0.0;

  std::printf("model       %s (%s)\n", model_path.c_str(), net.is_protected() ? "protected: stored W*, B* used without key" : "plain");
  std::printf("dataset     %s test, %zu images\n", dataset.c_str(), inputs.size());
  std::printf("accuracy    %.2f %% (%d/%zu)\n", 100.0 * accuracy, correct, inputs.size());
  std::printf("speed       %.0f images/s (one core, %s path)\n", ips, xbg::cpu_path_name(engine.path()).c_str());

  xbg::Report report("golden", argc, argv);
  report["model"] = model_path;
  report["dataset"] = dataset;
  report["images"] = inputs.size();
  report["accuracy"] = accuracy;
  report.timing()["images_per_s"] = ips;
  report["cpu_path"] = xbg::cpu_path_name(engine.path());
  report["predictions"] = predictions;
  report.write(report_path);
  return 0;
}

xbg::cli::Registrar reg("golden", "bit-packed reference inference: accuracy and images/s", &run);

}  // namespace
