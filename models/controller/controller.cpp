#include "models/controller/controller.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "models/common/payload.h"

namespace xbg {

Controller::Controller(sc_core::sc_module_name name, const ControllerConfig& cfg, Timebase& timebase,
                       EnergyLedger& ledger, std::vector<int> widths, int classes, uint64_t buffer_half_stride_bytes)
    : sc_module(name),
      cfg_(cfg),
      timebase_(timebase),
      ledger_(ledger),
      widths_(std::move(widths)),
      classes_(classes),
      half_stride_(buffer_half_stride_bytes) {
  block_ = ledger_.add_block("controller", "controller");
  ev_inferences_ = ledger_.add_event(block_, "inferences");
  ev_layers_ = ledger_.add_event(block_, "layer_steps");
  const int widest = *std::max_element(widths_.begin(), widths_.end());
  words_.assign(static_cast<size_t>(widest + 63) / 64 + 1, 0);
  payload_bind_words(payload_, words_.data());
  scores_.sums.reserve(classes_);
  SC_THREAD(batch_thread);
}

void Controller::set_batch(const std::vector<BitVec>* images, Sink on_done) {
  batch_ = images;
  on_done_ = std::move(on_done);
}

void Controller::own_cycles(uint64_t cycles, sc_core::sc_time& delay) {
  timebase_.spend(cycles, delay);
  ledger_.add_busy_cycles(block_, cycles);
}

void Controller::check(const char* phase) {
  if (payload_.is_response_error())
    throw std::runtime_error(std::string(name()) + ": " + phase + " failed: " + payload_.get_response_string());
}

void Controller::buffer_access(tlm::tlm_command cmd, int half, int bits, sc_core::sc_time& delay) {
  payload_.set_command(cmd);
  payload_.set_address(static_cast<uint64_t>(half) * half_stride_);
  payload_.set_data_length(bytes_for_bits(bits));
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  buffer_port->b_transport(payload_, delay);
  check(cmd == tlm::TLM_READ_COMMAND ? "activation buffer read" : "activation buffer write");
}

void Controller::infer(const BitVec& image, InferenceResult& out, sc_core::sc_time& delay) {
  const int hidden = static_cast<int>(widths_.size()) - 1;
  if (image.size() != widths_[0])
    throw std::invalid_argument("Controller::infer: image has " + std::to_string(image.size()) + " bits, layer 1 takes " +
                                std::to_string(widths_[0]));
  if (static_cast<int>(out.layer_outputs.size()) != hidden) {
    out.layer_outputs.clear();
    for (int l = 0; l < hidden; ++l) out.layer_outputs.emplace_back(widths_[l + 1]);
  }
  out.layer_cycles.assign(hidden + 1, 0);

  const sc_core::sc_time t_start = Timebase::local_time(delay);
  own_cycles(static_cast<uint64_t>(cfg_.start_cycles), delay);
  std::memcpy(words_.data(), image.data(), sizeof(uint64_t) * image.num_words());
  buffer_access(tlm::TLM_WRITE_COMMAND, 0, widths_[0], delay);
  sc_core::sc_time t_phase = Timebase::local_time(delay);
  out.overhead_cycles = timebase_.cycles_in(t_phase - t_start);

  for (int l = 0; l < hidden; ++l) {
    own_cycles(static_cast<uint64_t>(cfg_.layer_setup_cycles), delay);
    buffer_access(tlm::TLM_READ_COMMAND, l % 2, widths_[l], delay);
    payload_.set_command(tlm::TLM_WRITE_COMMAND);
    payload_.set_address(0);
    payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    layer_ports[l]->b_transport(payload_, delay);
    check("layer slice");
    if (!payload_to_bits(payload_, out.layer_outputs[l])) check("layer output length");
    buffer_access(tlm::TLM_WRITE_COMMAND, (l + 1) % 2, widths_[l + 1], delay);
    ledger_.count(ev_layers_);
    const sc_core::sc_time t = Timebase::local_time(delay);
    out.layer_cycles[l] = timebase_.cycles_in(t - t_phase);
    t_phase = t;
  }

  own_cycles(static_cast<uint64_t>(cfg_.layer_setup_cycles), delay);
  buffer_access(tlm::TLM_READ_COMMAND, hidden % 2, widths_[hidden], delay);
  payload_.set_command(tlm::TLM_WRITE_COMMAND);
  payload_.set_address(0);
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  scores_.prediction = -1;
  payload_.set_extension(&scores_);
  classifier_port->b_transport(payload_, delay);
  payload_.clear_extension(&scores_);
  check("classifier");
  out.prediction = scores_.prediction;
  out.class_sums = scores_.sums;
  ledger_.count(ev_layers_);
  sc_core::sc_time t = Timebase::local_time(delay);
  out.layer_cycles[hidden] = timebase_.cycles_in(t - t_phase);

  own_cycles(static_cast<uint64_t>(cfg_.done_cycles), delay);
  const sc_core::sc_time t_end = Timebase::local_time(delay);
  out.overhead_cycles += timebase_.cycles_in(t_end - t);
  out.cycles = timebase_.cycles_in(t_end - t_start);
  ledger_.count(ev_inferences_);
  ledger_.add_inference();
}

void Controller::batch_thread() {
  if (!batch_) return;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  for (size_t i = 0; i < batch_->size(); ++i) {
    infer((*batch_)[i], result_, delay);
    wait(delay);  // the one kernel synchronisation per image
    delay = sc_core::SC_ZERO_TIME;
    if (on_done_) on_done_(static_cast<int>(i), result_);
  }
}

}  // namespace xbg
