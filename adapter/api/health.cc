#include "adapter/api/health.h"

#include <exception>
#include <utility>

#include "adapter/common/json/json.h"

namespace workwell::api {

void Health::AddCheck(std::string name, ReadinessCheck check) {
  std::lock_guard<std::mutex> lock(mu_);
  checks_.emplace_back(std::move(name), std::move(check));
}

std::string Health::LivenessJson() const { return R"({"status":"pass"})"; }

std::string Health::ReadinessJson(bool& passed) const {
  std::vector<std::pair<std::string, ReadinessCheck>> checks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    checks = checks_;
  }
  const bool is_ready = ready();
  passed = is_ready;
  std::vector<common::Status> results;
  results.reserve(checks.size());
  for (const auto& entry : checks) {
    common::Status status;
    try {
      status = entry.second();
    } catch (const std::exception& e) {
      status = common::Internal(std::string("check threw: ") + e.what());
    } catch (...) {
      status = common::Internal("check threw");
    }
    passed = passed && status.ok();
    results.push_back(std::move(status));
  }
  json::Document doc;
  json::Builder b(doc);
  b.StartObject();
  b.Key("status").String(passed ? "pass" : "fail");
  b.Key("ready").Bool(is_ready);
  b.Key("checks").StartArray();
  for (size_t i = 0; i < checks.size(); ++i) {
    const common::Status& status = results[i];
    b.StartObject().Key("name").String(checks[i].first);
    b.Key("status").String(status.ok() ? "pass" : "fail");
    if (!status.ok()) b.Key("message").String(status.ToString());
    b.EndObject();
  }
  b.EndArray();
  b.EndObject();
  b.Finish();
  return json::Write(doc.root());
}

common::Status Health::AddRoutes(Router& router) {
  Route live;
  live.method = "GET";
  live.pattern = "/healthz";
  live.fhir = false;
  live.public_route = true;  // probes carry no credentials
  live.handler = [this](const Request&) {
    Response r = Response::Resource(200, LivenessJson());
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  };
  if (common::Status s = router.Add(std::move(live)); !s.ok()) return s;
  Route ready;
  ready.method = "GET";
  ready.pattern = "/readyz";
  ready.fhir = false;
  ready.public_route = true;
  ready.handler = [this](const Request&) {
    bool passed = false;
    std::string body = ReadinessJson(passed);
    Response r = Response::Resource(passed ? 200 : 503, std::move(body));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  };
  return router.Add(std::move(ready));
}

}  // namespace workwell::api
