#include "core/common/output_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/common/error.h"

namespace xbg {

namespace fs = std::filesystem;

namespace {

// Unique among the threads and processes of one machine (sweep workers write side by side).
std::string temp_suffix() {
  static std::atomic<unsigned> counter{0};
  return ".tmp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

std::string reason() { return errno ? std::strerror(errno) : "I/O error"; }

}  // namespace

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw UserError("(empty file name): cannot write");
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(path_, ec);
  if (fs::is_directory(st)) throw UserError(path_ + ": cannot write: is a folder");
  in_place_ = fs::exists(st) && !fs::is_regular_file(st);
  const fs::path target(path_);
  const std::string name = target.filename().string();
  if (in_place_) {
    temp_ = (fs::temp_directory_path(ec) / ("xbarguard-" + (name.empty() ? std::string("out") : name) + temp_suffix())).string();
  } else {
    if (name.empty() || name == "." || name == "..") throw UserError(path_ + ": cannot write: not a file name");
    temp_ = (target.parent_path() / ("." + name + temp_suffix())).string();
  }
  errno = 0;
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    const std::string why = reason();
    const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!in_place_ && !fs::is_directory(dir, ec)) throw UserError(path_ + ": cannot write: folder " + dir.string() + " does not exist");
    throw UserError(path_ + ": cannot write: " + why);
  }
}

OutputFile::~OutputFile() {
  if (committed_) return;
  out_.close();
  std::error_code ec;
  fs::remove(temp_, ec);
}

void OutputFile::fail(const std::string& what) {
  out_.close();
  std::error_code ec;
  fs::remove(temp_, ec);
  committed_ = true;  // nothing left to clean up
  throw UserError(path_ + ": write failed: " + what);
}

void OutputFile::commit() {
  errno = 0;
  out_.flush();
  if (!out_) fail(reason());
  out_.close();
  if (out_.fail()) fail(reason());
  std::error_code ec;
  if (in_place_) {
    std::ifstream in(temp_, std::ios::binary);
    std::ofstream target(path_, std::ios::binary | std::ios::trunc);
    if (!in || !target) fail(reason());
    char buf[1 << 16];
    errno = 0;
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      target.write(buf, in.gcount());
      if (!target) fail(reason());
    }
    target.flush();
    if (!target) fail(reason());
    target.close();
    if (target.fail()) fail(reason());
    fs::remove(temp_, ec);
  } else {
    // A replaced file keeps its permissions.
    const fs::file_status old = fs::status(path_, ec);
    if (!ec && fs::is_regular_file(old)) fs::permissions(temp_, old.permissions(), ec);
    ec.clear();
    fs::rename(temp_, path_, ec);
    if (ec) fail("cannot rename " + temp_ + ": " + ec.message());
  }
  committed_ = true;
}

void write_file_atomic(const std::string& path, const std::string& text) {
  OutputFile f(path);
  f.stream() << text;
  f.commit();
}

void check_output_path(const std::string& path) { OutputFile probe(path); }

ScratchFile::ScratchFile(const std::string& target, const std::string& suffix) {
  OutputFile probe(target);  // checks the folder; its temporary name is free and unique
  path_ = probe.temp_path() + suffix;
}

ScratchFile::~ScratchFile() {
  std::error_code ec;
  fs::remove(path_, ec);
}

bool png_complete(const std::string& path) {
  static const char kSignature[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
  static const char kIend[8] = {'I', 'E', 'N', 'D', '\xae', '\x42', '\x60', '\x82'};
  std::ifstream in(path, std::ios::binary);
  char head[8], tail[8];
  if (!in.read(head, 8) || std::memcmp(head, kSignature, 8) != 0) return false;
  if (!in.seekg(-8, std::ios::end) || !in.read(tail, 8)) return false;
  return std::memcmp(tail, kIend, 8) == 0;
}

}  // namespace xbg
