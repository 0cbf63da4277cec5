#include "adapter/api/security_config.h"

#include "adapter/api/token_route.h"
#include "adapter/security/keys.h"
#include "adapter/security/scopes.h"

namespace workwell::api {
namespace {

using security::ClientKind;

std::filesystem::path Resolve(const std::filesystem::path& base_dir, std::string_view name) {
  const std::filesystem::path p{std::string(name)};
  return p.is_absolute() || base_dir.empty() ? p : base_dir / p;
}

// "AB:CD:..." (as `openssl x509 -fingerprint -sha256` prints it) or "abcd..." to lower-case hex
// without colons; anything else is left for ValidateClient to refuse.
std::string NormaliseFingerprint(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ':') continue;
    out.push_back(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

// A required non-empty string member.
bool RequiredString(ConfigReader& reader, const json::Value& obj, std::string_view at, std::string_view key,
                    std::string& out) {
  if (obj.Find(key) == nullptr) {
    reader.Error(ConfigReader::Child(at, key), "is required");
    return false;
  }
  const size_t errors = reader.errors().size();
  reader.OptionalString(obj, at, key, out);
  return reader.errors().size() == errors;
}

// An optional array of non-empty strings.
void StringList(ConfigReader& reader, const json::Value& obj, std::string_view at, std::string_view key,
                std::vector<std::string>& out) {
  const json::Value* v = obj.Find(key);
  if (v == nullptr) return;
  const std::string where = ConfigReader::Child(at, key);
  if (!v->IsArray()) {
    reader.Error(where, "expected an array of strings");
    return;
  }
  size_t i = 0;
  for (const json::Value& item : v->items()) {
    if (!item.IsString() || item.text().empty()) {
      reader.Error(ConfigReader::Child(where, std::to_string(i)), "expected a non-empty string");
    } else {
      out.emplace_back(item.text());
    }
    ++i;
  }
}

// The token endpoint: an https URL (http only for loopback hosts); sets the path served.
void ReadTokenEndpoint(ConfigReader& reader, std::string_view at, SecurityConfig& c) {
  const std::string where = ConfigReader::Child(at, "tokenEndpoint");
  const std::string& url = c.token_endpoint;
  std::string_view rest;
  if (url.rfind("https://", 0) == 0) {
    rest = std::string_view(url).substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = std::string_view(url).substr(7);
    const std::string_view host = rest.substr(0, rest.find_first_of(":/"));
    if (host != "localhost" && host != "127.0.0.1" && host != "[::1]") {
      reader.Error(where, "must be an https:// URL (http:// only for localhost)");
      return;
    }
  } else {
    reader.Error(where, "must be an https:// URL");
    return;
  }
  const size_t slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos || rest.find_first_of("?# ") != std::string_view::npos) {
    reader.Error(where, "must be a URL with a host and a path, without query or fragment");
    return;
  }
  c.token_path = std::string(rest.substr(slash));
}

void ReadKeys(ConfigReader& reader, const json::Value& client, std::string_view at,
              const std::filesystem::path& base_dir, security::RegisteredClient& out) {
  const json::Value* inline_jwks = client.Find("jwks");
  const json::Value* jwks_file = client.Find("jwksFile");
  const json::Value* pem_file = client.Find("publicKeyPemFile");
  const int given = (inline_jwks != nullptr) + (jwks_file != nullptr) + (pem_file != nullptr);
  if (given != 1) {
    reader.Error(at, "needs exactly one of jwks, jwksFile, publicKeyPemFile");
    return;
  }
  if (inline_jwks != nullptr) {
    const std::string where = ConfigReader::Child(at, "jwks");
    if (!inline_jwks->IsObject()) {
      reader.Error(where, "expected a JWKS object {\"keys\":[...]}");
      return;
    }
    common::Result<std::vector<security::PublicKey>> keys = security::ParseJwks(json::Write(*inline_jwks));
    if (!keys.ok()) {
      reader.Error(where, keys.status().message());
      return;
    }
    out.keys = std::move(keys.value());
    return;
  }
  const bool is_jwks = jwks_file != nullptr;
  const std::string where = ConfigReader::Child(at, is_jwks ? "jwksFile" : "publicKeyPemFile");
  const json::Value* name = is_jwks ? jwks_file : pem_file;
  if (!name->IsString() || name->text().empty()) {
    reader.Error(where, "expected a non-empty string");
    return;
  }
  const std::filesystem::path path = Resolve(base_dir, name->text());
  if (is_jwks) {
    common::Result<std::vector<security::PublicKey>> keys = security::LoadJwksFile(path);
    if (!keys.ok()) {
      reader.Error(where, keys.status().message());
      return;
    }
    out.keys = std::move(keys.value());
  } else {
    common::Result<security::PublicKey> key = security::LoadPemPublicKeyFile(path);
    if (!key.ok()) {
      reader.Error(where, key.status().message());
      return;
    }
    out.keys.push_back(std::move(key.value()));
  }
}

void ReadClient(ConfigReader& reader, const json::Value& client, std::string_view at,
                const std::filesystem::path& base_dir, SecurityConfig& c) {
  if (!reader.ExpectObject(client, at,
                           {"id", "kind", "odsPracticeCodes", "serviceIds", "icbCode", "jwks", "jwksFile",
                            "publicKeyPemFile", "scopes", "certificateSha256", "certificateSubject"})) {
    return;
  }
  const size_t errors_before = reader.errors().size();
  security::RegisteredClient out;
  RequiredString(reader, client, at, "id", out.id);
  std::string kind;
  if (RequiredString(reader, client, at, "kind", kind)) {
    const std::optional<ClientKind> parsed = security::ParseClientKind(kind);
    if (!parsed.has_value()) {
      reader.Error(ConfigReader::Child(at, "kind"), "expected gp-system, workwell-service, icb, auditor or operator");
    } else {
      out.kind = *parsed;
    }
  }
  StringList(reader, client, at, "odsPracticeCodes", out.ods_practice_codes);
  StringList(reader, client, at, "serviceIds", out.service_ids);
  reader.OptionalString(client, at, "icbCode", out.icb_code);
  const bool has_codes = !out.ods_practice_codes.empty() || !out.service_ids.empty() || !out.icb_code.empty();
  const bool codes_fit =
      (out.kind == ClientKind::kGpSystem && out.service_ids.empty() && out.icb_code.empty()) ||
      (out.kind == ClientKind::kWorkwellService && out.ods_practice_codes.empty() && out.icb_code.empty()) ||
      (out.kind == ClientKind::kIcb && out.ods_practice_codes.empty() && out.service_ids.empty()) || !has_codes;
  if (!codes_fit) reader.Error(at, "has codes that do not belong to its kind");
  ReadKeys(reader, client, at, base_dir, out);
  std::vector<std::string> scopes;
  if (client.Find("scopes") == nullptr) reader.Error(ConfigReader::Child(at, "scopes"), "is required");
  StringList(reader, client, at, "scopes", scopes);
  for (size_t i = 0; i < scopes.size(); ++i) {
    common::Result<security::Scope> scope = security::ParseScope(scopes[i]);
    if (!scope.ok()) {
      reader.Error(ConfigReader::Child(ConfigReader::Child(at, "scopes"), std::to_string(i)), scope.status().message());
    } else {
      out.allowed_scopes.push_back(std::move(scope.value()));
    }
  }
  reader.OptionalString(client, at, "certificateSha256", out.certificate_sha256);
  out.certificate_sha256 = NormaliseFingerprint(out.certificate_sha256);
  reader.OptionalString(client, at, "certificateSubject", out.certificate_subject);
  if (reader.errors().size() != errors_before) return;
  if (common::Status s = security::ValidateClient(out); !s.ok()) {
    reader.Error(at, s.message());
    return;
  }
  for (const security::RegisteredClient& other : c.clients) {
    if (other.id == out.id) {
      reader.Error(ConfigReader::Child(at, "id"), "client " + out.id + " is registered twice");
      return;
    }
  }
  c.clients.push_back(std::move(out));
}

void ReadTls(ConfigReader& reader, const json::Value& tls, std::string_view at, const std::filesystem::path& base_dir,
             SecurityConfig& c) {
  if (!reader.ExpectObject(tls, at, {"certFile", "keyFile", "clientCaFile", "clientCertificate"})) return;
  const size_t errors_before = reader.errors().size();
  security::TlsSettings s;
  std::string cert, key, ca, mode = "none";
  RequiredString(reader, tls, at, "certFile", cert);
  RequiredString(reader, tls, at, "keyFile", key);
  reader.OptionalString(tls, at, "clientCaFile", ca);
  reader.OptionalString(tls, at, "clientCertificate", mode);
  const std::optional<security::ClientCertificateMode> parsed = security::ParseClientCertificateMode(mode);
  if (!parsed.has_value()) {
    reader.Error(ConfigReader::Child(at, "clientCertificate"), "expected none, optional or required");
  } else {
    s.client_certificate = *parsed;
    if (*parsed != security::ClientCertificateMode::kNone && ca.empty()) {
      reader.Error(ConfigReader::Child(at, "clientCaFile"), "is required when clientCertificate is " + mode);
    }
    if (*parsed == security::ClientCertificateMode::kNone && !ca.empty()) {
      reader.Error(ConfigReader::Child(at, "clientCaFile"),
                   "is only used when clientCertificate is optional or required");
    }
  }
  if (reader.errors().size() != errors_before) return;
  s.cert_file = Resolve(base_dir, cert);
  s.key_file = Resolve(base_dir, key);
  if (!ca.empty()) s.client_ca_file = Resolve(base_dir, ca);
  // Load once now so a bad file stops start-up with its name.
  if (auto context = security::MakeServerTlsContext(s); !context.ok()) {
    reader.Error(at, context.status().message());
    return;
  }
  c.tls = std::move(s);
}

}  // namespace

SecurityConfig ReadSecurityConfig(const json::Value& security, std::string_view pointer, ConfigReader& reader,
                                  const std::filesystem::path& base_dir) {
  SecurityConfig c;
  if (!reader.ExpectObject(security, pointer,
                           {"authentication", "tokenEndpoint", "tokenLifetimeSeconds", "assertionMaxLifetimeSeconds",
                            "clockLeewaySeconds", "clients", "tls"})) {
    return c;
  }
  std::string authentication;
  if (RequiredString(reader, security, pointer, "authentication", authentication)) {
    if (authentication == "required") {
      c.authentication = SecurityConfig::Authentication::kRequired;
    } else if (authentication == "disabled-insecure") {
      c.authentication = SecurityConfig::Authentication::kDisabledInsecure;
    } else {
      reader.Error(ConfigReader::Child(pointer, "authentication"), "expected \"required\" or \"disabled-insecure\"");
    }
  }
  const bool required = c.authentication == SecurityConfig::Authentication::kRequired;
  reader.OptionalString(security, pointer, "tokenEndpoint", c.token_endpoint);
  if (!c.token_endpoint.empty()) {
    ReadTokenEndpoint(reader, pointer, c);
  } else if (required) {
    reader.Error(ConfigReader::Child(pointer, "tokenEndpoint"), "is required when authentication is required");
  }
  uint64_t lifetime = static_cast<uint64_t>(c.token_lifetime_s);
  reader.OptionalUint(security, pointer, "tokenLifetimeSeconds", 1, 3600, lifetime);
  c.token_lifetime_s = static_cast<int64_t>(lifetime);
  uint64_t assertion_lifetime = static_cast<uint64_t>(c.assertion_max_lifetime_s);
  reader.OptionalUint(security, pointer, "assertionMaxLifetimeSeconds", 1, 300, assertion_lifetime);
  c.assertion_max_lifetime_s = static_cast<int64_t>(assertion_lifetime);
  uint64_t leeway = static_cast<uint64_t>(c.clock_leeway_s);
  reader.OptionalUint(security, pointer, "clockLeewaySeconds", 0, 120, leeway);
  c.clock_leeway_s = static_cast<int64_t>(leeway);

  if (const json::Value* clients = security.Find("clients")) {
    const std::string at = ConfigReader::Child(pointer, "clients");
    if (!clients->IsArray()) {
      reader.Error(at, "expected an array of clients");
    } else {
      size_t i = 0;
      for (const json::Value& client : clients->items())
        ReadClient(reader, client, ConfigReader::Child(at, std::to_string(i++)), base_dir, c);
    }
  }
  if (required && c.clients.empty() && reader.ok()) {
    reader.Error(ConfigReader::Child(pointer, "clients"),
                 "at least one client is required when authentication is required");
  }
  if (const json::Value* tls = security.Find("tls"))
    ReadTls(reader, *tls, ConfigReader::Child(pointer, "tls"), base_dir, c);
  return c;
}

SecurityRuntime::SecurityRuntime(const SecurityConfig& config, security::ClientRegistry registry,
                                 const security::Clock& clock)
    : authentication_(config.authentication),
      token_endpoint_(config.token_endpoint),
      token_path_(config.token_path),
      registry_(std::move(registry)) {
  security::AssertionPolicy policy;
  policy.audience = config.token_endpoint;
  policy.max_lifetime_s = config.assertion_max_lifetime_s;
  policy.leeway_s = config.clock_leeway_s;
  validator_ = std::make_unique<security::ClientAssertionValidator>(registry_, policy, clock, replay_);
  security::TokenPolicy token_policy;
  token_policy.lifetime_s = config.token_lifetime_s;
  tokens_ = std::make_unique<security::TokenService>(*validator_, clock, token_policy);
  authenticator_ = std::make_shared<BearerTokenAuthenticator>(*tokens_);
}

common::Result<std::unique_ptr<SecurityRuntime>> SecurityRuntime::Create(const SecurityConfig& config,
                                                                         const security::Clock& clock) {
  common::Result<security::ClientRegistry> registry = security::ClientRegistry::Create(config.clients);
  if (!registry.ok()) return registry.status();
  if (config.authentication == SecurityConfig::Authentication::kRequired &&
      (config.token_endpoint.empty() || config.token_path.empty() || registry->size() == 0)) {
    return common::InvalidArgument("authentication is required but no token endpoint or no client is configured");
  }
  return std::unique_ptr<SecurityRuntime>(new SecurityRuntime(config, std::move(registry.value()), clock));
}

common::Status SecurityRuntime::Install(Router& router) {
  if (authentication_ == SecurityConfig::Authentication::kDisabledInsecure) return common::Status::Ok();
  if (common::Status s = AddTokenRoute(router, *tokens_, token_path_); !s.ok()) return s;
  if (common::Status s = AddSmartConfigurationRoute(router, token_endpoint_); !s.ok()) return s;
  return router.SetAuthenticator(authenticator_);
}

}  // namespace workwell::api
