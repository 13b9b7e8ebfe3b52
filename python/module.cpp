// The Python module `xbarguard` (docs/python.md): thin bindings over the same
// functions the command line calls. Arrays cross as numpy arrays, reports as
// the dicts the CLI writes as JSON, and a UserError becomes xbarguard.Error
// with the CLI's one-line message.
#include <dlfcn.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/attack/campaign.h"
#include "core/bnn/golden.h"
#include "core/bnn/model_io.h"
#include "core/bnn/network.h"
#include "core/common/config.h"
#include "core/common/error.h"
#include "core/common/output_file.h"
#include "core/common/report.h"
#include "core/common/paths.h"
#include "core/common/version.h"
#include "core/data/dataset.h"
#include "core/protection/protect_network.h"
#include "core/protection/scheme.h"
#include "core/sweep/sweep.h"
#include "tb/run_report.h"
#include "tb/sweep_job.h"

namespace py = pybind11;
using namespace xbg;
using nlohmann::json;

// libsystemc calls sc_main from its own main(); a Python process never runs
// that main, but the dynamic loader still needs the symbol to load the library.
__attribute__((visibility("default"))) int sc_main(int, char*[]) { return 0; }

namespace {

py::object to_python(const json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

std::string to_json_text(const py::handle& value) {
  return py::module_::import("json").attr("dumps")(value).cast<std::string>();
}

// {"dataset.limit": 100} -> "dataset.limit=100", as --set takes it.
std::vector<std::string> sets_from(const std::optional<py::dict>& overrides) {
  std::vector<std::string> sets;
  if (!overrides) return sets;
  for (const auto& [path, value] : *overrides) sets.push_back(py::str(path).cast<std::string>() + "=" + to_json_text(value));
  return sets;
}

// The command line that repeats a call, recorded in its report.
std::string command_line(const std::string& command, const std::vector<std::pair<std::string, std::string>>& flags,
                         const std::vector<std::string>& sets) {
  std::string line = command;
  for (const auto& [flag, value] : flags) line += " " + flag + (value.empty() ? "" : " " + value);
  for (const auto& s : sets) line += " --set " + s;
  return line;
}

// Sweep points run as `xbarguard run` processes: the CLI built or installed
// with this module, unless XBG_EXECUTABLE names another; else the one on PATH.
std::string cli_executable() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("XBG_EXECUTABLE"); env && *env) return env;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&cli_executable), &info) && info.dli_fname) {
    const fs::path dir = fs::weakly_canonical(info.dli_fname).parent_path();
    if (dir == fs::weakly_canonical(XBG_BUILD_PYTHON_DIR) && fs::exists(XBG_BUILD_CLI)) return XBG_BUILD_CLI;
    const fs::path installed = fs::weakly_canonical(dir / XBG_INSTALLED_CLI);
    if (fs::exists(installed)) return installed.string();
  }
  return "xbarguard";
}

py::array_t<int8_t> weights_array(const std::vector<BitVec>& columns, int m) {
  const ssize_t n = static_cast<ssize_t>(columns.size());
  py::array_t<int8_t> out({static_cast<ssize_t>(m), n});
  auto w = out.mutable_unchecked<2>();
  for (ssize_t k = 0; k < n; ++k)
    for (int i = 0; i < m; ++i) w(i, k) = columns[static_cast<size_t>(k)].get(i) ? 1 : -1;
  return out;
}

std::vector<BitVec> columns_from(const py::array_t<int8_t, py::array::c_style | py::array::forcecast>& a,
                                 const std::string& where) {
  if (a.ndim() != 2) throw UserError(where + ": expected a 2-D array (inputs x outputs)");
  const auto w = a.unchecked<2>();
  std::vector<BitVec> cols(static_cast<size_t>(w.shape(1)), BitVec(static_cast<int>(w.shape(0))));
  for (ssize_t k = 0; k < w.shape(1); ++k)
    for (ssize_t i = 0; i < w.shape(0); ++i) {
      if (w(i, k) != 1 && w(i, k) != -1)
        throw UserError(where + ": entry [" + std::to_string(i) + ", " + std::to_string(k) + "] is " +
                        std::to_string(w(i, k)) + ", expected +1 or -1");
      cols[static_cast<size_t>(k)].set(static_cast<int>(i), w(i, k) == 1);
    }
  return cols;
}

