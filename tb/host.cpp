#include "tb/host.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/protection/transforms.h"
#include "models/accelerator/register_map.h"
#include "models/common/payload.h"

namespace xbg {

namespace {
std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%08llx", static_cast<unsigned long long>(v));
  return buf;
}
}  // namespace

Host::Host(sc_core::sc_module_name name, const sc_core::sc_event& irq, HostPlan plan)
    : sc_module(name), irq_(irq), plan_(std::move(plan)) {
  // The host ends every run with sc_stop() (a VCD run's clock never runs
  // out of events); that is the plan, not news.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  payload_.set_streaming_width(0);
  payload_.set_byte_enable_ptr(nullptr);
  SC_THREAD(main_thread);
}

tlm::tlm_response_status Host::access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len,
                                      bool allow_error) {
  payload_.set_command(cmd);
  payload_.set_address(addr);
  payload_.set_data_ptr(data);
  payload_.set_data_length(len);
  payload_.set_streaming_width(len);
  payload_.set_byte_enable_ptr(nullptr);
  payload_.set_dmi_allowed(false);
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  bus->b_transport(payload_, delay_);
  const tlm::tlm_response_status st = payload_.get_response_status();
  if (st != tlm::TLM_OK_RESPONSE && !allow_error)
    throw std::runtime_error(std::string(name()) + ": " + (cmd == tlm::TLM_READ_COMMAND ? "read " : "write ") + hex(addr) +
                             " (" + std::to_string(len) + " bytes) failed: " + payload_.get_response_string());
  return st;
}

uint32_t Host::read32(uint64_t addr) {
  uint8_t b[4];
  access(tlm::TLM_READ_COMMAND, addr, b, 4);
  uint32_t v;
  std::memcpy(&v, b, 4);
  return v;
}

void Host::write32(uint64_t addr, uint32_t value) {
  uint8_t b[4];
  std::memcpy(b, &value, 4);
  access(tlm::TLM_WRITE_COMMAND, addr, b, 4);
}

uint64_t Host::read64(uint64_t lo_addr) {
  const uint64_t lo = read32(lo_addr);
  return lo | static_cast<uint64_t>(read32(lo_addr + 4)) << 32;
}

void Host::sync() {
  sc_core::wait(delay_);
  delay_ = sc_core::SC_ZERO_TIME;
}

void Host::main_thread() {
  if (plan_.script) {
    plan_.script(*this);
  } else {
    if (plan_.image) program(*plan_.image);
    sync();
    if (plan_.after_programming) plan_.after_programming();
    // After a key-error the host still tries: the chip, not the host, must refuse.
    if (plan_.helper_text) {
      boot(*plan_.helper_text, plan_.model_mac);
      if (plan_.after_boot) plan_.after_boot();
    }
    if (plan_.images) stream(*plan_.images);
  }
  sync();
  log_.wall_end = std::chrono::steady_clock::now();
  sc_core::sc_stop();  // a VCD run's clock would run forever
}

void Host::program(const Network& image) {
  const int hidden = static_cast<int>(image.hidden.size());
  if (static_cast<int>(read32(regs::kHiddenLayers)) != hidden || read32(regs::kInputBits) != static_cast<uint32_t>(image.input_size()))
    throw std::runtime_error(std::string(name()) + ": the image's topology differs from the chip's");
  for (int l = 0; l <= hidden; ++l) {
    const bool cls = l == hidden;
    const std::vector<BitVec>& cols = cls ? image.classifier.columns : image.hidden[l].columns;
    const int m = cls ? image.classifier.m : image.hidden[l].m;
    if (!cls) {
      uint32_t cfg = plan_.no_key ? 0u : static_cast<uint32_t>(parse_scheme(image.hidden[l].scheme));
      if (!plan_.no_key && image.hidden[l].single_key) cfg |= regs::kLayerCfgSingleKey;
      write32(regs::kLayerCfg + 4 * static_cast<uint64_t>(l), cfg);
    }
    const uint64_t stride = regs::column_stride(m);
    burst_.assign(stride * cols.size(), 0);
    for (size_t k = 0; k < cols.size(); ++k) std::memcpy(burst_.data() + k * stride, cols[k].data(), bytes_for_bits(m));
    access(tlm::TLM_WRITE_COMMAND, regs::layer_base(l) + regs::kWeightsOffset, burst_.data(),
           static_cast<unsigned>(burst_.size()));
    if (cls) {
      burst_.assign(cols.size() * 16, 0);
      for (size_t c = 0; c < cols.size(); ++c) {
        std::memcpy(burst_.data() + 16 * c, &image.classifier.scale[c], 8);
        std::memcpy(burst_.data() + 16 * c + 8, &image.classifier.bias[c], 8);
      }
    } else {
      burst_.assign(cols.size() * 4, 0);
      for (size_t k = 0; k < cols.size(); ++k) {
        const int32_t b = image.hidden[l].thresholds[k];
        std::memcpy(burst_.data() + 4 * k, &b, 4);
      }
    }
    access(tlm::TLM_WRITE_COMMAND, regs::layer_base(l) + regs::kParamsOffset, burst_.data(),
           static_cast<unsigned>(burst_.size()));
  }
  log_.programming_cycles = read64(regs::kProgCyclesLo);
}

