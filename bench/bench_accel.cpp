// Simulation speed of the SystemC accelerator with ideal devices against the
// golden engine, on one core (target: >= 20,000 images/s and >= 10 %
// of the golden engine's images/s measured in the same process).
//
//   cmake -S . -B build-accel -DXBG_BUILD_BENCH=ON && cmake --build build-accel --target bench_accel
//   taskset -c 0 build-accel/bench_accel
//
// Uses networks/mnist.json and the MNIST test split when present, else a random
// 784-512-512-512-10 network on random inputs (labelled in the counters).
#include "bench/bench_support.h"

#include <chrono>

#include "core/bnn/golden.h"
#include "core/sim/sim_config.h"
#include "tb/run.h"

namespace {

using xbg::bench::cpu_s;
using xbg::bench::Workload;

const Workload& workload() {
  static const Workload w = xbg::bench::load_mnist_workload();
  return w;
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

XBG_BENCH_SC_MAIN()