Network network_from_arrays(const std::vector<py::array_t<int8_t, py::array::c_style | py::array::forcecast>>& weights,
                            const std::vector<std::vector<int>>& thresholds,
                            const py::array_t<int8_t, py::array::c_style | py::array::forcecast>& classifier_weights,
                            const std::vector<double>& scale, const std::vector<double>& bias, double input_threshold,
                            const std::string& name, const std::string& dataset) {
  if (weights.size() != thresholds.size())
    throw UserError("thresholds: " + std::to_string(thresholds.size()) + " arrays for " + std::to_string(weights.size()) +
                    " weight matrices");
  Network net;
  net.name = name;
  net.dataset = dataset;
  net.input_threshold = input_threshold;
  for (size_t l = 0; l < weights.size(); ++l) {
    BinaryLayer layer;
    layer.columns = columns_from(weights[l], "weights[" + std::to_string(l) + "]");
    layer.m = static_cast<int>(weights[l].shape(0));
    layer.n = static_cast<int>(weights[l].shape(1));
    layer.thresholds = thresholds[l];
    net.hidden.push_back(std::move(layer));
  }
  net.classifier.columns = columns_from(classifier_weights, "classifier_weights");
  net.classifier.m = static_cast<int>(classifier_weights.shape(0));
  net.classifier.n = static_cast<int>(classifier_weights.shape(1));
  net.classifier.scale = scale;
  net.classifier.bias = bias;
  validate_network(net, "network_from_arrays");
  return net;
}

// Pixels in [0, 1] (binarized with the network's input threshold, as the
// datasets are) or booleans (+1 where true), one image per row.
std::vector<BitVec> images_from(const py::array& images, const Network& net) {
  if (images.ndim() != 2) throw UserError("images: expected a 2-D array (images x pixels)");
  if (images.shape(1) != net.input_size())
    throw UserError("images: " + std::to_string(images.shape(1)) + " pixels per image, the network takes " +
                    std::to_string(net.input_size()));
  std::vector<BitVec> out;
  if (images.dtype().kind() == 'b') {
    const auto b = py::array_t<bool, py::array::c_style | py::array::forcecast>(images).unchecked<2>();
    for (ssize_t r = 0; r < b.shape(0); ++r) {
      BitVec x(static_cast<int>(b.shape(1)));
      for (ssize_t c = 0; c < b.shape(1); ++c) x.set(static_cast<int>(c), b(r, c));
      out.push_back(std::move(x));
    }
    return out;
  }
  const auto f = py::array_t<float, py::array::c_style | py::array::forcecast>(images);
  for (ssize_t r = 0; r < f.shape(0); ++r) out.push_back(binarize(f.data(r, 0), static_cast<int>(f.shape(1)), net.input_threshold));
  return out;
}

py::array_t<int32_t> py_golden(const Network& net, const py::array& images) {
  const std::vector<BitVec> inputs = images_from(images, net);
  const GoldenEngine engine(net);
  py::array_t<int32_t> out(static_cast<ssize_t>(inputs.size()));
  auto p = out.mutable_unchecked<1>();
  for (size_t i = 0; i < inputs.size(); ++i) p(static_cast<ssize_t>(i)) = engine.predict(inputs[i]);
  return out;
}

py::tuple load_images(const std::string& name, const std::string& split, std::optional<int> limit) {
  if (split != "train" && split != "test") throw UserError("split: '" + split + "' is not train or test");
  if (limit && *limit < 1) throw UserError("limit: must be >= 1");
  const Dataset d = load_dataset(name);
  const ImageSet& set = split == "train" ? d.train : d.test;
  const int n = limit ? std::min(*limit, set.count()) : set.count();
  py::array_t<float> pixels({static_cast<ssize_t>(n), static_cast<ssize_t>(set.image_size())});
  std::copy(set.pixels.begin(), set.pixels.begin() + static_cast<std::ptrdiff_t>(n) * set.image_size(),
            pixels.mutable_data());
  py::array_t<uint8_t> labels(static_cast<ssize_t>(n));
  std::copy(set.labels.begin(), set.labels.begin() + n, labels.mutable_data());
  return py::make_tuple(pixels, labels);
}