bool Host::boot(const std::string& helper, const ModelMac& mac) {
  if (helper.size() > regs::kHelperSize)
    throw std::runtime_error(std::string(name()) + ": helper data of " + std::to_string(helper.size()) +
                             " bytes exceeds the helper window");
  burst_.assign(helper.begin(), helper.end());
  if (!burst_.empty())
    access(tlm::TLM_WRITE_COMMAND, regs::kHelper, burst_.data(), static_cast<unsigned>(burst_.size()));
  write32(regs::kHelperLen, static_cast<uint32_t>(helper.size()));
  for (uint64_t i = 0; i < mac.size() / 4; ++i) {
    uint32_t word;
    std::memcpy(&word, mac.data() + 4 * i, 4);
    write32(regs::kModelMac + 4 * i, word);
  }
  sync();  // commands take effect at the kernel's time, so traces show them where they happen
  write32(regs::kCtrl, regs::kCmdBoot);
  sc_core::wait(irq_);
  delay_ = sc_core::SC_ZERO_TIME;
  log_.booted = true;
  log_.status_after_boot = read32(regs::kStatus);
  log_.boot_cycles = read64(regs::kBootCyclesLo);
  return log_.status_after_boot & regs::kStatusKeyReady;
}

void Host::stream(const std::vector<BitVec>& images) {
  const int slots = static_cast<int>(read32(regs::kInputSlots));
  const uint64_t stride = read32(regs::kInputStride);
  const uint32_t bits = read32(regs::kInputBits);
  uint32_t count_reg = read32(regs::kImageCount);
  std::vector<uint8_t> results;
  bool first = true;
  for (int base = 0; base < static_cast<int>(images.size()); base += slots) {
    const int count = std::min<int>(slots, static_cast<int>(images.size()) - base);
    burst_.assign(stride * static_cast<size_t>(count), 0);
    for (int i = 0; i < count; ++i) {
      const BitVec& x = images[static_cast<size_t>(base + i)];
      if (x.size() != static_cast<int>(bits))
        throw std::invalid_argument(std::string(name()) + ": image " + std::to_string(base + i) + " has " +
                                    std::to_string(x.size()) + " bits, the chip takes " + std::to_string(bits));
      std::memcpy(burst_.data() + stride * static_cast<size_t>(i), x.data(), bytes_for_bits(x.size()));
    }
    access(tlm::TLM_WRITE_COMMAND, regs::kInput, burst_.data(), static_cast<unsigned>(burst_.size()));
    if (count_reg != static_cast<uint32_t>(count)) {
      write32(regs::kImageCount, static_cast<uint32_t>(count));
      count_reg = static_cast<uint32_t>(count);
    }
    if (first) log_.wall_first_start = std::chrono::steady_clock::now();
    first = false;
    batch_base_ = base;
    sync();
    uint8_t cmd[4];
    const uint32_t start = regs::kCmdStart;
    std::memcpy(cmd, &start, 4);
    if (access(tlm::TLM_WRITE_COMMAND, regs::kCtrl, cmd, 4, /*allow_error=*/true) != tlm::TLM_OK_RESPONSE) {
      log_.start_refused = true;
      log_.status_when_refused = read32(regs::kStatus);
      return;
    }
    sc_core::wait(irq_);
    delay_ = sc_core::SC_ZERO_TIME;
    results.resize(4 * static_cast<size_t>(count));
    access(tlm::TLM_READ_COMMAND, regs::kResults, results.data(), static_cast<unsigned>(results.size()));
    log_.batch_cycles_total += read64(regs::kBatchCyclesLo);
    ++log_.batches;
    log_.images_run += count;
    if (plan_.on_result)
      for (int i = 0; i < count; ++i) {
        uint32_t w;
        std::memcpy(&w, results.data() + 4 * i, 4);
        plan_.on_result(base + i, w);
      }
  }
}

}  // namespace xbg
