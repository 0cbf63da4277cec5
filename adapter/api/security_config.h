#pragma once
// The "security" section of config/gateway.json: authentication of API clients (signed-JWT
// client assertions exchanged for bearer tokens), the registered clients, and TLS for the
// listener. Strict like every config section (docs/API.md, docs/SECURITY.md). Secrets never go in
// the file: clients are registered with public keys (inline JWKS, a JWKS file or a PEM file),
// and the TLS private key is named by path.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/api/authenticator.h"
#include "adapter/api/config_reader.h"
#include "adapter/api/router.h"
#include "adapter/common/json/json.h"
#include "adapter/common/status.h"
#include "adapter/security/assertion.h"
#include "adapter/security/clients.h"
#include "adapter/security/clock.h"
#include "adapter/security/tls.h"
#include "adapter/security/token_service.h"

namespace workwell::api {

// Immutable once read.
struct SecurityConfig {
  enum class Authentication {
    kRequired,          // every non-public route needs a bearer token
    kDisabledInsecure,  // no authentication at all (development only; logged loudly by the app)
  };
  Authentication authentication = Authentication::kRequired;
  std::string token_endpoint;  // the token URL; client assertions must have it as "aud"
  std::string token_path;      // its path, where POST is served ("/token")
  int64_t token_lifetime_s = 300;
  int64_t assertion_max_lifetime_s = 300;
  int64_t clock_leeway_s = 30;
  std::vector<security::RegisteredClient> clients;
  std::optional<security::TlsSettings> tls;  // absent: plain HTTP
};

// Reads the "security" object found at `pointer`. Relative file names are resolved against
// `base_dir` (the config file's directory). Key files are read and every key checked, and the
// TLS files are loaded once, so a bad file is reported here naming it. Problems are recorded in
// `reader` (check reader.ok()); the result is only meaningful then.
SecurityConfig ReadSecurityConfig(const json::Value& security, std::string_view pointer, ConfigReader& reader,
                                  const std::filesystem::path& base_dir);

// Everything authentication needs at run time, built from the config: client registry, replay
// cache, assertion validator, token service and the bearer authenticator. Thread-safe once
// built; must outlive the router it is installed on and the server.
class SecurityRuntime {
 public:
  // InvalidArgument when the clients are inconsistent (see security::ClientRegistry::Create).
  static common::Result<std::unique_ptr<SecurityRuntime>> Create(const SecurityConfig& config,
                                                                 const security::Clock& clock);

  // With authentication "required": registers POST token_path and
  // GET /.well-known/smart-configuration, and installs the bearer authenticator on `router`
  // (before Start). With "disabled-insecure": does nothing.
  // Status as Router::Add / Router::SetAuthenticator.
  common::Status Install(Router& router);

  security::TokenService& tokens() { return *tokens_; }
  const security::ClientRegistry& clients() const { return registry_; }

 private:
  SecurityRuntime(const SecurityConfig& config, security::ClientRegistry registry, const security::Clock& clock);

  SecurityConfig::Authentication authentication_;
  std::string token_endpoint_;
  std::string token_path_;
  security::ClientRegistry registry_;
  security::ReplayCache replay_;
  std::unique_ptr<security::ClientAssertionValidator> validator_;
  std::unique_ptr<security::TokenService> tokens_;
  std::shared_ptr<const BearerTokenAuthenticator> authenticator_;
};

}  // namespace workwell::api
