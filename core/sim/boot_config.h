#pragma once
// Timing of the boot path (docs/design.md §4): PUF read-out, fuzzy extractor, HKDF and
// key-register load, and the operating point the chip boots at. What the
// boot does comes from core/puf (BootStats); these fields only say how many
// cycles each piece of that work takes in hardware.
#include <cstdint>

namespace xbg {

// The PUF array's read-out port.
struct PufBlockConfig {
  int read_bits_per_cycle = 32;  // response bits delivered per cycle (a 32-bit read port)

  template <class V> void visit(V& v) {
    v.field("read_bits_per_cycle", read_bits_per_cycle,
            "PUF response bits read out per cycle (SRAM word port or RRAM sense amplifiers) [bits/cycle]", 1, 1 << 20);
  }
};

// The key unit: repetition majority voters, a BCH decoder built around
// GF(2^m) multipliers, one iterative SHA-256 core for HKDF, the key check,
// and the key bus into the pre/post units' registers.
struct KeyUnitConfig {
  int votes_per_cycle = 8;                 // repetition-code majority voters in parallel
  int gf_mults_per_cycle = 4;              // GF(2^m) multipliers of the BCH decoder
  int sha256_cycles_per_compression = 66;  // 64 rounds + message-schedule load + digest update
  int check_cycles = 2;                    // key check value and helper tag comparisons
  int key_bus_bits_per_cycle = 64;         // key bits written into pre/post key registers per cycle

  template <class V> void visit(V& v) {
    v.field("votes_per_cycle", votes_per_cycle, "repetition-code majority votes decided per cycle [votes/cycle]", 1, 1 << 20);
    v.field("gf_mults_per_cycle", gf_mults_per_cycle,
            "GF(2^m) multiplications per cycle in the BCH decoder (syndromes, Berlekamp-Massey, Chien search) [1/cycle]", 1,
            1 << 20);
    v.field("sha256_cycles_per_compression", sha256_cycles_per_compression,
            "cycles of one SHA-256 compression in the HKDF/HMAC core (one round per cycle) [cycles]", 1, 1 << 20);
    v.field("check_cycles", check_cycles, "cycles to compare the key check value and the helper-data tag [cycles]", 0, 1 << 20);
    v.field("key_bus_bits_per_cycle", key_bus_bits_per_cycle,
            "key bits loaded into the pre/post units' key registers per cycle [bits/cycle]", 1, 1 << 20);
  }
};

// Operating point and noise draw of the boot (the PUF's read noise depends on both).
struct BootConfig {
  double temperature_c = 25.0;
  double voltage_v = 1.0;
  int64_t boot_index = 0;  // read-noise draw of the first boot; later boots of one run use the next indices

  template <class V> void visit(V& v) {
    v.field("temperature_c", temperature_c, "die temperature at boot [C]", -273.0, 500.0);
    v.field("voltage_v", voltage_v, "supply voltage at boot [V]", 1e-3, 100.0);
    v.field("boot_index", boot_index, "PUF read-noise draw of the first boot (reproducible per chip)", 0, 9e18);
  }
};

}  // namespace xbg
