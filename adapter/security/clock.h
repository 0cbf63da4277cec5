#pragma once
// Wall-clock time for token and assertion lifetimes, injected so tests control it.

#include <chrono>

namespace workwell::security {

// Seconds since the Unix epoch, as JWT NumericDate uses (RFC 7519 section 2).
using UnixSeconds = int64_t;

// The current time. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds Now() const = 0;
};

// The system clock.
class SystemClock final : public Clock {
 public:
  UnixSeconds Now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace workwell::security
