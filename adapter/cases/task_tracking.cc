#include "adapter/cases/task_tracking.h"

#include "adapter/cases/case_bundle.h"
#include "adapter/common/json/json.h"

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

// The states a delivery event may move a Task out of.
bool DeliveryMayChange(std::string_view status) {
  return status == "requested" || status == "accepted" || status == "rejected" || status == "failed";
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
    if (!DeliveryMayChange(old_status)) return store::StoreStatus::Ok();
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
