#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include <unistd.h>

#include "tests/fuzz/fuzz_target.h"

namespace xbg::fuzz {

namespace fs = std::filesystem;

namespace {

std::map<std::string, TargetFn>& registry() {
  static std::map<std::string, TargetFn> r;
  return r;
}

struct Scratch {
  std::string path;
  Scratch() {
    std::string templ = (fs::temp_directory_path() / "xbg_fuzz_XXXXXX").string();
    if (!mkdtemp(templ.data())) throw std::runtime_error("cannot create a scratch folder in " + templ);
    path = templ;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

bool register_target(const char* name, TargetFn fn) {
  registry()[name] = fn;
  return true;
}

TargetFn find_target(const std::string& name) {
  const auto it = registry().find(name);
  return it == registry().end() ? nullptr : it->second;
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : registry()) names.push_back(name);
  return names;
}

std::vector<std::string> split_parts(const uint8_t* data, size_t size) {
  const std::string all(reinterpret_cast<const char*>(data), size), sep = kPartSeparator;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t at = all.find(sep, start);
    if (at == std::string::npos) break;
    parts.push_back(all.substr(start, at - start));
    start = at + sep.size();
  }
  parts.push_back(all.substr(start));
  return parts;
}

std::string scratch_dir() {
  static Scratch s;
  return s.path;
}

std::string write_scratch(const std::string& name, const std::string& bytes) {
  const fs::path p = fs::path(scratch_dir()) / name;
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + p.string());
  return p.string();
}

}  // namespace xbg::fuzz
