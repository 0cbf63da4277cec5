#pragma once
// Problems found in data: each is an Issue with a severity, an IssueType code and a FHIRPath
// location, collected by an IssueSink and rendered as an OperationOutcome.
// https://hl7.org/fhir/R4/operationoutcome.html

#include <string>
#include <string_view>
#include <vector>

namespace workwell::fhir {

enum class Severity { kFatal, kError, kWarning, kInformation };

// The FHIR code of a severity ("fatal", "error", "warning", "information").
const char* SeverityCode(Severity s);

struct Issue {
  Severity severity = Severity::kError;
  // An IssueType code: invalid, structure, required, value, invariant, code-invalid, extension,
  // too-long, too-costly, not-found, not-supported, processing, security, informational, ...
  // https://hl7.org/fhir/R4/valueset-issue-type.html
  std::string code;
  std::string text;        // human-readable details (details.text)
  std::string expression;  // FHIRPath location, e.g. "Patient.name[0].given[1]"; may be empty
  std::string location;    // source location for translated input (JSON pointer, HL7 PID-3.1, CSV line:col)
};

// Collects issues. Not thread-safe; one sink per request.
class IssueSink {
 public:
  void Add(Issue issue) { issues_.push_back(std::move(issue)); }
  void Error(std::string code, std::string expression, std::string text) {
    Add({Severity::kError, std::move(code), std::move(text), std::move(expression), {}});
  }
  void Warning(std::string code, std::string expression, std::string text) {
    Add({Severity::kWarning, std::move(code), std::move(text), std::move(expression), {}});
  }
  void Information(std::string code, std::string expression, std::string text) {
    Add({Severity::kInformation, std::move(code), std::move(text), std::move(expression), {}});
  }
  // True when any issue is an error or fatal.
  bool HasErrors() const;
  const std::vector<Issue>& issues() const { return issues_; }
  std::vector<Issue>& issues() { return issues_; }
  bool empty() const { return issues_.empty(); }

 private:
  std::vector<Issue> issues_;
};

// Renders an OperationOutcome resource as JSON. With no issues it holds one information issue
// ("All OK"), since OperationOutcome.issue is 1..*.
std::string RenderOperationOutcome(const std::vector<Issue>& issues, bool pretty = false);

// Convenience: an OperationOutcome with a single issue.
std::string SingleIssueOutcome(Severity severity, std::string_view code, std::string_view text,
                               std::string_view expression = {});

}  // namespace workwell::fhir
