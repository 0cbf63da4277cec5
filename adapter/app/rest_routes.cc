#include "adapter/app/rest_routes.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <optional>
#include <utility>

#include "adapter/api/log.h"
#include "adapter/app/data_scope.h"
#include "adapter/fhir/issue.h"
#include "adapter/fhir/json_format.h"
#include "adapter/store/bundle.h"
#include "adapter/store/search_params.h"
#include "adapter/store/search_sql.h"

namespace workwell::app {
namespace {

using fhir::Severity;

// Types served even where the store declares no search table for them (they are still stored,
// read, versioned and searchable by _id and _lastUpdated).
constexpr std::string_view kCoreTypes[] = {
    "CarePlan",     "CareTeam",  "Condition",  "Consent",    "Encounter", "Observation", "Organization",
    "Patient",      "Practitioner", "PractitionerRole", "Provenance", "QuestionnaireResponse",
    "ServiceRequest", "Task", "HealthcareService", "Communication", "Subscription", "AuditEvent",
};

// A search by a client bounded by a data scope is filtered here, over at most this many matches
// before the filter; a broader one is refused as too costly (narrow it, e.g. by patient).
constexpr size_t kMaxScopedSearchScan = 10'000;
constexpr size_t kScopedSearchBatch = 1000;

// Query parameters that steer the response format, not the search.
constexpr std::string_view kFormatParams[] = {"_format", "_pretty"};

// What the client asked for with Prefer. https://hl7.org/fhir/R4/http.html#ops and
// https://hl7.org/fhir/R4/search.html#errors
struct Prefer {
  enum class Return { kRepresentation, kMinimal, kOutcome } ret = Return::kRepresentation;
  bool lenient = false;
};

Prefer ParsePrefer(const api::Request& req) {
  Prefer p;
  for (const auto& [name, value] : req.headers) {
    if (name != "prefer") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t cut = rest.find_first_of(",;");
      std::string_view token = rest.substr(0, cut);
      rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
      while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
      while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
      if (token == "return=minimal") p.ret = Prefer::Return::kMinimal;
      if (token == "return=representation") p.ret = Prefer::Return::kRepresentation;
      if (token == "return=OperationOutcome") p.ret = Prefer::Return::kOutcome;
      if (token == "handling=lenient") p.lenient = true;
      if (token == "handling=strict") p.lenient = false;
    }
  }
  return p;
}

// The FHIR base URL as the client addressed it. Only a plain host[:port] is echoed; anything
// else falls back to localhost so a header cannot inject text into links.
std::string BaseUrl(const api::Request& req) {
  const std::string_view host = req.Header("host").value_or("");
  const bool plain = !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == ':' || c == '[' || c == ']';
  });
  return "http://" + std::string(plain ? host : "localhost");
}

api::Response OutcomeResponse(int status, const std::vector<fhir::Issue>& issues) {
  return api::Response::Resource(status, fhir::RenderOperationOutcome(issues));
}

api::Response Error(int status, std::string_view code, std::string_view text, std::string_view expression = {}) {
  return api::Response::Resource(status, fhir::SingleIssueOutcome(Severity::kError, code, text, expression));
}

// The answer for a failed store call. Internal errors are logged, not echoed.
api::Response StoreError(const store::StoreStatus& status, const api::Request& req) {
  const int http = store::HttpStatus(status.code());
  if (status.code() == store::StoreCode::kInternal) {
    api::LogEvent("error", "store_error", {{"requestId", req.request_id}, {"message", status.message()}});
    return Error(http, store::IssueTypeFor(status.code()), "internal error");
  }
  return Error(http, store::IssueTypeFor(status.code()), status.message());
}

void AddVersionHeaders(const store::ResourceVersion& v, api::Response& r) {
  r.headers.emplace_back("ETag", v.ETag());
  r.headers.emplace_back("Last-Modified", FormatHttpDate(v.last_updated_micros));
}

// A read/vread answer: the stored bytes with ETag and Last-Modified.
api::Response VersionResponse(const store::ResourceVersion& v) {
  api::Response r = api::Response::Resource(200, v.json);
  AddVersionHeaders(v, r);
  return r;
}

