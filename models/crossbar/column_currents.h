#pragma once
#include <vector>

#include <tlm>

namespace xbg {

// Analog result of one array read, attached to the payload from the crossbar
// tile to its comparator bank or ADC bank: one bit-line current per column.
struct ColumnCurrents : tlm::tlm_extension<ColumnCurrents> {
  std::vector<double> current_a;

  tlm::tlm_extension_base* clone() const override { return new ColumnCurrents(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { *this = static_cast<const ColumnCurrents&>(other); }
};

}  // namespace xbg
