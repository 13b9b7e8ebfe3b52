#pragma once
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "core/bnn/bitvec.h"
#include "core/energy/ledger.h"
#include "core/protection/transforms.h"
#include "core/sim/key_unit_config.h"
#include "models/common/timebase.h"

namespace xbg {

// MUX-XOR stage on a protected layer's input: X* = pre_unit_transform(key, X)
// (row inversion and/or row swap, docs/design.md §2.3). The key registers are loaded at
// boot and are not readable through any socket. Without a key, or when the
// layer's scheme has no pre-unit, the unit is bypassed at no cost.
class PreUnit : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<PreUnit> in{"in"};
  tlm_utils::simple_initiator_socket<PreUnit> out{"out"};  // to the crossbar tile

  PreUnit(sc_core::sc_module_name name, const PreUnitConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
          const std::string& ledger_name, int m);

  void load_key(const LayerKey& key);
  void clear_key();
  bool active() const { return active_; }

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  PreUnitConfig cfg_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_ops_, ev_bits_, ev_toggles_;
  LayerKey key_;
  bool active_ = false;
  BitVec x_, x_star_, last_out_;  // last_out_: register contents, for toggle counts
};

}  // namespace xbg
