#include "adapter/app/figures_routes.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "adapter/api/log.h"
#include "adapter/api/request.h"
#include "adapter/cases/case_bundle.h"
#include "adapter/common/json/json.h"
#include "adapter/fhir/issue.h"
#include "adapter/mapping/engine/transforms.h"
#include "adapter/store/search_params.h"

namespace workwell::app {
namespace {

using fhir::Severity;
using security::ClientKind;

// The case Tasks read for one answer at most; a longer period is refused as too costly.
constexpr size_t kMaxCasesScanned = 200'000;
constexpr size_t kBatch = 1000;

api::Response Problem(int status, std::string_view code, std::string text) {
  return api::Response::Outcome(status, Severity::kError, code, text);
}

bool IsIcbCode(std::string_view s) {
  return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i != 4 && i != 7 && !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return store::ParseDateRange(s).has_value();
}

// Absence length bands, in days since the absence started when the case was routed.
std::string_view AbsenceBand(std::string_view days_text) {
  int days = 0;
  for (char c : days_text) {
    if (c < '0' || c > '9' || days > 100000) return {};
    days = days * 10 + (c - '0');
  }
  if (days_text.empty()) return {};
  if (days < 28) return "under-4-weeks";
  if (days <= 84) return "4-to-12-weeks";
  return "over-12-weeks";
}

struct Figures {
  int64_t cases = 0;
  int64_t fit_notes = 0;
  int64_t may_be_fit = 0;
  std::map<std::string, int64_t> by_outcome, by_tier, by_service, by_absence;
};

void Count(Figures& f, const json::Value& task) {
  ++f.cases;
  if (const std::string_view outcome = cases::TaskInput(task, "fit-note-outcome"); !outcome.empty()) {
    ++f.fit_notes;
    if (outcome == "may-be-fit") ++f.may_be_fit;
  }
  const std::string_view routing = cases::Str(task.Find("businessStatus"), "text");
  ++f.by_outcome[std::string(routing.empty() ? "unknown" : routing)];
  if (const std::string_view tier = cases::TaskInput(task, "tier"); !tier.empty()) ++f.by_tier[std::string(tier)];
  if (const std::string_view service = cases::TaskInput(task, "service"); !service.empty()) ++f.by_service[std::string(service)];
  if (const std::string_view band = AbsenceBand(cases::TaskInput(task, "absence-days")); !band.empty()) {
    ++f.by_absence[std::string(band)];
  }
}

void Counts(json::Builder& b, std::string_view name, std::string_view key_name, const std::map<std::string, int64_t>& counts) {
  for (const auto& [key, n] : counts) {
    b.StartObject().Key("name").String(name).Key("part").StartArray();
    b.StartObject().Key("name").String(key_name).Key("valueString").String(key).EndObject();
    b.StartObject().Key("name").String("count").Key("valueInteger").Int(n).EndObject();
    b.EndArray().EndObject();
  }
}

std::string Render(const Figures& f, std::string_view icb, std::string_view from, std::string_view to) {
  json::Document doc;
  json::Builder b(doc);
  b.StartObject().Key("resourceType").String("Parameters").Key("parameter").StartArray();
  b.StartObject().Key("name").String("icb").Key("valueString").String(icb).EndObject();
  if (!from.empty()) b.StartObject().Key("name").String("from").Key("valueDate").String(from).EndObject();
  if (!to.empty()) b.StartObject().Key("name").String("to").Key("valueDate").String(to).EndObject();
  b.StartObject().Key("name").String("cases").Key("valueInteger").Int(f.cases).EndObject();
  b.StartObject().Key("name").String("fitNotes").Key("valueInteger").Int(f.fit_notes).EndObject();
  b.StartObject().Key("name").String("mayBeFit").Key("valueInteger").Int(f.may_be_fit).EndObject();
  if (f.fit_notes > 0) {
    // The headline figure: the share of fit notes saying "may be fit for work", to three places.
    char share[16];
    std::snprintf(share, sizeof(share), "%.3f", static_cast<double>(f.may_be_fit) / static_cast<double>(f.fit_notes));
    b.StartObject().Key("name").String("mayBeFitShare").Key("valueDecimal").Number(share).EndObject();
  }
  Counts(b, "routingOutcome", "outcome", f.by_outcome);
  Counts(b, "tier", "tier", f.by_tier);
  Counts(b, "service", "service", f.by_service);
  Counts(b, "absenceLength", "band", f.by_absence);
  b.EndArray().EndObject();
  b.Finish();
  return json::Write(doc.root());
}

}  // namespace

common::Status AddFiguresRoute(api::Router& router, std::shared_ptr<store::Store> store,
                               std::shared_ptr<const validation::Validator> validator) {
  api::Route route;
  route.method = "GET";
  route.pattern = "/$icb-figures";
  route.capability = api::Capability::Operation("icb-figures", "https://fhir.workwell.nhs.uk/OperationDefinition/icb-figures");
  route.capability.documentation =
      "An ICB's figures from its case Tasks: cases, fit notes, the share 'may be fit for work', routing outcomes, "
      "tiers, services and absence length bands; parameters icb (an ICB client's own by default), from and to "
      "(dates the cases were received)";
  route.scope_type = "Task";
  route.permission = security::Permission::kRead;
  route.handler = [store, validator](const api::Request& req) {
    const security::Principal* who = req.principal.has_value() ? &*req.principal : nullptr;
    if (who != nullptr && (who->kind == ClientKind::kGpSystem || who->kind == ClientKind::kWorkwellService)) {
      return Problem(403, "forbidden", "ICB figures are for ICB, operator and auditor clients");
    }
    std::string icb(req.QueryParam("icb").value_or(""));
    if (who != nullptr && who->kind == ClientKind::kIcb) {
      if (icb.empty()) icb = who->icb_code;
      if (!api::EqualsIgnoreCase(icb, who->icb_code)) return Problem(403, "forbidden", "an ICB client sees only its own ICB's figures");
    }
    if (icb.empty()) return Problem(400, "required", "icb: name the ICB (its three-character code)");
    if (!IsIcbCode(icb)) return Problem(400, "value", "icb: expected a three-character ICB code");
    icb = mapping::ToUpper(icb);
    const std::string from(req.QueryParam("from").value_or(""));
    const std::string to(req.QueryParam("to").value_or(""));
    if (!from.empty() && !IsDate(from)) return Problem(400, "value", "from: expected a date, YYYY-MM-DD");
    if (!to.empty() && !IsDate(to)) return Problem(400, "value", "to: expected a date, YYYY-MM-DD");
    if (!from.empty() && !to.empty() && to < from) return Problem(400, "value", "to: before from");
    for (const auto& [name, value] : req.query) {
      if (name != "icb" && name != "from" && name != "to" && name != "_format" && name != "_pretty") {
        return Problem(400, "not-supported", "$icb-figures does not take the parameter " + name);
      }
    }

    Figures figures;
    for (size_t scan = 0;; scan += kBatch) {
      store::SearchRequest batch;
      if (!from.empty()) batch.params.emplace_back("authored-on", "ge" + from);
      if (!to.empty()) batch.params.emplace_back("authored-on", "le" + to);
      batch.params.emplace_back("_count", std::to_string(kBatch));
      batch.params.emplace_back("_offset", std::to_string(scan));
      store::StoreResult<store::SearchPage> page = store->Search("Task", batch);
      if (!page.ok()) {
        api::LogEvent("error", "store_error", {{"requestId", req.request_id}, {"message", page.status().message()}});
        return Problem(500, "exception", "internal error");
      }
      if (static_cast<size_t>(page->total) > kMaxCasesScanned) {
        return Problem(400, "too-costly", "the period holds more than " + std::to_string(kMaxCasesScanned) +
                                              " cases; ask for a shorter one (from, to)");
      }
      for (const store::ResourceVersion& t : page->matches) {
        json::Document doc;
        json::ParseError err;
        if (!json::Parse(t.json, json::Limits{}, doc, err)) continue;
        if (api::EqualsIgnoreCase(cases::TaskInput(doc.root(), "icb"), icb)) Count(figures, doc.root());
      }
      if (page->matches.size() < kBatch || scan + kBatch >= static_cast<size_t>(page->total)) break;
    }
    std::string body = Render(figures, icb, from, to);
    fhir::IssueSink sink;
    if (!validator->ValidateJson(body, {}, sink)) {
      api::LogEvent("error", "figures_invalid", {{"requestId", req.request_id}});
      return Problem(500, "exception", "internal error");
    }
    return api::Response::Resource(200, std::move(body));
  };
  return router.Add(std::move(route));
}

}  // namespace workwell::app
