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
// store transaction, when the referral's state machine allows the move: requested -> accepted /
// rejected / failed (delivery), rejected / failed -> requested (an operator's requeue),
// accepted -> in-progress (a plan proposed) -> completed (the plan completed or revoked). Any
// other move, e.g. a late delivery event after in-progress, is ignored (Ok, nothing written).
// Idempotent: the same status and reason again writes nothing. kNotFound when there is no Task.
store::StoreStatus SetTaskStatus(store::Store& store, std::string_view task_id, std::string_view status,
                                 std::string_view reason, std::string_view now);

}  // namespace workwell::cases
