#include "adapter/app/delivery_runtime.h"

#include <chrono>
#include <cstdlib>
#include <random>
#include <sstream>

#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>

#include "adapter/api/log.h"
#include "adapter/cases/task_tracking.h"
#include "adapter/common/json/json.h"
#include "adapter/delivery/referral_outbox.h"
#include "adapter/store/search_params.h"

namespace workwell::app {

common::Result<std::shared_ptr<DeliveryRuntime>> DeliveryRuntime::Create(
    const DeliverySettings& settings, std::shared_ptr<store::Store> store,
    std::shared_ptr<const routing::RoutingConfig> routing, delivery::DeliveryObserver audit) {
  std::vector<std::string> held;
  auto resolver = delivery::MakeDestinationResolver(
      std::move(routing), [](const char* name) { return std::getenv(name); }, &held);
  if (!resolver.ok()) return resolver.status();
  auto runtime =
      std::make_shared<DeliveryRuntime>(settings, std::move(store), std::move(resolver).value(), std::move(audit));
  runtime->LogHeld(held);
  return runtime;
}

DeliveryRuntime::DeliveryRuntime(const DeliverySettings& settings, std::shared_ptr<store::Store> store,
                                 delivery::DestinationResolver resolver, delivery::DeliveryObserver audit)
    : settings_(settings), store_(std::move(store)), resolver_(std::move(resolver)) {
  delivery::CppRestTransportOptions transport;
  transport.threads = static_cast<size_t>(settings.threads);
  transport.ca_file = settings.ca_file;
  transport.client_certificate_file = settings.client_certificate_file;
  transport.client_key_file = settings.client_key_file;
  transport_ = std::make_unique<delivery::CppRestTransport>(transport);
  delivery::DispatcherOptions options;
  options.worker = settings.worker_id;
  if (options.worker.empty()) {
    char host[256] = {0};
    ::gethostname(host, sizeof host - 1);
    options.worker = std::string("gateway@") + host;
  }
  worker_ = options.worker;
  options.max_in_flight = static_cast<size_t>(settings.max_in_flight);
  options.poll_interval = std::chrono::milliseconds(settings.poll_ms);
  options.request_timeout = std::chrono::milliseconds(settings.request_timeout_ms);
  options.lease_micros = static_cast<int64_t>(settings.request_timeout_ms) * 1000 * 4 + 60'000'000;
  options.retry.max_attempts = static_cast<int64_t>(settings.max_attempts);
  options.retry.initial_backoff_micros = static_cast<int64_t>(settings.initial_backoff_ms) * 1000;
  options.retry.max_backoff_micros = static_cast<int64_t>(settings.max_backoff_ms) * 1000;
  store::Store* raw_store = store_.get();
  options.observer = [raw_store, audit](const store::OutboxEntry& entry, delivery::DeliveryEvent event,
                                        const std::string& detail) {
    if (audit) audit(entry, event, detail);
    if (entry.key.find(':') != std::string::npos) {
      // Not a case's referral (e.g. a plan pushed to a subscriber): nothing to track but the log.
      api::LogEvent(event == delivery::DeliveryEvent::kDelivered ? "info" : "error", "delivery_outcome",
                    {{"outbox", entry.id},
                     {"destination", entry.destination},
                     {"key", entry.key},
                     {"outcome", std::string(cases::TaskStatusForDelivery(event))},
                     {"attempts", entry.attempts}});
      return;
    }
    const std::string_view status = cases::TaskStatusForDelivery(event);
    std::string reason = event == delivery::DeliveryEvent::kDelivered
                             ? "the WorkWell service " + entry.destination + " received the referral"
                             : "delivery to " + entry.destination + " " + std::string(status) + ": " + detail;
    if (reason.size() > 500) reason.resize(500);
    store::StoreStatus st =
        cases::SetTaskStatus(*raw_store, entry.key, status, reason, store::FormatInstant(store::SystemMicros()));
    api::LogEvent(st.ok() ? "info" : "error", "delivery_outcome",
                  {{"outbox", entry.id},
                   {"destination", entry.destination},
                   {"task", entry.key},
                   {"outcome", std::string(status)},
                   {"attempts", entry.attempts},
                   {"taskUpdate", st.ok() ? std::string("ok") : st.ToString()}});
  };
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
  dispatcher_ = std::make_unique<delivery::OutboxDispatcher>(
      io_, *store_, *transport_, [this](const std::string& d) { return Resolve(d); }, store::SystemMicros,
      [rng]() { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); }, options);
}

