// Single blocks on their sockets: the buffer's memory semantics and error
// responses, the crossbar's closed-form currents, comparator references at the
// threshold edges, and the ADC's resolution.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "core/energy/ledger.h"
#include "models/adc/adc_bank.h"
#include "models/buffer/activation_buffer.h"
#include "models/common/payload.h"
#include "models/comparator/comparator_bank.h"
#include "models/crossbar/crossbar_tile.h"
#include "probe.h"
#include "sc_test_util.h"
#include "tb/kernel.h"

namespace xbg {
namespace {

using test::Probe;

// Test initiator.
struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> out{"out"};
  explicit Initiator(sc_core::sc_module_name n) : sc_module(n) {}
};

struct Transaction {
  std::vector<uint64_t> words = std::vector<uint64_t>(32, 0);
  tlm::tlm_generic_payload p;
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  Transaction(tlm::tlm_command cmd, uint64_t addr, unsigned len) {
    payload_bind_words(p, words.data());
    p.set_command(cmd);
    p.set_address(addr);
    p.set_data_length(len);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  }
};

class Blocks : public ::testing::Test {
 protected:
  void SetUp() override { fresh_sc_kernel(); }
  ClockConfig clock_;
  EnergyLedger ledger_;
};

TEST_F(Blocks, BufferStoresAndChargesPortAccesses) {
  BufferConfig cfg;
  cfg.port_width_bits = 64;
  cfg.access_cycles = 3;
  Timebase tb(clock_);
  ActivationBuffer buffer("buffer", cfg, tb, ledger_, 200);
  Initiator probe("probe");
  probe.out.bind(buffer.io);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);

