#include "tb/run.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>

#include "core/bnn/golden.h"
#include "core/common/error.h"
#include "core/common/output_file.h"
#include "core/data/dataset_cache.h"
#include "core/energy/power_model.h"
#include "core/energy/vcd_power.h"
#include "core/protection/model_mac.h"
#include "core/protection/protect_network.h"
#include "models/accelerator/accelerator.h"
#include "models/crossbar/device_setup.h"
#include "models/accelerator/register_map.h"
#include "models/controller/stepped_timebase.h"
#include "tb/host.h"
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

bool same_keys(const std::vector<LayerKey>& a, const std::vector<LayerKey>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const LayerKey& x, const LayerKey& y) {
    return x.scheme == y.scheme && x.single_key == y.single_key && x.r == y.r && x.s == y.s;
  });
}

}  // namespace

ProvisionedModel provision_model(const Network& model, const ProtectionConfig& protection,
                                 const std::string& config_file, const PufConfig* puf) {
  const Scheme scheme = parse_scheme(protection.scheme);
  const int hidden = static_cast<int>(model.hidden.size());
  const std::vector<int> layers = protection.protected_layers(hidden);
  for (size_t i = 0; i < protection.layers.size(); ++i)
    if (scheme != Scheme::kNone && protection.layers[i] > hidden)
      throw UserError(config_file + ": protection.layers[" + std::to_string(i) + "]: FC" +
                      std::to_string(protection.layers[i]) + " does not exist (the network has FC1..FC" +
                      std::to_string(hidden) + " hidden layers; the classifier is never protected)");
  ProvisionedModel out;
  const auto seed = static_cast<uint64_t>(protection.key_seed);
  const bool chip = protection.key_source == "chip";
  const auto chip_seed = static_cast<uint64_t>(protection.chip_seed);
  MasterKey master = master_key_from_seed(seed);
  std::string label = key_seed_label(seed);
  if (chip && !model.is_protected() && scheme != Scheme::kNone) {
    // Enrollment, as `protect --chip` does it: only the helper data is kept.
    const PufConfig puf_cfg = puf ? *puf : PufConfig{};
    try {
      master = provision_for_protect(chip_seed, puf_cfg, out.puf_provisioning);
    } catch (const UserError& e) {
      throw UserError(config_file + ": puf: " + e.what());
    }
    label = "PUF chip " + std::to_string(chip_seed) + " (enrolled, " + puf_cfg.kind + " PUF)";
    out.chip_seed = chip_seed;
  }

  if (!model.is_protected()) {
    out.plain = model;
    if (scheme == Scheme::kNone) {
      out.stored = model;
      out.keys.assign(hidden, LayerKey{});
      out.key_source = "none (unprotected model)";
      return out;
    }
    try {
      out.stored = protect_network(model, scheme, layers, master, protection.single_key, label);
    } catch (const UserError& e) {
      throw UserError(config_file + ": protection: " + e.what());
    }
    out.keys = derive_network_keys(out.stored, master);
    out.key_source = label;
    if (out.boots_from_puf()) {
      out.stored.provisioning["puf"] = out.puf_provisioning;
      attach_model_mac(out.stored, master);  // as `protect --chip` does
      out.puf_provisioning = out.stored.provisioning["puf"];
    }
    return out;
  }

  // Already protected: the config must describe the chip the file was made for.
  for (int l = 0; l < hidden; ++l) {
    const bool listed = std::find(layers.begin(), layers.end(), l + 1) != layers.end();
    const std::string expected = (scheme != Scheme::kNone && listed) ? protection.scheme : "none";
    const BinaryLayer& layer = model.hidden[l];
    if (layer.scheme != expected || (expected != "none" && layer.single_key != protection.single_key))
      throw UserError(config_file + ": protection: the model file is already protected (FC" + std::to_string(l + 1) +
                      ": scheme " + layer.scheme + (layer.single_key ? ", single key" : "") + ") but the config asks for " +
                      protection.scheme + " on " + layer_list(layers) +
                      (protection.single_key ? " with single key" : "") + "; make protection.* match the file");
  }
  out.stored = model;
  if (chip) {
    const auto rec = model.provisioning.find("puf");
    if (rec == model.provisioning.end())
      throw UserError(config_file + ": protection.key_source: chip, but the model file carries no PUF helper data (it "
                      "was protected with a key seed); use key_source key-seed, or protect with --chip");
    puf_config_of_provisioning(*rec, config_file + ": model provisioning");  // checked before any simulation
    out.puf_provisioning = *rec;
    out.chip_seed = chip_seed;
    const auto src = model.provisioning.find("key_source");
    out.key_source = src != model.provisioning.end() && src->is_string() ? src->get<std::string>() : "PUF chip (image)";
    if (puf && dump_config(*puf) != rec->at("puf"))
      out.warning = "the image's own PUF record is used for the chip; the config's puf section differs and is ignored";
    return out;  // keys: rebuilt by the chip at boot
  }
  out.keys = derive_network_keys(model, master);
  out.key_source = label;
  const auto it = model.provisioning.find("key_source");
  if (it != model.provisioning.end() && it->is_string() && *it != label)
    out.warning = "the model was provisioned with \"" + it->get<std::string>() + "\" but this run uses \"" + label +
                  "\": outputs will be wrong unless that is intended";
  return out;
}

