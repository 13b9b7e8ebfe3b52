#pragma once
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/bnn/bitvec.h"
#include "core/energy/ledger.h"
#include "core/protection/transforms.h"
#include "core/sim/key_unit_config.h"
#include "models/common/timebase.h"

namespace xbg {

// XOR-MUX stage on the comparator outputs: y = post_unit_recover(key, y*)
// (column inversion and/or column swap, docs/design.md §2.3), in place in the payload,
// which then returns to the controller. Bypassed without a key or when the
// layer's scheme has no post-unit.
class PostUnit : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<PostUnit> in{"in"};

  PostUnit(sc_core::sc_module_name name, const PostUnitConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
           const std::string& ledger_name, int n);

  void load_key(const LayerKey& key);
  void clear_key();
  bool active() const { return active_; }

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  PostUnitConfig cfg_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_ops_, ev_bits_, ev_toggles_;
  LayerKey key_;
  bool active_ = false;
  BitVec y_, last_out_;  // last_out_: register contents, for toggle counts
};

}  // namespace xbg