Network py_protect(const Network& plain, const std::string& scheme, const std::optional<std::vector<int>>& layers,
                uint64_t key_seed, bool single_key) {
  std::vector<int> chosen;
  if (layers) chosen = *layers;
  else
    for (int l = 1; l <= static_cast<int>(plain.hidden.size()); ++l) chosen.push_back(l);
  const KeySource source = key_source_from_seed(key_seed);
  return protect_network(plain, parse_scheme(scheme), chosen, source.key, single_key, source.label);
}

py::object py_run(const std::optional<std::string>& config, const std::optional<py::dict>& overrides, bool no_key, int chips,
               const std::optional<uint64_t>& clone_chip, bool bypass_key_check, int security,
               const std::optional<std::string>& report, bool progress) {
  RunRequest q;
  q.config_path = config.value_or("");
  q.sets = sets_from(overrides);
  q.no_key = no_key;
  q.chips = chips;
  q.clone_chip_seed = clone_chip;
  q.bypass_key_check = bypass_key_check;
  q.security_k = security;
  q.report_path = report.value_or("");
  q.progress = progress;
  std::vector<std::pair<std::string, std::string>> flags;
  if (config) flags.push_back({"--config", *config});
  if (no_key) flags.push_back({"--no-key", ""});
  if (chips != 1) flags.push_back({"--chips", std::to_string(chips)});
  if (clone_chip) flags.push_back({"--clone-chip", std::to_string(*clone_chip)});
  if (bypass_key_check) flags.push_back({"--bypass-key-check", ""});
  if (security) flags.push_back({"--security", std::to_string(security)});
  if (report) flags.push_back({"--report", *report});
  q.command_line = command_line("run", flags, q.sets);
  RunReport result;
  {
    py::gil_scoped_release release;  // a long simulation should not hold other Python threads
    result = run_job(q);
  }
  const json j = run_report_json(result);
  write_report(q.report_path, j);
  return to_python(j);
}

py::object py_sweep(const std::string& spec, const std::optional<std::string>& out, const std::optional<int>& jobs,
                 const std::optional<py::dict>& overrides, const std::string& shard) {
  SweepRequest q;
  q.spec_path = spec;
  q.out_dir = out.value_or("");
  if (jobs && *jobs < 1) throw UserError("--jobs: must be >= 1");
  q.jobs = jobs.value_or(0);
  q.shard = shard;
  q.sets = sets_from(overrides);
  q.executable = cli_executable();
  std::vector<std::pair<std::string, std::string>> flags = {{"--spec", spec}};
  if (out) flags.push_back({"--out", *out});
  if (jobs) flags.push_back({"--jobs", std::to_string(*jobs)});
  if (shard != "1/1") flags.push_back({"--shard", shard});
  q.command_line = command_line("xbarguard sweep", flags, q.sets);
  q.progress_lines = false;
  const SweepJob job = prepare_sweep(q);
  sweep::SweepOutcome r;
  {
    py::gil_scoped_release release;
    r = sweep::run_sweep(job.spec, job.points, job.options);
  }
  if (r.interrupted)
    throw UserError("sweep interrupted: " + std::to_string(r.already_done + r.ran) + " of " + std::to_string(r.selected) +
                    " points done; run the same call again to resume");
  if (r.failed > 0)
    throw UserError(std::to_string(r.failed) + " point" + (r.failed == 1 ? "" : "s") + " failed (first: " + r.failures.front() +
                    "); run the same call again to retry them");
  return to_python(load_json_file((std::filesystem::path(job.options.out_dir) / "results.json").string()));
}

// str or list of str -> list (a scheme list or a layer set as --scheme / --layers take them).
std::vector<std::string> text_list(const py::object& v) {
  std::vector<std::string> out;
  if (v.is_none()) return out;
  if (py::isinstance<py::str>(v)) return {v.cast<std::string>()};
  for (const auto& item : v) {
    if (py::isinstance<py::str>(item)) {
      out.push_back(item.cast<std::string>());
    } else {  // a layer set given as a list of FC numbers
      std::string s;
      for (const auto& l : item) s += (s.empty() ? "" : ",") + std::to_string(l.cast<int>());
      out.push_back(s);
    }
  }
  return out;
}

