#include "models/puf_block/puf_block.h"

#include <cstring>

#include "models/common/payload.h"

namespace xbg {

PufBlock::PufBlock(sc_core::sc_module_name name, const PufConfig& puf, const PufBlockConfig& cfg, const BootConfig& boot,
                   uint64_t chip_seed, Timebase& timebase, EnergyLedger& ledger)
    : sc_module(name),
      cfg_(cfg),
      corner_{boot.temperature_c, boot.voltage_v},
      next_read_index_(static_cast<uint64_t>(boot.boot_index)),
      puf_(PufArray::create(puf, chip_seed)),
      timebase_(timebase),
      ledger_(ledger) {
  io.register_b_transport(this, &PufBlock::b_transport);
  block_ = ledger_.add_block("puf", "puf");
  ev_reads_ = ledger_.add_event(block_, "reads");
  ev_bits_ = ledger_.add_event(block_, "bits_read");
}

uint64_t PufBlock::read_cycles() const {
  return static_cast<uint64_t>((puf_->size() + cfg_.read_bits_per_cycle - 1) / cfg_.read_bits_per_cycle);
}

void PufBlock::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  if (p.get_command() != tlm::TLM_READ_COMMAND) {
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  if (p.get_address() != 0 || p.get_data_length() != bytes_for_bits(puf_->size())) {
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const BitVec response = puf_->read(corner_, next_read_index_++);
  bits_to_payload(response, p);
  const uint64_t cycles = read_cycles();
  timebase_.spend(cycles, delay);
  ledger_.add_busy_cycles(block_, cycles);
  ledger_.count(ev_reads_);
  ledger_.count(ev_bits_, static_cast<uint64_t>(puf_->config().cells_read_per_boot()));
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace xbg
