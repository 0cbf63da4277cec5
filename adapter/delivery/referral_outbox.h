#pragma once
// The seam between routing and delivery: turns a routing decision's service into an outbox
// message (written in the same transaction as the case), and the routing config's services
// into the dispatcher's destinations.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/common/status.h"
#include "adapter/delivery/bars_message.h"
#include "adapter/delivery/outbox_dispatcher.h"
#include "adapter/routing/routing_config.h"
#include "adapter/store/store.h"

namespace workwell::delivery {

// What the gateway knows about a routed case beyond the service it goes to.
struct ReferralCase {
  std::string case_key;   // stable for the case (e.g. the ServiceRequest id): the message id derives from it
  std::string timestamp;  // FHIR instant from the caller's clock
  std::string reason = "new";
  MessageEndpoint source;                 // the gateway's own $process-message endpoint
  std::string sender_organization_id;     // among `resources`
  std::string receiver_organization_id;   // among `resources`
  std::vector<const json::Value*> resources;
  std::string full_url_base;              // as BarsRequest::full_url_base
  std::string end_user_organisation;      // Organization JSON for NHSD-End-User-Organisation
  std::string requesting_software;        // Device JSON for NHSD-Requesting-Software
};

// The outbox message that delivers `referral` to `service`: destination = service id, payload =
// the envelope of the BaRS request (message id StableUuid("case/" + case_key + "/" + reason)),
// key = case_key. InvalidArgument as for BuildBarsRequest.
common::Result<store::OutboxMessage> MakeReferralMessage(const routing::Service& service, const ReferralCase& referral);

// Reads an environment variable by name; nullptr when unset.
using EnvReader = std::function<const char*(const char*)>;

// A DestinationResolver over `config`'s services: url = endpoint + "/$process-message",
// max_concurrency from the service, and "Authorization: Bearer <token>" when the service names
// a credential env var that is set. The environment is read here, once (call at start-up).
// A service whose credential variable is unset or empty: with `held` null, FailedPrecondition
// naming every such service; otherwise its destination is held (Destination::held, so its
// messages wait in the outbox instead of being sent without credentials) and "<service>
// (<variable>)" is appended to `held`.
common::Result<DestinationResolver> MakeDestinationResolver(std::shared_ptr<const routing::RoutingConfig> config,
                                                             const EnvReader& env,
                                                             std::vector<std::string>* held = nullptr);

}  // namespace workwell::delivery
