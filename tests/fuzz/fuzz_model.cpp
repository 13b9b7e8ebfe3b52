// Model files (plain or protected, as any subcommand loads them): load,
// write back, and one inference with the golden engine on what was loaded.
#include "core/bnn/golden.h"
#include "core/bnn/model_io.h"
#include "core/common/error.h"
#include "tests/fuzz/fuzz_target.h"

XBG_FUZZ_TARGET(model) {
  const std::string path = xbg::fuzz::write_scratch("model.json", std::string(reinterpret_cast<const char*>(data), size));
  try {
    const xbg::Network net = xbg::load_network(path);
    (void)xbg::network_to_json(net).dump();
    const xbg::GoldenEngine engine(net);
    (void)engine.predict(xbg::BitVec(net.input_size()));
  } catch (const xbg::UserError&) {
  }
  return 0;
}
