// Simulation speed of the SystemC accelerator with device non-idealities on
// (target: >= 2,000 MNIST images/s on one core with variation and
// read noise), against the ideal popcount path in the same process.
//
//   cmake -S . -B build-bench -DXBG_BUILD_BENCH=ON && cmake --build build-bench --target bench_variation
//   taskset -c 1 build-bench/bench_variation --benchmark_counters_tabular=true
//
// Uses networks/mnist.json and 2,000 MNIST test images when present, else a
// random 784-512-512-512-10 network on random inputs (labelled in the
// counters). Per-image rates exclude elaboration and the chip's programming
// (drawing every cell once), which is reported on its own.
#include "bench/bench_support.h"


#include "core/sim/sim_config.h"
#include "tb/run.h"

namespace {

using xbg::bench::cpu_s;
using xbg::bench::Workload;

const Workload& workload() {
  static const Workload w = xbg::bench::load_mnist_workload(2000);
  return w;
}

// 0 ideal (popcount path), 1 variation + read noise (configs/variation-mid.json's
// device section), 2 the same + replica references, 3 the same + 128-row
// tiles with 8-bit partial-sum ADCs, 4 variation without read noise, 5 ideal
// devices in 128-row tiles with 6-bit partial-sum ADCs (configs/tile-128-adc.json).
xbg::SimConfig config_for(int variant) {
  xbg::SimConfig cfg;
  cfg.simulation.check_golden = false;
  if (variant == 0) return cfg;
  if (variant == 5) {
    cfg.crossbar.tile_rows = 128;
    cfg.crossbar.tile_cols = 128;
    cfg.crossbar.partial_sums = "adc";
    cfg.crossbar.partial_sum_adc.bits = 6;
    return cfg;
  }
  cfg.device.sigma_log_lrs = 0.1;
  cfg.device.sigma_log_hrs = 0.3;
  cfg.device.read_noise_rel = variant == 4 ? 0.0 : 0.02;
  cfg.device.stuck_lrs_rate = 0.001;
  cfg.device.stuck_hrs_rate = 0.001;
  cfg.comparator.offset_sigma_ua = 2.0;
  if (variant == 2) cfg.comparator.reference = "replica";
  if (variant == 3) {
    cfg.crossbar.tile_rows = 128;
    cfg.crossbar.tile_cols = 128;
    cfg.crossbar.partial_sums = "adc";
    cfg.crossbar.partial_sum_adc.bits = 8;
  }
  return cfg;
}

void BM_Variation(benchmark::State& state) {
  const Workload& w = workload();
  const xbg::SimConfig cfg = config_for(static_cast<int>(state.range(0)));
  const xbg::ProvisionedModel model = xbg::provision_model(w.net, cfg.protection, "bench");
  xbg::RunOptions opt;
  opt.check_golden = false;
  const std::vector<xbg::BitVec> one(w.images.begin(), w.images.begin() + 1);
  // CPU time of a one-image run: elaboration, programming (every cell drawn) and one image.
  double setup_cpu = 0.0;
  for (int i = 0; i < 3; ++i) {
    const double c0 = cpu_s();
    xbg::run_accelerator(cfg, model, one, nullptr, opt);
    setup_cpu += (cpu_s() - c0) / 3;
  }
  double sim = 0, sim_cpu = 0;
  int64_t images = 0;
  for (auto _ : state) {
    const double c0 = cpu_s();
    const xbg::RunResult r = xbg::run_accelerator(cfg, model, w.images, nullptr, opt);
    sim_cpu += cpu_s() - c0 - setup_cpu;
    state.SetIterationTime(r.sim_s);
    sim += r.sim_s;
    images += r.images - 1;
  }
  state.SetItemsProcessed(images);
  state.counters["sim_images_per_s"] = images / sim;
  state.counters["sim_images_per_cpu_s"] = images / sim_cpu;
  state.counters["setup_cpu_ms"] = 1e3 * setup_cpu;
  state.counters["shipped_mnist"] = w.shipped;
}
BENCHMARK(BM_Variation)
    ->ArgNames({"variant"})
    ->Arg(0)
    ->Arg(1)
    ->Arg(4)
    ->Arg(2)
    ->Arg(3)
    ->Arg(5)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

}  // namespace

XBG_BENCH_SC_MAIN()
