#include "adapter/cases/task_tracking.h"

#include "adapter/cases/case_bundle.h"
#include "adapter/common/json/json.h"

#include <initializer_list>

namespace workwell::cases {

std::string_view TaskStatusForDelivery(delivery::DeliveryEvent event) {
  switch (event) {
    case delivery::DeliveryEvent::kDelivered: return "accepted";
    case delivery::DeliveryEvent::kRejected: return "rejected";
    case delivery::DeliveryEvent::kFailed: return "failed";
  }
  return "failed";
}

namespace {

// The Task state machine of a WorkWell referral: delivery ends (accepted / rejected / failed)
// only while the referral is still being delivered; an operator's requeue only after a failed
// or rejected delivery; the service's work (in-progress) once the referral is there, and
// completed after that. A late or repeated event never moves a Task back.
bool MayMove(std::string_view from, std::string_view to) {
  auto any = [&](std::initializer_list<std::string_view> set) {
    for (std::string_view s : set) {
      if (from == s) return true;
    }
    return false;
  };
  if (to == "accepted" || to == "rejected" || to == "failed") return any({"requested", "accepted", "rejected", "failed"});
  if (to == "requested") return any({"requested", "rejected", "failed"});
  if (to == "in-progress") return any({"requested", "accepted", "in-progress"});
  if (to == "completed") return any({"accepted", "in-progress", "completed"});
  return false;
}

}  // namespace

store::StoreStatus SetTaskStatus(store::Store& store, std::string_view task_id, std::string_view status,
                                 std::string_view reason, std::string_view now) {
  return store.RunInTransaction([&](store::Transaction& tx) -> store::StoreStatus {
    auto current = tx.Read("Task", task_id);
    if (!current.ok()) return current.status();
    json::Document doc;
    json::ParseError err;
    if (!json::Parse(current->json, json::Limits{}, doc, err)) {
      return store::StoreStatus(store::StoreCode::kInternal, "stored Task does not parse: " + err.message);
    }
    const json::Value& task = doc.root();
    const std::string_view old_status = Str(&task, "status");
    if (!MayMove(old_status, status)) return store::StoreStatus::Ok();
    if (old_status == status && Str(task.Find("statusReason"), "text") == reason) return store::StoreStatus::Ok();
    json::Document updated;
    json::Builder b(updated);
    b.StartObject();
    bool wrote_reason = false;
    for (const json::Member& m : task.members()) {
      if (m.key == "meta") continue;
      if (m.key == "status") {
        b.Key("status").String(status);
        if (!reason.empty()) b.Key("statusReason").StartObject().Key("text").String(reason).EndObject();
        wrote_reason = true;
        continue;
      }
      if (m.key == "statusReason") continue;
      if (m.key == "lastModified") {
        b.Key("lastModified").String(now);
        continue;
      }
      b.Key(m.key).Raw(m.value);
    }
    if (!wrote_reason) b.Key("status").String(status);
    b.EndObject();
    b.Finish();
    store::UpdateOptions options;
    options.if_match = current->version;
    auto written = tx.Update(updated.root(), options);
    return written.ok() ? store::StoreStatus::Ok() : written.status();
  });
}

}  // namespace workwell::cases
