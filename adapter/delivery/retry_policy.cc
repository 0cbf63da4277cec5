#include "adapter/delivery/retry_policy.h"

#include <algorithm>
#include <cmath>

#include "adapter/common/check.h"

namespace workwell::delivery {

std::optional<int64_t> NextRetryDelay(const RetryPolicy& policy, int64_t attempts, double random01,
                                      std::optional<int64_t> retry_after_seconds) {
  if (attempts >= policy.max_attempts) return std::nullopt;
  double base = static_cast<double>(policy.initial_backoff_micros) *
                std::pow(policy.multiplier, static_cast<double>(std::max<int64_t>(attempts, 1) - 1));
  double capped = std::min(base, static_cast<double>(policy.max_backoff_micros));
  double r = std::clamp(random01, 0.0, 1.0);
  auto delay = static_cast<int64_t>(capped / 2 + r * capped / 2);
  if (retry_after_seconds && *retry_after_seconds > 0) {
    delay = std::max(delay, std::min(*retry_after_seconds * 1'000'000, policy.max_backoff_micros));
  }
  return delay;
}

bool ConcurrencyLimiter::TryAcquire(const std::string& key, size_t limit) {
  size_t& n = in_flight_[key];
  if (n >= limit) return false;
  ++n;
  ++total_;
  return true;
}

void ConcurrencyLimiter::Release(const std::string& key) {
  auto it = in_flight_.find(key);
  WW_CHECK(it != in_flight_.end() && it->second > 0);
  --it->second;
  --total_;
}

size_t ConcurrencyLimiter::InFlight(const std::string& key) const {
  auto it = in_flight_.find(key);
  return it == in_flight_.end() ? 0 : it->second;
}

}  // namespace workwell::delivery
