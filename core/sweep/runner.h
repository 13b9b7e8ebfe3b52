#pragma once
// A small process pool: runs command lines as child processes (fork + exec),
// at most `parallel` at a time, each with stdout and stderr in its own log
// file. Sweep points run this way because the SystemC kernel is one
// single-threaded global per process. Every child gets SIGKILL when the
// thread that started it dies (PR_SET_PDEATHSIG): a killed sweep leaves no
// workers behind.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace xbg::sweep {

struct Job {
  std::vector<std::string> argv;  // argv[0] is the executable path
  std::string log_path;           // stdout + stderr; empty: inherit
};

struct JobResult {
  size_t job = 0;         // index into the jobs vector
  int exit_code = -1;     // -1 if killed by a signal or never started
  int signal = 0;         // the signal that ended it, else 0
  double seconds = 0.0;   // spawn to exit
  std::string spawn_error;  // set if the process could not be started
  bool ok() const { return exit_code == 0 && spawn_error.empty(); }
};

struct RunJobsOptions {
  int parallel = 1;
  // Extra environment entries for the children ("NAME=value"); they replace
  // inherited entries of the same name.
  std::vector<std::string> env;
  std::function<void(const JobResult&)> on_done;  // called in the caller's thread
};

// Runs every job unless SIGINT or SIGTERM arrives: then no new job starts,
// running children get SIGTERM and are waited for, and the function returns
// false. Signal handlers are restored before returning.
bool run_jobs(const std::vector<Job>& jobs, const RunJobsOptions& options);

// The running executable (readlink /proc/self/exe).
std::string self_executable();
// Number of online cores (>= 1).
int online_cores();

}  // namespace xbg::sweep
