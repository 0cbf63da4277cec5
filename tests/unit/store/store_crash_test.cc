// Kills a writing process with SIGKILL mid-load and checks that every write it reported as
// committed is readable afterwards, and (SQLite) that the database file is sound.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/unit/store/store_fixture.h"

namespace workwell::store {
namespace {

class CrashTest : public StoreTest {
 protected:
  // Starts the writer with stdout on a pipe; returns its pid and the pipe's read end.
  pid_t StartWriter(int& read_fd) {
    std::vector<std::string> args = {WORKWELL_CRASH_WRITER};
    if (GetParam() == Backend::kSqlite) {
      args.insert(args.end(), {"sqlite", dir_, "4"});
    } else {
      args.insert(args.end(), {"postgres", PgDsn(), schema_, "4"});
    }
    int fds[2];
    if (pipe(fds) != 0) return -1;
    const pid_t pid = fork();
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    read_fd = fds[0];
    return pid;
  }

  // Reads whole lines from `fd` into `ids` until `want` are read, EOF, or the deadline.
  static void ReadIds(int fd, size_t want, std::chrono::steady_clock::time_point deadline, std::string& partial,
                      std::vector<std::string>& ids) {
    char buf[4096];
    while (ids.size() < want && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) return;
      partial.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = partial.find('\n')) != std::string::npos) {
        ids.push_back(partial.substr(0, nl));
        partial.erase(0, nl + 1);
      }
    }
  }
};

TEST_P(CrashTest, EveryAcknowledgedWriteSurvivesSigkill) {
  store_.reset();  // the writer owns the database while it runs
  int fd = -1;
  const pid_t pid = StartWriter(fd);
  ASSERT_GT(pid, 0);
  std::vector<std::string> ids;
  std::string partial;
  ReadIds(fd, 300, std::chrono::steady_clock::now() + std::chrono::seconds(60), partial, ids);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the writer exited early: " << status;
  // Lines written before the kill are still in the pipe.
  ReadIds(fd, SIZE_MAX, std::chrono::steady_clock::now() + std::chrono::seconds(5), partial, ids);
  close(fd);
  ASSERT_GE(ids.size(), 300u) << "the writer did not get going";

  if (GetParam() == Backend::kSqlite) {
    auto check = sqlite::IntegrityCheck((std::filesystem::path(dir_) / "workwell.db").string());
    ASSERT_TRUE(check.ok()) << check.status().ToString();
    EXPECT_EQ(*check, "ok");
  }
  auto reopened = Open();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  size_t missing = 0;
  for (const std::string& id : ids) {
    auto read = (*reopened)->Read("Patient", id);
    if (!read.ok()) {
      ++missing;
      ADD_FAILURE() << id << ": " << read.status().ToString();
    }
  }
  EXPECT_EQ(missing, 0u) << "of " << ids.size() << " acknowledged writes";
  // The store still takes writes after the crash.
  json::Document doc = Json(R"({"resourceType":"Patient"})");
  EXPECT_TRUE((*reopened)->Create(doc.root()).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace workwell::store
