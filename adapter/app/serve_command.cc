// `serve` and `check-config`.

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "adapter/api/config_reader.h"
#include "adapter/api/health.h"
#include "adapter/api/http_server.h"
#include "adapter/api/log.h"
#include "adapter/api/router.h"
#include "adapter/app/commands.h"
#include "adapter/app/gateway_config.h"
#include "adapter/app/routes.h"
#include "adapter/routing/routing_config.h"
#include "adapter/security/clock.h"

namespace workwell::app {
namespace {

struct ServeFlags {
  std::optional<std::string> config_path;
  std::optional<uint16_t> port;
  std::optional<std::string> port_file;
};

// Parses "--name VALUE" and "--name=VALUE" flags. Returns false after writing to `err`.
bool ParseFlags(std::span<const std::string> args, bool allow_serve_flags, ServeFlags& flags,
                std::ostream& err) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const bool known = name == "--config" || (allow_serve_flags && (name == "--port" || name == "--port-file"));
    if (!known) {
      err << "workwell-gateway: unknown option '" << name << "'\n";
      return false;
    }
    if (!value.has_value()) {
      if (i + 1 >= args.size()) {
        err << "workwell-gateway: " << name << " needs a value\n";
        return false;
      }
      value = args[++i];
    }
    if (name == "--config") {
      flags.config_path = *value;
    } else if (name == "--port-file") {
      flags.port_file = *value;
    } else {
      uint64_t port = 0;
      if (!api::ParseUint(*value, port) || port > 65535) {
        err << "workwell-gateway: --port: expected an integer between 0 and 65535\n";
        return false;
      }
      flags.port = static_cast<uint16_t>(port);
    }
  }
  return true;
}

common::Result<GatewayConfig> LoadConfig(const ServeFlags& flags) {
  if (!flags.config_path.has_value()) return GatewayConfig{};
  return LoadGatewayConfig(*flags.config_path);
}

// Writes the port through a temporary file and a rename, so readers never see a partial file.
common::Status WritePortFile(const std::string& path, uint16_t port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    out.close();
    if (!out) return common::Unavailable(tmp + ": cannot write the port file");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return common::Unavailable(path + ": cannot rename the port file into place");
  }
  return common::Status::Ok();
}

// SIGHUP: loads the routing config anew and swaps it in; requests in flight finish with the old
// one. A config with errors is refused and the old one stays.
void ReloadRouting(const GatewayConfig& config, GatewayRuntime& runtime) {
  auto loaded = routing::LoadRoutingConfig(config.routing.dir);
  if (!loaded.ok()) {
    api::LogEvent("error", "routing_reload_refused", {{"dir", config.routing.dir}, {"error", loaded.status().message()}});
    return;
  }
  if (common::Status s = runtime.delivery->Reload(loaded.value()); !s.ok()) {
    api::LogEvent("error", "routing_reload_refused", {{"dir", config.routing.dir}, {"error", s.message()}});
    return;
  }
  runtime.routing->Set(loaded.value());
  api::LogEvent("info", "routing_reloaded", {{"dir", config.routing.dir}, {"icbs", int64_t(loaded.value()->icbs.size())}});
}

}  // namespace

std::string_view ServeUsage() {
  return "usage: workwell-gateway serve [--config FILE] [--port N] [--port-file FILE]\n"
         "  Runs the FHIR HTTP gateway until SIGINT or SIGTERM, then stops accepting, finishes\n"
         "  in-flight requests and deliveries and exits 0. SIGHUP reloads the routing config.\n"
         "  --config FILE     gateway config (see docs/API.md); built-in defaults without it\n"
         "  --port N          listen port, overriding the config; 0 picks a free port\n"
         "  --port-file FILE  after binding, write the actual port to FILE\n";
}

std::string_view CheckConfigUsage() {
  return "usage: workwell-gateway check-config --config FILE\n"
         "  Loads FILE exactly as serve would and prints every problem; exits 0 when it is valid.\n";
}

int RunCheckConfig(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  ServeFlags flags;
  if (!ParseFlags(args, /*allow_serve_flags=*/false, flags, err)) return kExitUsage;
  if (!flags.config_path.has_value()) {
    err << CheckConfigUsage();
    return kExitUsage;
  }
  const common::Result<GatewayConfig> config = LoadGatewayConfig(*flags.config_path);
  if (!config.ok()) {
    err << config.status().message() << "\n";
    return kExitFailure;
  }
  if (!config->security) {
    err << *flags.config_path << ": /security: required: name the authentication mode (\"required\" or \"disabled-insecure\")\n";
    return kExitFailure;
  }
  if (common::Status s = routing::CheckRoutingConfig(config->routing.dir); !s.ok()) {
    err << s.message() << "\n";
    return kExitFailure;
  }
  out << *flags.config_path << ": ok\n";
  return kExitOk;
}