py::object py_attack(const std::string& model, const std::string& method, const std::optional<std::string>& dataset,
                  const py::object& scheme, const py::object& layers, const std::optional<uint64_t>& key_seed,
                  bool single_key, const std::optional<py::dict>& settings, uint64_t seed,
                  const std::optional<int>& test_limit, const std::optional<std::string>& out_dir,
                  const std::optional<std::string>& report) {
  attack::CampaignRequest q;
  q.model_path = model;
  q.method = method;
  q.dataset = dataset.value_or("");
  q.schemes = text_list(scheme);
  q.layer_sets = text_list(layers);
  q.key_seed = key_seed;
  q.single_key = single_key;
  q.seed = seed;
  q.test_limit = test_limit;
  q.out_dir = out_dir.value_or("");
  // {field: value} of the method, as --set method.field=value.
  if (settings)
    for (const auto& [field, value] : *settings)
      q.sets.push_back(method + "." + py::str(field).cast<std::string>() + "=" + to_json_text(value));
  std::vector<std::pair<std::string, std::string>> flags = {{"--model", model}, {"--method", method}};
  if (dataset) flags.push_back({"--dataset", *dataset});
  for (const auto& s : q.schemes) flags.push_back({"--scheme", s});
  for (const auto& l : q.layer_sets) flags.push_back({"--layers", l});
  if (key_seed) flags.push_back({"--key-seed", std::to_string(*key_seed)});
  if (single_key) flags.push_back({"--single-key", ""});
  if (seed != 1) flags.push_back({"--seed", std::to_string(seed)});
  if (test_limit) flags.push_back({"--test-limit", std::to_string(*test_limit)});
  if (out_dir) flags.push_back({"--out-dir", *out_dir});
  if (report) flags.push_back({"--report", *report});
  q.command_line = command_line("attack", flags, q.sets);
  if (report) check_output_path(*report);
  const attack::Campaign campaign = attack::prepare_campaign(q);
  attack::CampaignResult result;
  {
    py::gil_scoped_release release;
    result = attack::run_campaign(campaign, q);
  }
  write_report(report.value_or(""), result.report);
  return to_python(result.report);
}

}  // namespace

