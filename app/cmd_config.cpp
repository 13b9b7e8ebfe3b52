// xbarguard config: the simulator's configuration, documented from the config
// structs themselves so configs/README.md can never drift from the code.
#include <iostream>
#include <string>

#include "app/cli.h"
#include "core/common/config.h"
#include "core/common/paths.h"
#include "core/sim/sim_config.h"

namespace {

int run(int argc, char** argv) {
  namespace po = xbg::cli::po;
  xbg::cli::CommonOptions common;
  bool doc = false, dump = false, check = false;
  po::options_description opts("config options");
  opts.add_options()
      ("doc", po::bool_switch(&doc), "print the Markdown table of every field (path, type, default, range, meaning)")
      ("dump", po::bool_switch(&dump), "print the effective config (defaults + --config + --set) as JSON (the default action)")
      ("check", po::bool_switch(&check), "only load and validate --config / --set; print 'ok'");
  xbg::cli::add_common_options(opts, common);
  po::variables_map vm;
  if (!xbg::cli::parse(argc, argv, "config [--doc | --dump | --check] [--config FILE] [--set path=value ...]", opts, vm))
    return 0;
  if (doc + dump + check > 1) throw xbg::UserError("config: give one of --doc, --dump, --check");
  if (!common.report_path.empty()) throw xbg::UserError("config: --report is not used by this command");
  if (doc) {
    xbg::ConfigDocumenter d;
    xbg::SimConfig defaults;
    defaults.visit(d);
    std::cout << "| field | type | default | range | meaning |\n|---|---|---|---|---|\n";
    for (const auto& line : d.lines) std::cout << line << "\n";
    return 0;
  }
  const std::string path = common.config_path.empty() ? "" : xbg::resolve_path(common.config_path);
  const xbg::SimConfig cfg = xbg::load_sim_config(path, common.sets);
  if (check) std::cout << "ok\n";
  else std::cout << xbg::dump_config(cfg).dump(2) << "\n";
  return 0;
}

xbg::cli::Registrar reg("config", "print the effective simulator config (--dump) or document every field (--doc)", &run);

}  // namespace
