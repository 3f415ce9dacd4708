// Child processes for tests: started with a given environment and log file, killed with
// the test process if it dies (PR_SET_PDEATHSIG), stopped by the test that started them.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace storefront::testing {

struct ProcessOptions {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // added to (and overriding) the test's environment
  std::string log_path;                    // stdout and stderr go here
  std::optional<std::string> run_as_user;  // drop to this user when running as root
  bool new_process_group = true;
};

class Process {
 public:
  explicit Process(const ProcessOptions& options);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // Sends `signal`, waits up to `timeout`, then SIGKILLs. Returns the exit status as waitpid gives it.
  int Stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(15));

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

// A loopback TCP port that was free a moment ago, from 20000-32767: below the kernel's range for
// outgoing connections, so no client connection takes it before the process it is for binds it.
int FreePort();
// A new directory under /tmp readable by other users (PostgreSQL runs as `postgres`).
std::string MakeTempDir(const std::string& prefix);
void RemoveTree(const std::string& path);
std::string ReadFile(const std::string& path);
// Where the build put executables (the directory holding the running test binary).
std::string BinDir();

}  // namespace storefront::testing
