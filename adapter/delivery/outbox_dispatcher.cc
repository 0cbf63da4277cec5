#include "adapter/delivery/outbox_dispatcher.h"

#include <boost/asio/post.hpp>

namespace workwell::delivery {

OutboxDispatcher::OutboxDispatcher(boost::asio::io_context& io, store::Store& store, Transport& transport,
                                   DestinationResolver resolver, store::Clock clock, RandomSource random,
                                   DispatcherOptions options)
    : io_(io),
      strand_(boost::asio::make_strand(io)),
      timer_(strand_),
      store_(store),
      transport_(transport),
      resolver_(std::move(resolver)),
      clock_(std::move(clock)),
      random_(std::move(random)),
      options_(std::move(options)) {}

OutboxDispatcher::~OutboxDispatcher() {
  std::lock_guard<std::mutex> lock(lifeline_->mutex);
  lifeline_->alive = false;
}

void OutboxDispatcher::Start() {
  boost::asio::post(strand_, [this] { Poll(); });
}

void OutboxDispatcher::Stop() {
  stopped_.store(true);
  // A Poll already past its stopped_ check may still be claiming and sending: the strand runs
  // this only after it, so Idle() cannot be true while a claimed entry is not yet counted.
  boost::asio::post(strand_, [this] {
    timer_.cancel();
    drained_.store(true);
  });
}

DispatcherStats OutboxDispatcher::stats() const {
  DispatcherStats s;
  s.delivered = delivered_.load();
  s.retried = retried_.load();
  s.dead_lettered = dead_lettered_.load();
  s.store_errors = store_errors_.load();
  s.attempts = attempts_.load();
  s.held = held_.load();
  std::lock_guard<std::mutex> lock(latency_mutex_);
  s.latency_buckets = latency_buckets_;
  s.latency_count = latency_count_;
  s.latency_sum_seconds = latency_sum_seconds_;
  return s;
}

void OutboxDispatcher::SchedulePoll(std::chrono::milliseconds delay) {
  if (stopped_.load()) return;
  timer_.expires_after(delay);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Poll();
  });
}

void OutboxDispatcher::Poll() {
  if (stopped_.load()) return;
  size_t open = static_cast<size_t>(busy_.load());
  if (open >= options_.max_in_flight) {
    SchedulePoll(options_.poll_interval);
    return;
  }
  store::ClaimRequest claim;
  claim.worker = options_.worker;
  claim.max_entries = options_.max_in_flight - open;
  claim.lease_micros = options_.lease_micros;
  store::StoreResult<std::vector<store::OutboxEntry>> claimed = store_.ClaimOutbox(claim);
  if (!claimed.ok()) {
    ++store_errors_;
    SchedulePoll(options_.poll_interval);
    return;
  }
  std::vector<std::string> touched;
  for (store::OutboxEntry& entry : *claimed) {
    ++busy_;
    std::optional<Destination> destination = resolver_(entry.destination);
    if (!destination) {
      DeadLetter(entry, "unknown destination " + entry.destination, DeliveryEvent::kFailed);
      continue;
    }
    if (destination->held) {
      const int64_t retry_at =
          clock_() + std::chrono::duration_cast<std::chrono::microseconds>(options_.hold_retry).count();
      if (store_.FailOutbox(entry.id, entry.attempts, destination->hold_reason, retry_at).ok()) {
        ++held_;
      } else {
        ++store_errors_;
      }
      --busy_;
      continue;
    }
    common::Result<Envelope> envelope = ReadEnvelope(entry.payload);
    if (!envelope.ok()) {
      DeadLetter(entry, envelope.status().message(), DeliveryEvent::kFailed);
      continue;
    }
    std::string key = entry.destination;
    queues_[key].push_back(Job{std::move(entry), std::move(envelope).value(), std::move(*destination)});
    ++queued_;
    touched.push_back(key);
  }
  for (const std::string& key : touched) Pump(key);
  // A full batch suggests more is due: look again at once; otherwise wait.
  bool full = claimed->size() == claim.max_entries;
  SchedulePoll(full ? std::chrono::milliseconds(0) : options_.poll_interval);
}

