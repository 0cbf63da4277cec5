#include "adapter/app/gateway_config.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapter/api/config_reader.h"
#include "adapter/common/json/json.h"

namespace workwell::app {
namespace {

// True for a portable environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool IsEnvName(std::string_view s) {
  if (s.empty() || (s.front() >= '0' && s.front() <= '9')) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

StoreSettings ReadStoreSettings(const json::Value& section, const std::string& pointer, api::ConfigReader& reader) {
  StoreSettings s;
  if (!reader.ExpectObject(section, pointer, {"backend", "dataDir", "poolSize", "postgres"})) return s;
  reader.OptionalString(section, pointer, "backend", s.backend);
  if (s.backend != "sqlite" && s.backend != "postgres") {
    reader.Error(api::ConfigReader::Child(pointer, "backend"), "expected \"sqlite\" or \"postgres\"");
  }
  reader.OptionalString(section, pointer, "dataDir", s.data_dir);
  reader.OptionalUint(section, pointer, "poolSize", 1, 256, s.pool_size);
  const json::Value* pg = section.Find("postgres");
  const std::string pg_at = api::ConfigReader::Child(pointer, "postgres");
  if (pg != nullptr && reader.ExpectObject(*pg, pg_at, {"dsnEnv", "schema"})) {
    reader.OptionalString(*pg, pg_at, "dsnEnv", s.dsn_env);
    reader.OptionalString(*pg, pg_at, "schema", s.schema);
    if (!s.dsn_env.empty() && !IsEnvName(s.dsn_env)) {
      reader.Error(api::ConfigReader::Child(pg_at, "dsnEnv"),
                   "expected the NAME of an environment variable ([A-Za-z_][A-Za-z0-9_]*); the connection "
                   "string itself must not be written in the config file");
    }
  }
  if (s.backend == "postgres" && s.dsn_env.empty() && (pg == nullptr || pg->IsObject())) {
    reader.Error(pg_at + "/dsnEnv", "required when /store/backend is \"postgres\"");
  }
  return s;
}

TranslateSettings ReadTranslateSettings(const json::Value& section, const std::string& pointer,
                                        api::ConfigReader& reader) {
  TranslateSettings t;
  if (!reader.ExpectObject(section, pointer, {"mappingsDir", "rootDir"})) return t;
  reader.OptionalString(section, pointer, "mappingsDir", t.mappings_dir);
  reader.OptionalString(section, pointer, "rootDir", t.root_dir);
  return t;
}

FhirSettings ReadFhirSettings(const json::Value& section, const std::string& pointer, api::ConfigReader& reader) {
  FhirSettings f;
  if (!reader.ExpectObject(section, pointer, {"limits"})) return f;
  if (const json::Value* limits = section.Find("limits")) {
    const std::string at = api::ConfigReader::Child(pointer, "limits");
    if (reader.ExpectObject(*limits, at, {"maxDepth", "maxArrayItems"})) {
      reader.OptionalUint(*limits, at, "maxDepth", 8, 1000, f.max_depth);
      reader.OptionalUint(*limits, at, "maxArrayItems", 1, 10000000, f.max_array_items);
    }
  }
  return f;
}

RoutingSettings ReadRoutingSettings(const json::Value& section, const std::string& pointer, api::ConfigReader& reader) {
  RoutingSettings r;
  if (!reader.ExpectObject(section, pointer, {"dir"})) return r;
  reader.OptionalString(section, pointer, "dir", r.dir);
  return r;
}

DeliverySettings ReadDeliverySettings(const json::Value& section, const std::string& pointer,
                                      api::ConfigReader& reader) {
  DeliverySettings d;
  if (!reader.ExpectObject(section, pointer,
                           {"enabled", "publicBaseUrl", "pollMs", "maxInFlight", "requestTimeoutMs", "maxAttempts",
                            "initialBackoffMs", "maxBackoffMs", "threads", "tls", "workerId"})) {
    return d;
  }
  if (const json::Value* enabled = section.Find("enabled")) {
    if (!enabled->IsBool()) {
      reader.Error(api::ConfigReader::Child(pointer, "enabled"), "expected true or false");
    } else {
      d.enabled = enabled->AsBool();
    }
  }
  reader.OptionalString(section, pointer, "publicBaseUrl", d.public_base_url);
  if (!d.public_base_url.starts_with("http://") && !d.public_base_url.starts_with("https://")) {
    reader.Error(api::ConfigReader::Child(pointer, "publicBaseUrl"), "expected an http:// or https:// URL");
  }
  while (!d.public_base_url.empty() && d.public_base_url.back() == '/') d.public_base_url.pop_back();
  reader.OptionalUint(section, pointer, "pollMs", 10, 60000, d.poll_ms);
  reader.OptionalUint(section, pointer, "maxInFlight", 1, 1024, d.max_in_flight);
  reader.OptionalUint(section, pointer, "requestTimeoutMs", 100, 600000, d.request_timeout_ms);
  reader.OptionalUint(section, pointer, "maxAttempts", 1, 100, d.max_attempts);
  reader.OptionalUint(section, pointer, "initialBackoffMs", 1, 3600000, d.initial_backoff_ms);
  reader.OptionalUint(section, pointer, "maxBackoffMs", 1, 86400000, d.max_backoff_ms);
  reader.OptionalUint(section, pointer, "threads", 1, 64, d.threads);
  reader.OptionalString(section, pointer, "workerId", d.worker_id);
  if (const json::Value* tls = section.Find("tls")) {
    const std::string at = api::ConfigReader::Child(pointer, "tls");
    if (reader.ExpectObject(*tls, at, {"caFile", "clientCertificateFile", "clientKeyFile"})) {
      reader.OptionalString(*tls, at, "caFile", d.ca_file);
      reader.OptionalString(*tls, at, "clientCertificateFile", d.client_certificate_file);
      reader.OptionalString(*tls, at, "clientKeyFile", d.client_key_file);
      if (d.client_certificate_file.empty() != d.client_key_file.empty()) {
        reader.Error(at, "clientCertificateFile and clientKeyFile come together");
      }
      for (const auto& [key, path] : {std::pair<const char*, const std::string*>{"caFile", &d.ca_file},
                                      {"clientCertificateFile", &d.client_certificate_file},
                                      {"clientKeyFile", &d.client_key_file}}) {
        if (!path->empty() && !std::ifstream(*path).good()) {
          reader.Error(api::ConfigReader::Child(at, key), "cannot read " + *path);
        }
      }
    }
  }
  return d;
}

PlanSettings ReadPlanSettings(const json::Value& section, const std::string& pointer, api::ConfigReader& reader) {
  PlanSettings p;
  if (!reader.ExpectObject(section, pointer,
                           {"employerDeadlineDays", "maxSupportWeeksInWork", "maxSupportWeeksSeekingWork",
                            "sweepIntervalMs"})) {
    return p;
  }
  reader.OptionalUint(section, pointer, "employerDeadlineDays", 1, 365, p.employer_deadline_days);
  reader.OptionalUint(section, pointer, "maxSupportWeeksInWork", 1, 104, p.max_support_weeks_in_work);
  reader.OptionalUint(section, pointer, "maxSupportWeeksSeekingWork", 1, 104, p.max_support_weeks_seeking_work);
  reader.OptionalUint(section, pointer, "sweepIntervalMs", 100, 86400000, p.sweep_interval_ms);
  return p;
}

}  // namespace

common::Result<GatewayConfig> ParseGatewayConfig(std::string_view text, std::string_view source) {
  json::Document doc;
  json::ParseError error;
  json::Limits limits;
  limits.max_bytes = 1 << 20;
  limits.max_depth = 20;
  if (!json::Parse(text, limits, doc, error)) {
    std::string pointer;
    for (const std::string& key : error.path) pointer = api::ConfigReader::Child(pointer, key);
    return common::InvalidArgument(std::string(source) + ": " + (pointer.empty() ? "/" : pointer) +
                                   ": invalid JSON at byte " + std::to_string(error.offset) + ": " +
                                   error.message);
  }
  api::ConfigReader reader{std::string(source)};
  GatewayConfig config;
  if (reader.ExpectObject(doc.root(), "", {"server", "fhir", "store", "translate", "routing", "delivery", "plans", "security"})) {
    if (const json::Value* fhir = doc.root().Find("fhir")) {
      config.fhir = ReadFhirSettings(*fhir, "/fhir", reader);
    }
    if (const json::Value* server = doc.root().Find("server")) {
      config.server = api::ReadServerConfig(*server, "/server", reader);
    }
    if (const json::Value* store = doc.root().Find("store")) {
      config.store = ReadStoreSettings(*store, "/store", reader);
    }
    if (const json::Value* translate = doc.root().Find("translate")) {
      config.translate = ReadTranslateSettings(*translate, "/translate", reader);
    }
    if (const json::Value* routing = doc.root().Find("routing")) {
      config.routing = ReadRoutingSettings(*routing, "/routing", reader);
    }
    if (const json::Value* delivery = doc.root().Find("delivery")) {
      config.delivery = ReadDeliverySettings(*delivery, "/delivery", reader);
    }
    if (const json::Value* plans = doc.root().Find("plans")) {
      config.plans = ReadPlanSettings(*plans, "/plans", reader);
    }
    if (const json::Value* security = doc.root().Find("security")) {
      config.security = api::ReadSecurityConfig(*security, "/security", reader,
                                                std::filesystem::path(std::string(source)).parent_path());
      if (config.security->tls) config.server.tls = config.security->tls;  // HTTPS only from here on
    }
  }
  if (!reader.ok()) return reader.status();
  return config;
}

common::Result<GatewayConfig> LoadGatewayConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::NotFound(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return common::NotFound(path + ": cannot read");
  return ParseGatewayConfig(text.str(), path);
}

common::Result<store::StoreConfig> ResolveStoreConfig(const StoreSettings& settings) {
  store::StoreConfig config;
  config.backend = settings.backend;
  config.data_dir = settings.data_dir;
  config.postgres_schema = settings.schema;
  config.options.pool_size = static_cast<size_t>(settings.pool_size);
  if (settings.backend == "postgres") {
    const char* dsn = std::getenv(settings.dsn_env.c_str());
    if (dsn == nullptr || *dsn == '\0') {
      return common::FailedPrecondition("store: the environment variable " + settings.dsn_env +
                                        " (named by /store/postgres/dsnEnv) is not set");
    }
    config.postgres_dsn = dsn;
  }
  return config;
}

}  // namespace workwell::app
