#pragma once
// When to try a failed delivery again, and how many deliveries may be in flight to one service.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace workwell::delivery {

// A source of uniform numbers in [0, 1), injected so that tests are deterministic.
using RandomSource = std::function<double()>;

// Exponential backoff with jitter and a retry budget.
struct RetryPolicy {
  int64_t initial_backoff_micros = 1'000'000;   // before the second attempt
  double multiplier = 2.0;
  int64_t max_backoff_micros = 300'000'000;     // 5 minutes
  int64_t max_attempts = 8;                     // attempts in all; then the message is dead-lettered
};

// The delay before the next attempt after `attempts` failed attempts (1 after the first
// failure), or nullopt when the budget is spent (dead letter). "Equal jitter": half the capped
// exponential delay plus `random01` times the other half, so retries from many messages spread
// out but never collapse to zero. A Retry-After from the service raises the delay to at least
// that many seconds (still capped).
std::optional<int64_t> NextRetryDelay(const RetryPolicy& policy, int64_t attempts, double random01,
                                      std::optional<int64_t> retry_after_seconds = std::nullopt);

// Counts deliveries in flight per destination against a limit. Not thread-safe: the
// dispatcher uses it on its strand.
class ConcurrencyLimiter {
 public:
  // Takes a slot for `key` when fewer than `limit` are taken; false otherwise.
  bool TryAcquire(const std::string& key, size_t limit);
  // Gives back a slot taken by TryAcquire. Releasing more than acquired is a bug (aborts).
  void Release(const std::string& key);
  size_t InFlight(const std::string& key) const;
  size_t TotalInFlight() const { return total_; }

 private:
  std::map<std::string, size_t, std::less<>> in_flight_;
  size_t total_ = 0;
};

}  // namespace workwell::delivery
