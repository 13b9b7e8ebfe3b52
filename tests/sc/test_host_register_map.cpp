// The host's view of the chip: every documented register and window of
// docs/register-map.md behaves as documented, denied accesses answer with TLM
// error responses (never zeros), and no host address reaches a key register
// or the PUF response.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "core/protection/model_mac.h"
#include "core/protection/protect_network.h"
#include "core/protection/scheme.h"
#include "models/accelerator/accelerator.h"
#include "models/accelerator/register_map.h"
#include "sc_test_util.h"
#include "tb/host.h"
#include "tb/kernel.h"

namespace xbg {
namespace {

const std::vector<int> kTopology = {40, 24, 12, 5};

// Elaborates a chip and a host whose thread runs `script`, then simulates.
struct Bench {
  SimConfig cfg;
  EnergyLedger ledger;
  std::unique_ptr<Accelerator> acc;
  std::unique_ptr<Host> host;
  int inferences_seen = 0;

  explicit Bench(SimConfig c, AcceleratorOptions opt = {}) : cfg(std::move(c)) {
    fresh_sc_kernel();
    acc = std::make_unique<Accelerator>("accelerator", cfg, kTopology, ledger, opt);
    acc->set_monitor([this](int, const InferenceResult&) { ++inferences_seen; });
  }
  void run(std::function<void(Host&)> script) {
    HostPlan plan;
    plan.script = [&](Host& h) {
      try {
        script(h);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "script threw: " << e.what();
      }
    };
    host = std::make_unique<Host>("host", acc->interrupt(), plan);
    host->bus.bind(acc->host);
    sc_core::sc_start();
  }
};

tlm::tlm_response_status rd(Host& h, uint64_t addr, unsigned len = 4) {
  std::vector<uint8_t> b(len, 0xAB);
  const auto st = h.access(tlm::TLM_READ_COMMAND, addr, b.data(), len, true);
  if (st != tlm::TLM_OK_RESPONSE) {  // a denied read leaves the host's buffer untouched: no zeros handed out
    for (uint8_t x : b) EXPECT_EQ(x, 0xAB) << std::hex << addr;
  }
  return st;
}
tlm::tlm_response_status wr(Host& h, uint64_t addr, uint32_t v) {
  uint8_t b[4];
  std::memcpy(b, &v, 4);
  return h.access(tlm::TLM_WRITE_COMMAND, addr, b, 4, true);
}
tlm::tlm_response_status wr_bytes(Host& h, uint64_t addr, std::vector<uint8_t> bytes) {
  return h.access(tlm::TLM_WRITE_COMMAND, addr, bytes.data(), static_cast<unsigned>(bytes.size()), true);
}

TEST(HostRegisterMap, IdentificationAndGeometryRegisters) {
  Bench b(SimConfig{});
  b.run([&](Host& h) {
    EXPECT_EQ(h.read32(regs::kId), regs::kIdValue);
    EXPECT_EQ(h.read32(regs::kVersion), regs::kVersionValue);
    EXPECT_EQ(h.read32(regs::kInputSlots), static_cast<uint32_t>(b.cfg.host_if.input_slots));
    EXPECT_EQ(h.read32(regs::kInputBits), 40u);
    EXPECT_EQ(h.read32(regs::kInputStride), 8u);
    EXPECT_EQ(h.read32(regs::kHiddenLayers), 2u);
    EXPECT_EQ(h.read32(regs::kClasses), 5u);
    EXPECT_EQ(h.read32(regs::kStatus), 0u);
    EXPECT_EQ(h.read32(regs::kImageCount), 1u);
    EXPECT_EQ(h.read32(regs::kImagesDone), 0u);
  });
}

TEST(HostRegisterMap, KeyRegistersAndPufResponseAreNeverReachable) {
  SimConfig cfg = test::config_for("C", {1, 2});
  Bench b(cfg);
  const Network plain = test::edgy_random_network(kTopology, 3);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  b.acc->program(model.stored);
  b.acc->load_keys(model.keys);  // keys present: there would be something to leak
  b.run([&](Host& h) {
    EXPECT_TRUE(h.read32(regs::kStatus) & regs::kStatusKeyReady);
    for (uint64_t base : {regs::kKeyRegs, regs::kPufResponse})
      for (uint64_t off : {uint64_t{0}, uint64_t{4}, uint64_t{0x100}, uint64_t{0xFFFC}}) {
        EXPECT_EQ(rd(h, base + off), tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << base + off;
        EXPECT_EQ(rd(h, base + off, 64), tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << base + off;
        EXPECT_EQ(wr(h, base + off, 0), tlm::TLM_ADDRESS_ERROR_RESPONSE) << std::hex << base + off;
      }
    EXPECT_EQ(rd(h, regs::kPufResponseEnd - 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_TRUE(h.read32(regs::kStatus) & regs::kStatusKeyReady);  // the attempts changed nothing
  });
  EXPECT_GT(b.ledger.event_count(b.ledger.find_block("host_if"), "error_responses"), 0u);
}

TEST(HostRegisterMap, DeniedAccessesGetErrorResponses) {
  Bench b(SimConfig{});
  b.run([&](Host& h) {
    // Read-only registers refuse writes; CTRL is write-only.
    for (uint64_t ro : {regs::kId, regs::kVersion, regs::kStatus, regs::kImagesDone, regs::kInputSlots, regs::kInputBits,
                        regs::kInputStride, regs::kHiddenLayers, regs::kClasses, regs::kBatchCyclesLo, regs::kBatchCyclesHi,
                        regs::kProgCyclesLo, regs::kProgCyclesHi, regs::kBootCyclesLo, regs::kBootCyclesHi})
      EXPECT_EQ(wr(h, ro, 1), tlm::TLM_COMMAND_ERROR_RESPONSE) << std::hex << ro;
    EXPECT_EQ(rd(h, regs::kCtrl), tlm::TLM_COMMAND_ERROR_RESPONSE);
    // Unmapped register and window addresses.
    EXPECT_EQ(rd(h, 0x0060), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(rd(h, regs::kLayerCfg + 4 * 2), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // only FC1, FC2 exist
    EXPECT_EQ(rd(h, 0x0800'0000), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(rd(h, regs::layer_base(3)), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // FC1, FC2, classifier: 3 windows
    // Registers: 4 bytes, aligned.
    EXPECT_EQ(rd(h, regs::kStatus, 8), tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(rd(h, regs::kStatus + 1), tlm::TLM_BURST_ERROR_RESPONSE);
    // Byte enables are not supported anywhere.
    uint8_t data[4] = {0}, be[4] = {0xFF, 0, 0xFF, 0};
    tlm::tlm_generic_payload p;
    p.set_command(tlm::TLM_READ_COMMAND);
    p.set_address(regs::kStatus);
    p.set_data_ptr(data);
    p.set_data_length(4);
    p.set_streaming_width(4);
    p.set_byte_enable_ptr(be);
    p.set_byte_enable_length(4);
    sc_core::sc_time t = sc_core::SC_ZERO_TIME;
    h.bus->b_transport(p, t);
    EXPECT_EQ(p.get_response_status(), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    // Invalid values.
    EXPECT_EQ(wr(h, regs::kImageCount, 0), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(wr(h, regs::kImageCount, static_cast<uint32_t>(b.cfg.host_if.input_slots) + 1), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(h.read32(regs::kImageCount), 1u);
    EXPECT_EQ(wr(h, regs::kHelperLen, static_cast<uint32_t>(regs::kHelperSize) + 1), tlm::TLM_GENERIC_ERROR_RESPONSE);
    uint32_t unused_code = 0;  // the first scheme field value no descriptor takes
    while (is_scheme_code(unused_code)) ++unused_code;
    ASSERT_LT(unused_code, 16u);
    EXPECT_EQ(wr(h, regs::kLayerCfg, unused_code), tlm::TLM_GENERIC_ERROR_RESPONSE);  // no such scheme
    EXPECT_EQ(wr(h, regs::kLayerCfg, 1u << 12), tlm::TLM_GENERIC_ERROR_RESPONSE);  // reserved bit
    EXPECT_EQ(wr(h, regs::kCtrl, regs::kCmdStart | regs::kCmdBoot), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(wr(h, regs::kCtrl, 1u << 7), tlm::TLM_GENERIC_ERROR_RESPONSE);
    // The result window is read-only; windows end where their contents end.
    EXPECT_EQ(wr(h, regs::kResults, 0), tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(rd(h, regs::kResults + 4 * b.cfg.host_if.input_slots), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(rd(h, regs::kInput + 8 * b.cfg.host_if.input_slots - 4, 8), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(rd(h, regs::layer_base(0) + 24 * 8), tlm::TLM_ADDRESS_ERROR_RESPONSE);  // FC1 has 24 columns of 8 bytes
    EXPECT_EQ(rd(h, regs::layer_base(0) + regs::kParamsOffset + 24 * 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(rd(h, regs::layer_base(0) + regs::kParamsOffset + 2), tlm::TLM_BURST_ERROR_RESPONSE);  // int32 B* only
    EXPECT_EQ(rd(h, regs::layer_base(2) + regs::kParamsOffset + 4), tlm::TLM_BURST_ERROR_RESPONSE);  // f64 affine only
    EXPECT_EQ(h.read32(regs::kStatus), 0u);
  });
}

TEST(HostRegisterMap, WindowsReadBackWhatWasWritten) {
  Bench b(SimConfig{});
  b.run([&](Host& h) {
    std::vector<uint8_t> w(24 * 8), got(24 * 8);
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<uint8_t>(37 * i + 11);
    ASSERT_EQ(wr_bytes(h, regs::layer_base(0), w), tlm::TLM_OK_RESPONSE);
    h.access(tlm::TLM_READ_COMMAND, regs::layer_base(0), got.data(), static_cast<unsigned>(got.size()));
    for (size_t i = 0; i < w.size(); ++i) {
      const uint8_t mask = (i % 8) < 5 ? 0xFF : 0x00;  // m = 40: 5 bytes of weights, 3 of padding per column
      EXPECT_EQ(got[i], w[i] & mask) << i;
    }
    ASSERT_EQ(wr(h, regs::layer_base(1) + regs::kParamsOffset + 8, static_cast<uint32_t>(-6)), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(static_cast<int32_t>(h.read32(regs::layer_base(1) + regs::kParamsOffset + 8)), -6);
    double affine[2] = {0.25, -3.5}, back[2];
    h.access(tlm::TLM_WRITE_COMMAND, regs::layer_base(2) + regs::kParamsOffset + 16 * 4, reinterpret_cast<uint8_t*>(affine), 16);
    h.access(tlm::TLM_READ_COMMAND, regs::layer_base(2) + regs::kParamsOffset + 16 * 4, reinterpret_cast<uint8_t*>(back), 16);
    EXPECT_EQ(back[0], 0.25);
    EXPECT_EQ(back[1], -3.5);
    ASSERT_EQ(wr(h, regs::kLayerCfg + 4, static_cast<uint32_t>(Scheme::kA) | regs::kLayerCfgSingleKey), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.read32(regs::kLayerCfg + 4), static_cast<uint32_t>(Scheme::kA) | regs::kLayerCfgSingleKey);
    ASSERT_EQ(wr(h, regs::kInput + 8, 0xDEADBEEF), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.read32(regs::kInput + 8), 0xDEADBEEFu);
    ASSERT_EQ(wr(h, regs::kHelper + 12, 0x01020304), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.read32(regs::kHelper + 12), 0x01020304u);
    ASSERT_EQ(wr(h, regs::kHelperLen, 16), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.read32(regs::kHelperLen), 16u);
    ASSERT_EQ(wr(h, regs::kImageCount, 3), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.read32(regs::kImageCount), 3u);
  });
}

TEST(HostRegisterMap, ProgrammingCountsSetAndResetPulsesAndCycles) {
  SimConfig cfg;
  cfg.clock.period_ns = 2.0;
  cfg.programming.set_pulse_ns = 50.0;    // 25 cycles
  cfg.programming.reset_pulse_ns = 30.0;  // 15 cycles
  cfg.programming.cells_per_pulse = 64;
  cfg.programming.reference_write_cycles = 2;
  Bench b(cfg);
  const auto fc1 = b.ledger.find_block("fc1.programming");
  auto sets = [&] { return b.ledger.event_count(fc1, "set_pulses"); };
  auto resets = [&] { return b.ledger.event_count(fc1, "reset_pulses"); };
  b.run([&](Host& h) {
    std::vector<uint8_t> w(24 * 8, 0);
    for (size_t k = 0; k < 24; ++k) w[k * 8] = 0x0F;  // column k: weights 0..3 +1, 4..39 -1
    ASSERT_EQ(wr_bytes(h, regs::layer_base(0), w), tlm::TLM_OK_RESPONSE);
    // A fresh array: every weight needs one SET (its LRS cell), nothing to RESET.
    EXPECT_EQ(sets(), 24u * 40);
    EXPECT_EQ(resets(), 0u);
    const uint64_t first = (24 * 40 + 63) / 64 * 25;
    EXPECT_EQ(h.read64(regs::kProgCyclesLo), first);
    // The same contents again: write-verify skips every cell.
    ASSERT_EQ(wr_bytes(h, regs::layer_base(0), w), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(sets(), 24u * 40);
    EXPECT_EQ(h.read64(regs::kProgCyclesLo), first);
    // Flip one weight in every column: one SET and one RESET each.
    for (size_t k = 0; k < 24; ++k) w[k * 8] = 0x0E;
    ASSERT_EQ(wr_bytes(h, regs::layer_base(0), w), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(sets(), 24u * 40 + 24);
    EXPECT_EQ(resets(), 24u);
    EXPECT_EQ(h.read64(regs::kProgCyclesLo), first + 25 + 15);
    // Thresholds: one reference write per value.
    std::vector<uint8_t> th(24 * 4, 0);
    ASSERT_EQ(wr_bytes(h, regs::layer_base(0) + regs::kParamsOffset, th), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(b.ledger.event_count(fc1, "reference_writes"), 24u);
    EXPECT_EQ(h.read64(regs::kProgCyclesLo), first + 25 + 15 + 24 * 2);
  });
  EXPECT_EQ(b.ledger.busy_cycles(fc1), b.acc->programming_cycles());
}

TEST(HostRegisterMap, StartNeedsAKeyWhenALayerIsProtected) {
  SimConfig cfg = test::config_for("C", {1, 2});
  Bench b(cfg);
  const Network plain = test::edgy_random_network(kTopology, 4);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  b.acc->program(model.stored);
  b.run([&](Host& h) {
    EXPECT_EQ(h.read32(regs::kLayerCfg), static_cast<uint32_t>(Scheme::kC));
    EXPECT_EQ(wr(h, regs::kCtrl, regs::kCmdStart), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(h.read32(regs::kStatus), regs::kStatusRefused);
    h.sync();
    sc_core::wait(100, sc_core::SC_NS);
    EXPECT_EQ(h.read32(regs::kImagesDone), 0u);
    // Unprotected layers need no key: START runs.
    ASSERT_EQ(wr(h, regs::kLayerCfg, 0), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(wr(h, regs::kLayerCfg + 4, 0), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(wr(h, regs::kCtrl, regs::kCmdStart), tlm::TLM_OK_RESPONSE);
    sc_core::wait(b.acc->interrupt());
    EXPECT_EQ(h.read32(regs::kStatus), regs::kStatusDone);
  });
  EXPECT_EQ(b.inferences_seen, 1);
}

TEST(HostRegisterMap, StartRunsTheSlotsAndReportsResultsAndCycles) {
  SimConfig cfg = test::config_for("C", {1, 2});
  Bench b(cfg);
  const Network plain = test::edgy_random_network(kTopology, 5);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const GoldenEngine golden(plain);
  const auto images = test::random_inputs(40, 5, 9);
  b.acc->program(model.stored);
  uint64_t cycles = 0;
  b.acc->set_monitor([&](int, const InferenceResult& r) { cycles += r.cycles; });
  b.run([&](Host& h) {
    b.acc->load_keys(model.keys);
    for (int i = 0; i < 5; ++i) {
      std::vector<uint8_t> x(8, 0);
      std::memcpy(x.data(), images[i].data(), 5);
      ASSERT_EQ(wr_bytes(h, regs::kInput + 8 * i, x), tlm::TLM_OK_RESPONSE);
    }
    ASSERT_EQ(wr(h, regs::kImageCount, 5), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(wr(h, regs::kCtrl, regs::kCmdStart), tlm::TLM_OK_RESPONSE);
    // Busy until done: model, input, configuration and commands are refused.
    EXPECT_TRUE(h.read32(regs::kStatus) & regs::kStatusBusy);
    EXPECT_EQ(wr(h, regs::kInput, 0), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(wr(h, regs::layer_base(0), 0), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(wr(h, regs::kImageCount, 1), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(wr(h, regs::kCtrl, regs::kCmdReset), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(wr(h, regs::kCtrl, regs::kCmdBoot), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(h.read32(regs::kResults), 0u);  // not valid yet
    sc_core::wait(b.acc->interrupt());
    EXPECT_EQ(h.read32(regs::kStatus), regs::kStatusDone | regs::kStatusKeyReady);
    for (int i = 0; i < 5; ++i) {
      const uint32_t word = h.read32(regs::kResults + 4 * i);
      EXPECT_TRUE(word & regs::kResultValid);
      EXPECT_EQ(static_cast<int>(word & regs::kResultClassMask), golden.predict(images[i])) << i;
    }
    EXPECT_EQ(h.read32(regs::kResults + 4 * 5), 0u);  // slot 5 was not run
    EXPECT_EQ(h.read32(regs::kImagesDone), 5u);
    EXPECT_EQ(h.read64(regs::kBatchCyclesLo), cycles);
    // A model write zeroizes the keys; RESET clears status, results and counters.
    ASSERT_EQ(wr(h, regs::layer_base(1) + regs::kParamsOffset, 0), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.read32(regs::kStatus), regs::kStatusDone);
    ASSERT_EQ(wr(h, regs::kCtrl, regs::kCmdReset), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.read32(regs::kStatus), 0u);
    EXPECT_EQ(h.read32(regs::kResults), 0u);
    EXPECT_EQ(h.read32(regs::kImagesDone), 0u);
    EXPECT_EQ(h.read64(regs::kBatchCyclesLo), 0u);
    EXPECT_EQ(h.read32(regs::kImageCount), 5u);  // configuration survives RESET
  });
  EXPECT_GT(cycles, 0u);
}

TEST(HostRegisterMap, BootThroughTheHelperWindow) {
  SimConfig cfg = test::config_for("C", {1, 2});
  cfg.protection.key_source = "chip";
  cfg.protection.chip_seed = 21;
  const Network plain = test::edgy_random_network(kTopology, 6);
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test", &cfg.puf);
  ASSERT_TRUE(model.boots_from_puf());
  AcceleratorOptions opt;
  opt.chip_seed = 21;
  Bench b(cfg, opt);
  b.acc->program(model.stored);
  const std::string helper = model.puf_provisioning.at("helper_data").dump();
  const ModelMac mac = model_mac_of_record(model.puf_provisioning, "test");
  b.run([&](Host& h) {
    std::vector<uint8_t> bytes(helper.begin(), helper.end());
    ASSERT_EQ(wr_bytes(h, regs::kHelper, bytes), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(wr(h, regs::kHelperLen, static_cast<uint32_t>(bytes.size())), tlm::TLM_OK_RESPONSE);
    uint32_t mac_words[8];
    std::memcpy(mac_words, mac.data(), 32);
    for (uint64_t i = 0; i < 8; ++i) ASSERT_EQ(wr(h, regs::kModelMac + 4 * i, mac_words[i]), tlm::TLM_OK_RESPONSE);
    for (uint64_t i = 0; i < 8; ++i) EXPECT_EQ(h.read32(regs::kModelMac + 4 * i), mac_words[i]);  // public, readable
    ASSERT_EQ(wr(h, regs::kCtrl, regs::kCmdBoot), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.read32(regs::kStatus), regs::kStatusBusy);
    sc_core::wait(b.acc->interrupt());
    EXPECT_EQ(h.read32(regs::kStatus), regs::kStatusKeyReady | regs::kStatusBootDone);
    EXPECT_EQ(h.read64(regs::kBootCyclesLo), b.acc->last_boot().cycles);
    EXPECT_GT(b.acc->last_boot().cycles, 0u);
    // Booted: the key is inside, still out of reach.
    EXPECT_EQ(rd(h, regs::kKeyRegs), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(rd(h, regs::kPufResponse), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    const uint64_t prog = h.read64(regs::kProgCyclesLo);
    EXPECT_GT(prog, 0u);
    ASSERT_EQ(wr(h, regs::kCtrl, regs::kCmdReset), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.read32(regs::kStatus), 0u);  // RESET zeroizes the keys
    EXPECT_EQ(h.read64(regs::kBootCyclesLo), 0u);
    EXPECT_EQ(h.read64(regs::kProgCyclesLo), prog);  // programming time is since power-on
    EXPECT_EQ(h.read32(regs::kHelperLen), static_cast<uint32_t>(bytes.size()));  // configuration survives
    // After RESET a protected START is refused until the next boot.
    EXPECT_EQ(wr(h, regs::kCtrl, regs::kCmdStart), tlm::TLM_GENERIC_ERROR_RESPONSE);
    EXPECT_EQ(h.read32(regs::kStatus), regs::kStatusRefused);
    // A MODEL_MAC that is not the programmed model's: the key is rebuilt, but
    // not loaded (INTEGRITY_ERROR), and START stays refused.
    ASSERT_EQ(wr(h, regs::kModelMac + 4 * 5, mac_words[5] ^ 1u), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(wr(h, regs::kCtrl, regs::kCmdBoot), tlm::TLM_OK_RESPONSE);
    sc_core::wait(b.acc->interrupt());
    EXPECT_EQ(h.read32(regs::kStatus), regs::kStatusIntegrityError | regs::kStatusBootDone);
    EXPECT_TRUE(b.acc->last_boot().key_ok);
    EXPECT_FALSE(b.acc->last_boot().model_ok);
    EXPECT_EQ(wr(h, regs::kCtrl, regs::kCmdStart), tlm::TLM_GENERIC_ERROR_RESPONSE);
    ASSERT_EQ(wr(h, regs::kCtrl, regs::kCmdReset), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(h.read32(regs::kStatus), 0u);  // RESET clears INTEGRITY_ERROR
  });
}

}  // namespace
}  // namespace xbg
