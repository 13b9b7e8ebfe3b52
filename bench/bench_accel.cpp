// Simulation speed of the SystemC accelerator with ideal devices against the
// golden engine, on one core (issue 7 target: >= 20,000 images/s and >= 10 %
// of the golden engine's images/s measured in the same process).
//
//   cmake -S . -B build-accel -DXBG_BUILD_BENCH=ON && cmake --build build-accel --target bench_accel
//   taskset -c 0 build-accel/bench_accel
//
// Uses networks/mnist.json and the MNIST test split when present, else a random
// 784-512-512-512-10 network on random inputs (labelled in the counters).
#include <benchmark/benchmark.h>
#include <systemc>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <random>

#include "core/bnn/golden.h"
#include "core/bnn/model_io.h"
#include "core/common/paths.h"
#include "core/data/dataset.h"
#include "core/sim/sim_config.h"
#include "tb/run.h"

namespace {

struct Workload {
  xbg::Network net;
  std::vector<xbg::BitVec> images;
  bool shipped = false;
};

const Workload& workload() {
  static const Workload w = [] {
    Workload w;
    const std::string path = xbg::resolve_path("networks/mnist.json");
    if (std::filesystem::exists(path)) {
      w.net = xbg::load_network(path);
      w.images = xbg::binarize_all(xbg::load_dataset("mnist").test, w.net.input_threshold);
      w.shipped = true;
    } else {
      w.net = xbg::random_network({784, 512, 512, 512, 10}, 1);
      std::mt19937_64 rng(2);
      for (int i = 0; i < 2000; ++i) {
        xbg::BitVec v(784);
        for (int b = 0; b < 784; ++b) v.set(b, rng() & 1);
        w.images.push_back(v);
      }
    }
    return w;
  }();
  return w;
}

// Process CPU time: on a shared machine wall time also counts other jobs'
// slices; the simulation is single-threaded (SystemC threads are coroutines).
double cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

struct GoldenTiming {
  double wall_s, cpu_s;
};
GoldenTiming time_golden(const Workload& w) {
  const xbg::GoldenEngine engine(w.net);
  int sink = 0;
  const double c0 = cpu_s();
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& x : w.images) sink += engine.predict(x);
  benchmark::DoNotOptimize(sink);
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), cpu_s() - c0};
}

// One iteration = the whole test split through the accelerator (scheme C on
// FC1-FC3, default config); time is the simulation alone (manual time).
void BM_AcceleratorVsGolden(benchmark::State& state) {
  const Workload& w = workload();
  xbg::SimConfig cfg;
  cfg.classifier.readout = state.range(0) ? "digital" : "adc";
  const xbg::ProvisionedModel model = xbg::provision_model(w.net, cfg.protection, "bench");
  xbg::RunOptions opt;
  opt.check_golden = state.range(1) != 0;
  // CPU time of elaboration + programming alone, to subtract from whole calls.
  const double e0 = cpu_s();
  for (int i = 0; i < 20; ++i) xbg::run_accelerator(cfg, model, {}, nullptr, opt);
  const double setup_cpu = (cpu_s() - e0) / 20;
  double sim = 0, golden = 0, sim_cpu = 0, golden_cpu = 0;
  int64_t images = 0;
  for (auto _ : state) {
    const double c0 = cpu_s();
    const xbg::RunResult r = xbg::run_accelerator(cfg, model, w.images, nullptr, opt);
    sim_cpu += cpu_s() - c0 - setup_cpu;  // includes the golden checks when they are on
    state.SetIterationTime(r.sim_s);
    sim += r.sim_s;
    images += r.images;
    const GoldenTiming g = time_golden(w);  // same process, same images, right after
    golden += g.wall_s;
    golden_cpu += g.cpu_s;
  }
  state.SetItemsProcessed(images);
  state.counters["sim_images_per_s"] = images / sim;
  state.counters["golden_images_per_s"] = images / golden;
  state.counters["ratio_pct"] = 100.0 * golden / sim;
  state.counters["sim_images_per_cpu_s"] = images / sim_cpu;
  state.counters["golden_images_per_cpu_s"] = images / golden_cpu;
  state.counters["shipped_mnist"] = w.shipped;
}
BENCHMARK(BM_AcceleratorVsGolden)
    ->ArgNames({"digital", "golden_check"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 0})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

// Elaboration + programming of the full accelerator (once per run).
void BM_ElaborateAndProgram(benchmark::State& state) {
  const Workload& w = workload();
  const xbg::SimConfig cfg;
  const xbg::ProvisionedModel model = xbg::provision_model(w.net, cfg.protection, "bench");
  const std::vector<xbg::BitVec> none;
  xbg::RunOptions opt;
  opt.check_golden = false;
  for (auto _ : state) benchmark::DoNotOptimize(xbg::run_accelerator(cfg, model, none, nullptr, opt).setup_s);
}
BENCHMARK(BM_ElaborateAndProgram)->Unit(benchmark::kMillisecond);

}  // namespace

int sc_main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
