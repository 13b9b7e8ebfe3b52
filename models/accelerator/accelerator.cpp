#include "models/accelerator/accelerator.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "models/accelerator/register_map.h"
#include "models/common/payload.h"

namespace xbg {

namespace {

std::string fc(int layer) { return "fc" + std::to_string(layer + 1); }

uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
void store_u32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

// Bits of byte `b` of a column that hold weights (the rest is padding).
uint8_t weight_mask(uint64_t byte_in_column, int m) {
  const int64_t first_bit = static_cast<int64_t>(byte_in_column) * 8;
  if (first_bit >= m) return 0;
  const int64_t bits = std::min<int64_t>(8, m - first_bit);
  return static_cast<uint8_t>((1u << bits) - 1);
}

std::vector<BitVec> columns_of(const std::vector<uint8_t>& bytes, int m, int n, uint64_t stride) {
  std::vector<BitVec> cols;
  cols.reserve(static_cast<size_t>(n));
  for (int k = 0; k < n; ++k) {
    BitVec c(m);
    std::memcpy(c.data(), bytes.data() + static_cast<uint64_t>(k) * stride, bytes_for_bits(m));
    cols.push_back(std::move(c));
  }
  return cols;
}

}  // namespace

Accelerator::Accelerator(sc_core::sc_module_name name, const SimConfig& cfg, const std::vector<int>& topology,
                         EnergyLedger& ledger, const AcceleratorOptions& options)
    : sc_module(name), cfg_(cfg), topology_(topology), ledger_(ledger) {
  if (topology.size() < 3) throw std::invalid_argument("Accelerator: need at least one hidden layer and a classifier");
  const int hidden = static_cast<int>(topology.size()) - 2;
  if (hidden + 1 > regs::kMaxLayers || hidden > static_cast<int>((regs::kLayerCfgEnd - regs::kLayerCfg) / 4))
    throw std::invalid_argument("Accelerator: the register map has room for " + std::to_string(regs::kMaxLayers - 1) +
                                " hidden layers");
  if (options.stepped && cfg.controller.pipeline)
    throw std::invalid_argument(
        "Accelerator: a VCD run steps one image at a time; controller.pipeline must be false with --vcd");
  if (options.stepped) {
    auto stepped = std::make_unique<SteppedTimebase>(cfg.clock);
    stepped_ = stepped.get();
    timebase_ = std::move(stepped);
    probes_ = std::make_unique<TraceProbes>();
    probes_->layers.resize(static_cast<size_t>(hidden));  // before build_taps(): the taps hold references
    for (int l = 0; l < hidden; ++l) probes_->layers[l].comparator_out = std::make_unique<sc_dt::sc_bv_base>(topology[l + 1]);
  } else {
    timebase_ = std::make_unique<Timebase>(cfg.clock);
  }
  const int widest = *std::max_element(topology.begin(), topology.end() - 1);
  buffer_ = std::make_unique<ActivationBuffer>("activation_buffer", cfg.activation_buffer, *timebase_, ledger, widest);

  for (int l = 0; l < hidden; ++l) {
    const std::string n = fc(l);
    Slice s;
    s.pre = std::make_unique<PreUnit>((n + "_pre_unit").c_str(), cfg.pre_unit, *timebase_, ledger, n + ".pre_unit",
                                      topology[l]);
    s.tile = std::make_unique<CrossbarTile>((n + "_crossbar").c_str(), cfg.crossbar, *timebase_, ledger, n + ".crossbar");
    s.comparators = std::make_unique<ComparatorBank>((n + "_comparators").c_str(), cfg.comparator, *timebase_, ledger,
                                                     n + ".comparator");
    s.post = std::make_unique<PostUnit>((n + "_post_unit").c_str(), cfg.post_unit, *timebase_, ledger,
                                        n + ".post_unit", topology[l + 1]);
    slices_.push_back(std::move(s));
  }

  const std::string cls = fc(hidden);
  classifier_ = std::make_unique<ClassifierUnit>((cls + "_classifier").c_str(), cfg.classifier, *timebase_, ledger,
                                                 cls + ".classifier");
  if (cfg.classifier.readout == "adc") {
    class_tile_ = std::make_unique<CrossbarTile>((cls + "_crossbar").c_str(), cfg.crossbar, *timebase_, ledger,
                                                 cls + ".crossbar");
    adc_ = std::make_unique<AdcBank>((cls + "_adc").c_str(), cfg.classifier.adc, *timebase_, ledger, cls + ".adc");
    classifier_->readout.bind(class_tile_->in);
    class_tile_->out.bind(adc_->in);
  } else {
    popcount_ = std::make_unique<PopcountUnit>((cls + "_popcount").c_str(), cfg.classifier.popcount, *timebase_, ledger,
                                               cls + ".popcount");
    classifier_->readout.bind(popcount_->in);
  }

  std::vector<int> widths(topology.begin(), topology.end() - 1);
  controller_ = std::make_unique<Controller>("controller", cfg.controller, *timebase_, ledger, widths,
                                             topology.back(), buffer_->half_stride_bytes());
  controller_->buffer_port.bind(buffer_->io);
  if (stepped_) {
    build_taps();
  } else {
    for (auto& s : slices_) {
      s.pre->out.bind(s.tile->in);
      s.tile->out.bind(s.comparators->in);
      s.comparators->out.bind(s.post->in);
      controller_->layer_ports.bind(s.pre->in);
    }
  }
  controller_->classifier_port.bind(classifier_->in);
  controller_->set_probes(probes_.get());

  const PufConfig puf = options.puf ? *options.puf : cfg.puf;
  puf_block_ = std::make_unique<PufBlock>("puf_block", puf, cfg.puf_block, cfg.boot, options.chip_seed, *timebase_, ledger);
  std::vector<KeyUnit::LayerShape> shapes;
  for (int l = 0; l < hidden; ++l) shapes.push_back({topology[l], topology[l + 1]});
  key_unit_ = std::make_unique<KeyUnit>("key_unit", puf, cfg.key_unit, shapes, options.bypass_key_check, *timebase_,
                                        ledger, [this](const std::vector<LayerKey>& keys) { load_key_registers(keys); });
  key_unit_->puf_port.bind(puf_block_->io);

  // Register file and windows.
  host.register_b_transport(this, &Accelerator::host_b_transport);
  layer_cfg_.assign(static_cast<size_t>(hidden), 0);
  helper_.assign(regs::kHelperSize, 0);
  input_stride_ = regs::column_stride(topology[0]);
  const uint64_t slots = static_cast<uint64_t>(cfg.host_if.input_slots);
  if (slots * input_stride_ > regs::kInputSize || slots * 4 > regs::kResultsSize)
    throw std::invalid_argument("Accelerator: host_if.input_slots = " + std::to_string(slots) + " images of " +
                                std::to_string(input_stride_) + " bytes do not fit the input window");
  input_.assign(slots * input_stride_, 0);
  results_.assign(slots, 0);
  input_bits_ = BitVec(topology[0]);
  for (int l = 0; l <= hidden; ++l) {
    LayerImage img;
    img.m = topology[l];
    img.n = topology[l + 1];
    img.column_stride = regs::column_stride(img.m);
    const uint64_t params_bytes = static_cast<uint64_t>(img.n) * (l < hidden ? 4 : 16);
    if (img.column_stride * img.n > regs::kWeightsSize || params_bytes > regs::kParamsSize)
      throw std::invalid_argument("Accelerator: " + fc(l) + " (" + std::to_string(img.m) + "x" + std::to_string(img.n) +
                                  ") does not fit its register-map window");
    img.weights.assign(img.column_stride * img.n, 0);
    img.programmed.assign(img.weights.size(), 0);
    if (l < hidden) {
      // Until B* is written every column compares against B = -m (always +1).
      img.thresholds.assign(static_cast<size_t>(img.n), -img.m);
    } else {
      img.scale.assign(static_cast<size_t>(img.n), 1.0);
      img.bias.assign(static_cast<size_t>(img.n), 0.0);
    }
    img.block = ledger.add_block(fc(l) + ".programming", "programming");
    const bool cells = l < hidden || class_tile_;
    if (cells) {
      img.ev_set = ledger.add_event(img.block, "set_pulses");
      img.ev_reset = ledger.add_event(img.block, "reset_pulses");
    }
    img.ev_bits = ledger.add_event(img.block, cells ? "weight_bits_written" : "sram_bits_written");
    img.ev_params = ledger.add_event(img.block, l < hidden ? "reference_writes" : "affine_writes");
    images_.push_back(std::move(img));
  }
  set_pulse_cycles_ = timebase_->cycles_for_ns(cfg.programming.set_pulse_ns);
  reset_pulse_cycles_ = timebase_->cycles_for_ns(cfg.programming.reset_pulse_ns);
  host_block_ = ledger.add_block("host_if", "host_if");
  ev_reg_reads_ = ledger.add_event(host_block_, "register_reads");
  ev_reg_writes_ = ledger.add_event(host_block_, "register_writes");
  ev_read_bytes_ = ledger.add_event(host_block_, "window_read_bytes");
  ev_write_bytes_ = ledger.add_event(host_block_, "window_write_bytes");
  ev_errors_ = ledger.add_event(host_block_, "error_responses");

  SC_THREAD(sequencer);
}

Accelerator::~Accelerator() = default;

void Accelerator::build_taps() {
  // Probes follow the transactions between the blocks of each slice; the
  // comparators' column group advances per cycle from the hook below.
  struct CompareWindow {
    int layer = -1;
    sc_core::sc_time start;
    uint64_t cycles_per_round = 0, rounds = 0;
  };
  auto window = std::make_shared<CompareWindow>();
  for (int l = 0; l < hidden_layers(); ++l) {
    Slice& s = slices_[l];
    LayerProbes& lp = probes_->layers[l];
    const std::string n = fc(l);
    s.taps.push_back(std::make_unique<Tap>(
        (n + "_tap_pre").c_str(), [this, &lp, l](tlm::tlm_generic_payload&) { lp.pre_key_applied = pre_unit(l).active(); },
        [&lp](tlm::tlm_generic_payload&) { lp.post_key_applied = false; }));
    s.taps.push_back(std::make_unique<Tap>((n + "_tap_crossbar").c_str(), [&lp](tlm::tlm_generic_payload&) {
      lp.pre_key_applied = false;
      lp.crossbar_read = true;
    }));
    s.taps.push_back(std::make_unique<Tap>((n + "_tap_comparator").c_str(), [this, &lp, l, window](tlm::tlm_generic_payload&) {
      lp.crossbar_read = false;
      lp.comparing = true;
      lp.active_group = 0;
      window->layer = l;
      window->start = sc_core::sc_time_stamp();
      window->rounds = comparators(l).decision_rounds();
      window->cycles_per_round = window->rounds ? comparators(l).compare_cycles() / window->rounds : 0;
    }));
    s.taps.push_back(std::make_unique<Tap>((n + "_tap_post").c_str(), [this, &lp, l, window](tlm::tlm_generic_payload& p) {
      lp.comparing = false;
      lp.active_group = -1;
      window->layer = -1;
      BitVec y(lp.comparator_out->length());
      if (payload_to_bits(p, y)) {
        for (int w = 0; w * 32 < y.size(); ++w)
          lp.comparator_out->set_word(w, static_cast<sc_dt::sc_digit>(y.data()[w / 2] >> (32 * (w % 2))));
      }
      lp.post_key_applied = post_unit(l).active();
    }));
    controller_->layer_ports.bind(s.taps[0]->in);
    s.taps[0]->out.bind(s.pre->in);
    s.pre->out.bind(s.taps[1]->in);
    s.taps[1]->out.bind(s.tile->in);
    s.tile->out.bind(s.taps[2]->in);
    s.taps[2]->out.bind(s.comparators->in);
    s.comparators->out.bind(s.taps[3]->in);
    s.taps[3]->out.bind(s.post->in);
  }
  stepped_->set_cycle_hook([this, window] {
    if (window->layer < 0 || window->cycles_per_round == 0) return;
    const uint64_t elapsed = timebase_->cycles_in(sc_core::sc_time_stamp() - window->start);
    probes_->layers[window->layer].active_group =
        static_cast<int>(std::min<uint64_t>(elapsed / window->cycles_per_round, window->rounds - 1));
  });
}

void Accelerator::trace(sc_core::sc_trace_file* tf) {
  if (!stepped_) throw std::logic_error("Accelerator::trace: only a stepped (VCD) accelerator has trace probes");
  const std::string top = std::string(name()) + ".";
  sc_core::sc_trace(tf, stepped_->clock_signal(), top + "clk");
  sc_core::sc_trace(tf, probes_->busy, top + "status.busy");
  sc_core::sc_trace(tf, probes_->done, top + "status.done");
  sc_core::sc_trace(tf, probes_->key_ready, top + "status.key_ready");
  sc_core::sc_trace(tf, probes_->key_error, top + "status.key_error");
  sc_core::sc_trace(tf, probes_->controller_state, top + "controller.state");
  sc_core::sc_trace(tf, probes_->layer, top + "controller.layer");
  sc_core::sc_trace(tf, probes_->image, top + "controller.image");
  for (int l = 0; l < hidden_layers(); ++l) {
    LayerProbes& lp = probes_->layers[l];
    const std::string n = top + fc(l) + ".";
    sc_core::sc_trace(tf, lp.pre_key_applied, n + "pre_unit.key_applied");
    sc_core::sc_trace(tf, lp.crossbar_read, n + "crossbar.read");
    sc_core::sc_trace(tf, lp.comparing, n + "comparator.deciding");
    sc_core::sc_trace(tf, lp.active_group, n + "comparator.active_group");
    sc_core::sc_trace(tf, *lp.comparator_out, n + "comparator.y_star");
    sc_core::sc_trace(tf, lp.post_key_applied, n + "post_unit.key_applied");
  }
}

uint32_t Accelerator::status() const { return status_; }

void Accelerator::set_flag(uint32_t bit, bool on) {
  status_ = on ? (status_ | bit) : (status_ & ~bit);
  if (probes_) {
    probes_->busy = status_ & regs::kStatusBusy;
    probes_->done = status_ & regs::kStatusDone;
    probes_->key_ready = status_ & regs::kStatusKeyReady;
    probes_->key_error = status_ & regs::kStatusKeyError;
  }
}

// ---------------------------------------------------------------- host port

void Accelerator::host_b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
  const tlm::tlm_command cmd = p.get_command();
  const uint64_t addr = p.get_address();
  const unsigned len = p.get_data_length();
  uint8_t* data = p.get_data_ptr();
  // Bus time: one beat per bus width, also for accesses that fail. Phase
  // time even in VCD runs: host traffic is not what the trace is for.
  const uint64_t beats = (static_cast<uint64_t>(len) * 8 + cfg_.host_if.bus_width_bits - 1) / cfg_.host_if.bus_width_bits;
  timebase_->Timebase::spend(std::max<uint64_t>(beats, 1) * cfg_.host_if.beat_cycles, delay);

