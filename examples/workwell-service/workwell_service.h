#pragma once
// A reference WorkWell service: the receiving end of a BaRS referral. It accepts
// POST [base]/$process-message, checks the BaRS headers (400 without X-Request-Id or
// X-Correlation-Id), checks the request Bundle's shape (type message, first entry a
// MessageHeader with the servicerequest-request event and a focus), and answers a
// servicerequest-response message whose response.identifier is the request Bundle's id and
// response.code is "ok". It remembers message ids: a message it already has is answered with
// the same response again (success), so a sender's retry never creates a second referral.
//
// For testing senders it can be told to misbehave: answer an HTTP status instead (a number of
// times or for ever), answer slowly, or drop the connection before or after processing —
// through Behaviour, command-line flags (main.cc) or POST /_control; GET /_stats reports counts.
//
// Runs one single-threaded Asio io_context on its own thread. Thread-safe.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "adapter/common/status.h"

namespace workwell::examples {

struct Behaviour {
  int fail_status = 503;          // the status answered while fail_count is not 0
  int fail_count = 0;             // requests to fail before processing; -1: every request
  int delay_ms = 0;               // wait this long before answering (after processing)
  int drop_count = 0;             // requests whose connection is closed before processing
  int drop_after_process_count = 0;  // ... closed after processing, without an answer
};

struct ServiceStats {
  int64_t received = 0;    // requests to $process-message
  int64_t processed = 0;   // new messages accepted
  int64_t duplicates = 0;  // messages already accepted, answered again
  int64_t rejected = 0;    // 400s for bad headers or a bad Bundle
  int64_t injected_failures = 0;
  int64_t dropped = 0;
  int64_t max_concurrent = 0;  // most $process-message requests being answered at once
};

class WorkWellService {
 public:
  explicit WorkWellService(Behaviour behaviour = {});
  ~WorkWellService();
  WorkWellService(const WorkWellService&) = delete;
  WorkWellService& operator=(const WorkWellService&) = delete;

  // Listens on `address`:`port` (port 0: any free port) and serves on a new thread. Returns the
  // bound port; Unavailable when it cannot listen. Call once.
  common::Result<uint16_t> Start(const std::string& address = "127.0.0.1", uint16_t port = 0);
  // Stops listening, closes connections and joins the thread. Idempotent.
  void Stop();

  void SetBehaviour(const Behaviour& behaviour);
  Behaviour behaviour() const;
  ServiceStats stats() const;
  // How many times each message id was processed (each should be 1).
  std::map<std::string, int> processed_ids() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::thread thread_;
};

}  // namespace workwell::examples
