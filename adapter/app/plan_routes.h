#pragma once
// Stay in Work plans over HTTP (docs/API.md, docs/STAYINWORK.md):
//   POST /$process-message                          a WorkWell service's message (a proposed plan)
//   POST /CarePlan/[id]/$agree                      a party's agreement (Parameters)
//   POST /CarePlan/[id]/$withdraw-agreement         a party withdraws (Parameters)
//   POST /CarePlan/[id]/$employer-cannot-adjust     the employer cannot make the adjustments: SSP fallback
// and the sweeper that applies the time-driven events (employer deadline, end of the period).

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "adapter/api/router.h"
#include "adapter/cases/plan_service.h"
#include "adapter/common/status.h"

namespace workwell::app {

inline constexpr std::string_view kProcessMessageDefinition =
    "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message";

// Registers the routes above over `plans`. Status as for api::Router::Add.
common::Status AddPlanRoutes(api::Router& router, std::shared_ptr<const cases::PlanService> plans);

// Runs PlanService::Sweep on its own thread every `interval`, and once at start. Stop() (or the
// destructor) ends it.
class PlanSweeper {
 public:
  PlanSweeper(std::shared_ptr<const cases::PlanService> plans, std::chrono::milliseconds interval);
  ~PlanSweeper();
  void Start();
  void Stop();

 private:
  std::shared_ptr<const cases::PlanService> plans_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace workwell::app
