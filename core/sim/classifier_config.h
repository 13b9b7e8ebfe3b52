#pragma once
#include <string>

namespace xbg {

// The classifier's integer sums come from its own small crossbar read by SAR
// ADCs with ceil(log2(m+1)) bits, or from a digital XNOR-popcount unit; then
// the per-class float affine and argmax run digitally (docs/design.md §3.4).
struct AdcConfig {
  double bit_time_ns = 2.0;  // SAR: one bit decided per step
  int columns_per_adc = 2;

  template <class V> void visit(V& v) {
    v.field("bit_time_ns", bit_time_ns, "SAR bit time; a conversion takes ceil(log2(m+1)) x bit_time_ns, rounded up to whole cycles [ns]", 0.0, 1e6);
    v.field("columns_per_adc", columns_per_adc, "classifier columns sharing one ADC, converted in sequence [columns]", 1, 1e6);
  }
};

struct PopcountConfig {
  int bits_per_cycle = 128;  // XNOR-popcount tree width
  int units = 1;             // classes processed in parallel

  template <class V> void visit(V& v) {
    v.field("bits_per_cycle", bits_per_cycle, "input bits one popcount unit consumes per cycle [bits]", 1, 1e6);
    v.field("units", units, "popcount units working on different classes in parallel", 1, 1e6);
  }
};

struct ClassifierConfig {
  std::string readout = "adc";
  AdcConfig adc;
  PopcountConfig popcount;
  int affine_cycles_per_class = 1;  // one pipelined float multiply-add and running argmax per class

  template <class V> void visit(V& v) {
    v.choice("readout", readout, "how the classifier's integer sums are obtained", {"adc", "digital"});
    v.section("adc", adc, "ADC readout of the classifier crossbar (readout = adc)");
    v.section("popcount", popcount, "digital XNOR-popcount unit (readout = digital)");
    v.field("affine_cycles_per_class", affine_cycles_per_class,
            "cycles per class of the digital affine a_c*s_c+b_c and running argmax [cycles]", 0, 1e6);
  }
};

}  // namespace xbg
