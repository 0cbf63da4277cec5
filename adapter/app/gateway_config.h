#pragma once
// The gateway's config file (config/gateway.json), loaded strictly: unknown keys, wrong types and
// out-of-range values are errors naming the file and the JSON pointer. The binary refuses to start
// on any of them. Sections: "server" (api::ServerConfig), "store" (StoreSettings) and
// "translate" (TranslateSettings). See docs/API.md.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapter/api/security_config.h"
#include "adapter/api/server_config.h"
#include "adapter/common/status.h"
#include "adapter/store/open_store.h"

namespace workwell::app {

// The "store" section. The PostgreSQL connection string never appears in the file: the file names
// the environment variable that holds it.
struct StoreSettings {
  std::string backend = "sqlite";  // "sqlite" or "postgres"
  std::string data_dir = "./data";  // sqlite: directory of workwell.db, relative to the working directory
  std::string dsn_env;              // postgres: NAME of the environment variable holding the libpq DSN
  std::string schema = "public";    // postgres: the schema holding the tables
  uint64_t pool_size = 4;           // pooled connections
};

// The "translate" section: where POST /$translate finds its mapping files.
struct TranslateSettings {
  std::string mappings_dir = WORKWELL_SOURCE_DIR "/mappings";
  // The directory the mappings' examples and schemas are relative to.
  std::string root_dir = WORKWELL_SOURCE_DIR;
};

// The "routing" section: where the ICB directory and decision table live (docs/ROUTING.md).
struct RoutingSettings {
  std::string dir = WORKWELL_SOURCE_DIR "/config/routing";
};

// The "delivery" section: the outbox dispatcher that sends routed cases to WorkWell services.
struct DeliverySettings {
  bool enabled = true;                            // false: cases are queued but not sent
  std::string public_base_url = "http://127.0.0.1:8080";  // the FHIR base the services see
  uint64_t poll_ms = 500;                         // outbox poll when it was empty
  uint64_t max_in_flight = 32;                    // claimed and unfinished, over all services
  uint64_t request_timeout_ms = 30000;            // one delivery attempt
  uint64_t max_attempts = 8;                      // then the message is dead-lettered
  uint64_t initial_backoff_ms = 1000;             // first retry delay, doubled each time
  uint64_t max_backoff_ms = 300000;
  uint64_t threads = 2;                           // outbound HTTP client threads
  // Who this gateway is in the outbox (claims). Stable across restarts, so a restarted gateway
  // takes back at once what it held when it stopped; unique among gateways sharing a database.
  // Empty: "gateway@<host name>".
  std::string worker_id;
  // Outbound TLS (https:// service endpoints; peers are always verified): a PEM CA bundle
  // instead of the system's, and the gateway's client certificate and key for mutual TLS.
  std::string ca_file;
  std::string client_certificate_file;
  std::string client_key_file;
};

// The "plans" section: the Stay in Work plan lifecycle (docs/STAYINWORK.md).
struct PlanSettings {
  uint64_t employer_deadline_days = 14;  // then the SSP fallback
  uint64_t max_support_weeks_in_work = 8;
  uint64_t max_support_weeks_seeking_work = 16;
  uint64_t sweep_interval_ms = 3600000;  // how often time-driven events (deadline, period end) are checked
};

// Everything the config file configures. Immutable once loaded.
// Limits on the FHIR JSON in request bodies (the body size itself is server.maxBodyBytes).
struct FhirSettings {
  uint64_t max_depth = 100;           // nesting of objects and arrays
  uint64_t max_array_items = 100000;  // items in one array (e.g. Bundle entries)
};

struct GatewayConfig {
  api::ServerConfig server;
  FhirSettings fhir;
  StoreSettings store;
  TranslateSettings translate;
  RoutingSettings routing;
  DeliverySettings delivery;
  PlanSettings plans;
  // The "security" section (docs/SECURITY.md). serve refuses to start without it: the
  // authentication mode must be named, "required" or, explicitly, "disabled-insecure".
  std::optional<api::SecurityConfig> security;
};

// Parses config text; `source` names it in messages. InvalidArgument lists every problem, one
// per line, as "<source>: <pointer>: <message>".
common::Result<GatewayConfig> ParseGatewayConfig(std::string_view text, std::string_view source);

// Reads and parses the file at `path`. NotFound when it cannot be read; otherwise as
// ParseGatewayConfig with the path as source.
common::Result<GatewayConfig> LoadGatewayConfig(const std::string& path);

// The store::StoreConfig for `settings`, reading the PostgreSQL DSN from the environment variable
// the settings name. FailedPrecondition when that variable is unset or empty. Reads the
// environment: call at start-up only.
common::Result<store::StoreConfig> ResolveStoreConfig(const StoreSettings& settings);

}  // namespace workwell::app
