// libFuzzer entry point for the HL7 v2 parser. Beyond "never crash", it checks invariants:
// every enumerated field can be read back by its canonical path with the same value, and the
// reply built for any parsed message parses again.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "adapter/common/check.h"
#include "adapter/mapping/sources/hl7v2.h"
#include "adapter/mapping/sources/ref_i12.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace workwell::mapping;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Hl7Limits limits;
  limits.max_message_bytes = 64u << 10;
  limits.max_segments = 200;
  limits.max_field_bytes = 4096;
  std::vector<SourceIssue> issues;
  workwell::common::Result<Hl7Message> r = ParseHl7v2(text, limits, issues);
  if (!r.ok()) {
    WW_CHECK(!issues.empty() && issues.back().severity == SourceIssue::Severity::kError);
    return 0;
  }
  const Hl7Message& m = *r;
  m.ForEachField([&m](const SourceField& f) {
    std::optional<SourceField> again = m.Get(f.path);
    WW_CHECK(again.has_value());
    WW_CHECK(again->path == f.path);
    WW_CHECK(again->value.text == f.value.text && again->value.kind == f.value.kind);
  });
  std::vector<SourceIssue> profile;
  const bool ok = CheckRefI12(m, profile);
  AckOptions options;
  options.control_id = "FUZZ";
  options.timestamp = "20260101000000";
  options.errors = profile;
  const std::string reply = BuildRefI12Reply(m, ok ? AckCode::kAccept : AckCode::kError, options);
  std::vector<SourceIssue> reply_issues;
  workwell::common::Result<Hl7Message> again = ParseHl7v2(reply, Hl7Limits{}, reply_issues);
  WW_CHECK(again.ok());
  WW_CHECK(again->control_id() == "FUZZ");
  return 0;
}
