#pragma once
// Why a Stay in Work transition was refused: one or more fhir::Issues naming the element, and
// whether the request was unusable (422) or clashes with the plan's current state (409).

#include <string>
#include <vector>

#include "adapter/fhir/issue.h"

namespace workwell::stayinwork {

enum class ProblemKind {
  kNone,           // no problem (the ok state of a result)
  kUnprocessable,  // the plan, fit note or event cannot be used as given: HTTP 422
  kConflict,       // the event is not allowed in the plan's current state: HTTP 409
};

// The error side of every lifecycle result. Default-constructed = ok (as BasicResult requires).
// Copyable; no shared state.
class Problem {
 public:
  Problem() = default;
  // A 409 with one error issue (IssueType `code`: business-rule, duplicate, ...).
  static Problem Conflict(std::string code, std::string expression, std::string text);
  // A 422 with one error issue (IssueType `code`: invalid, required, value, business-rule, ...).
  static Problem Unprocessable(std::string code, std::string expression, std::string text);
  // A 422 carrying several error issues (e.g. the business rules that failed). `issues` not empty.
  static Problem Unprocessable(std::vector<fhir::Issue> issues);

  bool ok() const { return kind_ == ProblemKind::kNone; }
  ProblemKind kind() const { return kind_; }
  // 409, 422, or 200 when ok.
  int http_status() const;
  const std::vector<fhir::Issue>& issues() const { return issues_; }
  // The first issue (the one an API error message shows). Requires !ok().
  const fhir::Issue& issue() const;
  // The OperationOutcome for the response body.
  std::string ToOperationOutcome() const { return fhir::RenderOperationOutcome(issues_); }

 private:
  ProblemKind kind_ = ProblemKind::kNone;
  std::vector<fhir::Issue> issues_;
};

}  // namespace workwell::stayinwork
