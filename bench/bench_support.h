#pragma once
// Shared by the benchmark programs: the MNIST workload (or a random stand-in
// when the shipped network or data are missing), process CPU time, and the
// sc_main every bench needs (libsystemc's main() calls sc_main, so
// BENCHMARK_MAIN() cannot be used).
#include <benchmark/benchmark.h>
#include <systemc>

#include <ctime>
#include <filesystem>
#include <random>
#include <vector>

#include "core/bnn/model_io.h"
#include "core/common/paths.h"
#include "core/data/dataset_cache.h"

namespace xbg::bench {

struct Workload {
  Network net;
  std::vector<BitVec> images;
  bool shipped = false;  // networks/mnist.json on MNIST test images, else random
};

// networks/mnist.json on the first `limit` MNIST test images (-1: all) when
// present, else a random 784-512-512-512-10 network on 2,000 random inputs.
inline Workload load_mnist_workload(int limit = -1) {
  Workload w;
  const std::string path = resolve_path("networks/mnist.json");
  if (std::filesystem::exists(path)) {
    w.net = load_network(path);
    w.images = load_binarized("mnist", "test", w.net.input_threshold).images;
    if (limit >= 0 && limit < static_cast<int>(w.images.size())) w.images.resize(static_cast<size_t>(limit));
    w.shipped = true;
  } else {
    w.net = random_network({784, 512, 512, 512, 10}, 1);
    std::mt19937_64 rng(2);
    for (int i = 0; i < 2000; ++i) {
      BitVec v(784);
      for (int b = 0; b < 784; ++b) v.set(b, rng() & 1);
      w.images.push_back(v);
    }
  }
  return w;
}

// Process CPU time: on a shared machine wall time also counts other jobs'
// slices; the simulation is single-threaded (SystemC threads are coroutines).
inline double cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

}  // namespace xbg::bench

#define XBG_BENCH_SC_MAIN()                   \
  int sc_main(int argc, char** argv) {        \
    benchmark::Initialize(&argc, argv);       \
    benchmark::RunSpecifiedBenchmarks();      \
    benchmark::Shutdown();                    \
    return 0;                                 \
  }
