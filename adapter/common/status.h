#pragma once
// Status and Result<T>: the channel for "could not run" (I/O, database, upstream, config).
// Problems *in the data* go to a fhir::IssueSink instead; see STYLE.md "Errors".

#include <string>
#include <utility>
#include <variant>

namespace workwell::common {

enum class StatusCode {
  kOk,
  kInvalidArgument,    // the caller's input cannot be used (bad config value, bad flag)
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kResourceExhausted,  // a configured limit was exceeded
  kUnavailable,        // a transient failure: retrying may succeed
  kDeadlineExceeded,
  kPermissionDenied,
  kUnauthenticated,
  kInternal,
};

// Returns the lower-case name of `code` ("invalid_argument", ...), for logs and messages.
const char* StatusCodeName(StatusCode code);

// The outcome of an operation: ok, or a code with a message. Cheap to copy when ok.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid_argument: message", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value or the error (a Status, or a module's own status type with ok() and a default
// constructor meaning ok) that explains why there is none. Never holds an ok error.
template <typename T, typename E>
class [[nodiscard]] BasicResult {
 public:
  BasicResult(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  BasicResult(E error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }
  const E& status() const {
    static const E kOk;
    return ok() ? kOk : std::get<E>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, E> data_;
};

// A value or the Status that explains why there is none.
template <typename T>
using Result = BasicResult<T, Status>;

}  // namespace workwell::common
