#pragma once
// Liveness and readiness. GET /healthz answers 200 while the process serves requests at all;
// GET /readyz answers 200 only when the ready flag is set and every registered check passes,
// else 503. Both are plain JSON (not FHIR resources) for load balancers and orchestrators.

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "adapter/api/router.h"
#include "adapter/common/status.h"

namespace workwell::api {

// A readiness check: ok when the dependency (database, profiles, ...) can serve.
using ReadinessCheck = std::function<common::Status()>;

// Holds the ready flag and the checks. Thread-safe; must outlive the routes added by AddRoutes.
class Health {
 public:
  // Sets or clears the ready flag (false at start; the app sets it once serving, and clears it
  // when shutting down).
  void SetReady(bool ready) { ready_.store(ready); }
  bool ready() const { return ready_.load(); }
  // Registers a named check run on every /readyz request (on a worker thread; it may block
  // briefly).
  void AddCheck(std::string name, ReadinessCheck check);

  // {"status":"pass"}: the liveness body.
  std::string LivenessJson() const;
  // The readiness body and whether it passed:
  // {"status":"pass"|"fail","ready":true|false,"checks":[{"name":..,"status":..,"message":..}]}.
  std::string ReadinessJson(bool& passed) const;

  // Registers GET /healthz and GET /readyz on `router` (not advertised in the
  // CapabilityStatement). Status as for Router::Add.
  common::Status AddRoutes(Router& router);

 private:
  std::atomic<bool> ready_{false};
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, ReadinessCheck>> checks_;
};

}  // namespace workwell::api