DeliveryRuntime::~DeliveryRuntime() { Stop(std::chrono::milliseconds(5000)); }

std::optional<delivery::Destination> DeliveryRuntime::Resolve(const std::string& destination) const {
  if (destination.starts_with("subscription/")) return ResolveSubscription(destination.substr(13));
  std::lock_guard<std::mutex> lock(resolver_mutex_);
  return resolver_(destination);
}

// An R4 Subscription with a rest-hook channel: https://hl7.org/fhir/R4/subscription.html#channels
// Read at each delivery, so a subscriber that changes its endpoint or switches the subscription
// off is respected; one that is gone or off makes the push a dead letter.
std::optional<delivery::Destination> DeliveryRuntime::ResolveSubscription(const std::string& id) const {
  auto sub = store_->Read("Subscription", id);
  if (!sub.ok()) return std::nullopt;
  json::Document doc;
  json::ParseError err;
  if (!json::Parse(sub->json, json::Limits{}, doc, err)) return std::nullopt;
  const json::Value* status = doc.root().Find("status");
  const json::Value* channel = doc.root().Find("channel");
  const json::Value* type = channel != nullptr ? channel->Find("type") : nullptr;
  const json::Value* endpoint = channel != nullptr ? channel->Find("endpoint") : nullptr;
  if (status == nullptr || status->text() != "active" || type == nullptr || type->text() != "rest-hook" ||
      endpoint == nullptr || endpoint->text().empty()) {
    return std::nullopt;
  }
  delivery::Destination d;
  d.url = std::string(endpoint->text());
  d.max_concurrency = 2;
  if (const json::Value* headers = channel->Find("header")) {
    for (const json::Value& h : headers->items()) {
      const std::string_view text = h.text();
      const size_t colon = text.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = text.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      d.extra_headers.emplace_back(std::string(text.substr(0, colon)), std::string(value));
    }
  }
  return d;
}

