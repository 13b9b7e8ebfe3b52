#pragma once
#include <cstdint>

namespace xbg {

// The activation buffer between layers (SRAM, ping-pong halves).
struct BufferConfig {
  int port_width_bits = 128;  // bits moved per access
  int access_cycles = 1;      // cycles per access

  template <class V> void visit(V& v) {
    v.field("port_width_bits", port_width_bits, "bits read or written per buffer access [bits]", 1, 1e6);
    v.field("access_cycles", access_cycles, "cycles per buffer access [cycles]", 0, 1e6);
  }

  // ceil(bits / port width) accesses.
  uint64_t cycles_for_bits(int bits) const {
    return static_cast<uint64_t>((bits + port_width_bits - 1) / port_width_bits) * access_cycles;
  }
};

}  // namespace xbg
