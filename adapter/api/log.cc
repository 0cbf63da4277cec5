#include "adapter/api/log.h"

#include <unistd.h>

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

}  // namespace

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
      b.String(*s);
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
