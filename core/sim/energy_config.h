#pragma once
// Energy, leakage and area constants of the power model (core/energy/power_model.h).
// Every default's source or derivation is in docs/energy-model.md; most are
// first-principles or literature estimates for a ~28-40 nm CMOS node, not
// measurements. Crossbar read energy is not here: it comes from the crossbar
// section's v_read_v, read_time_ns and the driven cells' conductances.
namespace xbg {

struct EnergyConfig {
  // Digital logic
  double gate_toggle_fj = 0.5;       // one NAND2-equivalent output transition: 1/2 C V^2, C ~1 fF, V 0.9-1.0 V
  double ff_clock_fj = 1.0;          // one flip-flop clocked once (clock pins + internal nodes)
  double xor_ge = 2.5;               // XOR2 in NAND2 equivalents: inversion slice of a pre/post unit
  double mux2_ge = 2.0;              // 2:1 MUX in NAND2 equivalents: swap slice of a pre/post unit
  double flip_flop_ge = 4.5;         // D flip-flop: key-register bit, unit data register
  double popcount_fj_per_bit = 2.0;  // XNOR + share of the adder tree per input bit, activity included
  double affine_op_pj = 0.5;         // 16-bit multiply-add of the classifier's per-class affine
  double digital_add_pj = 0.03;      // 16-bit add or compare (partial-sum merge)
  double controller_cycle_fj = 50.0; // FSM, counters and address generation per active cycle
  // Storage and I/O
  double sram_read_fj_per_bit = 50.0;
  double sram_write_fj_per_bit = 80.0;
  double sram_access_pj = 0.5;       // decoder, word line and sense enable per access
  double host_if_fj_per_byte = 400.0;
  double register_access_pj = 0.5;
  // Analog periphery
  double wl_driver_fj = 5.0;          // word-line driver per driven row, wire charge included below
  double cell_wire_cap_ff = 0.1;      // word-line wire + cell capacitance per driven cell, charged to v_read
  double comparator_decision_fj = 20.0;
  double adc_walden_fom_fj = 5.0;     // SAR ADC energy per conversion step: E = FoM * 2^bits
  // Boot
  double puf_bit_read_fj = 60.0;      // RRAM cell pair read + sense amplifier
  double repetition_vote_fj = 5.0;
  double gf_mult_fj = 50.0;           // GF(2^m) multiply of the BCH decoder
  double sha256_compression_pj = 1000.0;
  double key_register_bit_fj = 2.0;
  // Programming
  // Pulse energy = V x I x programming.{set,reset}_pulse_ns
  double set_voltage_v = 1.5;
  double set_current_ua = 100.0;
  double reset_voltage_v = 1.5;
  double reset_current_ua = 100.0;
  // Leakage: CMOS logic, SRAM and analog periphery bias; RRAM cells leak nothing when unbiased
  double leakage_pw_per_ge = 20.0;
  double leakage_pw_per_sram_bit = 20.0;
  double leakage_nw_per_comparator = 0.0;  // clocked (StrongARM) comparators draw no static current
  double leakage_nw_per_adc = 1.0;
  // Area
  double feature_size_nm = 40.0;
  double cell_area_f2 = 4.0;          // 1S1R / selector-less crosspoint cell
  double ge_area_um2 = 0.6;           // NAND2 equivalent at ~40 nm
  double sram_bit_area_um2 = 0.25;    // 6T bitcell with array overhead, ~40 nm
  double wl_driver_area_um2 = 2.0;
  double comparator_area_um2 = 20.0;
  double adc_area_um2_per_bit = 150.0;  // SAR: capacitor DAC and logic grow ~linearly with bits at small sizes
  double controller_kge = 3.0;
  double bch_decoder_kge = 15.0;
  double sha256_kge = 20.0;
  double affine_unit_kge = 5.0;
  double puf_cell_pair_area_f2 = 8.0;
  double host_if_kge = 2.0;