void check_chip_fit(const SimConfig& cfg, const Network& net, const std::string& config_file,
                    const std::string& model_file) {
  const int hidden = static_cast<int>(net.hidden.size());
  if (hidden + 1 > regs::kMaxLayers)
    throw UserError(model_file + ": layers: " + std::to_string(hidden) + " hidden layers; the chip's register map holds " +
                    std::to_string(regs::kMaxLayers - 1));
  const std::vector<int> topology = net.topology();
  for (int l = 0; l <= hidden; ++l) {
    const uint64_t m = static_cast<uint64_t>(topology[l]), n = static_cast<uint64_t>(topology[l + 1]);
    const uint64_t weight_bytes = regs::column_stride(static_cast<int>(m)) * n, param_bytes = n * (l < hidden ? 4 : 16);
    if (weight_bytes > regs::kWeightsSize || param_bytes > regs::kParamsSize)
      throw UserError(model_file + ": " + (l < hidden ? "layers[" + std::to_string(l) + "]" : std::string("classifier")) +
                      ": " + std::to_string(m) + "x" + std::to_string(n) + " needs " + std::to_string(weight_bytes) +
                      " bytes of W* and " + std::to_string(param_bytes) + " of parameters; a layer window holds " +
                      std::to_string(regs::kWeightsSize) + " and " + std::to_string(regs::kParamsSize));
  }
  const uint64_t slots = static_cast<uint64_t>(cfg.host_if.input_slots), stride = regs::column_stride(topology[0]);
  const uint64_t max_slots = std::min(regs::kInputSize / stride, regs::kResultsSize / 4);
  if (slots > max_slots)
    throw UserError(config_file + ": host_if.input_slots: " + std::to_string(slots) + " images of " + std::to_string(stride) +
                    " bytes do not fit the input window; at most " + std::to_string(max_slots) + " for " + model_file);
}

RunImages load_run_images(const SimConfig& cfg, const Network& net, const std::string& config_file) {
  RunImages out;
  out.dataset = cfg.dataset.name == "auto" ? net.dataset : cfg.dataset.name;
  if (out.dataset.empty())
    throw UserError(config_file + ": dataset.name: 'auto' but the network file names no dataset; set mnist or fashion");
  out.split = cfg.dataset.split;
  BinarizedSet set = load_binarized(out.dataset, out.split, net.input_threshold);
  if (set.image_size() != net.input_size())
    throw UserError(config_file + ": dataset.name: " + out.dataset + " images have " + std::to_string(set.image_size()) +
                    " pixels but the network takes " + std::to_string(net.input_size()) + " inputs");
  const int n = cfg.dataset.limit > 0 ? std::min(cfg.dataset.limit, set.count()) : set.count();
  set.images.resize(static_cast<size_t>(n));
  set.labels.resize(static_cast<size_t>(n));
  out.images = std::move(set.images);
  out.labels = std::move(set.labels);
  return out;
}

