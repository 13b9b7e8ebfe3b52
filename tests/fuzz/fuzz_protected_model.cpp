// Protected model images as a chip boots them: the stored W*, B*, scheme
// labels and the public PUF helper data (attacker-writable) of `protect
// --chip`. Loads the image, boots chip 1 from its helper data, checks the
// model MAC, derives the layer keys and runs one keyed inference.
#include "core/bnn/model_io.h"
#include "core/common/error.h"
#include "core/protection/model_mac.h"
#include "core/protection/protect_network.h"
#include "core/puf/provisioning.h"
#include "tests/fuzz/fuzz_target.h"

XBG_FUZZ_TARGET(protected_model) {
  const std::string path =
      xbg::fuzz::write_scratch("protected.json", std::string(reinterpret_cast<const char*>(data), size));
  try {
    const xbg::Network net = xbg::load_network(path);
    xbg::MasterKey master = xbg::master_key_from_seed(1);
    const auto rec = net.provisioning.find("puf");
    if (rec != net.provisioning.end()) {
      const xbg::PufConfig cfg = xbg::puf_config_of_provisioning(*rec, path);
      // A chip reads cfg.cells bits at boot; far larger arrays only slow the fuzzer.
      if (cfg.cells <= 1 << 16) master = xbg::boot_from_provisioning(1, *rec, xbg::PufCorner{}, 0).key;
      // The boot's integrity check: a missing or malformed MAC is a UserError, a mismatch an outcome.
      const xbg::ModelMac stored = xbg::model_mac_of_record(*rec, path);
      (void)xbg::model_macs_equal(xbg::compute_model_mac(net, master), stored);
    }
    const xbg::KeyedGolden golden(net, xbg::derive_network_keys(net, master));
    (void)golden.predict(xbg::BitVec(net.input_size()));
  } catch (const xbg::UserError&) {
  }
  return 0;
}
