// cpprestsdk 2.10's pplx/threadpool.h names boost::asio::io_service, which the project-wide
// BOOST_ASIO_NO_DEPRECATED removes; this file alone includes it, so allow it here.
#undef BOOST_ASIO_NO_DEPRECATED

#include "adapter/delivery/cpprest_transport.h"

#include <cpprest/http_client.h>
#include <pplx/threadpool.h>

#include <cstdlib>
#include <strings.h>

namespace workwell::delivery {
namespace {

namespace http = web::http;

// Calls `done` with `outcome`, never letting an exception escape into cpprestsdk's pool.
void Finish(const std::function<void(SendOutcome)>& done, SendOutcome outcome) {
  try {
    done(std::move(outcome));
  } catch (...) {
    // The callback broke its contract (it must not throw); nothing else can be done here.
  }
}

SendOutcome Transient(std::string detail) {
  SendOutcome out;
  out.result = SendResult::kTransient;
  out.detail = std::move(detail);
  return out;
}

}  // namespace

void InitializeCppRestThreads(size_t threads) {
  static std::once_flag once;
  std::call_once(once, [threads] {
    try {
      crossplat::threadpool::initialize_with_threads(threads);
    } catch (...) {
      // Already initialised by an earlier cpprestsdk call: keep that pool.
    }
  });
}

CppRestTransport::CppRestTransport(CppRestTransportOptions options) : options_(std::move(options)) {
  InitializeCppRestThreads(options_.threads);
}

CppRestTransport::~CppRestTransport() = default;

size_t CppRestTransport::CachedClients() const {
  std::lock_guard lock(cache_->mutex);
  return cache_->clients.size();
}

std::shared_ptr<http::client::http_client> CppRestTransport::Client(const std::string& url,
                                                                    std::chrono::milliseconds timeout,
                                                                    std::string& key) {
  key = std::to_string(timeout.count()) + " " + url;
  std::lock_guard lock(cache_->mutex);
  auto it = cache_->clients.find(key);
  if (it != cache_->clients.end()) return it->second;
  http::client::http_client_config config;
  config.set_timeout(timeout);
  config.set_validate_certificates(true);
  const CppRestTransportOptions options = options_;
  config.set_ssl_context_callback([options](boost::asio::ssl::context& ctx) {
    // Called by cpprestsdk when it opens a TLS connection; errors become a failed send.
    ctx.set_options(boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3 |
                    boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1);
    if (!options.ca_file.empty()) ctx.load_verify_file(options.ca_file);
    if (!options.client_certificate_file.empty()) {
      ctx.use_certificate_chain_file(options.client_certificate_file);
      ctx.use_private_key_file(options.client_key_file, boost::asio::ssl::context::pem);
    }
  });
  auto client = std::make_shared<http::client::http_client>(web::uri(url), config);
  cache_->clients.emplace(key, client);
  return client;
}

void CppRestTransport::ClientCache::Evict(const std::string& key) {
  std::lock_guard lock(mutex);
  clients.erase(key);
}

void CppRestTransport::Send(OutboundRequest request, std::function<void(SendOutcome)> done) {
  std::string key;
  std::shared_ptr<http::client::http_client> client;
  try {
    client = Client(request.url, request.timeout, key);
  } catch (const std::exception& e) {
    SendOutcome out;
    out.result = SendResult::kPermanent;
    out.detail = "bad URL " + request.url + ": " + e.what();
    Finish(done, std::move(out));
    return;
  }
  try {
    http::http_request message(http::methods::POST);
    std::string content_type = "application/fhir+json";
    for (const auto& [name, value] : request.headers) {
      if (strcasecmp(name.c_str(), "Content-Type") == 0) {
        content_type = value;
      } else {
        message.headers().add(name, value);
      }
    }
    message.set_body(std::move(request.body), content_type);
    // `client` and the cache are captured, not the transport, so a send may outlive both an
    // eviction and the transport itself.
    client->request(message).then([cache = cache_, client, key, done, message_id = std::move(request.message_id)](
                                      pplx::task<http::http_response> sent) {
      http::http_response response;
      try {
        response = sent.get();  // the antecedent has finished: this does not wait
      } catch (const std::exception& e) {
        cache->Evict(key);
        Finish(done, Transient(std::string("no response: ") + e.what()));
        return;
      }
      int status = response.status_code();
      std::optional<int64_t> retry_after;
      auto header = response.headers().find("Retry-After");
      if (header != response.headers().end()) {
        char* end = nullptr;
        long long seconds = std::strtoll(header->second.c_str(), &end, 10);
        if (end != header->second.c_str() && *end == '\0' && seconds >= 0) retry_after = seconds;
      }
      try {
        response.extract_utf8string(true).then([cache, key, done, status, retry_after,
                                                message_id](pplx::task<std::string> body) {
          std::string text;
          bool read = true;
          try {
            text = body.get();  // finished antecedent
          } catch (const std::exception&) {
            read = false;
          }
          SendOutcome out = ClassifyResponse(status, text, message_id);
          out.retry_after_seconds = retry_after;
          if (!read && out.result == SendResult::kDelivered) {
            out = Transient("HTTP " + std::to_string(status) + " but the body could not be read");
          }
          if (out.result == SendResult::kTransient) cache->Evict(key);
          Finish(done, std::move(out));
        });
      } catch (const std::exception& e) {
        cache->Evict(key);
        Finish(done, Transient(std::string("reading the response failed: ") + e.what()));
      }
    });
  } catch (const std::exception& e) {
    cache_->Evict(key);
    Finish(done, Transient(std::string("sending failed: ") + e.what()));
  }
}

}  // namespace workwell::delivery
