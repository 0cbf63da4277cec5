#include "adapter/api/log.h"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "adapter/common/json/json.h"

namespace workwell::api {
namespace {

std::string FormatUtc(std::chrono::system_clock::time_point t, bool micros) {
  using std::chrono::duration_cast;
  const auto since_epoch = duration_cast<std::chrono::microseconds>(t.time_since_epoch());
  int64_t secs = since_epoch.count() / 1000000;
  int64_t frac = since_epoch.count() % 1000000;
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (micros) {
    char f[16];
    std::snprintf(f, sizeof(f), ".%06lld", static_cast<long long>(frac));
    out += f;
  }
  out.push_back('Z');
  return out;
}

std::atomic<bool> g_log_personal_data{false};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The length of an NHS-number-shaped run at text[i] (ten digits, or 3+3+4 separated by one space
// or hyphen each), or 0.
size_t NhsNumberAt(std::string_view text, size_t i) {
  auto digits = [&](size_t at, size_t n) {
    if (at + n > text.size()) return false;
    for (size_t k = 0; k < n; ++k) {
      if (!IsDigit(text[at + k])) return false;
    }
    return true;
  };
  size_t len = 0;
  if (digits(i, 10)) {
    len = 10;
  } else if (digits(i, 3) && i + 3 < text.size() && (text[i + 3] == ' ' || text[i + 3] == '-') && digits(i + 4, 3) &&
             i + 7 < text.size() && text[i + 7] == text[i + 3] && digits(i + 8, 4)) {
    len = 12;
  }
  if (len == 0) return 0;
  // Part of a longer number or of a word (a hex id): not an NHS number.
  if (i + len < text.size() && std::isalnum(static_cast<unsigned char>(text[i + len]))) return 0;
  return len;
}

}  // namespace

void SetLogPersonalData(bool on) { g_log_personal_data.store(on, std::memory_order_relaxed); }

bool LogPersonalData() { return g_log_personal_data.load(std::memory_order_relaxed); }

std::string RedactPersonalData(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    // An apostrophe inside a word ("client's") opens no quote.
    const bool opens = c == '"' || (c == '\'' && (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1]))));
    if (opens) {
      const size_t close = text.find(c, i + 1);
      if (close != std::string_view::npos) {
        out.push_back(c);
        if (close > i + 1) out += "[redacted]";
        out.push_back(c);
        i = close + 1;
        continue;
      }
    }
    if (IsDigit(c) && (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      if (const size_t len = NhsNumberAt(text, i); len > 0) {
        out += "[nhs-number]";
        i += len;
        continue;
      }
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

void WriteStderrLine(std::string_view line) {
  static std::mutex mu;
  std::string buf;
  buf.reserve(line.size() + 1);
  buf.append(line).push_back('\n');
  std::lock_guard<std::mutex> lock(mu);
  const char* p = buf.data();
  size_t left = buf.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a logging failure
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

std::string FormatUtcMicros(std::chrono::system_clock::time_point t) { return FormatUtc(t, true); }

std::string FormatUtcSeconds(std::chrono::system_clock::time_point t) { return FormatUtc(t, false); }

std::string FormatLogLine(std::chrono::system_clock::time_point time, std::string_view level,
                          std::string_view event, std::initializer_list<LogField> fields) {
  json::Document doc;
  json::Builder b(doc);
  b.StartObject();
  b.Key("time").String(FormatUtcMicros(time));
  b.Key("level").String(level);
  b.Key("event").String(event);
  for (const LogField& f : fields) {
    b.Key(f.key);
    if (const auto* s = std::get_if<std::string_view>(&f.value)) {
      if (LogPersonalData()) {
        b.String(*s);
      } else {
        b.String(RedactPersonalData(*s));
      }
    } else {
      b.Int(std::get<int64_t>(f.value));
    }
  }
  b.EndObject();
  b.Finish();
  return json::Write(doc.root());
}

void LogEvent(std::string_view level, std::string_view event, std::initializer_list<LogField> fields) {
  WriteStderrLine(FormatLogLine(std::chrono::system_clock::now(), level, event, fields));
}

}  // namespace workwell::api