  template <class V> void visit(V& v) {
    v.field("gate_toggle_fj", gate_toggle_fj, "energy of one gate-equivalent output toggle, 1/2 C V^2 [fJ]", 0.0, 1e6);
    v.field("ff_clock_fj", ff_clock_fj, "energy of clocking one flip-flop once [fJ]", 0.0, 1e6);
    v.field("xor_ge", xor_ge, "XOR2 of a pre/post unit's inversion slice, area and toggle energy [GE]", 0.0, 1e6);
    v.field("mux2_ge", mux2_ge, "2:1 MUX of a pre/post unit's swap slice, area and toggle energy [GE]", 0.0, 1e6);
    v.field("flip_flop_ge", flip_flop_ge, "D flip-flop (key-register bit, pre/post data register) [GE]", 0.0, 1e6);
    v.field("popcount_fj_per_bit", popcount_fj_per_bit, "XNOR-popcount energy per input bit [fJ]", 0.0, 1e6);
    v.field("affine_op_pj", affine_op_pj, "classifier per-class affine: one 16-bit multiply-add [pJ]", 0.0, 1e6);
    v.field("digital_add_pj", digital_add_pj, "one 16-bit add or compare (partial-sum merge) [pJ]", 0.0, 1e6);
    v.field("controller_cycle_fj", controller_cycle_fj, "controller FSM energy per active cycle [fJ]", 0.0, 1e9);
    v.field("sram_read_fj_per_bit", sram_read_fj_per_bit, "activation buffer / SRAM read per bit [fJ]", 0.0, 1e9);
    v.field("sram_write_fj_per_bit", sram_write_fj_per_bit, "SRAM write per bit (buffer, references, affine) [fJ]", 0.0, 1e9);
    v.field("sram_access_pj", sram_access_pj, "SRAM fixed energy per access (decode, word line, sense enable) [pJ]", 0.0, 1e6);
    v.field("host_if_fj_per_byte", host_if_fj_per_byte, "host bus transfer per byte [fJ]", 0.0, 1e9);
    v.field("register_access_pj", register_access_pj, "one host register read or write [pJ]", 0.0, 1e6);
    v.field("wl_driver_fj", wl_driver_fj, "word-line driver energy per driven row, wire excluded [fJ]", 0.0, 1e6);
    v.field("cell_wire_cap_ff", cell_wire_cap_ff, "word-line capacitance per driven cell, charged to v_read each read [fF]", 0.0, 1e6);
    v.field("comparator_decision_fj", comparator_decision_fj, "energy of one comparator decision [fJ]", 0.0, 1e6);
    v.field("adc_walden_fom_fj", adc_walden_fom_fj, "SAR ADC Walden figure of merit: energy per conversion = FoM x 2^bits [fJ/step]", 0.0, 1e6);
    v.field("puf_bit_read_fj", puf_bit_read_fj, "PUF read per response bit (cell pair + sense amplifier) [fJ]", 0.0, 1e9);
    v.field("repetition_vote_fj", repetition_vote_fj, "fuzzy extractor: one repetition-code majority vote [fJ]", 0.0, 1e9);
    v.field("gf_mult_fj", gf_mult_fj, "fuzzy extractor: one GF(2^m) multiplication of the BCH decoder [fJ]", 0.0, 1e9);
    v.field("sha256_compression_pj", sha256_compression_pj, "HKDF: one SHA-256 compression (512-bit block) [pJ]", 0.0, 1e9);
    v.field("key_register_bit_fj", key_register_bit_fj, "loading one key-register bit [fJ]", 0.0, 1e9);
    v.field("set_voltage_v", set_voltage_v, "SET pulse amplitude; pulse energy = V x I x programming.set_pulse_ns [V]", 0.0, 100.0);
    v.field("set_current_ua", set_current_ua, "cell current during a SET pulse (compliance) [uA]", 0.0, 1e6);
    v.field("reset_voltage_v", reset_voltage_v, "RESET pulse amplitude [V]", 0.0, 100.0);
    v.field("reset_current_ua", reset_current_ua, "cell current during a RESET pulse [uA]", 0.0, 1e6);
    v.field("leakage_pw_per_ge", leakage_pw_per_ge, "logic leakage per gate equivalent [pW]", 0.0, 1e9);
    v.field("leakage_pw_per_sram_bit", leakage_pw_per_sram_bit, "SRAM leakage per bit [pW]", 0.0, 1e9);
    v.field("leakage_nw_per_comparator", leakage_nw_per_comparator, "static power of one comparator [nW]", 0.0, 1e9);
    v.field("leakage_nw_per_adc", leakage_nw_per_adc, "static power of one ADC [nW]", 0.0, 1e9);
    v.field("feature_size_nm", feature_size_nm, "feature size F of the crossbar and PUF cells [nm]", 1.0, 1e6);
    v.field("cell_area_f2", cell_area_f2, "area of one crossbar cell [F^2]", 0.0, 1e6);
    v.field("ge_area_um2", ge_area_um2, "area of one NAND2 gate equivalent [um^2]", 0.0, 1e6);
    v.field("sram_bit_area_um2", sram_bit_area_um2, "area of one SRAM bit with array overhead [um^2]", 0.0, 1e6);
    v.field("wl_driver_area_um2", wl_driver_area_um2, "area of one word-line driver [um^2]", 0.0, 1e6);
    v.field("comparator_area_um2", comparator_area_um2, "area of one comparator [um^2]", 0.0, 1e6);
    v.field("adc_area_um2_per_bit", adc_area_um2_per_bit, "SAR ADC area per bit of resolution [um^2]", 0.0, 1e9);
    v.field("controller_kge", controller_kge, "controller logic [kGE]", 0.0, 1e6);
    v.field("bch_decoder_kge", bch_decoder_kge, "fuzzy extractor (repetition + BCH decoder) logic [kGE]", 0.0, 1e6);
    v.field("sha256_kge", sha256_kge, "HKDF-SHA256 core [kGE]", 0.0, 1e6);
    v.field("affine_unit_kge", affine_unit_kge, "classifier affine + argmax unit [kGE]", 0.0, 1e6);
    v.field("host_if_kge", host_if_kge, "host bus port and register file logic [kGE]", 0.0, 1e6);
    v.field("puf_cell_pair_area_f2", puf_cell_pair_area_f2, "area of one PUF response bit (two RRAM cells) [F^2]", 0.0, 1e6);
  }
};

}  // namespace xbg
