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
  // TLS for https:// endpoints: peers are always verified (certificate chain and host name),
  // TLS 1.2 or newer. `ca_file`: a PEM bundle of the CAs to trust instead of the system's; empty
  // = the system store. `client_certificate_file` + `client_key_file` (PEM): the gateway's own
  // certificate for services that require mutual TLS; both or neither.
  std::string ca_file;
  std::string client_certificate_file;
  std::string client_key_file;
};

// Thread-safe; Send may be called from any thread. Outstanding sends keep what they need alive
// (the connection and the client cache), so the transport may be destroyed while sends are open:
// their `done` callbacks still run, and must themselves be safe to call then.
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
  // The cached clients, shared with open sends (a send that fails evicts its client).
  struct ClientCache {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<web::http::client::http_client>> clients;
    void Evict(const std::string& key);
  };

  CppRestTransportOptions options_;
  std::shared_ptr<ClientCache> cache_ = std::make_shared<ClientCache>();
};

// Sizes cpprestsdk's thread pool to `threads` once per process; later calls do nothing.
void InitializeCppRestThreads(size_t threads);

}  // namespace workwell::delivery
