// Tiling and partial sums (docs/design.md §3.5): layers split into row tiles, merged in
// the analog domain or digitized per tile and added. Enough ADC bits give the
// ideal result on every layer; too few differ exactly as computed by hand;
// the ADC path's cycles follow the documented formula.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/adc/adc_bank.h"
#include "models/classifier/class_scores.h"
#include "models/common/payload.h"
#include "models/comparator/comparator_bank.h"
#include "models/crossbar/crossbar_tile.h"
#include "probe.h"
#include "sc_test_util.h"
#include "tb/kernel.h"

namespace xbg {
namespace {

const std::vector<int> kTopology = {101, 64, 37, 10};

struct TileCase {
  int tile_rows, tile_cols;
  const char* partial_sums;
  int bits;  // 0: exact per tile
};
void PrintTo(const TileCase& c, std::ostream* os) {
  *os << c.tile_rows << "x" << c.tile_cols << "_" << c.partial_sums << "_" << c.bits;
}

class Tiled : public ::testing::TestWithParam<TileCase> {};

TEST_P(Tiled, IdealDevicesGiveTheGoldenOutputsOnEveryLayer) {
  const Network plain = test::edgy_random_network(kTopology, 51);
  SimConfig cfg = test::config_for("B", {1, 2});
  cfg.crossbar.tile_rows = GetParam().tile_rows;
  cfg.crossbar.tile_cols = GetParam().tile_cols;
  cfg.crossbar.partial_sums = GetParam().partial_sums;
  cfg.crossbar.partial_sum_adc.bits = GetParam().bits;
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const auto images = test::random_inputs(kTopology[0], 150, 52);
  for (bool fast : {true, false}) {
    cfg.crossbar.fast_path = fast;
    const RunResult r = test::run_and_compare(cfg, model, GoldenEngine(plain), images);
    EXPECT_EQ(r.golden_agreement, 1.0) << (fast ? "popcount path" : "device engine");
  }
}

const TileCase kTiles[] = {
    {32, 0, "analog", 0},  {64, 16, "analog", 0}, {128, 32, "analog", 0}, {32, 0, "adc", 0},
    {64, 16, "adc", 0},    {128, 0, "adc", 0},    {64, 0, "adc", 6},      {202, 0, "adc", 0},  // 202: FC1 in one tile
};
INSTANTIATE_TEST_SUITE_P(Sizes, Tiled, ::testing::ValuesIn(kTiles), [](const auto& info) {
  return std::to_string(info.param.tile_rows) + "x" + std::to_string(info.param.tile_cols) + "_" + info.param.partial_sums +
         "_" + std::to_string(info.param.bits);
});

// The small case of docs: 8 pairs in two row tiles of 4, 2-bit ADCs (codes
// 0..3 for p = 0..4: q = 4/3 pairs per code). Column 0 has every weight +1,
// column 1 every weight -1; the input is +1 on pairs 0 and 4 only.
//   column 0: p = 1 + 1 -> codes round(0.75) = 1, 1 -> p_hat = 8/3,
//             s_hat = 2 * 8/3 - 8 = -2.67, exact s = -4;
//   column 1: p = 3 + 3 -> codes round(2.25) = 2, 2 -> p_hat = 16/3,
//             s_hat = 2.67, exact s = 4.
// Hidden layer with B = (-2, 0): exact y = (-1, +1); 2-bit ADCs decide
// s_hat >= B - 1: (-2.67 >= -3) = +1 and (+1): column 0 flips. 3 bits
// (one code per level) give the exact (-1, +1).
struct SmallCase : ::testing::Test {
  void SetUp() override { fresh_sc_kernel(); }
  ClockConfig clock_;
  EnergyLedger ledger_;
  std::vector<BitVec> columns() const {
    BitVec plus(8), minus(8);
    for (int i = 0; i < 8; ++i) plus.set(i, true);
    return {plus, minus};
  }
  BitVec input() const {
    BitVec x(8);
    x.set(0, true);
    x.set(4, true);
    return x;
  }
  CrossbarConfig crossbar(const char* mode, int bits) const {
    CrossbarConfig c;
    c.tile_rows = 8;
    c.partial_sums = mode;
    c.partial_sum_adc.bits = bits;
    return c;
  }
};

struct Sink : sc_core::sc_module {
  tlm_utils::simple_target_socket<Sink> in{"in"};
  BitVec bits;
  explicit Sink(sc_core::sc_module_name n) : sc_module(n) { in.register_b_transport(this, &Sink::at_sink); }
  void at_sink(tlm::tlm_generic_payload& p, sc_core::sc_time&) {
    bits = BitVec(8);
    std::memcpy(bits.data(), p.get_data_ptr(), p.get_data_length());
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

struct Source : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Source> out{"out"};
  explicit Source(sc_core::sc_module_name n) : sc_module(n) {}
  tlm::tlm_response_status send(const BitVec& x, ClassScores* scores = nullptr) {
    std::vector<uint64_t> words(2, 0);
    std::memcpy(words.data(), x.data(), 8);
    tlm::tlm_generic_payload p;
    payload_bind_words(p, words.data());
    p.set_command(tlm::TLM_WRITE_COMMAND);
    p.set_data_length(1);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (scores) p.set_extension(scores);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    out->b_transport(p, delay);
    if (scores) p.clear_extension(scores);
    return p.get_response_status();
  }
};

TEST_F(SmallCase, HiddenLayerWithTooFewBitsDiffersAsComputedByHand) {
  struct Expect {
    const char* mode;
    int bits;
    bool y0, y1;
  };
  for (const Expect e : {Expect{"adc", 2, true, true}, Expect{"adc", 3, false, true}, Expect{"adc", 0, false, true},
                         Expect{"analog", 0, false, true}}) {
    fresh_sc_kernel();
    EnergyLedger ledger;
    Timebase tb(clock_);
    const CrossbarConfig cfg = crossbar(e.mode, e.bits);
    CrossbarTile tile("tile", cfg, tb, ledger, "fc1.crossbar");
    ComparatorBank bank("bank", ComparatorConfig{}, tb, ledger, "fc1.comparator");
    Source src("src");
    Sink sink("sink");
    src.out.bind(tile.in);
    tile.out.bind(bank.in);
    bank.out.bind(sink.in);
    tile.configure_devices(DeviceConfig{}, "nominal_median");
    bank.configure_chip(1, cfg, &tile);
    tile.program(8, 2, columns());
    EXPECT_EQ(tile.row_tiles(), 2);
    bank.program_references({tile.reference_current_a(-2), tile.reference_current_a(0)});  // as the accelerator does
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    ASSERT_EQ(src.send(input()), tlm::TLM_OK_RESPONSE) << e.mode << " " << e.bits;
    EXPECT_EQ(sink.bits.get(0), e.y0) << e.mode << " " << e.bits << " bits";
    EXPECT_EQ(sink.bits.get(1), e.y1) << e.mode << " " << e.bits << " bits";
    EXPECT_EQ(bank.digital(), std::string(e.mode) == "adc");
  }
}

TEST_F(SmallCase, ClassifierSumsWithTooFewBitsAsComputedByHand) {
  // Class sums s = round(2 p_hat - m): 2-bit ADCs give round(-2.67) = -3 and
  // round(2.67) = 3 where the exact sums are -4 and 4.
  for (int bits : {2, 3}) {
    fresh_sc_kernel();
    EnergyLedger ledger;
    Timebase tb(clock_);
    const CrossbarConfig cfg = crossbar("adc", bits);
    CrossbarTile tile("tile", cfg, tb, ledger, "fc2.crossbar");
    AdcBank adc("adc", AdcConfig{}, tb, ledger, "fc2.adc");
    Source src("src");
    src.out.bind(tile.in);
    tile.out.bind(adc.in);
    adc.configure_partial_sums(cfg);
    tile.program(8, 2, columns());
    adc.calibrate(8, 2, tile.level_current_a(-8), tile.level_current_a(-6) - tile.level_current_a(-8));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    ClassScores scores;
    ASSERT_EQ(src.send(input(), &scores), tlm::TLM_OK_RESPONSE);
    if (bits == 2) EXPECT_EQ(scores.sums, (std::vector<int>{-3, 3}));
    else EXPECT_EQ(scores.sums, (std::vector<int>{-4, 4}));
    EXPECT_EQ(adc.row_tiles(), 2);
    EXPECT_EQ(ledger.event_count(ledger.find_block("fc2.adc"), "conversions"), 4u);  // 2 tiles x 2 columns
    EXPECT_EQ(ledger.event_count(ledger.find_block("fc2.adc"), "partial_sum_adds"), 2u);
  }
}

TEST(TilingCycles, AdcPartialSumsCostConversionsAndAnAdderTree) {
  // Default timing (2 ns clock, comparator 1 cycle, 8 columns per comparator
  // and per partial-sum ADC, SAR 2 ns per bit), tiles of 64 rows = 32 pairs:
  // FC1 (101 pairs: tiles 32+32+32+5, 6 bits): 8 x 6 + log2(4) + 1 = 51 vs 8 analog
  // FC2 (64 pairs: 2 tiles, 6 bits):            8 x 6 + log2(2) + 1 = 50 vs 8
  // FC3 (classifier, 37 pairs: tiles 32 + 5, 6 bits; 2 columns per ADC):
  //                                             2 x 6 + 1 adder stage = 13 vs 2 x 6 = 12
  const Network plain = test::edgy_random_network(kTopology, 53);
  SimConfig cfg = test::config_for("none", {});
  cfg.crossbar.tile_rows = 64;
  const ProvisionedModel model = provision_model(plain, cfg.protection, "test");
  const auto images = test::random_inputs(kTopology[0], 5, 54);
  const RunResult analog = test::run_and_compare(cfg, model, GoldenEngine(plain), images);
  cfg.crossbar.partial_sums = "adc";
  const RunResult adc = test::run_and_compare(cfg, model, GoldenEngine(plain), images);
  ASSERT_EQ(adc.layer_cycles_total.size(), 3u);
  EXPECT_EQ(adc.layer_cycles_total[0] - analog.layer_cycles_total[0], 5u * (51 - 8));
  EXPECT_EQ(adc.layer_cycles_total[1] - analog.layer_cycles_total[1], 5u * (50 - 8));
  EXPECT_EQ(adc.layer_cycles_total[2] - analog.layer_cycles_total[2], 5u * (13 - 12));
  const EnergyLedger& L = adc.ledger;
  EXPECT_EQ(L.event_count(L.find_block("fc1.partial_sum_adc"), "conversions"), 5u * 4 * 64);
  EXPECT_EQ(L.event_count(L.find_block("fc1.digital_merge"), "adds"), 5u * 3 * 64);
  EXPECT_EQ(L.event_count(L.find_block("fc1.digital_merge"), "compares"), 5u * 64);
  EXPECT_EQ(L.event_count(L.find_block("fc1.comparator"), "decisions"), 0u);
}

// Ideal tiles hand on per-tile level indices beside the currents; the
// comparators then map each tile's few levels once. Both must be what the
// currents give: the level index is the tile's XNOR-popcount, its current the
// level's, and the decisions are bit for bit those of the current path.
TEST(TilingLevels, IdealLevelsDecideBitForBitAsTheCurrents) {
  fresh_sc_kernel();
  EnergyLedger ledger;
  Timebase tb(ClockConfig{});
  CrossbarConfig cfg;
  cfg.tile_rows = 100;  // 50 pairs per tile: tiles straddle input words
  cfg.partial_sums = "adc";
  cfg.partial_sum_adc.bits = 5;  // fewer codes than levels: q = 50 / 31
  const int m = 230, n = 70;
  CrossbarTile tile("tile", cfg, tb, ledger, "fc1.crossbar");
  ComparatorBank bank("bank", ComparatorConfig{}, tb, ledger, "fc1.comparator");
  test::Probe probe("probe"), tile_probe("tile_probe");  // the tile is read directly; its sockets need peers
  probe.wire(bank);
  tile_probe.wire(tile);
  tile.configure_devices(DeviceConfig{}, "nominal_median");
  bank.configure_chip(1, cfg, &tile);
  std::mt19937_64 rng(71);
  std::vector<BitVec> cols(n, BitVec(m));
  for (auto& c : cols)
    for (int i = 0; i < m; ++i) c.set(i, rng() & 1);
  tile.program(m, n, cols);
  ASSERT_EQ(tile.row_tiles(), 5);
  std::vector<int> thresholds(n);
  for (int& b : thresholds) b = static_cast<int>(rng() % 61) * 2 - 60;  // around the middle, same parity as m
  bank.program_thresholds(thresholds, tile);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  for (int r = 0; r < 200; ++r) {
    BitVec x(m);
    for (int i = 0; i < m; ++i) x.set(i, rng() % 4 == 0);
    ColumnCurrents c;
    tile.read(x, c);
    ASSERT_EQ(c.level.size(), c.current_a.size());
    ASSERT_NE(c.level_a, nullptr);
    for (int t = 0; t < tile.row_tiles(); ++t)
      for (int k = 0; k < n; ++k) {
        int p = 0;
        for (int i = 50 * t; i < std::min(m, 50 * (t + 1)); ++i) p += x.get(i) == cols[k].get(i);
        const size_t j = static_cast<size_t>(t) * n + k;
        ASSERT_EQ(c.level[j], p) << "tile " << t << " column " << k;
        ASSERT_EQ(c.current_a[j], (*c.level_a)[t][p]);
      }
    ASSERT_EQ(probe.send_currents(c, n), tlm::TLM_OK_RESPONSE);
    const BitVec by_levels = probe.bits;
    c.level.clear();
    c.level_a = nullptr;
    ASSERT_EQ(probe.send_currents(c, n), tlm::TLM_OK_RESPONSE);
    for (int k = 0; k < n; ++k) ASSERT_EQ(by_levels.get(k), probe.bits.get(k)) << "read " << r << " column " << k;
  }
}

TEST(TilingConfig, OddTileRowsAreRefused) {
  try {
    load_sim_config("", {"crossbar.tile_rows=127"});
    FAIL() << "loaded";
  } catch (const UserError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("(defaults): crossbar.tile_rows: 127 must be 0 or an even number", 0), 0u) << e.what();
  }
  try {
    load_sim_config("", {"device.stuck_lrs_rate=0.6", "device.stuck_hrs_rate=0.5"});
    FAIL() << "loaded";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("device.stuck_hrs_rate: stuck_lrs_rate + stuck_hrs_rate must not exceed 1"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace xbg
