#pragma once
// The case intake behind POST /$submit: a GP system's fit note or referral record (any format the
// translator reads, or a FHIR Bundle) becomes a stored case. One call translates and validates the
// record, decides where the case goes (routing::DecisionEngine), and then, in ONE store
// transaction, writes the case's resources (patients, practitioners and organisations matched by
// identifier rather than duplicated), a Task that records the decision and tracks the referral,
// and, for a routed case, the BaRS request message in the delivery outbox. Only after that commit
// does the sender get its 2xx, so anything accepted reaches its WorkWell service even if the
// process stops at once. The same record sent again (same source system and record id) finds its
// Task and changes nothing: no second case, no second delivery. docs/ROUTING.md describes it.
//
// Thread-safe: Submit may run on many worker threads at once; it blocks on the store.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/delivery/bars_message.h"
#include "adapter/mapping/engine/translator.h"
#include "adapter/routing/decision_engine.h"
#include "adapter/routing/routing_config.h"
#include "adapter/store/store.h"

namespace workwell::cases {

inline constexpr std::string_view kCaseIdentifierSystem = "https://fhir.workwell.nhs.uk/Id/case";

// The routing config in force. A reload (SIGHUP) swaps in a new one; a call that already holds
// the old one finishes with it. Thread-safe.
class RoutingConfigHolder {
 public:
  explicit RoutingConfigHolder(std::shared_ptr<const routing::RoutingConfig> config) : config_(std::move(config)) {}
  std::shared_ptr<const routing::RoutingConfig> Get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return config_;
  }
  void Set(std::shared_ptr<const routing::RoutingConfig> config) {
    std::lock_guard<std::mutex> lock(mutex_);
    config_ = std::move(config);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const routing::RoutingConfig> config_;
};

struct IntakeOptions {
  // MessageHeader.source of the messages the gateway sends: its own $process-message endpoint.
  delivery::MessageEndpoint gateway{"WorkWell gateway", "http://127.0.0.1:8080/$process-message"};
  // The FHIR base the gateway serves its stored resources under (no trailing slash); message
  // entries carry <base>/<Type>/<id> so receivers can read them back.
  std::string fhir_base_url = "http://127.0.0.1:8080";
};

// What POST /$submit answers.
struct IntakeAnswer {
  // 201 a new case; 200 the record was already received (its case is unchanged); 400 unknown
  // format; 415 the format cannot be told; 422 the record cannot become valid FHIR or lacks an
  // identity; 500 the gateway could not build a valid message; 503 the store failed.
  int status = 500;
  std::string body;      // an OperationOutcome
  std::string location;  // "Task/<id>" for 200 and 201
};

class CaseIntake {
 public:
  using InstantClock = std::function<std::string()>;  // the current FHIR instant

  CaseIntake(std::shared_ptr<const mapping::Translator> translator, std::shared_ptr<store::Store> store,
             std::shared_ptr<const RoutingConfigHolder> routing, routing::DateClock today, InstantClock now,
             IntakeOptions options);

  // Submits one record: `format_param` or the Content-Type choose the format as for $translate.
  // `practices`, when given, are the GP practices (ODS codes) the sending client is registered
  // for: a record from any other practice is refused (403) and nothing is stored.
  IntakeAnswer Submit(std::string_view content_type, std::string_view format_param, std::string_view body,
                      const std::vector<std::string>* practices = nullptr) const;

 private:
  std::shared_ptr<const mapping::Translator> translator_;
  std::shared_ptr<store::Store> store_;
  std::shared_ptr<const RoutingConfigHolder> routing_;
  routing::DateClock today_;
  InstantClock now_;
  IntakeOptions options_;
};

// The Task id of the case with `case_key` ("<source system>/<record id>"): stable, so a
// resubmission finds it.
std::string TaskIdForCase(std::string_view case_key);

// The Task status for a routing outcome: requested (route), on-hold (waiting for a GP referral),
// cancelled (no referral: self-certification, no consent, store only, not routable).
std::string_view TaskStatusFor(routing::Outcome outcome);

}  // namespace workwell::cases
