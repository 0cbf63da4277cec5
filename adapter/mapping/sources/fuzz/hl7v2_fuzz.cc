// libFuzzer entry point for the HL7 v2 parser. Beyond "never crash", it checks invariants:
// - a rejection is invalid_argument or resource_exhausted, its last issue is an error whose
//   text is the Status message, and it has a location (a segment ordinal) unless the whole
//   message is over the size limit;
// - every enumerated field can be read back by its canonical path with the same value;
// - an accepted message written out again (every leaf through EscapeHl7, `""` for a null) parses
//   to the same segments, the same field count in each segment and the same leaves (line breaks
//   come back as LF, the only line break EscapeHl7 writes). Skipped when '"' or '.' is a
//   delimiter: the null marker and the \.br\ escape cannot be written then;
// - the reply built for any parsed message parses again.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/check.h"
#include "adapter/mapping/sources/hl7v2.h"
#include "adapter/mapping/sources/ref_i12.h"

namespace {

using workwell::mapping::Hl7Encoding;
using workwell::mapping::Hl7Message;
using workwell::mapping::Hl7Text;

// The message as HL7 text, segments ended by CR.
std::string Write(const Hl7Message& m) {
  const Hl7Encoding& e = m.encoding();
  std::string out;
  for (const workwell::mapping::Hl7Segment& seg : m.segments()) {
    out += seg.name;
    const bool is_msh = seg.name == "MSH";
    for (size_t fi = 0; fi < seg.fields.size(); ++fi) {
      if (is_msh && fi == 0) continue;  // MSH-1 is the separator written below
      out += e.field;
      if (is_msh && fi == 1) {
        out += seg.fields[1].repetitions[0].components[0].subcomponents[0].text;
        continue;
      }
      const auto& reps = seg.fields[fi].repetitions;
      for (size_t ri = 0; ri < reps.size(); ++ri) {
        if (ri > 0) out += e.repetition;
        for (size_t ci = 0; ci < reps[ri].components.size(); ++ci) {
          if (ci > 0) out += e.component;
          const auto& subs = reps[ri].components[ci].subcomponents;
          for (size_t si = 0; si < subs.size(); ++si) {
            if (si > 0) out += e.subcomponent;
            out += subs[si].is_null ? std::string("\"\"") : workwell::mapping::EscapeHl7(subs[si].text, e);
          }
        }
      }
    }
    out += '\r';
  }
  return out;
}

// `text` with CR LF and lone CR turned into LF.
std::string LineBreaksAsLf(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::vector<std::string> Leaves(const Hl7Message& m) {
  std::vector<std::string> out;
  m.ForEachField([&out](const workwell::mapping::SourceField& f) {
    out.push_back(f.path + (f.value.IsNull() ? "=null" : "=" + LineBreaksAsLf(f.value.text)));
  });
  return out;
}

bool Writable(const Hl7Encoding& e) {
  for (char c : {e.field, e.component, e.repetition, e.escape, e.subcomponent, e.truncation}) {
    if (c == '"' || c == '.') return false;
  }
  return true;
}

}  // namespace

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
    WW_CHECK(r.status().code() == workwell::common::StatusCode::kInvalidArgument ||
             r.status().code() == workwell::common::StatusCode::kResourceExhausted);
    WW_CHECK(!issues.empty() && issues.back().severity == SourceIssue::Severity::kError);
    const SourceIssue& error = issues.back();
    WW_CHECK(!error.message.empty() && r.status().message() == error.ToString());
    WW_CHECK(error.location.format == SourceFormat::kHl7v2);
    WW_CHECK(error.location.line >= 1 || size > limits.max_message_bytes);
    return 0;
  }
  const Hl7Message& m = *r;
  WW_CHECK(!m.segments().empty() && m.segments()[0].name == "MSH");
  for (const SourceIssue& issue : issues) {
    WW_CHECK(issue.severity == SourceIssue::Severity::kWarning && issue.location.line >= 1);
  }
  m.ForEachField([&m](const SourceField& f) {
    std::optional<SourceField> again = m.Get(f.path);
    WW_CHECK(again.has_value());
    WW_CHECK(again->path == f.path);
    WW_CHECK(again->value.text == f.value.text && again->value.kind == f.value.kind);
  });
  if (Writable(m.encoding())) {
    const std::string written = Write(m);
    std::vector<SourceIssue> written_issues;
    workwell::common::Result<Hl7Message> back = ParseHl7v2(written, Hl7Limits{}, written_issues);
    WW_CHECK(back.ok());
    WW_CHECK(back->segments().size() == m.segments().size());
    for (size_t i = 0; i < m.segments().size(); ++i) {
      WW_CHECK(back->segments()[i].name == m.segments()[i].name);
      WW_CHECK(back->segments()[i].fields.size() == m.segments()[i].fields.size());
    }
    WW_CHECK(Leaves(*back) == Leaves(m));
  }
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