  tlm::tlm_response_status st = tlm::TLM_OK_RESPONSE;
  if (cmd == tlm::TLM_IGNORE_COMMAND) {
    st = tlm::TLM_OK_RESPONSE;
  } else if (p.get_byte_enable_ptr()) {
    st = tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  } else if (p.get_streaming_width() != 0 && p.get_streaming_width() < len) {
    st = tlm::TLM_BURST_ERROR_RESPONSE;
  } else if (len == 0 || addr + len < addr) {
    st = tlm::TLM_BURST_ERROR_RESPONSE;
  } else if (addr < regs::kRegsEnd) {
    st = (len == 4 && addr % 4 == 0) ? register_access(cmd, addr, data, delay) : tlm::TLM_BURST_ERROR_RESPONSE;
    ledger_.count(cmd == tlm::TLM_READ_COMMAND ? ev_reg_reads_ : ev_reg_writes_);
  } else if (addr >= regs::kKeyRegs && addr < regs::kPufResponseEnd) {
    // Key registers and the PUF response: decoded, never served (docs/design.md §3.2).
    st = tlm::TLM_ADDRESS_ERROR_RESPONSE;
  } else {
    const bool busy = status_ & regs::kStatusBusy;
    const bool write = cmd == tlm::TLM_WRITE_COMMAND;
    auto inside = [&](uint64_t base, uint64_t size) { return addr >= base && addr + len <= base + size; };
    const int layers = static_cast<int>(images_.size());
    if (inside(regs::kHelper, regs::kHelperSize)) {
      uint8_t* mem = helper_.data() + (addr - regs::kHelper);
      if (write && busy) st = tlm::TLM_GENERIC_ERROR_RESPONSE;
      else if (write) std::memcpy(mem, data, len);
      else std::memcpy(data, mem, len);
    } else if (inside(regs::kResults, results_.size() * 4)) {
      if (write) {
        st = tlm::TLM_COMMAND_ERROR_RESPONSE;
      } else {
        for (unsigned i = 0; i < len; ++i) {
          const uint64_t b = addr - regs::kResults + i;
          data[i] = static_cast<uint8_t>(results_[b / 4] >> (8 * (b % 4)));
        }
      }
    } else if (inside(regs::kInput, input_.size())) {
      uint8_t* mem = input_.data() + (addr - regs::kInput);
      if (write && busy) st = tlm::TLM_GENERIC_ERROR_RESPONSE;
      else if (write) std::memcpy(mem, data, len);
      else std::memcpy(data, mem, len);
    } else if (addr >= regs::kLayers && addr < regs::layer_base(layers)) {
      const int layer = static_cast<int>((addr - regs::kLayers) / regs::kLayerStride);
      st = layer_access(cmd, layer, addr - regs::layer_base(layer), data, len, delay);
    } else {
      st = tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
    if (st == tlm::TLM_OK_RESPONSE) ledger_.count(write ? ev_write_bytes_ : ev_read_bytes_, len);
  }
  if (st != tlm::TLM_OK_RESPONSE) ledger_.count(ev_errors_);
  p.set_dmi_allowed(false);
  p.set_response_status(st);
}

tlm::tlm_response_status Accelerator::register_access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data,
                                                      sc_core::sc_time& delay) {
  const bool busy = status_ & regs::kStatusBusy;
  if (cmd == tlm::TLM_WRITE_COMMAND) {
    const uint32_t v = load_u32(data);
    if (addr == regs::kCtrl) return write_ctrl(v, delay);
    if (addr == regs::kImageCount) {
      if (busy || v < 1 || v > results_.size()) return tlm::TLM_GENERIC_ERROR_RESPONSE;
      image_count_ = v;
      return tlm::TLM_OK_RESPONSE;
    }
    if (addr == regs::kHelperLen) {
      if (busy || v > regs::kHelperSize) return tlm::TLM_GENERIC_ERROR_RESPONSE;
      helper_len_ = v;
      return tlm::TLM_OK_RESPONSE;
    }
    if (addr >= regs::kModelMac && addr < regs::kModelMacEnd) {
      if (busy) return tlm::TLM_GENERIC_ERROR_RESPONSE;
      std::memcpy(model_mac_.data() + (addr - regs::kModelMac), data, 4);
      return tlm::TLM_OK_RESPONSE;
    }
    if (addr >= regs::kLayerCfg && addr < regs::kLayerCfg + 4 * layer_cfg_.size()) {
      const bool valid = (v & ~(regs::kLayerCfgSchemeMask | regs::kLayerCfgSingleKey)) == 0 &&
                         is_scheme_code(v & regs::kLayerCfgSchemeMask);
      if (busy || !valid) return tlm::TLM_GENERIC_ERROR_RESPONSE;
      layer_cfg_[(addr - regs::kLayerCfg) / 4] = v;
      model_written();
      return tlm::TLM_OK_RESPONSE;
    }
    switch (addr) {  // the read-only registers
      case regs::kId: case regs::kVersion: case regs::kStatus: case regs::kImagesDone: case regs::kInputSlots:
      case regs::kInputBits: case regs::kInputStride: case regs::kHiddenLayers: case regs::kClasses:
      case regs::kBatchCyclesLo: case regs::kBatchCyclesHi: case regs::kProgCyclesLo: case regs::kProgCyclesHi:
      case regs::kBootCyclesLo: case regs::kBootCyclesHi:
        return tlm::TLM_COMMAND_ERROR_RESPONSE;
      default:
        return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
  }
  if (cmd != tlm::TLM_READ_COMMAND) return tlm::TLM_COMMAND_ERROR_RESPONSE;
  uint32_t v = 0;
  if (addr >= regs::kLayerCfg && addr < regs::kLayerCfg + 4 * layer_cfg_.size()) {
    v = layer_cfg_[(addr - regs::kLayerCfg) / 4];
  } else if (addr >= regs::kModelMac && addr < regs::kModelMacEnd) {
    std::memcpy(&v, model_mac_.data() + (addr - regs::kModelMac), 4);
  } else {
    switch (addr) {
      case regs::kId: v = regs::kIdValue; break;
      case regs::kVersion: v = regs::kVersionValue; break;
      case regs::kCtrl: return tlm::TLM_COMMAND_ERROR_RESPONSE;  // write-only
      case regs::kStatus: v = status_; break;
      case regs::kImageCount: v = image_count_; break;
      case regs::kHelperLen: v = helper_len_; break;
      case regs::kImagesDone: v = static_cast<uint32_t>(images_done_); break;
      case regs::kInputSlots: v = static_cast<uint32_t>(results_.size()); break;
      case regs::kInputBits: v = static_cast<uint32_t>(topology_.front()); break;
      case regs::kInputStride: v = static_cast<uint32_t>(input_stride_); break;
      case regs::kHiddenLayers: v = static_cast<uint32_t>(hidden_layers()); break;
      case regs::kClasses: v = static_cast<uint32_t>(topology_.back()); break;
      case regs::kBatchCyclesLo: v = static_cast<uint32_t>(batch_cycles_); break;
      case regs::kBatchCyclesHi: v = static_cast<uint32_t>(batch_cycles_ >> 32); break;
      case regs::kProgCyclesLo: v = static_cast<uint32_t>(programming_cycles_); break;
      case regs::kProgCyclesHi: v = static_cast<uint32_t>(programming_cycles_ >> 32); break;
      case regs::kBootCyclesLo: v = static_cast<uint32_t>(boot_cycles_); break;
      case regs::kBootCyclesHi: v = static_cast<uint32_t>(boot_cycles_ >> 32); break;
      default: return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
  }
  store_u32(data, v);
  return tlm::TLM_OK_RESPONSE;
}

bool Accelerator::key_needed() const {
  return std::any_of(layer_cfg_.begin(), layer_cfg_.end(),
                     [](uint32_t c) { return (c & regs::kLayerCfgSchemeMask) != static_cast<uint32_t>(Scheme::kNone); });
}

tlm::tlm_response_status Accelerator::write_ctrl(uint32_t value, const sc_core::sc_time& delay) {
  if (value == 0) return tlm::TLM_OK_RESPONSE;
  if (value != regs::kCmdStart && value != regs::kCmdBoot && value != regs::kCmdReset)
    return tlm::TLM_GENERIC_ERROR_RESPONSE;  // one command per write
  if (status_ & regs::kStatusBusy) return tlm::TLM_GENERIC_ERROR_RESPONSE;
  if (value == regs::kCmdReset) {
    for (uint32_t bit : {regs::kStatusDone, regs::kStatusBootDone, regs::kStatusRefused, regs::kStatusKeyError,
                         regs::kStatusIntegrityError})
      set_flag(bit, false);
    clear_keys();
    std::fill(results_.begin(), results_.end(), 0u);
    images_done_ = 0;
    batch_cycles_ = boot_cycles_ = 0;
    return tlm::TLM_OK_RESPONSE;
  }
  if (value == regs::kCmdStart && key_needed() && !(status_ & regs::kStatusKeyReady)) {
    set_flag(regs::kStatusRefused, true);  // no key (never booted, key-error, or zeroized by a model write)
    return tlm::TLM_GENERIC_ERROR_RESPONSE;
  }
  set_flag(regs::kStatusRefused, false);
  set_flag(regs::kStatusBusy, true);
  if (value == regs::kCmdStart) {
    set_flag(regs::kStatusDone, false);
    std::fill(results_.begin(), results_.end(), 0u);
    pending_ = Command::kStart;
  } else {
    for (uint32_t bit : {regs::kStatusBootDone, regs::kStatusKeyError, regs::kStatusIntegrityError}) set_flag(bit, false);
    clear_keys();
    pending_ = Command::kBoot;
  }
  command_event_.notify(delay);  // acts at the host's local time
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status Accelerator::layer_access(tlm::tlm_command cmd, int layer, uint64_t offset, uint8_t* data,
                                                   unsigned len, sc_core::sc_time& delay) {
  LayerImage& img = images_[layer];
  const bool write = cmd == tlm::TLM_WRITE_COMMAND;
  const bool classifier = layer == hidden_layers();
  if (write && (status_ & regs::kStatusBusy)) return tlm::TLM_GENERIC_ERROR_RESPONSE;
  uint64_t cycles = 0;
  if (offset >= regs::kWeightsOffset && offset + len <= regs::kWeightsOffset + img.weights.size()) {
    const uint64_t off = offset - regs::kWeightsOffset;
    if (!write) {
      std::memcpy(data, img.weights.data() + off, len);
      return tlm::TLM_OK_RESPONSE;
    }
    cycles = write_weights(img, off, data, len);
  } else if (offset >= regs::kParamsOffset) {
    const uint64_t off = offset - regs::kParamsOffset;
    const unsigned word = classifier ? 8 : 4;  // classifier: f64 a_c, f64 b_c per class; hidden: int32 B*
    const uint64_t size = classifier ? img.scale.size() * 16 : img.thresholds.size() * 4;
    if (off + len > size) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    if (off % word || len % word) return tlm::TLM_BURST_ERROR_RESPONSE;
    for (uint64_t w = off / word; w < (off + len) / word; ++w) {
      uint8_t* p = data + (w * word - off);
      if (classifier) {
        double& reg = (w % 2 == 0) ? img.scale[w / 2] : img.bias[w / 2];
        if (write) std::memcpy(&reg, p, 8);
        else std::memcpy(p, &reg, 8);
      } else {
        int32_t& reg = img.thresholds[w];
        if (write) std::memcpy(&reg, p, 4);
        else std::memcpy(p, &reg, 4);
      }
    }
    if (!write) return tlm::TLM_OK_RESPONSE;
    ledger_.count(img.ev_params, len / word);
    cycles = static_cast<uint64_t>(len / word) * cfg_.programming.reference_write_cycles;
  } else {
    return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
  img.dirty = true;
  model_written();
  programming_cycles_ += cycles;
  ledger_.add_busy_cycles(img.block, cycles);
  timebase_->Timebase::spend(cycles, delay);
  return tlm::TLM_OK_RESPONSE;
}

uint64_t Accelerator::write_weights(LayerImage& img, uint64_t offset, const uint8_t* data, unsigned len) {
  uint64_t set = 0, reset = 0, bits = 0;
  for (unsigned i = 0; i < len; ++i) {
    const uint64_t b = offset + i;
    const uint8_t mask = weight_mask(b % img.column_stride, img.m);
    if (!mask) continue;  // padding between columns
    const uint8_t next = data[i] & mask, old = img.weights[b], done = img.programmed[b];
    const uint8_t flipped = done & (old ^ next);
    set += static_cast<uint64_t>(__builtin_popcount(mask & ~done)) + __builtin_popcount(flipped);
    reset += static_cast<uint64_t>(__builtin_popcount(flipped));
    bits += static_cast<uint64_t>(__builtin_popcount(mask));
    img.weights[b] = next;
    img.programmed[b] = done | mask;
  }
  ledger_.count(img.ev_bits, bits);
  if (img.ev_set < 0) return 0;  // digital classifier: SRAM writes ride on the bus beats
  ledger_.count(img.ev_set, set);
  ledger_.count(img.ev_reset, reset);
  const uint64_t per = static_cast<uint64_t>(cfg_.programming.cells_per_pulse);
  return (set + per - 1) / per * set_pulse_cycles_ + (reset + per - 1) / per * reset_pulse_cycles_;
}

void Accelerator::model_written() {
  // Reprogramming zeroizes the key registers: the host must boot again.
  if (status_ & regs::kStatusKeyReady) clear_keys();
}

void Accelerator::commit_programming() {
  const int hidden = hidden_layers();
  for (int l = 0; l <= hidden; ++l) {
    LayerImage& img = images_[l];
    if (!img.dirty) continue;
    const std::vector<BitVec> cols = columns_of(img.weights, img.m, img.n, img.column_stride);
    if (l < hidden) {
      Slice& s = slices_[l];
      s.tile->program(img.m, img.n, cols);
      std::vector<double> ref(static_cast<size_t>(img.n));
      for (int k = 0; k < img.n; ++k) ref[k] = s.tile->reference_current_a(img.thresholds[k]);
      s.comparators->program_references(ref);
    } else {
      Classifier c;
      c.m = img.m;
      c.n = img.n;
      c.columns = cols;
      c.scale = img.scale;
      c.bias = img.bias;
      if (class_tile_) {
        class_tile_->program(c.m, c.n, c.columns);
        adc_->calibrate(c.m, c.n, class_tile_->level_current_a(-c.m),
                        class_tile_->level_current_a(-c.m + 2) - class_tile_->level_current_a(-c.m));
      } else {
        popcount_->program(c.m, c.n, c.columns);
      }
      classifier_->program(c);
    }
    img.dirty = false;
  }
}

// ---------------------------------------------------------------- backdoors

void Accelerator::program(const Network& stored) {
  if (stored.topology() != topology_) throw std::invalid_argument("Accelerator::program: model topology differs");
  sc_core::sc_time ignored = sc_core::SC_ZERO_TIME;
  auto write = [&](int layer, uint64_t offset, std::vector<uint8_t>& bytes) {
    if (layer_access(tlm::TLM_WRITE_COMMAND, layer, offset, bytes.data(), static_cast<unsigned>(bytes.size()), ignored) !=
        tlm::TLM_OK_RESPONSE)
      throw std::logic_error("Accelerator::program: window write refused");
  };
  const int hidden = hidden_layers();
  for (int l = 0; l <= hidden; ++l) {
    const bool cls = l == hidden;
    const std::vector<BitVec>& cols = cls ? stored.classifier.columns : stored.hidden[l].columns;
    const int m = cls ? stored.classifier.m : stored.hidden[l].m;
    const uint64_t stride = regs::column_stride(m);
    std::vector<uint8_t> w(stride * cols.size(), 0);
    for (size_t k = 0; k < cols.size(); ++k) std::memcpy(w.data() + k * stride, cols[k].data(), bytes_for_bits(m));
    write(l, regs::kWeightsOffset, w);
    std::vector<uint8_t> params;
    if (cls) {
      params.resize(cols.size() * 16);
      for (size_t c = 0; c < cols.size(); ++c) {
        std::memcpy(params.data() + 16 * c, &stored.classifier.scale[c], 8);
        std::memcpy(params.data() + 16 * c + 8, &stored.classifier.bias[c], 8);
      }
    } else {
      params.resize(cols.size() * 4);
      for (size_t k = 0; k < cols.size(); ++k) store_u32(params.data() + 4 * k, static_cast<uint32_t>(stored.hidden[l].thresholds[k]));
      uint32_t cfg = static_cast<uint32_t>(parse_scheme(stored.hidden[l].scheme));
      if (stored.hidden[l].single_key) cfg |= regs::kLayerCfgSingleKey;
      layer_cfg_[l] = cfg;
    }
    write(l, regs::kParamsOffset, params);
  }
}

void Accelerator::load_key_registers(const std::vector<LayerKey>& keys) {
  for (int l = 0; l < hidden_layers(); ++l) {
    slices_[l].pre->load_key(keys[l]);
    slices_[l].post->load_key(keys[l]);
  }
}

void Accelerator::load_keys(const std::vector<LayerKey>& keys) {
  if (static_cast<int>(keys.size()) != hidden_layers()) throw std::invalid_argument("Accelerator::load_keys: one key per hidden layer");
  load_key_registers(keys);
  set_flag(regs::kStatusKeyReady, true);
}

void Accelerator::clear_keys() {
  for (auto& s : slices_) {
    s.pre->clear_key();
    s.post->clear_key();
  }
  set_flag(regs::kStatusKeyReady, false);
}

// ---------------------------------------------------------------- sequencer

void Accelerator::sequencer() {
  for (;;) {
    sc_core::wait(command_event_);
    const Command c = pending_;
    pending_ = Command::kNone;
    if (c == Command::kStart) run_start();
    else if (c == Command::kBoot) run_boot();
    irq_.notify(sc_core::SC_ZERO_TIME);
  }
}

void Accelerator::run_start() {
  commit_programming();
  const int count = static_cast<int>(image_count_);
  const int in_bits = topology_.front();
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  batch_cycles_ = controller_->run_batch(
      count,
      [&](int i) -> const BitVec& {
        std::memcpy(input_bits_.data(), input_.data() + static_cast<uint64_t>(i) * input_stride_, bytes_for_bits(in_bits));
        if (in_bits % 64) input_bits_.data()[input_bits_.num_words() - 1] &= (uint64_t{1} << (in_bits % 64)) - 1;
        return input_bits_;
      },
      [&](int i, const InferenceResult& r) {
        results_[i] = regs::kResultValid | (static_cast<uint32_t>(r.prediction) & regs::kResultClassMask);
        if (monitor_) monitor_(i, r);
      },
      delay);
  sc_core::wait(delay);  // phase mode: the one kernel synchronisation per START
  images_done_ += static_cast<uint64_t>(count);
  set_flag(regs::kStatusBusy, false);
  set_flag(regs::kStatusDone, true);
}

Bytes Accelerator::model_contents() const {
  // The windows hold exactly what the host wrote (padding masked), so this is
  // the stored network the MAC was made for, unless someone changed it.
  Network stored;
  const int hidden = hidden_layers();
  for (int l = 0; l < hidden; ++l) {
    const LayerImage& img = images_[l];
    BinaryLayer layer;
    layer.m = img.m;
    layer.n = img.n;
    layer.columns = columns_of(img.weights, img.m, img.n, img.column_stride);
    layer.thresholds.assign(img.thresholds.begin(), img.thresholds.end());
    layer.scheme = scheme_id(static_cast<Scheme>(layer_cfg_[l] & regs::kLayerCfgSchemeMask));
    layer.single_key = (layer_cfg_[l] & regs::kLayerCfgSingleKey) != 0;
    stored.hidden.push_back(std::move(layer));
  }
  const LayerImage& cls = images_[hidden];
  stored.classifier.m = cls.m;
  stored.classifier.n = cls.n;
  stored.classifier.columns = columns_of(cls.weights, cls.m, cls.n, cls.column_stride);
  stored.classifier.scale = cls.scale;
  stored.classifier.bias = cls.bias;
  return model_mac_message(stored);
}

void Accelerator::run_boot() {
  if (probes_) probes_->set_state(ControllerState::kBoot);
  std::vector<KeyUnit::LayerKeyConfig> layers;
  for (uint32_t c : layer_cfg_)
    layers.push_back({static_cast<Scheme>(c & regs::kLayerCfgSchemeMask), (c & regs::kLayerCfgSingleKey) != 0});
  const std::string helper(helper_.begin(), helper_.begin() + helper_len_);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  last_boot_ = key_unit_->boot(helper, layers, model_contents(), model_mac_, delay);
  sc_core::wait(delay);
  boot_cycles_ = last_boot_.cycles;
  if (probes_) probes_->set_state(ControllerState::kIdle);
  set_flag(regs::kStatusKeyReady, last_boot_.keys_loaded);
  set_flag(regs::kStatusKeyError, !last_boot_.key_ok);
  set_flag(regs::kStatusIntegrityError, last_boot_.model_checked && !last_boot_.model_ok);
  set_flag(regs::kStatusBusy, false);
  set_flag(regs::kStatusBootDone, true);
}

}  // namespace xbg