// A create/update answer per the Prefer header, with Location, ETag and Last-Modified.
// https://hl7.org/fhir/R4/http.html#create and #update
api::Response WriteResponse(const store::WriteOutcome& outcome, const api::Request& req,
                            const std::vector<fhir::Issue>& warnings) {
  const int status = outcome.created ? 201 : 200;
  api::Response r;
  switch (ParsePrefer(req).ret) {
    case Prefer::Return::kRepresentation:
      r = api::Response::Resource(status, outcome.resource.json);
      break;
    case Prefer::Return::kMinimal:
      r.status = status;
      break;
    case Prefer::Return::kOutcome:
      r = OutcomeResponse(status, warnings);
      break;
  }
  r.headers.emplace_back("Location", BaseUrl(req) + "/" + outcome.resource.VersionedLocation());
  AddVersionHeaders(outcome.resource, r);
  return r;
}

// Parses `body` as a resource of `type` (any type when empty) into `resource` and validates it.
// Returns the error response when it cannot be stored: 400 for what is not a well-formed
// resource of that type, 422 for what the validator rejects. `issues` receives the remaining
// warnings otherwise.
std::optional<api::Response> ParseAndValidate(const validation::Validator& validator, std::string_view body,
                                              std::string_view type, fhir::Resource& resource,
                                              std::vector<fhir::Issue>& issues) {
  fhir::IssueSink sink;
  fhir::ParseOptions options = validator.parse_options();
  options.expected_type = type;
  if (!validator.format().Parse(body, options, resource, sink)) return OutcomeResponse(400, sink.issues());
  validator.Validate(resource, {}, sink);
  if (sink.HasErrors()) return OutcomeResponse(422, sink.issues());
  issues = std::move(sink.issues());
  return std::nullopt;
}

// The version an If-Match header names; `bad` is set when the header is present but malformed.
std::optional<int64_t> IfMatch(const api::Request& req, bool& bad) {
  bad = false;
  const std::optional<std::string_view> header = req.Header("if-match");
  if (!header.has_value()) return std::nullopt;
  std::optional<int64_t> version = store::ParseETag(*header);
  bad = !version.has_value();
  return version;
}