RunResult run_accelerator(const SimConfig& cfg, const ProvisionedModel& model, const std::vector<BitVec>& images,
                          const std::vector<uint8_t>* labels, const RunOptions& options) {
  if (labels && labels->size() < images.size()) throw std::invalid_argument("run_accelerator: fewer labels than images");
  const auto t_setup = Clock::now();
  fresh_sc_kernel();
  RunResult r;
  const int hidden = static_cast<int>(model.stored.hidden.size());
  const bool boot = model.boots_from_puf() && !options.no_key;
  if (options.bypass_key_check && !boot)
    throw UserError("--bypass-key-check: only meaningful when the chip boots from its PUF (key_source chip)");
  HostPlan plan;
  if (boot) plan.model_mac = model_mac_of_record(model.puf_provisioning, "the image");

  AcceleratorOptions chip;
  chip.chip_seed = options.boot_chip_seed.value_or(model.chip_seed);
  if (model.boots_from_puf()) chip.puf = puf_config_of_provisioning(model.puf_provisioning, "model provisioning");
  chip.bypass_key_check = options.bypass_key_check;
  chip.stepped = !options.vcd_path.empty();
  Accelerator acc("accelerator", cfg, model.stored.topology(), r.ledger, chip);
  configure_chip(acc, cfg);  // device model, chip seed, partial sums (before the arrays are programmed)

  // The keys the chip should end up with: the provisioning keys, or for a PUF
  // boot the plain C++ boot of the same chip at the same corner and noise draw
  // (the reference the SystemC key unit is checked against).
  std::vector<LayerKey> reference_keys = model.keys;
  bool provisioning_keys = true;
  if (boot) {
    const BootResult ref = boot_from_provisioning(chip.chip_seed, model.puf_provisioning,
                                                  {cfg.boot.temperature_c, cfg.boot.voltage_v},
                                                  static_cast<uint64_t>(cfg.boot.boot_index));
    reference_keys = derive_network_keys(model.stored, ref.key);
    provisioning_keys = ref.ok() && (model.keys.empty() || same_keys(reference_keys, model.keys));
  }

  // The oracle: the golden engine on the plain network; for a file that was
  // protected elsewhere, or a chip running with another key, the keyed golden
  // model with the keys this chip holds.
  std::unique_ptr<GoldenEngine> golden;
  std::unique_ptr<KeyedGolden> keyed;
  if (options.check_golden) {
    if (model.plain && provisioning_keys) {
      golden = std::make_unique<GoldenEngine>(*model.plain);
      r.golden_reference = "golden engine on the plain network";
    } else if (static_cast<int>(reference_keys.size()) != hidden) {
      // --no-key on a chip image: neither the plain network nor the chip's key is known here.
      golden = std::make_unique<GoldenEngine>(model.stored);
      r.golden_reference = "golden engine on the stored W*, B* (the plain network and the chip's key are not available)";
    } else {
      keyed = std::make_unique<KeyedGolden>(model.stored, reference_keys);
      r.golden_reference = model.warning.empty() && provisioning_keys
                               ? "keyed golden model: stored network with this run's keys (the plain network is not available)"
                               : "keyed golden model: stored network with this run's keys, which are not the provisioning keys";
    }
  }
  GoldenTrace trace;

  r.period_ns = cfg.clock.period_ns;
  r.predictions.assign(images.size(), -1);
  r.layer_cycles_total.assign(hidden + 1, 0);
  r.cycles_min = UINT64_MAX;
  int register_mismatches = 0;

  plan.image = &model.stored;
  plan.no_key = options.no_key;
  if (boot) plan.helper_text = model.puf_provisioning.at("helper_data").dump();
  sc_core::sc_trace_file* tf = nullptr;
  // SystemC's tracer writes a scratch file (it appends ".vcd" to the name it is
  // given); the power merge then writes options.vcd_path whole or not at all.
  // Made here, before simulating, so an unwritable target fails at once.
  std::unique_ptr<ScratchFile> vcd_scratch;
  if (!options.vcd_path.empty()) vcd_scratch = std::make_unique<ScratchFile>(options.vcd_path, ".vcd");
  // VCD power signals: the start time of every stepped cycle since the trace
  // began; the ledger's trace cursor counts the same cycles in the same order.
  std::vector<double> cycle_start_s;
  bool record_cycles = false;
  if (auto* stepped = dynamic_cast<SteppedTimebase*>(&acc.timebase())) {
    const double period_s = stepped->period().to_seconds();
    stepped->add_cycle_hook([&cycle_start_s, &record_cycles, period_s] {
      if (record_cycles) cycle_start_s.push_back(sc_core::sc_time_stamp().to_seconds() - period_s);
    });
  }
  // The chip builds its arrays' device state at the first START; the
  // testbench has it built just before that START (same point of the run,
  // same draws) and times it, so sim_s counts the images only.
  Clock::time_point t_boot;
  auto program_arrays = [&] {
    if (images.empty()) return;  // no START, nothing built
    const auto t = Clock::now();
    acc.program_arrays();
    r.programming_s = seconds_since(t);
  };
  plan.after_programming = [&] {
    r.ledger.mark_inference_start();  // programming activity ends here (power model)
    if (options.power_trace) r.ledger.start_trace(options.power_trace_images);
    else if (!options.vcd_path.empty()) r.ledger.start_trace();  // power signals in the VCD
    if (!options.vcd_path.empty()) {
      // The trace starts after programming (hundreds of thousands of cycles of
      // array writes, reported as programming_cycles): it shows boot and inference.
      const std::string& p = vcd_scratch->path();
      tf = sc_core::sc_create_vcd_trace_file(p.substr(0, p.size() - 4).c_str());
      sc_core::sc_report_handler::set_actions("tracing timescale unit set", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
      tf->set_time_unit(1, sc_core::SC_PS);  // half periods of fractional-ns clocks stay exact
      acc.trace(tf);
      record_cycles = true;
    }
    if (!boot && !options.no_key) acc.load_keys(model.keys);
    if (boot) t_boot = Clock::now();
    else program_arrays();
  };
  plan.after_boot = [&] {
    r.ledger.mark_boot_end();  // helper-data transfer and status reads: boot energy
    r.boot_s = seconds_since(t_boot);
    if (acc.status() & regs::kStatusKeyReady) program_arrays();  // else START is refused and nothing is programmed
  };
  plan.images = &images;
  plan.on_result = [&](int i, uint32_t word) {
    const int prediction = (word & regs::kResultValid) ? static_cast<int>(word & regs::kResultClassMask) : -1;
    register_mismatches += prediction != r.predictions[i];
  };
  Host host("host", acc.interrupt(), plan);
  host.bus.bind(acc.host);
  acc.set_monitor([&](int slot, const InferenceResult& res) {
    const int i = host.batch_base() + slot;
    r.predictions[i] = res.prediction;
    if (labels) r.correct += res.prediction == (*labels)[i];
    r.cycles_total += res.cycles;
    r.latency_cycles_total += res.latency_cycles;
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
    if (options.progress && ((i + 1) % 256 == 0 || i + 1 == static_cast<int>(images.size()))) options.progress(i + 1);
  });

  sc_core::sc_start();
  if (tf) {
    sc_core::sc_close_vcd_trace_file(tf);
    r.ledger.stop_trace();
    // Boot included: the waveform shows the PUF read and key unit too.
    const PowerModel power(cfg, ChipShape{model.stored.topology()});
    add_power_to_vcd(vcd_scratch->path(), options.vcd_path, make_power_trace(power, r.ledger, /*include_boot=*/true),
                     cycle_start_s);
  }
  const HostLog& log = host.log();
  if (register_mismatches)
    throw std::logic_error("run_accelerator: " + std::to_string(register_mismatches) +
                           " RESULT registers differ from the datapath's predictions (bug)");
  const bool streamed = log.images_run > 0;
  const double streamed_s = streamed ? std::chrono::duration<double>(log.wall_end - log.wall_first_start).count() : 0.0;
  r.setup_s = seconds_since(t_setup) - streamed_s - r.programming_s - r.boot_s;
  r.sim_s = streamed ? streamed_s - r.golden_s : 0.0;
  r.images = log.images_run;
  r.predictions.resize(static_cast<size_t>(r.images));
  r.programming_cycles = log.programming_cycles;
  r.boot_cycles = log.boot_cycles;
  r.busy_cycles_total = log.batch_cycles_total;
  r.start_refused = log.start_refused;
  if (boot) {
    r.boot_stats = acc.last_boot().stats;
    const bool ok = acc.last_boot().key_ok;
    const KeyUnit::Outcome& b = acc.last_boot();
    const bool bypassed = options.bypass_key_check && b.keys_loaded;
    r.key_status = ok ? "ok" : (bypassed ? "bypassed" : "error");
    if (!ok) r.key_error_reason = key_error_reason_name(b.reason) + ": " + b.detail;
    r.integrity_status = !b.model_checked ? "not_checked" : b.model_ok ? "ok" : (bypassed ? "bypassed" : "error");
  } else {
    const bool keyed_model = std::any_of(model.keys.begin(), model.keys.end(), [](const LayerKey& k) { return k.scheme != Scheme::kNone; });
    r.key_status = options.no_key || !keyed_model ? "none" : "offline";
  }
  r.ledger.stop_trace();
  if (r.images == 0) r.cycles_min = 0;
  if (labels && r.images) r.accuracy = static_cast<double>(r.correct) / r.images;
  if (r.golden_checked) r.golden_agreement = static_cast<double>(r.golden_agree) / r.golden_checked;
  return r;
}

}  // namespace xbg
