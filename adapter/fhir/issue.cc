#include "adapter/fhir/issue.h"

#include "adapter/common/json/json.h"

namespace workwell::fhir {

const char* SeverityCode(Severity s) {
  switch (s) {
    case Severity::kFatal: return "fatal";
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInformation: return "information";
  }
  return "error";
}

bool IssueSink::HasErrors() const {
  for (const Issue& i : issues_) {
    if (i.severity == Severity::kError || i.severity == Severity::kFatal) return true;
  }
  return false;
}

std::string RenderOperationOutcome(const std::vector<Issue>& issues, bool pretty) {
  json::Document doc;
  json::Builder b(doc);
  b.StartObject().Key("resourceType").String("OperationOutcome").Key("issue").StartArray();
  if (issues.empty()) {
    b.StartObject().Key("severity").String("information").Key("code").String("informational");
    b.Key("details").StartObject().Key("text").String("All OK").EndObject().EndObject();
  }
  for (const Issue& i : issues) {
    b.StartObject();
    b.Key("severity").String(SeverityCode(i.severity));
    b.Key("code").String(i.code.empty() ? "processing" : i.code);
    if (!i.text.empty()) b.Key("details").StartObject().Key("text").String(i.text).EndObject();
    if (!i.location.empty()) b.Key("location").StartArray().String(i.location).EndArray();
    if (!i.expression.empty()) b.Key("expression").StartArray().String(i.expression).EndArray();
    b.EndObject();
  }
  b.EndArray().EndObject();
  b.Finish();
  return json::Write(doc.root(), pretty);
}

std::string SingleIssueOutcome(Severity severity, std::string_view code, std::string_view text,
                               std::string_view expression) {
  return RenderOperationOutcome(
      {Issue{severity, std::string(code), std::string(text), std::string(expression), {}}});
}

}  // namespace workwell::fhir
