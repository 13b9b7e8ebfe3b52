#include "models/buffer/activation_buffer.h"

#include <cstring>

namespace xbg {

ActivationBuffer::ActivationBuffer(sc_core::sc_module_name name, const BufferConfig& cfg, Timebase& timebase,
                                   EnergyLedger& ledger, int half_bits)
    : sc_module(name),
      cfg_(cfg),
      timebase_(timebase),
      ledger_(ledger),
      stride_(static_cast<uint64_t>((half_bits + 63) / 64) * 8),
      mem_(2 * stride_, 0) {
  io.register_b_transport(this, &ActivationBuffer::b_transport);
  block_ = ledger_.add_block("activation_buffer", "buffer");
  ev_read_bits_ = ledger_.add_event(block_, "read_bits");
  ev_write_bits_ = ledger_.add_event(block_, "write_bits");
  ev_accesses_ = ledger_.add_event(block_, "accesses");
}

void ActivationBuffer::b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const uint64_t addr = p.get_address();
  const unsigned len = p.get_data_length();
  if (addr > mem_.size() || len > mem_.size() - addr) {
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (p.get_byte_enable_ptr() || (p.get_streaming_width() && p.get_streaming_width() < len)) {
    p.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  const int bits = static_cast<int>(len) * 8;
  if (p.is_read()) {
    std::memcpy(p.get_data_ptr(), mem_.data() + addr, len);
    ledger_.count(ev_read_bits_, static_cast<uint64_t>(bits));
  } else if (p.is_write()) {
    std::memcpy(mem_.data() + addr, p.get_data_ptr(), len);
    ledger_.count(ev_write_bits_, static_cast<uint64_t>(bits));
  } else {
    p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  const uint64_t accesses = static_cast<uint64_t>((bits + cfg_.port_width_bits - 1) / cfg_.port_width_bits);
  const uint64_t cycles = cfg_.cycles_for_bits(bits);
  ledger_.count(ev_accesses_, accesses);
  timebase_.spend(cycles, delay);
  ledger_.add_busy_cycles(block_, cycles);
  p.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace xbg
