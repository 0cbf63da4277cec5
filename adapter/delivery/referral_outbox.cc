#include "adapter/delivery/referral_outbox.h"

#include <map>

namespace workwell::delivery {

common::Result<store::OutboxMessage> MakeReferralMessage(const routing::Service& service,
                                                         const ReferralCase& referral) {
  if (referral.case_key.empty()) return common::InvalidArgument("a referral needs a case key");
  BarsRequest request;
  request.message_id = StableUuid("case/" + referral.case_key + "/" + referral.reason);
  request.timestamp = referral.timestamp;
  request.reason = referral.reason;
  request.source = referral.source;
  request.destination = {service.name, service.endpoint};
  request.sender_organization_id = referral.sender_organization_id;
  request.receiver_organization_id = referral.receiver_organization_id;
  request.resources = referral.resources;
  request.full_url_base = referral.full_url_base;
  common::Result<std::string> bundle = BuildBarsRequest(request);
  if (!bundle.ok()) return bundle.status();
  Envelope envelope;
  envelope.message_id = request.message_id;
  envelope.bundle = std::move(bundle).value();
  envelope.headers.correlation_id = request.message_id;
  envelope.headers.target_system = service.identifier_system;
  envelope.headers.target_value = service.identifier_value;
  envelope.headers.end_user_organisation = referral.end_user_organisation;
  envelope.headers.requesting_software = referral.requesting_software;
  store::OutboxMessage message;
  message.destination = service.id;
  message.payload = WriteEnvelope(envelope);
  message.key = referral.case_key;
  return message;
}

common::Result<DestinationResolver> MakeDestinationResolver(std::shared_ptr<const routing::RoutingConfig> config,
                                                             const EnvReader& env, std::vector<std::string>* held) {
  auto destinations = std::make_shared<std::map<std::string, Destination>>();
  std::string missing;
  for (const auto& [code, icb] : config->icbs) {
    for (const routing::Service& service : icb.services) {
      Destination d;
      d.url = service.endpoint;
      if (!d.url.empty() && d.url.back() == '/') d.url.pop_back();
      d.url += "/$process-message";
      d.max_concurrency = static_cast<size_t>(service.max_concurrency);
      if (!service.credential_env.empty()) {
        const char* token = env(service.credential_env.c_str());
        if (token == nullptr || *token == '\0') {
          const std::string what = service.id + " (" + service.credential_env + ")";
          if (held == nullptr) {
            missing += (missing.empty() ? "" : ", ") + what;
            continue;
          }
          held->push_back(what);
          d.held = true;
          d.hold_reason = "held: the credential variable " + service.credential_env + " is not set";
          destinations->emplace(service.id, std::move(d));
          continue;
        }
        d.extra_headers.emplace_back("Authorization", std::string("Bearer ") + token);
      }
      destinations->emplace(service.id, std::move(d));
    }
  }
  if (!missing.empty()) {
    return common::FailedPrecondition("credential environment variables unset for: " + missing);
  }
  return DestinationResolver([destinations](const std::string& id) -> std::optional<Destination> {
    auto it = destinations->find(id);
    if (it == destinations->end()) return std::nullopt;
    return it->second;
  });
}

}  // namespace workwell::delivery