bool ParseCount(std::string_view text, size_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// Handlers. Each holds shared ownership of the store and validator through the route lambdas.
class RestHandlers {
 public:
  RestHandlers(std::shared_ptr<store::Store> store, std::shared_ptr<const validation::Validator> validator)
      : store_(std::move(store)), validator_(std::move(validator)) {}

  api::Response Create(const api::Request& req) const {
    const std::string_view type = req.PathParam("type");
    fhir::Resource resource;
    std::vector<fhir::Issue> warnings;
    if (auto rejected = ParseAndValidate(*validator_, req.body, type, resource, warnings)) return *rejected;
    if (HasDataScope(Who(req))) {
      DataScopeCheck check(*store_, *req.principal);
      store::StoreResult<bool> mine = check.Visible(type, resource.root());
      if (!mine.ok()) return StoreError(mine.status(), req);
      if (!*mine) return OutsideScope();
    }
    store::CreateOptions options;
    if (auto cond = req.Header("if-none-exist")) {
      std::string_view q = *cond;
      // The header is a query string; tolerate a full "[type]?query" form as some clients send it.
      if (const size_t mark = q.find('?'); mark != std::string_view::npos) q.remove_prefix(mark + 1);
      options.if_none_exist = std::string(q);
    }
    store::StoreResult<store::WriteOutcome> written = store_->Create(resource.root(), options);
    if (!written.ok()) return StoreError(written.status(), req);
    return WriteResponse(*written, req, warnings);
  }

  api::Response Read(const api::Request& req) const {
    const std::string_view type = req.PathParam("type");
    const std::string_view id = req.PathParam("id");
    store::StoreResult<store::ResourceVersion> v = store_->Read(type, id);
    if (HasDataScope(Who(req))) {
      if (!v.ok() && v.status().code() != store::StoreCode::kGone) return StoreError(v.status(), req);
      DataScopeCheck check(*store_, *req.principal);
      store::StoreResult<bool> mine = v.ok() ? check.VisibleJson(type, v->json) : RecordVisible(check, type, id);
      if (!mine.ok()) return StoreError(mine.status(), req);
      if (!*mine) return Hidden(type, id, " is not known");
    }
    if (!v.ok()) return StoreError(v.status(), req);
    return VersionResponse(*v);
  }

  api::Response VRead(const api::Request& req) const {
    const std::string_view vid = req.PathParam("vid");
    int64_t version = 0;
    const auto [end, ec] = std::from_chars(vid.data(), vid.data() + vid.size(), version);
    if (ec != std::errc() || end != vid.data() + vid.size() || version < 1) {
      return Error(404, "not-found", "no version " + std::string(vid) + " of " + std::string(req.PathParam("type")) +
                                         "/" + std::string(req.PathParam("id")));
    }
    if (HasDataScope(Who(req))) {
      DataScopeCheck check(*store_, *req.principal);
      store::StoreResult<bool> mine = RecordVisible(check, req.PathParam("type"), req.PathParam("id"));
      if (!mine.ok()) return StoreError(mine.status(), req);
      if (!*mine) return Hidden(req.PathParam("type"), req.PathParam("id"), " has no version " + std::to_string(version));
    }
    store::StoreResult<store::ResourceVersion> v =
        store_->VRead(req.PathParam("type"), req.PathParam("id"), version);
    if (!v.ok()) return StoreError(v.status(), req);
    if (v->deleted) {
      api::Response r = Error(410, "deleted", v->VersionedLocation() + " is a deletion");
      AddVersionHeaders(*v, r);
      return r;
    }
    return VersionResponse(*v);
  }

  api::Response Update(const api::Request& req) const {
    const std::string_view type = req.PathParam("type");
    const std::string_view id = req.PathParam("id");
    bool bad_etag = false;
    store::UpdateOptions options;
    options.if_match = IfMatch(req, bad_etag);
    if (bad_etag) return Error(400, "invalid", "If-Match must be an ETag such as W/\"1\"");
    fhir::Resource resource;
    std::vector<fhir::Issue> warnings;
    if (auto rejected = ParseAndValidate(*validator_, req.body, type, resource, warnings)) return *rejected;
    // https://hl7.org/fhir/R4/http.html#update: the body's id must be present and equal the URL's.
    if (resource.id() != id) {
      return Error(400, "invalid",
                   resource.id().empty() ? "the resource has no id; it must be " + std::string(id)
                                         : "the resource id " + std::string(resource.id()) +
                                               " does not match the id in the URL (" + std::string(id) + ")",
                   std::string(type) + ".id");
    }
    if (HasDataScope(Who(req))) {
      // A bounded client updates only what it can see, and creates with POST: an unknown id and
      // another practice's record get the same 404.
      DataScopeCheck check(*store_, *req.principal);
      store::StoreResult<bool> existing = RecordVisible(check, type, id);
      if (!existing.ok()) return StoreError(existing.status(), req);
      if (!*existing) return Hidden(type, id, " is not known");
      store::StoreResult<bool> mine = check.Visible(type, resource.root());
      if (!mine.ok()) return StoreError(mine.status(), req);
      if (!*mine) return OutsideScope();
    }
    store::StoreResult<store::WriteOutcome> written = store_->Update(resource.root(), options);
    if (!written.ok()) return StoreError(written.status(), req);
    return WriteResponse(*written, req, warnings);
  }

  api::Response Delete(const api::Request& req) const {
    bool bad_etag = false;
    store::DeleteOptions options;
    options.if_match = IfMatch(req, bad_etag);
    if (bad_etag) return Error(400, "invalid", "If-Match must be an ETag such as W/\"1\"");
    if (HasDataScope(Who(req))) {
      DataScopeCheck check(*store_, *req.principal);
      store::StoreResult<bool> mine = RecordVisible(check, req.PathParam("type"), req.PathParam("id"));
      if (!mine.ok()) return StoreError(mine.status(), req);
      if (!*mine) return Hidden(req.PathParam("type"), req.PathParam("id"), " does not exist");
    }
    store::StoreResult<store::ResourceVersion> v = store_->Delete(req.PathParam("type"), req.PathParam("id"), options);
    if (!v.ok()) return StoreError(v.status(), req);
    api::Response r;
    r.status = 204;
    r.headers.emplace_back("ETag", v->ETag());
    return r;
  }

  api::Response History(const api::Request& req) const {
    store::HistoryRequest request;
    for (const auto& [name, value] : req.query) {
      if (name == "_count" || name == "_offset") {
        size_t n = 0;
        if (!ParseCount(value, n) || (name == "_count" && (n < 1 || n > 1000))) {
          return Error(400, "invalid", name + " must be a whole number" + (name == "_count" ? " from 1 to 1000" : ""));
        }
        (name == "_count" ? request.count : request.offset) = n;
      } else if (name == "_since") {
        const std::optional<store::DateRange> range = store::ParseDateRange(value);
        if (!range.has_value()) return Error(400, "invalid", "_since must be a FHIR instant");
        request.since_micros = range->low;
      } else if (std::find(std::begin(kFormatParams), std::end(kFormatParams), name) == std::end(kFormatParams)) {
        return Error(400, "not-supported", "history does not support the parameter " + name);
      }
    }
    const std::string_view type = req.PathParam("type");
    const std::string_view id = req.PathParam("id");
    if (HasDataScope(Who(req))) {
      DataScopeCheck check(*store_, *req.principal);
      store::StoreResult<bool> mine = RecordVisible(check, type, id);
      if (!mine.ok()) return StoreError(mine.status(), req);
      if (!*mine) return Hidden(type, id, " is not known");
    }
    store::StoreResult<store::HistoryPage> page = store_->History(type, id, request);
    if (!page.ok()) return StoreError(page.status(), req);
    return api::Response::Resource(200, store::RenderHistoryBundle(*page, BaseUrl(req), type, id));
  }

  api::Response Search(const api::Request& req) const {
    const std::string_view type = req.PathParam("type");
    store::SearchRequest request;
    request.strict = !ParsePrefer(req).lenient;
    for (const auto& [name, value] : req.query) {
      if (std::find(std::begin(kFormatParams), std::end(kFormatParams), name) != std::end(kFormatParams)) continue;
      request.params.emplace_back(name, value);
    }
    if (HasDataScope(Who(req))) return ScopedSearch(req, type, std::move(request));
    store::StoreResult<store::SearchPage> page = store_->Search(type, request);
    if (!page.ok()) return StoreError(page.status(), req);
    return api::Response::Resource(200, store::RenderSearchBundle(*page, BaseUrl(req), type));
  }

  // https://hl7.org/fhir/R4/http.html#transaction: all entries or none.
  api::Response Transaction(const api::Request& req) const {
    // Entries of a transaction are not judged one by one against a data scope: bounded clients
    // write through $submit and the single-resource interactions.
    if (HasDataScope(Who(req))) {
      return Error(403, "forbidden", "a client bounded by a data scope cannot send transactions");
    }
    fhir::Resource bundle;
    std::vector<fhir::Issue> warnings;
    if (auto rejected = ParseAndValidate(*validator_, req.body, "Bundle", bundle, warnings)) return *rejected;
    const json::Value* bundle_type = bundle.root().Find("type");
    if (bundle_type == nullptr || bundle_type->text() != "transaction") {
      return Error(400, "not-supported", "POST / takes a Bundle of type transaction (batch is not supported)",
                   "Bundle.type");
    }
    store::StoreResult<store::TransactionResponse> done = store::ProcessTransaction(*store_, bundle.root());
    if (!done.ok()) return StoreError(done.status(), req);
    return api::Response::Resource(200, store::RenderTransactionResponse(*done));
  }

 private:
  static const security::Principal* Who(const api::Request& req) {
    return req.principal.has_value() ? &*req.principal : nullptr;
  }

  // The answer for a record outside the caller's data scope that must not be told apart from
  // one that does not exist: the store's own 404 for a missing id.
  static api::Response Hidden(std::string_view type, std::string_view id, const std::string& what) {
    return Error(404, "not-found", std::string(type) + "/" + std::string(id) + what);
  }

  // A write the caller may not make (a record about someone outside its data scope).
  static api::Response OutsideScope() {
    return Error(403, "forbidden", "the resource is outside this client's data scope");
  }

  // Whether the record type/id is visible, judged on its newest version that is not a deletion.
  // An id without any live version is not visible.
  store::StoreResult<bool> RecordVisible(DataScopeCheck& check, std::string_view type, std::string_view id) const {
    store::HistoryRequest request;
    request.count = 50;
    store::StoreResult<store::HistoryPage> page = store_->History(type, id, request);
    if (!page.ok()) {
      const store::StoreCode code = page.status().code();
      if (code == store::StoreCode::kNotFound || code == store::StoreCode::kInvalid) return false;
      return page.status();
    }
    for (const store::ResourceVersion& v : page->versions) {
      if (!v.deleted) return check.VisibleJson(type, v.json);
    }
    return false;
  }

  // A search-type for a client bounded by a data scope: the store's matches filtered by the scope,
  // then paged, so totals and links count only what the client may see.
  api::Response ScopedSearch(const api::Request& req, std::string_view type, store::SearchRequest request) const {
    size_t count = store::kDefaultCount;
    size_t offset = 0;
    store::QueryParams passed;
    store::QueryParams canonical;
    for (auto& [name, value] : request.params) {
      if (name == "_count" || name == "_offset") {
        size_t n = 0;
        if (!ParseCount(value, n)) {
          return Error(400, "invalid", "parameter '" + name + "': '" + value + "' is not a number");
        }
        (name == "_count" ? count : offset) = name == "_count" ? std::min(n, store::kMaxCount) : n;
      } else {
        passed.emplace_back(name, value);
      }
      if (name != "_offset") canonical.emplace_back(name, value);
    }
    DataScopeCheck check(*store_, *req.principal);
    store::SearchPage out;
    std::vector<store::ResourceVersion> visible;
    std::vector<store::ResourceVersion> includes;
    for (size_t scan = 0;; scan += kScopedSearchBatch) {
      store::SearchRequest batch{passed, request.strict};
      batch.params.emplace_back("_count", std::to_string(kScopedSearchBatch));
      batch.params.emplace_back("_offset", std::to_string(scan));
      store::StoreResult<store::SearchPage> page = store_->Search(type, batch);
      if (!page.ok()) return StoreError(page.status(), req);
      if (static_cast<size_t>(page->total) > kMaxScopedSearchScan) {
        return Error(400, "too-costly",
                     "the search matches more than " + std::to_string(kMaxScopedSearchScan) +
                         " records before this client's data scope is applied; narrow it (by patient, identifier or date)");
      }
      if (scan == 0) out.ignored = page->ignored;
      for (store::ResourceVersion& m : page->matches) {
        store::StoreResult<bool> mine = check.VisibleJson(type, m.json);
        if (!mine.ok()) return StoreError(mine.status(), req);
        if (*mine) visible.push_back(std::move(m));
      }
      for (store::ResourceVersion& inc : page->includes) {
        const bool seen = std::any_of(includes.begin(), includes.end(), [&](const store::ResourceVersion& x) {
          return x.type == inc.type && x.id == inc.id;
        });
        if (seen) continue;
        store::StoreResult<bool> mine = check.VisibleJson(inc.type, inc.json);
        if (!mine.ok()) return StoreError(mine.status(), req);
        if (*mine) includes.push_back(std::move(inc));
      }
      if (page->matches.size() < kScopedSearchBatch || scan + kScopedSearchBatch >= static_cast<size_t>(page->total)) break;
    }
    out.total = static_cast<int64_t>(visible.size());
    for (size_t i = offset; i < visible.size() && i < offset + count; ++i) out.matches.push_back(std::move(visible[i]));
    // Only what the page's matches refer to is included.
    for (store::ResourceVersion& inc : includes) {
      const std::string ref = "\"reference\":\"" + inc.type + "/" + inc.id + "\"";
      const bool used = std::any_of(out.matches.begin(), out.matches.end(), [&](const store::ResourceVersion& m) {
        return m.json.find(ref) != std::string::npos;
      });
      if (used) out.includes.push_back(std::move(inc));
    }
    auto link = [&](size_t at) {
      store::QueryParams q = canonical;
      if (at > 0) q.emplace_back("_offset", std::to_string(at));
      return store::EncodeQueryString(q);
    };
    out.self_query = link(offset);
    if (count > 0 && offset + count < visible.size()) out.next_query = link(offset + count);
    if (offset > 0) out.prev_query = link(offset > count ? offset - count : 0);
    return api::Response::Resource(200, store::RenderSearchBundle(out, BaseUrl(req), type));
  }

  std::shared_ptr<store::Store> store_;
  std::shared_ptr<const validation::Validator> validator_;
};

}  // namespace

