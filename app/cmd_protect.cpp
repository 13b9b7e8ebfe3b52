// xbarguard protect: provisioning step of docs/design.md §4.4 — turns a plain trained
// model into the stored W*, B* (plus scheme ids), never writing the key.
#include <cstdio>
#include <random>
#include <sstream>

#include "app/cli.h"
#include "core/puf/provisioning.h"
#include "core/puf/puf_config.h"
#include "core/bnn/golden.h"
#include "core/bnn/model_io.h"
#include "core/common/error.h"
#include "core/common/paths.h"
#include "core/common/report.h"
#include "core/protection/model_mac.h"
#include "core/protection/protect_network.h"

namespace {

namespace po = xbg::cli::po;

// Where the master key comes from: an offline seed (labelled as such), or a
// chip's PUF (enrolled here; only the public helper data goes into the image).
void add_key_options(po::options_description& opts) {
  opts.add_options()
      ("key-seed", po::value<uint64_t>(),
       "offline master key = SHA-256(\"xbarguard-offline-key-seed/\" + S); labelled as not a PUF key")
      ("chip", po::value<uint64_t>(), "enroll PUF chip SEED and protect with its key (helper data stored, key never)")
      ("puf-config", po::value<std::string>(), "with --chip: PUF config file {\"puf\": {...}} (default configs/puf/sram.json)");
}
struct ChosenKey {
  xbg::KeySource source;
  nlohmann::json puf_provisioning;  // empty unless --chip
};
ChosenKey master_key_from_options(const po::variables_map& vm) {
  if (vm.count("key-seed") && vm.count("chip")) throw xbg::UserError("--key-seed and --chip: give only one key source");
  if (vm.count("puf-config") && !vm.count("chip")) throw xbg::UserError("--puf-config: only meaningful with --chip");
  if (vm.count("key-seed")) return {xbg::key_source_from_seed(vm["key-seed"].as<uint64_t>()), {}};
  if (vm.count("chip")) {
    const std::string file = vm.count("puf-config") ? vm["puf-config"].as<std::string>() : "configs/puf/sram.json";
    const auto puf = xbg::load_config<xbg::PufFileConfig>(xbg::resolve_path(file), {}).puf;
    puf.validate(file);
    ChosenKey chosen;
    const uint64_t chip = vm["chip"].as<uint64_t>();
    chosen.source.key = xbg::provision_for_protect(chip, puf, chosen.puf_provisioning);
    chosen.source.label = "PUF chip " + std::to_string(chip) + " (enrolled, " + puf.kind + " PUF)";
    return chosen;
  }
  throw xbg::UserError("--key-seed or --chip: one key source is required");
}

// Cheap guard before writing: keyed inference on the stored model must equal
// the plain model layer by layer on random inputs.
int self_check(const xbg::Network& plain, const xbg::Network& stored, const xbg::MasterKey& key, int count) {
  const xbg::GoldenEngine reference(plain);
  const xbg::KeyedGolden keyed(stored, xbg::derive_network_keys(stored, key));
  std::mt19937_64 rng(12345);
  int mismatches = 0;
  for (int i = 0; i < count; ++i) {
    xbg::BitVec x(plain.input_size());
    for (int j = 0; j < x.size(); ++j)
      if (rng() & 1) x.set(j, true);
    xbg::GoldenTrace want, got;
    reference.infer(x, want);
    keyed.infer(x, got);
    mismatches += got.layer_outputs != want.layer_outputs || got.prediction != want.prediction;
  }
  return mismatches;
}

int run(int argc, char** argv) {
  std::string model_path, scheme_text, layers_text = "all", out_path, report_path;
  bool single_key = false;
  std::string scheme_help;
  for (xbg::Scheme s : xbg::all_schemes()) scheme_help += (scheme_help.empty() ? "" : " | ") + xbg::scheme_id(s);
  po::options_description opts("protect options");
  opts.add_options()
      ("model,m", po::value(&model_path)->required(), "plain model file (e.g. networks/mnist.json)")
      ("scheme,s", po::value(&scheme_text)->required(), scheme_help.c_str())
      ("layers,l", po::value(&layers_text), "hidden layers to protect, 1-based FC numbers: 1,2,3 or all (default all)")
      ("single-key", po::bool_switch(&single_key), "paper III-A: one inversion-length key, its first bits reused for the swap")
      ("out,o", po::value(&out_path)->required(), "protected model file to write");
  add_key_options(opts);
  opts.add_options()("report", po::value(&report_path), "write a JSON report to this file");
  po::variables_map vm;
  if (!xbg::cli::parse(argc, argv, "protect --model FILE --scheme ID --layers 1,2,3 (--key-seed S | --chip SEED) [--single-key] --out FILE",
                       opts, vm))
    return 0;

  xbg::Scheme scheme;
  try {
    scheme = xbg::parse_scheme(scheme_text);
  } catch (const xbg::UserError& e) {
    throw xbg::UserError(std::string("--") + e.what());
  }
  const ChosenKey chosen = master_key_from_options(vm);
  const xbg::KeySource& source = chosen.source;
  const xbg::Network plain = xbg::load_network(xbg::resolve_path(model_path));
  const std::vector<int> layers = xbg::cli::parse_layers(layers_text, static_cast<int>(plain.hidden.size()));
  xbg::Network stored;
  try {
    stored = xbg::protect_network(plain, scheme, layers, source.key, single_key, source.label);
  } catch (const xbg::UserError& e) {
    throw xbg::UserError(model_path + ": " + e.what());
  }
  const bool chip = !chosen.puf_provisioning.empty();
  if (chip) {
    stored.provisioning["puf"] = chosen.puf_provisioning;
    xbg::attach_model_mac(stored, source.key);
  }
  const int checks = 64;
  const int mismatches = self_check(plain, stored, source.key, checks);
  if (mismatches)
    throw std::logic_error("protect: keyed inference differs from the plain model on " + std::to_string(mismatches) +
                           " of " + std::to_string(checks) + " random inputs (bug)");
  xbg::save_network(stored, out_path);

  std::printf("model       %s -> %s\n", model_path.c_str(), out_path.c_str());
  std::printf("key source  %s\n", source.label.c_str());
  int total_bits = 0;
  for (const auto& entry : stored.provisioning["protected_layers"]) {
    const int bits = entry["key_bits"];
    total_bits += bits;
    std::printf("FC%-2d        scheme %-8s single-key %s  %d key bits\n", entry["layer"].get<int>(),
                entry["scheme"].get<std::string>().c_str(), entry["single_key"].get<bool>() ? "yes" : "no ", bits);
  }
  std::printf("key bits    %d in total (HKDF-SHA256 from the 256-bit master key; not stored)\n", total_bits);
  std::printf("self-check  keyed inference == plain, layer by layer, on %d random inputs\n", checks);
  if (chip)
    std::printf("model MAC   HMAC-SHA256 over W*, B*, layer descriptors and classifier, keyed from the chip's key "
                "(provisioning.puf.model_mac; checked at every boot)\n");

  xbg::Report report("protect", argc, argv);
  report["model"] = model_path;
  report["out"] = out_path;
  report["scheme"] = xbg::scheme_id(scheme);
  report["layers"] = layers;
  report["single_key"] = single_key;
  report["key_source"] = source.label;
  report["protected_layers"] = stored.provisioning["protected_layers"];
  report["key_bits_total"] = total_bits;
  report["self_check_inputs"] = checks;
  report["model_mac"] = chip;
  report.write(report_path);
  return 0;
}

xbg::cli::Registrar reg("protect", "write the protected model (W*, B*, scheme ids) for a key; never the key", &run);

}  // namespace