  Transaction w(tlm::TLM_WRITE_COMMAND, buffer.half_stride_bytes(), 25);  // 200 bits into the second half
  for (int i = 0; i < 4; ++i) w.words[i] = 0x0123456789abcdefULL * (i + 1);
  probe.out->b_transport(w.p, w.delay);
  ASSERT_EQ(w.p.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(w.delay, tb.period() * 12.0);  // ceil(200 / 64) = 4 accesses x 3 cycles

  Transaction r(tlm::TLM_READ_COMMAND, buffer.half_stride_bytes(), 25);
  probe.out->b_transport(r.p, r.delay);
  ASSERT_EQ(r.p.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(std::memcmp(r.words.data(), w.words.data(), 25), 0);
  const auto b = ledger_.find_block("activation_buffer");
  EXPECT_EQ(ledger_.event_count(b, "write_bits"), 200u);
  EXPECT_EQ(ledger_.event_count(b, "read_bits"), 200u);
  EXPECT_EQ(ledger_.busy_cycles(b), 24u);
}

TEST_F(Blocks, BufferAnswersOutOfRangeAndByteEnablesWithErrors) {
  Timebase tb(clock_);
  ActivationBuffer buffer("buffer", BufferConfig{}, tb, ledger_, 128);
  Initiator probe("probe");
  probe.out.bind(buffer.io);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);

  Transaction past_end(tlm::TLM_READ_COMMAND, buffer.size_bytes() - 4, 8);
  probe.out->b_transport(past_end.p, past_end.delay);
  EXPECT_EQ(past_end.p.get_response_status(), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  Transaction far(tlm::TLM_WRITE_COMMAND, ~uint64_t{0} - 2, 8);
  probe.out->b_transport(far.p, far.delay);
  EXPECT_EQ(far.p.get_response_status(), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  unsigned char enables[8] = {0xff};
  Transaction masked(tlm::TLM_READ_COMMAND, 0, 8);
  masked.p.set_byte_enable_ptr(enables);
  masked.p.set_byte_enable_length(8);
  probe.out->b_transport(masked.p, masked.delay);
  EXPECT_EQ(masked.p.get_response_status(), tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  EXPECT_EQ(ledger_.busy_cycles(ledger_.find_block("activation_buffer")), 0u);
}

class TileTest : public Blocks, public ::testing::WithParamInterface<bool> {};

TEST_P(TileTest, ColumnCurrentIsVReadTimesDrivenConductance) {
  CrossbarConfig cfg;
  cfg.fast_path = GetParam();
  cfg.v_read_v = 0.25;
  cfg.g_lrs_us = 50.0;
  cfg.g_hrs_us = 2.0;
  Timebase tb(clock_);
  CrossbarTile tile("tile", cfg, tb, ledger_, "tile");
  Probe probe("probe");
  probe.wire(tile);
  const Network net = test::edgy_random_network({37, 9, 2}, 4);
  tile.program(37, 9, net.hidden[0].columns);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);

  for (const BitVec& x : test::random_inputs(37, 20, 5)) {
    Transaction t(tlm::TLM_WRITE_COMMAND, 0, bytes_for_bits(37));
    std::memcpy(t.words.data(), x.data(), 8);
    probe.out->b_transport(t.p, t.delay);
    ASSERT_EQ(t.p.get_response_status(), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(t.delay, tb.period() * 5.0);  // 10 ns read at 2 ns
    ASSERT_EQ(probe.currents.size(), 9u);
    for (int k = 0; k < 9; ++k) {
      double g_sum_s = 0;  // by hand: each input drives one cell of the pair
      for (int i = 0; i < 37; ++i) {
        const bool w = net.hidden[0].columns[k].get(i), in = x.get(i);
        g_sum_s += (w == in ? 50e-6 : 2e-6);
      }
      EXPECT_NEAR(probe.currents[k], 0.25 * g_sum_s, 1e-15) << "column " << k;
    }
  }
  EXPECT_EQ(ledger_.event_count(ledger_.find_block("tile"), "reads"), 20u);
}

INSTANTIATE_TEST_SUITE_P(Paths, TileTest, ::testing::Values(true, false),
                         [](const auto& info) { return std::string(info.param ? "popcount" : "conductance"); });

TEST_F(Blocks, ReferencesSitHalfwayBetweenLevels) {
  Timebase tb(clock_);
  CrossbarTile tile("tile", CrossbarConfig{}, tb, ledger_, "tile");
  const Network net = test::edgy_random_network({10, 4, 2}, 4);
  tile.program(10, 4, net.hidden[0].columns);
  const double step = tile.level_current_a(-8) - tile.level_current_a(-10);
  EXPECT_GT(step, 0);
  for (int b = -10; b <= 12; b += 2) {
    const double ref = tile.reference_current_a(b);
    EXPECT_NEAR(ref, tile.level_current_a(b) - step / 2, 1e-15);
    EXPECT_LT(ref, tile.level_current_a(b));
    if (b > -10) {
      EXPECT_GT(ref, tile.level_current_a(b - 2));
    }
  }
  EXPECT_LT(tile.reference_current_a(-10), tile.level_current_a(-10));  // B = -m: every level is above
  EXPECT_GT(tile.reference_current_a(12), tile.level_current_a(10));    // B = m + 2: every level is below
}

TEST_F(Blocks, ComparatorDecidesEveryColumnAndChargesSharedRounds) {
  ComparatorConfig cfg;
  cfg.columns_per_comparator = 3;
  cfg.decision_time_ns = 4.0;  // 2 cycles
  Timebase tb(clock_);
  ComparatorBank bank("bank", cfg, tb, ledger_, "bank");
  Probe probe("probe");
  probe.wire(bank);
  bank.program_references({1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0});
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  EXPECT_EQ(bank.comparators(), 3);

  ColumnCurrents currents;
  currents.current_a = {1.0, 1.9, 3.5, 4.0, -1.0, 6.1, 100.0};
  Transaction t(tlm::TLM_WRITE_COMMAND, 0, 1);
  t.p.set_extension(&currents);
  probe.out->b_transport(t.p, t.delay);
  t.p.clear_extension(&currents);
  ASSERT_EQ(t.p.get_response_status(), tlm::TLM_OK_RESPONSE);
  EXPECT_EQ(t.p.get_data_length(), 1u);
  EXPECT_EQ(probe.bits.data()[0] & 0x7f, 0b1101101u);  // columns 0, 2, 3, 5, 6 at or above
  EXPECT_EQ(t.delay, tb.period() * 6.0);                     // 3 rounds x 2 cycles
  EXPECT_EQ(ledger_.event_count(ledger_.find_block("bank"), "decisions"), 7u);

  Transaction missing(tlm::TLM_WRITE_COMMAND, 0, 1);  // no currents attached
  probe.out->b_transport(missing.p, missing.delay);
  EXPECT_EQ(missing.p.get_response_status(), tlm::TLM_GENERIC_ERROR_RESPONSE);
}

TEST_F(Blocks, TileRejectsAPayloadOfTheWrongWidth) {
  Timebase tb(clock_);
  CrossbarTile tile("tile", CrossbarConfig{}, tb, ledger_, "tile");
  Probe probe("probe");
  probe.wire(tile);
  const Network net = test::edgy_random_network({64, 8, 2}, 4);
  tile.program(64, 8, net.hidden[0].columns);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  Transaction t(tlm::TLM_WRITE_COMMAND, 0, 7);  // 56 bits for 64 rows
  probe.out->b_transport(t.p, t.delay);
  EXPECT_EQ(t.p.get_response_status(), tlm::TLM_BURST_ERROR_RESPONSE);
  EXPECT_EQ(ledger_.event_count(ledger_.find_block("tile"), "reads"), 0u);
}

TEST(Adc, BitsResolveEveryLevel) {
  EXPECT_EQ(adc_bits_for(1), 1);
  EXPECT_EQ(adc_bits_for(7), 3);
  EXPECT_EQ(adc_bits_for(8), 4);
  EXPECT_EQ(adc_bits_for(512), 10);
  EXPECT_EQ(adc_bits_for(1023), 10);
  EXPECT_EQ(adc_bits_for(1024), 11);
}

}  // namespace
}  // namespace xbg
