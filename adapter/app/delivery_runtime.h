#pragma once
// The gateway's outbound side at run time: the cpprestsdk transport, the outbox dispatcher on its
// own io_context and thread, destinations that a routing reload can replace, the Task updates
// that follow each delivery, and the Prometheus text for /metrics.

#include <atomic>
#include <memory>
#include <vector>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "adapter/app/gateway_config.h"
#include "adapter/common/status.h"
#include "adapter/delivery/cpprest_transport.h"
#include "adapter/delivery/outbox_dispatcher.h"
#include "adapter/routing/routing_config.h"
#include "adapter/store/store.h"

namespace workwell::app {

class DeliveryRuntime {
 public:
  // Builds the runtime; nothing is sent before Start. A service whose credential variable is
  // unset is held: logged as an error (`delivery_held`), counted in /metrics, and its messages
  // wait in the outbox until the gateway runs with the variable set. Reads the environment.
  // `audit` (optional) is told of every delivery's end.
  static common::Result<std::shared_ptr<DeliveryRuntime>> Create(const DeliverySettings& settings,
                                                                 std::shared_ptr<store::Store> store,
                                                                 std::shared_ptr<const routing::RoutingConfig> routing,
                                                                 delivery::DeliveryObserver audit = {});
  ~DeliveryRuntime();

  // Starts the dispatcher thread (when delivery is enabled). Call once.
  void Start();
  // Stops claiming, lets sends in flight finish (up to `grace`), and joins the thread.
  void Stop(std::chrono::milliseconds grace);
  // Resolves destinations from a reloaded routing config; the old ones stay on error. Thread-safe.
  common::Status Reload(std::shared_ptr<const routing::RoutingConfig> routing);

  // The gateway's metrics in the Prometheus text format 0.0.4: delivery attempts, outcomes,
  // latency histogram, outbox depth by state (one store query). Thread-safe.
  std::string MetricsText() const;

  DeliveryRuntime(const DeliverySettings& settings, std::shared_ptr<store::Store> store, delivery::DestinationResolver resolver,
                  delivery::DeliveryObserver audit = {});

 private:
  std::optional<delivery::Destination> Resolve(const std::string& destination) const;
  std::optional<delivery::Destination> ResolveSubscription(const std::string& id) const;
  void LogHeld(const std::vector<std::string>& held);

  DeliverySettings settings_;
  std::shared_ptr<store::Store> store_;
  mutable std::mutex resolver_mutex_;
  delivery::DestinationResolver resolver_;
  boost::asio::io_context io_;
  std::unique_ptr<delivery::CppRestTransport> transport_;
  std::unique_ptr<delivery::OutboxDispatcher> dispatcher_;
  std::thread thread_;
  bool started_ = false;
  std::string worker_;
  std::atomic<int64_t> held_services_{0};
};

}  // namespace workwell::app
