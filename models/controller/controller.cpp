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
  state(ControllerState::kLoadInput, 0);
  own_cycles(static_cast<uint64_t>(cfg_.start_cycles), delay);
  std::memcpy(words_.data(), image.data(), sizeof(uint64_t) * image.num_words());
  buffer_access(tlm::TLM_WRITE_COMMAND, 0, widths_[0], delay);
  sc_core::sc_time t_phase = Timebase::local_time(delay);
  out.overhead_cycles = timebase_.cycles_in(t_phase - t_start);
  out.load_cycles = out.overhead_cycles;

  for (int l = 0; l < hidden; ++l) {
    state(ControllerState::kLayerSetup, l + 1);
    own_cycles(static_cast<uint64_t>(cfg_.layer_setup_cycles), delay);
    state(ControllerState::kBufferRead, l + 1);
    buffer_access(tlm::TLM_READ_COMMAND, l % 2, widths_[l], delay);
    payload_.set_command(tlm::TLM_WRITE_COMMAND);
    payload_.set_address(0);
    payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    state(ControllerState::kSlice, l + 1);
    layer_ports[l]->b_transport(payload_, delay);
    check("layer slice");
    if (!payload_to_bits(payload_, out.layer_outputs[l])) check("layer output length");
    state(ControllerState::kBufferWrite, l + 1);
    buffer_access(tlm::TLM_WRITE_COMMAND, (l + 1) % 2, widths_[l + 1], delay);
    ledger_.count(ev_layers_);
    const sc_core::sc_time t = Timebase::local_time(delay);
    out.layer_cycles[l] = timebase_.cycles_in(t - t_phase);
    t_phase = t;
  }

  state(ControllerState::kLayerSetup, hidden + 1);
  own_cycles(static_cast<uint64_t>(cfg_.layer_setup_cycles), delay);
  state(ControllerState::kBufferRead, hidden + 1);
  buffer_access(tlm::TLM_READ_COMMAND, hidden % 2, widths_[hidden], delay);
  state(ControllerState::kClassify, hidden + 1);
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

  state(ControllerState::kDone, 0);
  own_cycles(static_cast<uint64_t>(cfg_.done_cycles), delay);
  const sc_core::sc_time t_end = Timebase::local_time(delay);
  out.overhead_cycles += timebase_.cycles_in(t_end - t);
  out.cycles = timebase_.cycles_in(t_end - t_start);
  out.latency_cycles = out.cycles;
  ledger_.count(ev_inferences_);
  ledger_.add_inference();
  state(ControllerState::kIdle, 0);
}

uint64_t Controller::run_batch(int count, const Source& image, const Sink& sink, sc_core::sc_time& delay) {
  if (!cfg_.pipeline) {
    const sc_core::sc_time t0 = Timebase::local_time(delay);
    for (int i = 0; i < count; ++i) {
      if (probes_) probes_->image = i;
      infer(image(i), result_, delay);
      sink(i, result_);
    }
    if (probes_) probes_->image = -1;
    return timebase_.cycles_in(Timebase::local_time(delay) - t0);
  }
  // The blocks compute one image at a time (the data do not depend on the
  // timing); the schedule then places each image's stage times.
  const int hidden = static_cast<int>(widths_.size()) - 1;
  schedule_.reset(hidden + 2);
  for (int i = 0; i < count; ++i) {
    sc_core::sc_time scratch = sc_core::SC_ZERO_TIME;
    infer(image(i), result_, scratch);
    stage_cycles_.assign(result_.layer_cycles.begin(), result_.layer_cycles.end());
    stage_cycles_.insert(stage_cycles_.begin(), result_.load_cycles);
    stage_cycles_.back() += result_.overhead_cycles - result_.load_cycles;  // done joins the classifier stage
    result_.latency_cycles = schedule_.place(stage_cycles_).latency();
    sink(i, result_);
  }
  timebase_.spend(schedule_.makespan(), delay);
  return schedule_.makespan();
}

}  // namespace xbg
