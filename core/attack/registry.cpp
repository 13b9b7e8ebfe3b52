#include "core/attack/methods.h"

namespace xbg::attack {

// An explicit list, not self-registering statics: core/ is a static library,
// and the linker drops object files nothing refers to.
const std::vector<AttackMethod>& attack_methods() {
  static const std::vector<AttackMethod> methods = {
      no_key_method(), random_keys_method(), key_distance_method(), hill_climb_method(), structural_method(), align_method(),
      fine_tune_method(), query_extraction_method(), helper_data_method(), tvla_method(),
      differential_method(), features_method(), battery_method(),
  };
  return methods;
}

}  // namespace xbg::attack
