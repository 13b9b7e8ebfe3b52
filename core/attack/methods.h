#pragma once
// The methods of `xbarguard attack`, one factory per file in core/attack/.
// Add a method: write core/attack/<name>.cpp with a config struct (visit())
// and a run function, declare its factory here, list it in registry.cpp.
#include "core/attack/attack.h"

namespace xbg::attack {

AttackMethod no_key_method();        // no_key.cpp
AttackMethod random_keys_method();   // random_keys.cpp
AttackMethod key_distance_method();  // key_distance.cpp
AttackMethod hill_climb_method();    // hill_climb.cpp
AttackMethod structural_method();    // structural.cpp
AttackMethod align_method();         // align.cpp
AttackMethod fine_tune_method();     // fine_tune.cpp
AttackMethod query_extraction_method();  // query_extraction.cpp
AttackMethod helper_data_method();   // helper_data_attack.cpp
AttackMethod tvla_method();          // tvla.cpp
AttackMethod differential_method();  // differential.cpp
AttackMethod features_method();      // feature_head.cpp
AttackMethod battery_method();       // battery.cpp (runs the others)

}  // namespace xbg::attack
