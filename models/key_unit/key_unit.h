#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "core/energy/ledger.h"
#include "core/protection/model_mac.h"
#include "core/protection/transforms.h"
#include "core/puf/provisioning.h"
#include "core/puf/puf_config.h"
#include "core/sim/boot_config.h"
#include "models/common/timebase.h"

namespace xbg {

// The key unit of docs/design.md §4.3: at boot it reads the PUF through `puf_port`,
// runs the code-offset fuzzy extractor and HKDF of core/puf
// (reconstruct_key), checks the key check value and the helper-data tag,
// then checks the stored model against its MAC (core/protection/model_mac.h:
// the contents of the layer windows and LAYER_CFG, hashed by the same SHA-256
// core), derives each hidden layer's key bits (derive_layer_key, from the
// layer configuration registers) and loads them into the pre/post units' key
// registers. A MAC mismatch is an integrity error: no key is loaded. Cycles
// follow the work the plain C++ reports (BootStats) and the KeyUnitConfig
// rates. The master key lives only inside boot().
//
// `bypass_key_check` is not a register: it models an attacker who has
// defeated the checks on a clone (fault injection on the comparisons), so a
// failed reconstruction or MAC still loads the key it produced (docs/design.md
// §4.4, the clone whose key check is bypassed). Ledger "key_unit": boots,
// key_errors, integrity_errors, repetition_votes, bch_blocks, gf_mults,
// bch_errors_corrected, sha256_compressions, model_mac_compressions,
// model_mac_bytes, key_bits_loaded.
class KeyUnit : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<KeyUnit> puf_port{"puf_port"};

  struct LayerShape {
    int m = 0, n = 0;
  };
  struct LayerKeyConfig {  // one layer's configuration register
    Scheme scheme = Scheme::kNone;
    bool single_key = false;
  };
  struct Outcome {
    bool key_ok = false;         // reconstruction and checks passed
    bool model_checked = false;  // the model MAC was computed (key ok, or bypassed)
    bool model_ok = false;       // ... and equals the stored one
    bool keys_loaded = false;    // key registers hold derived keys (ok, or bypassed)
    KeyErrorReason reason = KeyErrorReason::kNone;  // of a key error
    std::string detail;          // diagnostics for the testbench; the chip exposes only the status bits
    BootStats stats;             // including the layer-key HKDF and the model MAC
    uint64_t cycles = 0;         // whole boot, PUF read included
  };
  using KeyLoader = std::function<void(const std::vector<LayerKey>&)>;

  KeyUnit(sc_core::sc_module_name name, const PufConfig& puf, const KeyUnitConfig& cfg, std::vector<LayerShape> shapes,
          bool bypass_key_check, Timebase& timebase, EnergyLedger& ledger, KeyLoader loader);

  // One boot in the caller's thread (annotates `delay`; waits per cycle with a
  // SteppedTimebase). `model` is what the MAC covers, read from the layer
  // windows (model_mac_message), `stored_mac` the MODEL_MAC registers. On
  // failure without bypass no key register is loaded.
  Outcome boot(const std::string& helper_text, const std::vector<LayerKeyConfig>& layers, const Bytes& model,
               const ModelMac& stored_mac, sc_core::sc_time& delay);

  // SHA-256 compressions of hkdf_sha256 with a 32-byte IKM and an empty salt.
  static int64_t hkdf_compressions(size_t info_bytes, size_t output_bytes);

 private:
  void charge(uint64_t cycles, sc_core::sc_time& delay);

  PufConfig puf_;
  KeyUnitConfig cfg_;
  std::vector<LayerShape> shapes_;
  bool bypass_;
  Timebase& timebase_;
  EnergyLedger& ledger_;
  KeyLoader loader_;
  EnergyLedger::BlockId block_;
  EnergyLedger::EventId ev_boots_, ev_errors_, ev_integrity_errors_, ev_votes_, ev_bch_blocks_, ev_gf_, ev_corrected_,
      ev_sha_, ev_mac_sha_, ev_mac_bytes_, ev_key_bits_;
  std::vector<uint64_t> response_words_;
  tlm::tlm_generic_payload payload_;
};

}  // namespace xbg
