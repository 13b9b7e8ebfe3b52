#pragma once
// Every file the tool writes goes through OutputFile, so a failed write (full
// disk, /dev/full, a folder that vanished) is a UserError naming the file and
// the final name never holds a half-written file: the bytes go to a temporary
// file in the same folder, which is flushed, checked and renamed over the
// target only when complete. Targets that are not regular files (/dev/stdout,
// /dev/null, pipes, symbolic links) cannot be replaced by a rename; they are
// written in place from the checked temporary file, which then lives in the
// system's temporary folder.
#include <fstream>
#include <string>

namespace xbg {

class OutputFile {
 public:
  // UserError if the temporary file cannot be created (e.g. the folder does not exist).
  explicit OutputFile(std::string path);
  ~OutputFile();  // removes the temporary file unless commit() ran
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::ostream& stream() { return out_; }
  // For writers that take a file name (gnuplot, SystemC's tracer): they write
  // here, and commit() checks and moves what they wrote. Close stream() first
  // by not using it.
  const std::string& temp_path() const { return temp_; }
  const std::string& path() const { return path_; }
  // Flushes and checks the stream, then moves the temporary file to path().
  // UserError "<path>: write failed: <reason>" on any failure.
  void commit();

 private:
  [[noreturn]] void fail(const std::string& what);
  std::string path_, temp_;
  bool in_place_ = false;  // target is not a regular file: copy into it
  bool committed_ = false;
  std::ofstream out_;
};

// The whole of `text` to `path`, or a UserError and `path` untouched.
void write_file_atomic(const std::string& path, const std::string& text);

// UserError now, before a long run, if `path` could not be written at its end;
// `path` itself is not touched.
void check_output_path(const std::string& path);

// A file name where OutputFile(target) would put its temporary file, plus
// `suffix`, for writers that produce an intermediate file (SystemC's VCD
// tracer); the file is removed when this goes out of scope.
class ScratchFile {
 public:
  ScratchFile(const std::string& target, const std::string& suffix);
  ~ScratchFile();
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// True if `path` holds a PNG that ends in its IEND chunk: a plotter that ran
// out of disk leaves a file without one.
bool png_complete(const std::string& path);

}  // namespace xbg
