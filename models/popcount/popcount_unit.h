#pragma once
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "core/bnn/bitvec.h"
#include "core/bnn/golden.h"
#include "core/energy/ledger.h"
#include "core/sim/classifier_config.h"
#include "models/common/timebase.h"

namespace xbg {

// Digital classifier readout: classifier weights in registers, XNOR +
// popcount tree of bits_per_cycle bits, `units` classes in parallel. Writes
// ClassScores::sums.
class PopcountUnit : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<PopcountUnit> in{"in"};

  PopcountUnit(sc_core::sc_module_name name, const PopcountConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
               const std::string& ledger_name);
  ~PopcountUnit() override;

  void program(int m, int n, const std::vector<BitVec>& columns);
  uint64_t popcount_cycles() const;

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  PopcountConfig cfg_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_columns_, ev_bits_;
  int m_ = 0, n_ = 0;
  std::unique_ptr<GoldenEngine> engine_;
  BitVec x_;
};

}  // namespace xbg
