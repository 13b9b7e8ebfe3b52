#pragma once
// How a results column reads on a plot: a name a reader knows instead of the
// field path, and a unit with the prefix that suits the plotted values
// instead of the SI base unit of the stored number (2.6e-09 J is drawn as
// 2.6 nJ). Fractions the reports store in [0, 1] (accuracy, agreement,
// rates) are drawn in %, like every accuracy in the docs.
#include <string>
#include <vector>

namespace xbg::sweep {

struct Quantity {
  std::string name;  // "energy per inference"
  std::string unit;  // "nJ"; empty for counts and plain numbers
  double scale = 1;  // plotted value = stored value * scale
  std::string label() const { return unit.empty() ? name : name + " [" + unit + "]"; }
};

// `column` is a results column ("energy_per_inference_j",
// "comparator.offset_sigma_ua"); `values` are the stored values it will plot
// (they choose the prefix). Columns it does not know keep their last path
// component, with underscores as spaces and a unit read from the name's suffix
// (_ns, _s, _j, _w, _ua, _ohm, _mm2, _pct, ...).
Quantity describe_column(const std::string& column, const std::vector<double>& values);

}  // namespace xbg::sweep
