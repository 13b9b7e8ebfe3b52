#include "app/cli.h"

#include <iostream>
#include <stdexcept>

#include "core/common/error.h"
#include "core/protection/protect_network.h"

namespace xbg::cli {

std::vector<Command>& commands() {
  static std::vector<Command> registry;  // function-local: safe across static initialisation order
  return registry;
}

Registrar::Registrar(std::string name, std::string summary, std::function<int(int, char**)> run) {
  commands().push_back({std::move(name), std::move(summary), std::move(run)});
}

namespace {

bool is_unsigned_option(const po::option_description& d) {
  const po::value_semantic* s = d.semantic().get();
  return dynamic_cast<const po::typed_value<unsigned>*>(s) || dynamic_cast<const po::typed_value<unsigned long>*>(s) ||
         dynamic_cast<const po::typed_value<unsigned long long>*>(s);
}

// Boost reads unsigned options with lexical_cast, which takes "-1" as 2^64-1
// (strtoul's rule); a seed or count given as -1 is a mistake, not a huge number.
void refuse_negative_unsigned(const po::parsed_options& parsed, const po::options_description& opts) {
  for (const auto& o : parsed.options) {
    const po::option_description* d = o.string_key.empty() ? nullptr : opts.find_nothrow(o.string_key, false);
    if (!d || !is_unsigned_option(*d)) continue;
    for (const auto& v : o.value) {
      const auto first = v.find_first_not_of(" \t");
      if (first != std::string::npos && v[first] == '-')
        throw UserError("--" + o.string_key + ": must be >= 0, got " + v);
    }
  }
}

}  // namespace

bool parse(int argc, char** argv, const std::string& usage, po::options_description& opts, po::variables_map& vm,
           const po::positional_options_description* pos) {
  opts.add_options()("help,h", "show this help");
  try {
    po::command_line_parser parser(argc, argv);
    parser.options(opts);
    // No guessing: "--epoch" must not silently mean "--epochs".
    parser.style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing);
    if (pos) parser.positional(*pos);
    const po::parsed_options parsed = parser.run();
    refuse_negative_unsigned(parsed, opts);
    po::store(parsed, vm);
    if (vm.count("help")) {
      std::cout << "usage: xbarguard " << usage << "\n\n" << opts << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UserError(std::string(argv[0]) + ": " + e.what() + " (see xbarguard " + argv[0] + " --help)");
  }
  return true;
}

void add_common_options(po::options_description& opts, CommonOptions& common, bool with_config) {
  if (with_config) opts.add_options()("config,c", po::value(&common.config_path), "JSON config file (see configs/README.md)");
  opts.add_options()
      ("set", po::value(&common.sets)->composing(), "override a config field: path.to.field=value (repeatable)")
      ("report", po::value(&common.report_path), "write a JSON report to this file");
}

std::string command_line(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

std::vector<int> parse_layers(const std::string& text, int hidden_layers) {
  return parse_layer_list(text, hidden_layers);
}

}  // namespace xbg::cli
