#pragma once
// Shared pieces of every xbarguard subcommand: option parsing with --help,
// one-line errors, and the common --config/--set/--report options.
#include <functional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace xbg::cli {

namespace po = boost::program_options;

struct Command {
  std::string name;
  std::string summary;  // one line for `xbarguard --help`
  std::function<int(int argc, char** argv)> run;  // argv[0] is the subcommand name
};

// The registry; each subcommand file adds itself via a static Registrar.
std::vector<Command>& commands();
struct Registrar {
  Registrar(std::string name, std::string summary, std::function<int(int, char**)> run);
};

// Parses argv against `opts` (adds --help). Returns false if --help was
// printed (the caller returns 0). Unknown flags and bad values throw UserError.
bool parse(int argc, char** argv, const std::string& usage, po::options_description& opts,
           po::variables_map& vm, const po::positional_options_description* pos = nullptr);

// --config FILE, --set path=value (repeatable), --report FILE.json
struct CommonOptions {
  std::string config_path;
  std::vector<std::string> sets;
  std::string report_path;
};
void add_common_options(po::options_description& opts, CommonOptions& common, bool with_config = true);

// The subcommand's arguments as one line, as reports record them ("run --config c.json").
std::string command_line(int argc, char** argv);

// --layers "1,2,3" or "all" (every one of `hidden_layers`) -> 1-based FC numbers.
std::vector<int> parse_layers(const std::string& text, int hidden_layers);

}  // namespace xbg::cli
