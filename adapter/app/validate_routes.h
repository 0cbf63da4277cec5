#pragma once
// The $validate operation over HTTP: POST /$validate and POST /[type]/$validate.
// https://hl7.org/fhir/R4/resource-operation-validate.html

#include <memory>

#include "adapter/api/router.h"
#include "adapter/common/status.h"
#include "adapter/validation/validator.h"

namespace workwell::app {

// Registers both routes. The body is the resource to validate, or a Parameters resource with a
// `resource` parameter (and optional `profile` and `mode`); `profile` may also be a query
// parameter. A body that is not JSON, or a resource of another type than [type], gets 400; a
// validation that ran gets 200 with the OperationOutcome, whatever it found.
common::Status AddValidateRoutes(api::Router& router, std::shared_ptr<const validation::Validator> validator);

// The handler behind both routes, callable without HTTP (for tests and tools): validates
// `body` as above; `type` is empty for the system-level route.
api::Response HandleValidate(const validation::Validator& validator, std::string_view type, std::string_view body,
                             std::string_view profile_query);

}  // namespace workwell::app
