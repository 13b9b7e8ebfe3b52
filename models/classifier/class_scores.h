#pragma once
#include <vector>

#include <tlm>

namespace xbg {

// The classifier's integer sums s_c (filled by the ADC bank or the popcount
// unit) and its decision (filled by the classifier's digital back end).
struct ClassScores : tlm::tlm_extension<ClassScores> {
  std::vector<int> sums;
  int prediction = -1;

  tlm::tlm_extension_base* clone() const override { return new ClassScores(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { *this = static_cast<const ClassScores&>(other); }
};

}  // namespace xbg
