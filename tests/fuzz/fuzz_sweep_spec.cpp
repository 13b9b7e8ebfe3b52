// Sweep specs plus `sweep --set` overrides (part 1 the spec, further parts
// overrides), then every point resolved as `sweep --dry-run` does when the
// grid is small. base_config is left out: it names another file to read.
#include "core/common/error.h"
#include "core/sweep/spec.h"
#include "tests/fuzz/fuzz_target.h"

XBG_FUZZ_TARGET(sweep_spec) {
  static const xbg::sweep::json schema = xbg::sweep::sim_schema();
  static const xbg::sweep::Resolver resolve = xbg::sweep::make_sim_resolver("");
  const auto parts = xbg::fuzz::split_parts(data, size);
  const std::string path = xbg::fuzz::write_scratch("spec.json", parts[0]);
  try {
    xbg::sweep::Spec spec = xbg::sweep::load_spec(path, schema);
    for (size_t i = 1; i < parts.size(); ++i) xbg::sweep::add_override(spec, parts[i], schema);
    size_t points = spec.mode == "grid" ? 1 : spec.list_points.size();
    for (const auto& a : spec.axes) points *= a.values.size();
    if (points <= 64) (void)xbg::sweep::enumerate_points(spec, resolve);
  } catch (const xbg::UserError&) {
  }
  return 0;
}
