#include "models/classifier/classifier_unit.h"

#include "models/classifier/class_scores.h"

namespace xbg {

ClassifierUnit::ClassifierUnit(sc_core::sc_module_name name, const ClassifierConfig& cfg, Timebase& timebase,
                               EnergyLedger& ledger, const std::string& ledger_name)
    : sc_module(name), cfg_(cfg), timebase_(timebase), ledger_(ledger) {
  in.register_b_transport(this, &ClassifierUnit::b_transport);
  block_ = ledger_.add_block(ledger_name, "classifier_digital");
  ev_affine_ = ledger_.add_event(block_, "affine_ops");
}

void ClassifierUnit::program(const Classifier& classifier) {
  affine_.m = classifier.m;
  affine_.n = classifier.n;
  affine_.scale = classifier.scale;
  affine_.bias = classifier.bias;
  affine_.columns.clear();
}

uint64_t ClassifierUnit::affine_cycles() const {
  return static_cast<uint64_t>(affine_.n) * static_cast<uint64_t>(cfg_.affine_cycles_per_class);
}

void ClassifierUnit::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  ClassScores* scores = nullptr;
  p.get_extension(scores);
  if (!scores) {
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  readout->b_transport(p, delay);
  if (p.is_response_error()) return;
  if (static_cast<int>(scores->sums.size()) != affine_.n) {
    p.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return;
  }
  scores->prediction = affine_.argmax(scores->sums);
  const uint64_t cycles = affine_cycles();
  timebase_.spend(cycles, delay);
  ledger_.add_busy_cycles(block_, cycles);
  ledger_.count(ev_affine_, static_cast<uint64_t>(affine_.n));
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace xbg
