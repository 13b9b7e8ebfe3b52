#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/bnn/network.h"

namespace xbg {

// Which popcount implementation the golden engine uses. kAuto picks the
// fastest the CPU supports at run time; the others force one path so tests
// can check every path the dispatcher might choose.
enum class CpuPath { kAuto, kGeneric, kPopcnt, kAvx512 };
std::string cpu_path_name(CpuPath p);
bool cpu_path_supported(CpuPath p);
std::vector<CpuPath> supported_cpu_paths();  // concrete paths usable here

// What one inference produced, layer by layer.
struct GoldenTrace {
  std::vector<BitVec> layer_outputs;  // one per hidden layer
  std::vector<int> class_sums;        // s_c of the classifier
  int prediction = -1;
};

// Bit-packed XNOR + popcount inference (docs/design.md §1.5), the oracle for every other
// path. The network is repacked once at construction into an interleaved
// layout (8 columns per 512-bit group) so the AVX-512 path needs no
// horizontal reductions; the scalar paths read the same layout.
class GoldenEngine {
 public:
  explicit GoldenEngine(const Network& net, CpuPath path = CpuPath::kAuto);
  ~GoldenEngine();
  GoldenEngine(GoldenEngine&&) noexcept;
  GoldenEngine& operator=(GoldenEngine&&) noexcept;

  CpuPath path() const { return path_; }
  int predict(const BitVec& input) const;
  void infer(const BitVec& input, GoldenTrace& trace) const;

  // One layer on its own: sums s_k for hidden layer `layer` (or the
  // classifier when layer == number of hidden layers).
  void layer_sums(int layer, const BitVec& input, std::vector<int>& sums) const;

 private:
  struct Packed;
  std::unique_ptr<Packed> packed_;
  CpuPath path_;
};

// Naive reference: sign(W^T X - B) from the unpacked definition.
BitVec reference_layer_forward(const BinaryLayer& layer, const BitVec& x);

}  // namespace xbg