void OutboxDispatcher::Pump(const std::string& destination) {
  auto it = queues_.find(destination);
  if (it == queues_.end()) return;
  while (!it->second.empty() &&
         limiter_.TryAcquire(destination, std::max<size_t>(1, it->second.front().destination.max_concurrency))) {
    Job job = std::move(it->second.front());
    it->second.pop_front();
    --queued_;
    StartSend(std::move(job));
  }
  if (it->second.empty()) queues_.erase(it);
}

void OutboxDispatcher::StartSend(Job job) {
  OutboundRequest request;
  request.url = job.destination.url;
  request.headers = MakeBarsHeaders(job.envelope.headers, AttemptRequestId(job.envelope.message_id, job.entry.attempts));
  for (const auto& header : job.destination.extra_headers) request.headers.push_back(header);
  request.body = job.envelope.bundle;
  request.timeout = options_.request_timeout;
  request.message_id = job.envelope.message_id;
  job.started = std::chrono::steady_clock::now();
  ++attempts_;
  auto shared = std::make_shared<Job>(std::move(job));
  transport_.Send(std::move(request), [this, shared, lifeline = lifeline_](SendOutcome outcome) {
    // Under the lifeline's lock the dispatcher (and its strand) cannot be destroyed meanwhile.
    std::lock_guard<std::mutex> lock(lifeline->mutex);
    if (!lifeline->alive) return;
    boost::asio::post(strand_, [this, shared, outcome = std::move(outcome)]() mutable {
      OnSent(std::move(*shared), std::move(outcome));
    });
  });
}

void OutboxDispatcher::OnSent(Job job, SendOutcome outcome) {
  limiter_.Release(job.entry.destination);
  RecordLatency(std::chrono::steady_clock::now() - job.started);
  const store::OutboxEntry& entry = job.entry;
  switch (outcome.result) {
    case SendResult::kDelivered: {
      Observe(entry, DeliveryEvent::kDelivered, outcome.detail);
      store::StoreStatus done = store_.CompleteOutbox(entry.id, entry.attempts);
      if (done.ok()) {
        ++delivered_;
      } else {
        // A lost claim: another worker holds the entry now and will find the message already
        // delivered (a duplicate), so nothing is lost.
        ++store_errors_;
      }
      --busy_;
      break;
    }
    case SendResult::kTransient: {
      std::optional<int64_t> delay =
          NextRetryDelay(options_.retry, entry.attempts, random_ ? random_() : 0.5, outcome.retry_after_seconds);
      if (!delay) {
        DeadLetter(entry,
                   "retry budget spent after " + std::to_string(entry.attempts) + " attempts; last: " + outcome.detail,
                   DeliveryEvent::kFailed);
        break;
      }
      store::StoreStatus failed = store_.FailOutbox(entry.id, entry.attempts, outcome.detail, clock_() + *delay);
      if (failed.ok()) {
        ++retried_;
      } else {
        ++store_errors_;
      }
      --busy_;
      break;
    }
    case SendResult::kPermanent:
      DeadLetter(entry, outcome.detail, DeliveryEvent::kRejected);
      break;
  }
  Pump(job.entry.destination);
}

void OutboxDispatcher::Observe(const store::OutboxEntry& entry, DeliveryEvent event, const std::string& detail) {
  if (options_.observer) options_.observer(entry, event, detail);
}

void OutboxDispatcher::RecordLatency(std::chrono::steady_clock::duration elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::lock_guard<std::mutex> lock(latency_mutex_);
  for (size_t i = 0; i < std::size(kLatencyBuckets); ++i) {
    if (seconds <= kLatencyBuckets[i]) ++latency_buckets_[i];
  }
  ++latency_count_;
  latency_sum_seconds_ += seconds;
}

void OutboxDispatcher::DeadLetter(const store::OutboxEntry& entry, const std::string& error, DeliveryEvent event) {
  Observe(entry, event, error);
  store::StoreStatus failed = store_.FailOutbox(entry.id, entry.attempts, error, std::nullopt);
  if (failed.ok()) {
    ++dead_lettered_;
  } else {
    ++store_errors_;
  }
  --busy_;
}

}  // namespace workwell::delivery
