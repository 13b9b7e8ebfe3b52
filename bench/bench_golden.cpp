// Golden engine throughput: random 784-512-512-512-10 network, one image at a
// time, one core, per popcount path. Target: >= 250,000 images/s.
//   build/bench_golden --benchmark_counters_tabular=true
#include "bench/bench_support.h"

#include <random>

#include "core/bnn/golden.h"

namespace {

void BM_GoldenPredict(benchmark::State& state) {
  const auto path = static_cast<xbg::CpuPath>(state.range(0));
  if (!xbg::cpu_path_supported(path)) {
    state.SkipWithError("CPU path not supported here");
    return;
  }
  const xbg::Network net = xbg::random_network({784, 512, 512, 512, 10}, 1);
  const xbg::GoldenEngine engine(net, path);
  std::mt19937_64 rng(2);
  std::vector<xbg::BitVec> inputs(256, xbg::BitVec(784));
  for (auto& x : inputs)
    for (int i = 0; i < 784; ++i) x.set(i, rng() & 1);
  size_t i = 0;
  int sink = 0;
  for (auto _ : state) {
    sink += engine.predict(inputs[i++ & 255]);
  }
  benchmark::DoNotOptimize(sink);
  state.SetLabel(xbg::cpu_path_name(path));
  state.counters["images_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GoldenPredict)
    ->Arg(static_cast<int>(xbg::CpuPath::kGeneric))
    ->Arg(static_cast<int>(xbg::CpuPath::kPopcnt))
    ->Arg(static_cast<int>(xbg::CpuPath::kAvx512));

}  // namespace

XBG_BENCH_SC_MAIN()
