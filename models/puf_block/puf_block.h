#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/energy/ledger.h"
#include "core/puf/puf_model.h"
#include "core/sim/boot_config.h"
#include "models/common/timebase.h"

namespace xbg {

// The chip's PUF array (core/puf/puf_model.h) behind a read port. Its socket
// is bound to the key unit only: no host address reaches the response.
// A read (address 0, the whole response, bit-packed) returns one power-up
// response at the boot corner; each read takes the next noise draw.
// Ledger "puf": events reads, bits_read (cells sensed; RRAM reads two per bit).
class PufBlock : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<PufBlock> io{"io"};

  PufBlock(sc_core::sc_module_name name, const PufConfig& puf, const PufBlockConfig& cfg, const BootConfig& boot,
           uint64_t chip_seed, Timebase& timebase, EnergyLedger& ledger);

  int response_bits() const { return puf_->size(); }
  uint64_t read_cycles() const;

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  PufBlockConfig cfg_;
  PufCorner corner_;
  uint64_t next_read_index_;
  std::unique_ptr<PufArray> puf_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_reads_, ev_bits_;
};

}  // namespace xbg
