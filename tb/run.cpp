#include "tb/run.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "core/bnn/golden.h"
#include "core/common/error.h"
#include "core/data/dataset.h"
#include "core/protection/protect_network.h"
#include "models/accelerator/accelerator.h"
#include "tb/kernel.h"

namespace xbg {

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string layer_list(const std::vector<int>& layers) {
  std::string s;
  for (int l : layers) s += (s.empty() ? "FC" : ",FC") + std::to_string(l);
  return s.empty() ? "none" : s;
}

}  // namespace

ProvisionedModel provision_model(const Network& model, const ProtectionConfig& protection,
                                 const std::string& config_file) {
  const Scheme scheme = parse_scheme(protection.scheme);
  const int hidden = static_cast<int>(model.hidden.size());
  for (size_t i = 0; i < protection.layers.size(); ++i)
    if (scheme != Scheme::kNone && protection.layers[i] > hidden)
      throw UserError(config_file + ": protection.layers[" + std::to_string(i) + "]: FC" +
                      std::to_string(protection.layers[i]) + " does not exist (the network has FC1..FC" +
                      std::to_string(hidden) + " hidden layers; the classifier is never protected)");
  ProvisionedModel out;
  const auto seed = static_cast<uint64_t>(protection.key_seed);
  const MasterKey master = master_key_from_seed(seed);
  const std::string label = key_seed_label(seed);

  if (!model.is_protected()) {
    out.plain = model;
    if (scheme == Scheme::kNone) {
      out.stored = model;
      out.keys.assign(hidden, LayerKey{});
      out.key_source = "none (unprotected model)";
      return out;
    }
    try {
      out.stored = protect_network(model, scheme, protection.layers, master, protection.single_key, label);
    } catch (const UserError& e) {
      throw UserError(config_file + ": protection: " + e.what());
    }
    out.keys = derive_network_keys(out.stored, master);
    out.key_source = label;
    return out;
  }

  // Already protected: the config must describe the chip the file was made for.
  for (int l = 0; l < hidden; ++l) {
    const bool listed = std::find(protection.layers.begin(), protection.layers.end(), l + 1) != protection.layers.end();
    const std::string expected = (scheme != Scheme::kNone && listed) ? protection.scheme : "none";
    const BinaryLayer& layer = model.hidden[l];
    if (layer.scheme != expected || (expected != "none" && layer.single_key != protection.single_key))
      throw UserError(config_file + ": protection: the model file is already protected (FC" + std::to_string(l + 1) +
                      ": scheme " + layer.scheme + (layer.single_key ? ", single key" : "") + ") but the config asks for " +
                      protection.scheme + " on " + layer_list(protection.layers) +
                      (protection.single_key ? " with single key" : "") + "; make protection.* match the file");
  }
  out.stored = model;
  out.keys = derive_network_keys(model, master);
  out.key_source = label;
  const auto it = model.provisioning.find("key_source");
  if (it != model.provisioning.end() && it->is_string() && *it != label)
    out.warning = "the model was provisioned with \"" + it->get<std::string>() + "\" but this run uses \"" + label +
                  "\": outputs will be wrong unless that is intended";
  return out;
}

RunImages load_run_images(const SimConfig& cfg, const Network& net, const std::string& config_file) {
  RunImages out;
  out.dataset = cfg.dataset.name == "auto" ? net.dataset : cfg.dataset.name;
  if (out.dataset.empty())
    throw UserError(config_file + ": dataset.name: 'auto' but the network file names no dataset; set mnist or fashion");
  out.split = cfg.dataset.split;
  const Dataset data = load_dataset(out.dataset);
  const ImageSet& set = out.split == "train" ? data.train : data.test;
  if (set.image_size() != net.input_size())
    throw UserError(config_file + ": dataset.name: " + out.dataset + " images have " + std::to_string(set.image_size()) +
                    " pixels but the network takes " + std::to_string(net.input_size()) + " inputs");
  out.images = binarize_all(set, net.input_threshold, cfg.dataset.limit > 0 ? cfg.dataset.limit : -1);
  out.labels.assign(set.labels.begin(), set.labels.begin() + static_cast<long>(out.images.size()));
  return out;
}

RunResult run_accelerator(const SimConfig& cfg, const ProvisionedModel& model, const std::vector<BitVec>& images,
                          const std::vector<uint8_t>* labels, const RunOptions& options) {
  if (labels && labels->size() < images.size()) throw std::invalid_argument("run_accelerator: fewer labels than images");
  const auto t_setup = Clock::now();
  fresh_sc_kernel();
  RunResult r;
  const int hidden = static_cast<int>(model.stored.hidden.size());
  Accelerator acc("accelerator", cfg, model.stored.topology(), r.ledger);
  acc.program(model.stored);
  if (options.no_key) acc.clear_keys();
  else acc.load_keys(model.keys);

  // The oracle: the golden engine on the plain network; for a file that was
  // protected elsewhere, the keyed golden model with this run's keys (equal to
  // the plain network's outputs when the key is the provisioning key, by the
  // protection tests).
  std::unique_ptr<GoldenEngine> golden;
  std::unique_ptr<KeyedGolden> keyed;
  if (options.check_golden) {
    if (model.plain) {
      golden = std::make_unique<GoldenEngine>(*model.plain);
      r.golden_reference = "golden engine on the plain network";
    } else {
      keyed = std::make_unique<KeyedGolden>(model.stored, model.keys);
      r.golden_reference = model.warning.empty()
                               ? "keyed golden model: stored network with this run's keys (the plain network is not available)"
                               : "keyed golden model: stored network with this run's keys, which are not the provisioning keys";
    }
  }
  GoldenTrace trace;

  r.images = static_cast<int>(images.size());
  r.period_ns = cfg.clock.period_ns;
  r.predictions.assign(images.size(), -1);
  r.layer_cycles_total.assign(hidden + 1, 0);
  r.cycles_min = UINT64_MAX;
  acc.controller().set_batch(&images, [&](int i, const InferenceResult& res) {
    r.predictions[i] = res.prediction;
    if (labels) r.correct += res.prediction == (*labels)[i];
    r.cycles_total += res.cycles;
    r.cycles_min = std::min(r.cycles_min, res.cycles);
    r.cycles_max = std::max(r.cycles_max, res.cycles);
    r.overhead_cycles_total += res.overhead_cycles;
    for (int l = 0; l <= hidden; ++l) r.layer_cycles_total[l] += res.layer_cycles[l];
    if (golden || keyed) {
      const auto t = Clock::now();
      if (golden) golden->infer(images[i], trace);
      else keyed->infer(images[i], trace);
      const bool same = trace.prediction == res.prediction && trace.class_sums == res.class_sums &&
                        trace.layer_outputs == res.layer_outputs;
      r.golden_s += seconds_since(t);
      r.golden_agree += same;
      ++r.golden_checked;
    }
    if (options.on_image) options.on_image(i, res);
    if (options.progress && ((i + 1) % 256 == 0 || i + 1 == r.images)) options.progress(i + 1);
  });
  r.setup_s = seconds_since(t_setup);

  const auto t_sim = Clock::now();
  sc_core::sc_start();
  r.sim_s = seconds_since(t_sim) - r.golden_s;
  if (r.images == 0) r.cycles_min = 0;
  if (labels && r.images) r.accuracy = static_cast<double>(r.correct) / r.images;
  if (r.golden_checked) r.golden_agreement = static_cast<double>(r.golden_agree) / r.golden_checked;
  return r;
}

}  // namespace xbg
