#pragma once
// The authenticated caller of a request, as handlers see it.

#include <string>
#include <string_view>
#include <vector>

#include "adapter/security/clients.h"
#include "adapter/security/scopes.h"

namespace workwell::security {

// Who made a request and what they were granted. Plain data, copied onto each request.
struct Principal {
  std::string client_id;
  ClientKind kind = ClientKind::kOperator;
  std::vector<Scope> scopes;                    // granted with the token
  std::vector<std::string> ods_practice_codes;  // gp-system
  std::vector<std::string> service_ids;         // workwell-service
  std::string icb_code;                         // icb
  std::string certificate_sha256;               // the mTLS binding of the client, "" when none
  std::string certificate_subject;

  bool Allows(std::string_view type, Permission p) const { return ScopesAllow(scopes, type, p); }
};

}  // namespace workwell::security