std::string FormatHttpDate(int64_t micros) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::vector<std::string> RestResourceTypes() {
  std::vector<std::string> types;
  for (std::string_view t : store::IndexedResourceTypes()) types.emplace_back(t);
  for (std::string_view t : kCoreTypes) types.emplace_back(t);
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  return types;
}

std::vector<api::SearchParam> RestSearchParams(std::string_view type) {
  std::vector<api::SearchParam> params;
  auto add = [&params](const store::SearchParamDef& def, std::string definition) {
    api::SearchParam p;
    p.name = std::string(def.name);
    p.type = store::ParamTypeCode(def.type);
    p.definition = std::move(definition);
    p.documentation = std::string(def.documentation);
    if (!def.expression.empty()) p.documentation += " (" + std::string(def.expression) + ")";
    params.push_back(std::move(p));
  };
  for (const store::SearchParamDef& def : store::CommonSearchParams()) {
    add(def, "http://hl7.org/fhir/SearchParameter/Resource" + std::string(def.name == "_id" ? "-id" : "-lastUpdated"));
  }
  for (const store::SearchParamDef& def : store::SearchParamsFor(type)) add(def, {});
  return params;
}

common::Status AddRestRoutes(api::Router& router, std::shared_ptr<store::Store> store,
                             std::shared_ptr<const validation::Validator> validator) {
  auto handlers = std::make_shared<const RestHandlers>(std::move(store), std::move(validator));
  const std::vector<std::string> types = RestResourceTypes();
  using Method = api::Response (RestHandlers::*)(const api::Request&) const;
  auto add = [&](std::string method, std::string pattern, std::string interaction, Method fn,
                 std::vector<std::string> resource_types, std::vector<api::SearchParam> search_params = {}) {
    api::Route route;
    route.method = std::move(method);
    route.pattern = std::move(pattern);
    route.resource_types = std::move(resource_types);
    route.capability = api::Capability::Interaction(std::move(interaction));
    route.capability.search_params = std::move(search_params);
    route.handler = [handlers, fn](const api::Request& req) { return ((*handlers).*fn)(req); };
    return router.Add(std::move(route));
  };
  if (common::Status s = add("POST", "/[type]", "create", &RestHandlers::Create, types); !s.ok()) return s;
  if (common::Status s = add("GET", "/[type]/[id]", "read", &RestHandlers::Read, types); !s.ok()) return s;
  if (common::Status s = add("GET", "/[type]/[id]/_history/[vid]", "vread", &RestHandlers::VRead, types); !s.ok()) {
    return s;
  }
  if (common::Status s = add("PUT", "/[type]/[id]", "update", &RestHandlers::Update, types); !s.ok()) return s;
  if (common::Status s = add("DELETE", "/[type]/[id]", "delete", &RestHandlers::Delete, types); !s.ok()) return s;
  if (common::Status s = add("GET", "/[type]/[id]/_history", "history-instance", &RestHandlers::History, types);
      !s.ok()) {
    return s;
  }
  // One search route per type, so each lists its own parameters in the CapabilityStatement.
  for (const std::string& type : types) {
    if (common::Status s = add("GET", "/[type]", "search-type", &RestHandlers::Search, {type}, RestSearchParams(type));
        !s.ok()) {
      return s;
    }
  }
  return add("POST", "/", "transaction", &RestHandlers::Transaction, {});
}

}  // namespace workwell::app
