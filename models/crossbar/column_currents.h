#pragma once
#include <vector>

#include <tlm>

namespace xbg {

// Analog result of one array read, attached to the payload from the crossbar
// tile to its comparator bank or ADC bank.
//
// current_a: bit-line currents, one per column when the row tiles are merged
// in the analog domain (row_tiles == 1), else one per row tile and column,
// tile-major: current_a[t * columns + k] (crossbar.partial_sums = adc).
// zero_a / step_a: per entry of tile_pairs, the array's level calibration for
// an ADC: current at p = 0 driven LRS cells and per further LRS cell, placed
// per comparator.reference (nominal median or mean levels, or replica columns).
// reference_a: with comparator.reference = replica, each column's replica
// reference current as read together with the array (noise included); else empty.
// level / level_a: ideal devices with per-tile currents: current_a[t * columns
// + k] is exactly (*level_a)[t][level[t * columns + k]], the level of that many
// driven LRS cells, so a consumer may map the few levels once instead of every
// current; empty / null otherwise.
struct ColumnCurrents : tlm::tlm_extension<ColumnCurrents> {
  std::vector<double> current_a;
  int row_tiles = 1;
  std::vector<int> tile_pairs;
  std::vector<double> zero_a, step_a;
  std::vector<double> reference_a;
  std::vector<int> level;
  const std::vector<std::vector<double>>* level_a = nullptr;

  tlm::tlm_extension_base* clone() const override { return new ColumnCurrents(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { *this = static_cast<const ColumnCurrents&>(other); }
};

}  // namespace xbg