void DeliveryRuntime::Start() {
  if (started_ || !settings_.enabled) return;
  started_ = true;
  // What this worker held when it last stopped (a crash) goes back to pending now, rather than
  // when the leases run out.
  auto released = store_->ReleaseOutboxClaims(worker_);
  if (released.ok() && *released > 0) {
    api::LogEvent("info", "outbox_claims_released", {{"worker", worker_}, {"messages", *released}});
  }
  dispatcher_->Start();
  thread_ = std::thread([this] {
    auto guard = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

void DeliveryRuntime::Stop(std::chrono::milliseconds grace) {
  if (!started_) return;
  started_ = false;
  dispatcher_->Stop();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!dispatcher_->Idle() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

common::Status DeliveryRuntime::Reload(std::shared_ptr<const routing::RoutingConfig> routing) {
  std::vector<std::string> held;
  auto resolver = delivery::MakeDestinationResolver(
      std::move(routing), [](const char* name) { return std::getenv(name); }, &held);
  if (!resolver.ok()) return resolver.status();
  {
    std::lock_guard<std::mutex> lock(resolver_mutex_);
    resolver_ = std::move(resolver).value();
  }
  LogHeld(held);
  return common::Status::Ok();
}

void DeliveryRuntime::LogHeld(const std::vector<std::string>& held) {
  held_services_.store(static_cast<int64_t>(held.size()));
  for (const std::string& service : held) {
    api::LogEvent("error", "delivery_held",
                  {{"service", service},
                   {"detail", "credential variable unset: its referrals wait in the outbox (nothing is lost) until "
                              "the gateway is restarted with the variable set"}});
  }
}

std::string DeliveryRuntime::MetricsText() const {
  const delivery::DispatcherStats s = dispatcher_->stats();
  std::ostringstream out;
  out << "# HELP workwell_delivery_attempts_total Delivery attempts started.\n"
      << "# TYPE workwell_delivery_attempts_total counter\n"
      << "workwell_delivery_attempts_total " << s.attempts << "\n"
      << "# HELP workwell_delivery_outcomes_total Finished delivery attempts by outcome.\n"
      << "# TYPE workwell_delivery_outcomes_total counter\n"
      << "workwell_delivery_outcomes_total{outcome=\"delivered\"} " << s.delivered << "\n"
      << "workwell_delivery_outcomes_total{outcome=\"retried\"} " << s.retried << "\n"
      << "workwell_delivery_outcomes_total{outcome=\"dead_lettered\"} " << s.dead_lettered << "\n"
      << "# HELP workwell_delivery_store_errors_total Outbox store calls that failed, lost claims included.\n"
      << "# TYPE workwell_delivery_store_errors_total counter\n"
      << "workwell_delivery_store_errors_total " << s.store_errors << "\n"
      << "# HELP workwell_delivery_held_total Claims put back because their service is held (no credential).\n"
      << "# TYPE workwell_delivery_held_total counter\n"
      << "workwell_delivery_held_total " << s.held << "\n"
      << "# HELP workwell_delivery_services_held Services whose credential is missing, so nothing is sent to them.\n"
      << "# TYPE workwell_delivery_services_held gauge\n"
      << "workwell_delivery_services_held " << held_services_.load() << "\n"
      << "# HELP workwell_delivery_latency_seconds Time from sending a message to its answer.\n"
      << "# TYPE workwell_delivery_latency_seconds histogram\n";
  for (size_t i = 0; i < std::size(delivery::kLatencyBuckets); ++i) {
    out << "workwell_delivery_latency_seconds_bucket{le=\"" << delivery::kLatencyBuckets[i] << "\"} "
        << (i < s.latency_buckets.size() ? s.latency_buckets[i] : 0) << "\n";
  }
  out << "workwell_delivery_latency_seconds_bucket{le=\"+Inf\"} " << s.latency_count << "\n"
      << "workwell_delivery_latency_seconds_sum " << s.latency_sum_seconds << "\n"
      << "workwell_delivery_latency_seconds_count " << s.latency_count << "\n";
  out << "# HELP workwell_outbox_messages Outbox messages by state (queue depth: pending and claimed).\n"
      << "# TYPE workwell_outbox_messages gauge\n";
  auto counts = store_->CountOutbox();
  int64_t by_state[4] = {0, 0, 0, 0};
  const char* states[4] = {"pending", "claimed", "done", "dead"};
  if (counts.ok()) {
    for (const auto& [state, n] : *counts) {
      for (int i = 0; i < 4; ++i) {
        if (state == states[i]) by_state[i] = n;
      }
    }
  }
  for (int i = 0; i < 4; ++i) out << "workwell_outbox_messages{state=\"" << states[i] << "\"} " << by_state[i] << "\n";
  out << "# HELP workwell_outbox_readable 1 when the outbox counts above could be read.\n"
      << "# TYPE workwell_outbox_readable gauge\n"
      << "workwell_outbox_readable " << (counts.ok() ? 1 : 0) << "\n"
      << "# HELP workwell_delivery_enabled 1 when this gateway sends outbox messages.\n"
      << "# TYPE workwell_delivery_enabled gauge\n"
      << "workwell_delivery_enabled " << (settings_.enabled ? 1 : 0) << "\n";
  return out.str();
}

}  // namespace workwell::app
