#pragma once
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "core/bnn/bitvec.h"
#include "core/energy/ledger.h"
#include "core/sim/comparator_config.h"
#include "models/common/timebase.h"

namespace xbg {

// The sign activation of a hidden layer: y*_k = +1 iff I_k >= reference_k,
// the reference programmed from B* (CrossbarTile::reference_current_a). k
// columns share one comparator, so a layer of n columns takes min(k, n)
// decision rounds. Reads the ColumnCurrents extension, writes y* bits into the
// payload and forwards it through `out` (to the post-unit).
class ComparatorBank : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ComparatorBank> in{"in"};
  tlm_utils::simple_initiator_socket<ComparatorBank> out{"out"};

  ComparatorBank(sc_core::sc_module_name name, const ComparatorConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
                 const std::string& ledger_name);

  void program_references(const std::vector<double>& reference_a);
  int comparators() const;       // physical comparators for the programmed width
  uint64_t decision_rounds() const;
  uint64_t compare_cycles() const;  // rounds x decision cycles

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  ComparatorConfig cfg_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_decisions_;
  std::vector<double> reference_a_;
  BitVec y_;
};

}  // namespace xbg
