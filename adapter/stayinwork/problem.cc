#include "adapter/stayinwork/problem.h"

#include "adapter/common/check.h"

namespace workwell::stayinwork {

Problem Problem::Conflict(std::string code, std::string expression, std::string text) {
  Problem p;
  p.kind_ = ProblemKind::kConflict;
  p.issues_.push_back({fhir::Severity::kError, std::move(code), std::move(text), std::move(expression), {}});
  return p;
}

Problem Problem::Unprocessable(std::string code, std::string expression, std::string text) {
  Problem p;
  p.kind_ = ProblemKind::kUnprocessable;
  p.issues_.push_back({fhir::Severity::kError, std::move(code), std::move(text), std::move(expression), {}});
  return p;
}

Problem Problem::Unprocessable(std::vector<fhir::Issue> issues) {
  WW_CHECK(!issues.empty());
  Problem p;
  p.kind_ = ProblemKind::kUnprocessable;
  p.issues_ = std::move(issues);
  return p;
}

int Problem::http_status() const {
  switch (kind_) {
    case ProblemKind::kNone: return 200;
    case ProblemKind::kUnprocessable: return 422;
    case ProblemKind::kConflict: return 409;
  }
  return 500;
}

const fhir::Issue& Problem::issue() const {
  WW_CHECK(!issues_.empty());
  return issues_.front();
}

}  // namespace workwell::stayinwork
