#pragma once
// Chip-level setup of an elaborated accelerator for the device model (docs/design.md §3.5):
// what the crossbar tiles, comparator banks and ADC banks need beyond their
// block configs (the chip's device section and seed, the reference placement,
// the partial-sum mode), found by walking the accelerator's SystemC children
// so its wiring does not change. Call it after elaboration and before the
// arrays are programmed (tb/run.cpp does):
//
//   Accelerator acc("accelerator", cfg, topology, ledger);
//   configure_chip(acc, cfg);
//
// Each hidden layer's comparator bank is attached to its tile: when the
// accelerator programs the median reference currents from B*, the bank
// recovers B* from them (exactly, CrossbarTile::threshold_of_reference) and
// places the references per comparator.reference (programming the replica
// columns) or sets up the digital compare. Without configure_chip the
// accelerator has ideal devices, median references and analog merging.
#include "core/sim/sim_config.h"

namespace xbg {

class Accelerator;

void configure_chip(Accelerator& acc, const SimConfig& cfg);

}  // namespace xbg
