#pragma once
// Keeping a case's Task in step with its delivery: the Task that POST /$submit wrote as
// `requested` becomes `accepted` when the WorkWell service has the referral, `rejected` when the
// service refuses it, `failed` when the gateway gives up (the message is dead-lettered), and
// `requested` again when an operator requeues the message. GP systems read it with
// GET /Task?identifier=... or GET /Task/[id]. https://hl7.org/fhir/R4/task.html#statemachine

#include <string>
#include <string_view>

#include "adapter/delivery/outbox_dispatcher.h"
#include "adapter/store/store.h"

namespace workwell::cases {

// The Task status a delivery event leads to: accepted, rejected or failed.
std::string_view TaskStatusForDelivery(delivery::DeliveryEvent event);

// Sets the Task's status, statusReason (`reason`) and lastModified (`now`, a FHIR instant) in one
// store transaction. Idempotent: a Task already in `status` with the same reason is left alone
// (no new version). A Task that has moved beyond the delivery states (in-progress, completed,
// cancelled) is never moved back by a late delivery event. kNotFound when there is no such Task.
store::StoreStatus SetTaskStatus(store::Store& store, std::string_view task_id, std::string_view status,
                                 std::string_view reason, std::string_view now);

}  // namespace workwell::cases
