#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/energy/ledger.h"
#include "core/sim/buffer_config.h"
#include "models/common/timebase.h"

namespace xbg {

// SRAM between layers, two halves (ping-pong): layer l reads one half and
// writes the other. Byte-addressed; an access outside the memory answers with
// TLM_ADDRESS_ERROR_RESPONSE. Time: ceil(bits / port width) accesses.
class ActivationBuffer : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ActivationBuffer> io{"io"};

  // `half_bits`: the widest vector one half must hold.
  ActivationBuffer(sc_core::sc_module_name name, const BufferConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
                   int half_bits);

  uint64_t half_stride_bytes() const { return stride_; }
  uint64_t size_bytes() const { return mem_.size(); }

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  BufferConfig cfg_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_read_bits_, ev_write_bits_, ev_accesses_;
  uint64_t stride_;
  std::vector<unsigned char> mem_;
};

}  // namespace xbg
