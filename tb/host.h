#pragma once
// The testbench's host processor: a TLM initiator that drives the chip only
// through its register map (docs/register-map.md): it programs the protected
// image, boots the chip with the image's public helper data, streams input
// images in bursts of up to INPUT_SLOTS, and reads results and status.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "core/bnn/bitvec.h"
#include "core/bnn/network.h"
#include "core/protection/model_mac.h"

namespace xbg {

class Accelerator;

struct HostPlan {
  const Network* image = nullptr;  // W*, B*, scheme ids: written into the layer windows and LAYER_CFG
  bool no_key = false;             // attacker's view: LAYER_CFG = none everywhere (pre/post bypassed, no key needed)
  // Called once programming is over (the host has synchronised): offline
  // key-seed runs load their keys here, VCD runs start the trace.
  std::function<void()> after_programming;
  std::optional<std::string> helper_text;   // BOOT with this helper data (from the image's provisioning record)
  ModelMac model_mac{};                     // written to MODEL_MAC before BOOT (provisioning.puf.model_mac)
  std::function<void()> after_boot;         // called once the BOOT command has finished (power model: boot-end mark)
  const std::vector<BitVec>* images = nullptr;
  std::function<void(int index, uint32_t result_word)> on_result;  // RESULT register of each image
  // Tests: run this instead of program / boot / stream (then sc_stop()).
  std::function<void(class Host&)> script;
};

// What the host saw, for the run report.
struct HostLog {
  uint64_t programming_cycles = 0;  // PROG_CYCLES after programming
  bool booted = false;
  uint32_t status_after_boot = 0;
  uint64_t boot_cycles = 0;         // BOOT_CYCLES
  bool start_refused = false;
  uint32_t status_when_refused = 0;
  int images_run = 0;
  int batches = 0;
  uint64_t batch_cycles_total = 0;  // sum of BATCH_CYCLES: the chip's compute time
  std::chrono::steady_clock::time_point wall_first_start, wall_end;  // simulation speed excludes setup
};

class Host : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Host> bus{"bus"};

  // `irq`: the accelerator's interrupt (Accelerator::interrupt()).
  Host(sc_core::sc_module_name name, const sc_core::sc_event& irq, HostPlan plan);

  const HostLog& log() const { return log_; }
  // Index of the image in input slot 0 of the batch in flight.
  int batch_base() const { return batch_base_; }

  // Single accesses for tests and for the plan; throw std::runtime_error on
  // an error response unless `allow_error`.
  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len,
                                  bool allow_error = false);
  uint32_t read32(uint64_t addr);
  void write32(uint64_t addr, uint32_t value);
  uint64_t read64(uint64_t lo_addr);  // a LO/HI register pair
  void sync();                         // wait out the local time offset

  SC_HAS_PROCESS(Host);

 private:
  void main_thread();
  void program(const Network& image);
  bool boot(const std::string& helper, const ModelMac& mac);
  void stream(const std::vector<BitVec>& images);

  const sc_core::sc_event& irq_;
  HostPlan plan_;
  HostLog log_;
  int batch_base_ = 0;
  sc_core::sc_time delay_ = sc_core::SC_ZERO_TIME;  // temporal decoupling: local time ahead of the kernel
  tlm::tlm_generic_payload payload_;
  std::vector<uint8_t> burst_;
};

}  // namespace xbg
