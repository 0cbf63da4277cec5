// `dead-letters`: operators list, inspect and requeue the messages delivery gave up on, straight
// from the store the config names (the gateway may be running: the store is shared safely).

#include <ostream>
#include <string>

#include "adapter/api/config_reader.h"
#include "adapter/app/case_routes.h"
#include "adapter/app/commands.h"
#include "adapter/app/gateway_config.h"
#include "adapter/store/open_store.h"
#include "adapter/store/search_params.h"

namespace workwell::app {

std::string_view DeadLettersUsage() {
  return "usage: workwell-gateway dead-letters list|show ID|requeue ID [--config FILE]\n"
         "  list        the dead-lettered outbox messages, oldest first, one JSON object a line\n"
         "  show ID     one of them with the envelope it carries (headers and the BaRS message)\n"
         "  requeue ID  send it again; its case's Task goes back to requested\n"
         "  --config FILE  the gateway config naming the store (built-in defaults without it)\n";
}

int RunDeadLetters(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  std::string action, id_text, config_path;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else if (args[i].rfind("--config=", 0) == 0) {
      config_path = args[i].substr(9);
    } else if (action.empty()) {
      action = args[i];
    } else if (id_text.empty()) {
      id_text = args[i];
    } else {
      err << DeadLettersUsage();
      return kExitUsage;
    }
  }
  const bool needs_id = action == "show" || action == "requeue";
  uint64_t id = 0;
  if ((action != "list" && !needs_id) || (needs_id && !api::ParseUint(id_text, id)) || (!needs_id && !id_text.empty())) {
    err << DeadLettersUsage();
    return kExitUsage;
  }
  common::Result<GatewayConfig> config = config_path.empty() ? GatewayConfig{} : LoadGatewayConfig(config_path);
  if (!config.ok()) {
    err << config.status().message() << "\n";
    return kExitFailure;
  }
  common::Result<store::StoreConfig> store_config = ResolveStoreConfig(config->store);
  if (!store_config.ok()) {
    err << "workwell-gateway: " << store_config.status().message() << "\n";
    return kExitFailure;
  }
  auto opened = store::OpenStore(*store_config);
  if (!opened.ok()) {
    err << "workwell-gateway: store: " << opened.status().ToString() << "\n";
    return kExitFailure;
  }
  store::Store& store = **opened;
  if (action == "list") {
    auto entries = store.ListDeadLetters(1000);
    if (!entries.ok()) {
      err << "workwell-gateway: " << entries.status().ToString() << "\n";
      return kExitFailure;
    }
    for (const store::OutboxEntry& e : *entries) out << OutboxEntryJson(e, false) << "\n";
    return kExitOk;
  }
  if (action == "show") {
    auto entry = store.ReadOutboxEntry(static_cast<int64_t>(id));
    if (!entry.ok() || entry->state != "dead") {
      err << "workwell-gateway: outbox entry " << id << " is not dead-lettered\n";
      return kExitFailure;
    }
    out << OutboxEntryJson(*entry, true) << "\n";
    return kExitOk;
  }
  store::StoreStatus st = RequeueDeadLetter(store, static_cast<int64_t>(id), store::FormatInstant(store::SystemMicros()));
  if (!st.ok()) {
    err << "workwell-gateway: " << st.ToString() << "\n";
    return kExitFailure;
  }
  out << "requeued outbox entry " << id << "\n";
  return kExitOk;
}

}  // namespace workwell::app