int RunServe(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  ServeFlags flags;
  if (!ParseFlags(args, /*allow_serve_flags=*/true, flags, err)) return kExitUsage;
  common::Result<GatewayConfig> loaded = LoadConfig(flags);
  if (!loaded.ok()) {
    err << loaded.status().message() << "\n";
    return kExitFailure;
  }
  GatewayConfig config = std::move(loaded).value();
  if (flags.port.has_value()) config.server.port = *flags.port;

  // Block the shutdown signals before any thread starts, so every thread inherits the mask and
  // the signals are taken only by sigwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  if (!config.security) {
    err << "workwell-gateway: " << (flags.config_path ? *flags.config_path : std::string("the built-in config"))
        << ": /security: required: name the authentication mode, \"required\" with the registered clients, or "
           "\"disabled-insecure\" for local development (docs/SECURITY.md)\n";
    return kExitFailure;
  }
  api::Router router;
  api::Health health;
  GatewayRuntime runtime;
  if (common::Status s = RegisterRoutes(config, router, health, runtime); !s.ok()) {
    err << "workwell-gateway: " << s.ToString() << "\n";
    return kExitFailure;
  }
  // Authentication: the token route and the bearer authenticator, before the router freezes.
  static const security::SystemClock security_clock;
  auto security_runtime = api::SecurityRuntime::Create(*config.security, security_clock);
  if (!security_runtime.ok()) {
    err << "workwell-gateway: " << security_runtime.status().ToString() << "\n";
    return kExitFailure;
  }
  if (common::Status s = (*security_runtime)->Install(router); !s.ok()) {
    err << "workwell-gateway: " << s.ToString() << "\n";
    return kExitFailure;
  }
  // The debug switch for personal data in logs: off unless the environment says exactly "1".
  if (const char* v = std::getenv("WORKWELL_LOG_PERSONAL_DATA"); v != nullptr && std::string_view(v) == "1") {
    api::SetLogPersonalData(true);
    api::LogEvent("warning", "personal_data_logging",
                  {{"detail", "PERSONAL DATA IS LOGGED (WORKWELL_LOG_PERSONAL_DATA=1): NHS numbers and record values "
                              "appear in log lines unredacted; for debugging only"}});
  }
  if (config.security->authentication == api::SecurityConfig::Authentication::kDisabledInsecure) {
    api::LogEvent("warning", "authentication_disabled",
                  {{"detail", "AUTHENTICATION IS DISABLED (security.authentication = disabled-insecure): every caller "
                              "can read and write everything; for local development only"}});
  }
  api::HttpServer server(config.server, router);
  const common::Result<uint16_t> port = server.Start();
  if (!port.ok()) {
    err << "workwell-gateway: " << port.status().message() << "\n";
    return kExitFailure;
  }
  if (flags.port_file.has_value()) {
    if (common::Status s = WritePortFile(*flags.port_file, *port); !s.ok()) {
      err << "workwell-gateway: " << s.message() << "\n";
      server.Stop();
      return kExitFailure;
    }
  }
  const api::ServerConfig& effective = server.config();
  api::LogEvent("info", "listening",
                {{"address", effective.address},
                 {"port", int64_t{*port}},
                 {"ioThreads", int64_t{effective.io_threads}},
                 {"workerThreads", int64_t{effective.worker_threads}},
                 {"version", WORKWELL_VERSION}});
  runtime.delivery->Start();
  runtime.sweeper->Start();
  health.SetReady(true);

  int signal_number = 0;
  for (;;) {
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number != SIGHUP) break;
    ReloadRouting(config, runtime);
    if (config.server.tls) {
      if (common::Status s = server.ReloadTls(); !s.ok()) {
        api::LogEvent("error", "tls_reload_failed", {{"error", s.message()}});
      } else {
        api::LogEvent("info", "tls_reloaded", {});
      }
    }
  }
  api::LogEvent("info", "shutting_down", {{"signal", signal_number == SIGINT ? "SIGINT" : "SIGTERM"}});
  health.SetReady(false);
  server.Stop();
  runtime.sweeper->Stop();
  runtime.delivery->Stop(config.server.shutdown_timeout);
  api::LogEvent("info", "stopped", {});
  return kExitOk;
}

}  // namespace workwell::app
