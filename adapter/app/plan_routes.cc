#include "adapter/app/plan_routes.h"

#include <string>
#include <utility>

#include "adapter/api/log.h"

namespace workwell::app {
namespace {

// Data scope: a WorkWell service client works on the cases routed to its services only.
const std::vector<std::string>* ServicesOf(const api::Request& req) {
  if (req.principal && req.principal->kind == security::ClientKind::kWorkwellService) return &req.principal->service_ids;
  return nullptr;
}

api::Response ToResponse(cases::PlanAnswer answer) {
  api::Response r = api::Response::Resource(answer.status, std::move(answer.body));
  if (!answer.location.empty()) r.headers.emplace_back("Content-Location", answer.location);
  if (!answer.etag.empty()) r.headers.emplace_back("ETag", answer.etag);
  return r;
}

common::Status AddPlanOperation(api::Router& router, std::shared_ptr<const cases::PlanService> plans,
                                std::string operation, std::string documentation) {
  api::Route route;
  route.method = "POST";
  route.pattern = "/CarePlan/[id]/$" + operation;
  route.resource_types = {"CarePlan"};
  route.permission = security::Permission::kUpdate;  // system/CarePlan.write (or .u)
  route.capability = api::Capability::Operation(operation, "https://fhir.workwell.nhs.uk/OperationDefinition/" + operation);
  route.capability.documentation = std::move(documentation);
  route.handler = [plans, operation](const api::Request& req) {
    return ToResponse(plans->Apply(req.PathParam("id"), operation, req.body, req.Header("if-match").value_or(""),
                                   ServicesOf(req)));
  };
  return router.Add(std::move(route));
}

}  // namespace

common::Status AddPlanRoutes(api::Router& router, std::shared_ptr<const cases::PlanService> plans) {
  {
    api::Route route;
    route.method = "POST";
    route.pattern = "/$process-message";
    route.scope_type = "CarePlan";  // WorkWell services: system/CarePlan.write (or .c)
    route.permission = security::Permission::kCreate;
    route.capability = api::Capability::Operation("process-message", std::string(kProcessMessageDefinition));
    route.capability.documentation =
        "WorkWell services send a proposed Stay in Work plan (event stay-in-work-plan-proposed) as a message Bundle";
    route.handler = [plans](const api::Request& req) { return ToResponse(plans->ProcessMessage(req.body, ServicesOf(req))); };
    if (common::Status s = router.Add(std::move(route)); !s.ok()) return s;
  }
  if (common::Status s = AddPlanOperation(router, plans, "agree",
                                          "Records a party's agreement (party, agreedBy, dateTime, method); the plan "
                                          "becomes active when every required party has agreed");
      !s.ok()) {
    return s;
  }
  if (common::Status s = AddPlanOperation(router, plans, "withdraw-agreement",
                                          "A party withdraws its agreement (party): an active plan goes on hold");
      !s.ok()) {
    return s;
  }
  return AddPlanOperation(router, plans, "employer-cannot-adjust",
                          "The employer cannot make the adjustments (reason): the Statutory Sick Pay fallback");
}

PlanSweeper::PlanSweeper(std::shared_ptr<const cases::PlanService> plans, std::chrono::milliseconds interval)
    : plans_(std::move(plans)), interval_(interval) {}

PlanSweeper::~PlanSweeper() { Stop(); }

void PlanSweeper::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      lock.unlock();
      const cases::SweepResult r = plans_->Sweep();
      if (r.completed_or_revoked + r.ssp_fallbacks + r.failures > 0) {
        api::LogEvent(r.failures > 0 ? "error" : "info", "plan_sweep",
                      {{"checked", int64_t{r.plans_checked}},
                       {"periodEnded", int64_t{r.completed_or_revoked}},
                       {"sspFallbacks", int64_t{r.ssp_fallbacks}},
                       {"failures", int64_t{r.failures}}});
        for (const std::string& e : r.errors) api::LogEvent("error", "plan_sweep_failure", {{"detail", e}});
      }
      lock.lock();
      wake_.wait_for(lock, interval_, [this] { return stop_; });
    }
  });
}

void PlanSweeper::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace workwell::app
