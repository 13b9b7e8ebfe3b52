#include "core/sweep/runner.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <map>
#include <stdexcept>

extern char** environ;

namespace xbg::sweep {

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct SignalGuard {
  struct sigaction old_int{}, old_term{};
  SignalGuard() {
    g_stop = 0;
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: waitpid must return EINTR so the loop sees the flag
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
  }
};

std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& x : extra) replaced |= x.substr(0, x.find('=')) == name;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// fork + exec rather than posix_spawn, for the one thing posix_spawn cannot
// do: PR_SET_PDEATHSIG, so a worker gets SIGKILL when the sweep dies, even by
// kill -9, and no orphaned run keeps a core busy or writes into the folder.
// Returns 0 and the pid, or the errno of the failed start (exec failures come
// back through a close-on-exec pipe).
int start_child(const std::vector<char*>& argv, const std::vector<char*>& envp, const std::string& log_path, pid_t& pid) {
  int status_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) != 0) return errno;
  const pid_t parent = getpid();
  pid = fork();
  if (pid < 0) {
    const int err = errno;
    close(status_pipe[0]);
    close(status_pipe[1]);
    return err;
  }
  if (pid == 0) {  // only async-signal-safe calls from here to exec
    auto fail = [&](int err) {
      ssize_t ignored = write(status_pipe[1], &err, sizeof err);
      (void)ignored;
      _exit(127);
    };
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(errno);
    if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    const int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, STDIN_FILENO) < 0) fail(errno);
    if (in > STDERR_FILENO) close(in);
    if (!log_path.empty()) {
      const int out = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (out < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0) fail(errno);
      if (out > STDERR_FILENO) close(out);
    }
    execve(argv[0], argv.data(), envp.data());
    fail(errno);
  }
  close(status_pipe[1]);
  int err = 0;
  ssize_t n;
  do n = read(status_pipe[0], &err, sizeof err);
  while (n < 0 && errno == EINTR);
  close(status_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof err)) {
    waitpid(pid, nullptr, 0);
    return err;
  }
  return 0;
}

}  // namespace

std::string self_executable() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error("cannot read /proc/self/exe");
  return std::string(buf, static_cast<size_t>(n));
}

int online_cores() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

bool run_jobs(const std::vector<Job>& jobs, const RunJobsOptions& options) {
  using clock = std::chrono::steady_clock;
  const int parallel = options.parallel < 1 ? 1 : options.parallel;
  std::vector<std::string> env_strings = child_environment(options.env);
  std::vector<char*> envp = c_strings(env_strings);
  SignalGuard guard;

  struct Running {
    size_t job;
    clock::time_point start;
  };
  std::map<pid_t, Running> running;
  size_t next = 0;
  bool stopped = false;
  auto report = [&](JobResult r) {
    if (options.on_done) options.on_done(r);
  };

  while (true) {
    while (!g_stop && next < jobs.size() && static_cast<int>(running.size()) < parallel) {
      const Job& job = jobs[next];
      std::vector<std::string> args = job.argv;
      std::vector<char*> argv = c_strings(args);
      pid_t pid = 0;
      const auto start = clock::now();
      const int rc = start_child(argv, envp, job.log_path, pid);
      if (rc != 0) {
        JobResult r;
        r.job = next;
        r.spawn_error = std::strerror(rc);
        report(r);
      } else {
        running[pid] = {next, start};
      }
      ++next;
    }
    if (running.empty()) break;
    if (g_stop && !stopped) {
      for (const auto& [child, _] : running) kill(child, SIGTERM);
      stopped = true;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: nothing left to wait for
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;  // not ours
    JobResult r;
    r.job = it->second.job;
    r.seconds = std::chrono::duration<double>(clock::now() - it->second.start).count();
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    running.erase(it);
    report(r);
  }
  return !g_stop;
}

}  // namespace xbg::sweep
