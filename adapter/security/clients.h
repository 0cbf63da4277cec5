#pragma once
// Registered API clients: who they are (kind and the codes that bound their data), the keys
// their signed assertions are checked with, the scopes they may be granted and, for mutual TLS,
// the client certificate they must present. Plain data read from config; the data-scope checks
// (a GP system sees its practices only, ...) are done by the handlers that know the data.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/status.h"
#include "adapter/security/keys.h"
#include "adapter/security/scopes.h"

namespace workwell::security {

enum class ClientKind {
  kGpSystem,         // a GP practice system; bounded by its ODS practice codes
  kWorkwellService,  // a WorkWell service provider; bounded by its service ids
  kIcb,              // an Integrated Care Board; bounded by its ICB code
  kAuditor,          // read access for audit
  kOperator,         // the gateway's operators
};

// "gp-system", "workwell-service", "icb", "auditor", "operator".
std::string_view ClientKindName(ClientKind kind);
std::optional<ClientKind> ParseClientKind(std::string_view name);

// One client as registered in config. Immutable after start-up.
struct RegisteredClient {
  std::string id;  // the client_id: iss and sub of its assertions
  ClientKind kind = ClientKind::kOperator;
  std::vector<std::string> ods_practice_codes;  // gp-system
  std::vector<std::string> service_ids;         // workwell-service
  std::string icb_code;                         // icb
  std::vector<PublicKey> keys;                  // assertion verification keys
  std::vector<Scope> allowed_scopes;
  // Mutual TLS binding: when set, the client's TLS certificate must have this SHA-256
  // fingerprint (lower-case hex, no colons) and/or this subject (RFC 2253 form).
  std::string certificate_sha256;
  std::string certificate_subject;
};

// Checks one client's data: a non-empty id of at most 255 visible ASCII characters, at least one
// key and one scope, and the codes its kind needs (practice codes for gp-system, service ids for
// workwell-service, an ICB code for icb). InvalidArgument naming the problem.
common::Status ValidateClient(const RegisteredClient& client);

// Clients by id. Immutable after construction, so safe for concurrent reads.
class ClientRegistry {
 public:
  // InvalidArgument for an invalid client or a repeated id.
  static common::Result<ClientRegistry> Create(std::vector<RegisteredClient> clients);

  // The client with `id`, or nullptr. The pointer lives as long as the registry.
  const RegisteredClient* Find(std::string_view id) const;
  size_t size() const { return clients_.size(); }

 private:
  std::map<std::string, RegisteredClient, std::less<>> clients_;
};

}  // namespace workwell::security
