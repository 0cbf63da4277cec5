#include "adapter/security/clients.h"

#include <algorithm>

namespace workwell::security {

std::string_view ClientKindName(ClientKind kind) {
  switch (kind) {
    case ClientKind::kGpSystem:
      return "gp-system";
    case ClientKind::kWorkwellService:
      return "workwell-service";
    case ClientKind::kIcb:
      return "icb";
    case ClientKind::kAuditor:
      return "auditor";
    case ClientKind::kOperator:
      return "operator";
  }
  return "unknown";
}

std::optional<ClientKind> ParseClientKind(std::string_view name) {
  for (ClientKind k : {ClientKind::kGpSystem, ClientKind::kWorkwellService, ClientKind::kIcb, ClientKind::kAuditor,
                       ClientKind::kOperator}) {
    if (ClientKindName(k) == name) return k;
  }
  return std::nullopt;
}

common::Status ValidateClient(const RegisteredClient& c) {
  if (c.id.empty() || c.id.size() > 255 ||
      !std::all_of(c.id.begin(), c.id.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; })) {
    return common::InvalidArgument("client id must be 1 to 255 visible ASCII characters");
  }
  const std::string who = "client " + c.id + ": ";
  if (c.keys.empty()) return common::InvalidArgument(who + "has no key");
  if (c.allowed_scopes.empty()) return common::InvalidArgument(who + "has no scope");
  if (c.kind == ClientKind::kGpSystem && c.ods_practice_codes.empty()) {
    return common::InvalidArgument(who + "a gp-system needs at least one ODS practice code");
  }
  if (c.kind == ClientKind::kWorkwellService && c.service_ids.empty()) {
    return common::InvalidArgument(who + "a workwell-service needs at least one service id");
  }
  if (c.kind == ClientKind::kIcb && c.icb_code.empty())
    return common::InvalidArgument(who + "an icb needs an ICB code");
  if (!c.certificate_sha256.empty() &&
      (c.certificate_sha256.size() != 64 ||
       !std::all_of(c.certificate_sha256.begin(), c.certificate_sha256.end(),
                    [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); }))) {
    return common::InvalidArgument(who + "certificate SHA-256 must be 64 lower-case hex digits");
  }
  return common::Status::Ok();
}

common::Result<ClientRegistry> ClientRegistry::Create(std::vector<RegisteredClient> clients) {
  ClientRegistry registry;
  for (RegisteredClient& c : clients) {
    if (common::Status s = ValidateClient(c); !s.ok()) return s;
    const std::string id = c.id;
    if (!registry.clients_.emplace(id, std::move(c)).second) {
      return common::InvalidArgument("client " + id + " is registered twice");
    }
  }
  return registry;
}

const RegisteredClient* ClientRegistry::Find(std::string_view id) const {
  const auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : &it->second;
}

}  // namespace workwell::security
