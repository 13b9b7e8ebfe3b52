#pragma once
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "core/bnn/network.h"
#include "core/energy/ledger.h"
#include "core/sim/classifier_config.h"
#include "models/common/timebase.h"

namespace xbg {

// FC4's digital back end: forwards the input bits through `readout` (crossbar
// tile + ADC bank, or popcount unit), then a_c * s_c + b_c per class and
// argmax with ties to the lowest class (Classifier::argmax). The payload must
// carry a ClassScores extension, where the result comes back.
class ClassifierUnit : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ClassifierUnit> in{"in"};
  tlm_utils::simple_initiator_socket<ClassifierUnit> readout{"readout"};

  ClassifierUnit(sc_core::sc_module_name name, const ClassifierConfig& cfg, Timebase& timebase, EnergyLedger& ledger,
                 const std::string& ledger_name);

  void program(const Classifier& classifier);  // scale and bias registers
  uint64_t affine_cycles() const;

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay);

  ClassifierConfig cfg_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_affine_;
  Classifier affine_;  // scale, bias; no weights (those live in the readout)
};

}  // namespace xbg
