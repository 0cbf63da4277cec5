#pragma once
// The Transport over cpprestsdk's http_client — the only file in the gateway that includes
// cpprestsdk. Facts this follows (STYLE.md): the thread pool is sized before any other
// cpprestsdk call; only continuations run on its threads (the one .get() used is on the
// antecedent of a task-based continuation, which has already finished, so it never waits);
// every exception is caught where it is thrown and becomes a SendOutcome; after a transient
// failure the cached client for that URL is dropped, so the retry opens a fresh connection
// rather than reusing a keep-alive connection the peer may have closed.

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "adapter/delivery/transport.h"

namespace web::http::client {
class http_client;
}

namespace workwell::delivery {

struct CppRestTransportOptions {
  size_t threads = 4;  // cpprestsdk's pool; the first transport made sets it for the process
};

// Thread-safe; Send may be called from any thread. Outstanding sends keep what they need
// alive, but the transport should outlive them so their callbacks find their owners.
class CppRestTransport : public Transport {
 public:
  explicit CppRestTransport(CppRestTransportOptions options = {});
  ~CppRestTransport() override;

  void Send(OutboundRequest request, std::function<void(SendOutcome)> done) override;

  // Clients currently cached (one per URL and timeout). For tests.
  size_t CachedClients() const;

 private:
  std::shared_ptr<web::http::client::http_client> Client(const std::string& url, std::chrono::milliseconds timeout,
                                                         std::string& key);
  void Evict(const std::string& key);

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<web::http::client::http_client>> clients_;
};

// Sizes cpprestsdk's thread pool to `threads` once per process; later calls do nothing.
void InitializeCppRestThreads(size_t threads);

}  // namespace workwell::delivery