PYBIND11_MODULE(xbarguard, m) {
  // Same as the CLI: no SystemC banner ahead of every result.
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
  m.doc() = "xbarguard: cycle-level simulator of a PUF-keyed RRAM crossbar BNN accelerator (docs/python.md)";
  m.attr("__version__") = version();
  m.attr("git_commit") = git_commit();

  py::register_exception<UserError>(m, "Error", PyExc_ValueError);

  py::class_<Network>(m, "Network", "A binarized network, plain or protected (stored W*, B*)")
      .def_readonly("name", &Network::name)
      .def_readonly("dataset", &Network::dataset)
      .def_readonly("input_threshold", &Network::input_threshold)
      .def_property_readonly("topology", &Network::topology)
      .def_property_readonly("is_protected", &Network::is_protected)
      .def_property_readonly("schemes",
                             [](const Network& n) {
                               std::vector<std::string> s;
                               for (const auto& l : n.hidden) s.push_back(l.scheme);
                               return s;
                             })
      .def_property_readonly(
          "weights",
          [](const Network& n) {
            py::list out;
            for (const auto& l : n.hidden) out.append(weights_array(l.columns, l.m));
            return out;
          },
          "hidden layers' W (or stored W*), each inputs x outputs of +1/-1 (int8)")
      .def_property_readonly(
          "thresholds",
          [](const Network& n) {
            py::list out;
            for (const auto& l : n.hidden) out.append(py::array_t<int32_t>(static_cast<ssize_t>(l.thresholds.size()), l.thresholds.data()));
            return out;
          },
          "hidden layers' B (or stored B*), int32")
      .def_property_readonly("classifier_weights", [](const Network& n) { return weights_array(n.classifier.columns, n.classifier.m); })
      .def_property_readonly("classifier_scale", [](const Network& n) { return py::array_t<double>(static_cast<ssize_t>(n.classifier.scale.size()), n.classifier.scale.data()); })
      .def_property_readonly("classifier_bias", [](const Network& n) { return py::array_t<double>(static_cast<ssize_t>(n.classifier.bias.size()), n.classifier.bias.data()); })
      .def("save", [](const Network& n, const std::string& path) { save_network(n, path); }, py::arg("path"),
           "write the model file (docs/formats.md)")
      .def("to_dict", [](const Network& n) { return to_python(network_to_json(n)); }, "the model file's JSON as a dict")
      .def("__repr__", [](const Network& n) {
        std::string t;
        for (int v : n.topology()) t += (t.empty() ? "" : "-") + std::to_string(v);
        return "<xbarguard.Network " + (n.name.empty() ? std::string("unnamed") : n.name) + " " + t +
               (n.is_protected() ? " protected>" : " plain>");
      });

  m.def("load_network", [](const std::string& path) { return load_network(resolve_path(path)); }, py::arg("path"),
        "a model file (plain or protected), as `xbarguard run --model` reads it");
  m.def("network_from_arrays", &network_from_arrays, py::arg("weights"), py::arg("thresholds"),
        py::arg("classifier_weights"), py::arg("classifier_scale"), py::arg("classifier_bias"),
        py::arg("input_threshold") = 0.5, py::arg("name") = "", py::arg("dataset") = "",
        "a plain network from numpy arrays: per hidden layer W (inputs x outputs, +1/-1) and B; the classifier's W, "
        "scale and bias");
  m.def("protect", &py_protect, py::arg("network"), py::arg("scheme"), py::arg("layers") = py::none(),
        py::arg("key_seed") = 1, py::arg("single_key") = false,
        "the protected network (stored W*, B*) for an offline key seed, as `xbarguard protect --key-seed`; layers: "
        "1-based FC numbers, default all hidden layers");
  m.def("schemes", &scheme_ids_by_code, "the protection scheme ids");
  m.def("golden", &py_golden, py::arg("network"), py::arg("images"),
        "bit-exact golden predictions (int32) of images: floats in [0, 1] binarized with the network's input threshold, "
        "or booleans (+1 where true), one image per row; a protected network runs its stored W*, B* without key");
  m.def("load_images", &load_images, py::arg("dataset"), py::arg("split") = "test", py::arg("limit") = py::none(),
        "(pixels float32 images x pixels in [0, 1], labels uint8) of mnist or fashion");
  m.def("run", &py_run, py::arg("config") = py::none(), py::arg("overrides") = py::none(), py::kw_only(),
        py::arg("no_key") = false, py::arg("chips") = 1, py::arg("clone_chip") = py::none(),
        py::arg("bypass_key_check") = false, py::arg("security") = 0, py::arg("report") = py::none(),
        py::arg("progress") = false,
        "`xbarguard run`: the same report as --report writes, as a dict; overrides: {config path: value}; "
        "security: K labelled images for the security battery (0: none)");
  m.def("sweep", &py_sweep, py::arg("spec"), py::arg("out") = py::none(), py::arg("jobs") = py::none(),
        py::arg("overrides") = py::none(), py::arg("shard") = "1/1",
        "`xbarguard sweep`: runs (or resumes) the spec's points and returns results.json as a dict");
  m.def("attack", &py_attack, py::arg("model"), py::arg("method"), py::kw_only(), py::arg("dataset") = py::none(),
        py::arg("scheme") = py::none(), py::arg("layers") = py::none(), py::arg("key_seed") = py::none(),
        py::arg("single_key") = false, py::arg("settings") = py::none(), py::arg("seed") = 1,
        py::arg("test_limit") = py::none(), py::arg("out_dir") = py::none(), py::arg("report") = py::none(),
        "`xbarguard attack`: the same report as --report writes, as a dict; settings: the method's fields "
        "(--set method.field=value); scheme, layers: plain model only");
  m.def(
      "attack_methods",
      [] {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& a : attack::attack_methods()) out.push_back({a.name, a.summary});
        return out;
      },
      "(name, summary) of every attack method");
}
