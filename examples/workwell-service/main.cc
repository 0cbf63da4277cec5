// workwell-service: a reference WorkWell service for trying the gateway's delivery by hand.
//   workwell-service [--address A] [--port N] [--fail-status S] [--fail-count K]
//                    [--delay-ms D] [--drop-count K] [--drop-after-process-count K]
// Prints "listening on <port>" and serves until SIGINT or SIGTERM. See workwell_service.h.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "examples/workwell-service/workwell_service.h"

int main(int argc, char** argv) {
  workwell::examples::Behaviour behaviour;
  std::string address = "127.0.0.1";
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "workwell-service: %s needs a value\n", flag.c_str());
      return 2;
    }
    const char* value = argv[++i];
    char* end = nullptr;
    long n = std::strtol(value, &end, 10);
    bool numeric = end != value && *end == '\0';
    if (flag == "--address") {
      address = value;
      continue;
    }
    if (!numeric) {
      std::fprintf(stderr, "workwell-service: %s needs a number\n", flag.c_str());
      return 2;
    }
    if (flag == "--port") {
      port = static_cast<int>(n);
    } else if (flag == "--fail-status") {
      behaviour.fail_status = static_cast<int>(n);
    } else if (flag == "--fail-count") {
      behaviour.fail_count = static_cast<int>(n);
    } else if (flag == "--delay-ms") {
      behaviour.delay_ms = static_cast<int>(n);
    } else if (flag == "--drop-count") {
      behaviour.drop_count = static_cast<int>(n);
    } else if (flag == "--drop-after-process-count") {
      behaviour.drop_after_process_count = static_cast<int>(n);
    } else {
      std::fprintf(stderr, "workwell-service: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (port < 0 || port > 65535) {
    std::fprintf(stderr, "workwell-service: bad port\n");
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // the server thread inherits the mask

  workwell::examples::WorkWellService service(behaviour);
  auto bound = service.Start(address, static_cast<uint16_t>(port));
  if (!bound.ok()) {
    std::fprintf(stderr, "workwell-service: %s\n", bound.status().ToString().c_str());
    return 1;
  }
  std::printf("listening on %u\n", static_cast<unsigned>(*bound));
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  service.Stop();
  return 0;
}
