#include "adapter/mapping/sources/ref_i12.h"

#include <algorithm>
#include <array>
#include <optional>

namespace workwell::mapping {
namespace {

using Severity = SourceIssue::Severity;

// Rank of each segment in the REF^I12 structure; a segment may not follow one of higher rank.
struct SegmentRule {
  std::string_view name;
  int rank;
  bool mapped;  // the WorkWell profile reads it
};

constexpr std::array<SegmentRule, 24> kRules = {{
    {"MSH", 0, true},  {"SFT", 1, false}, {"UAC", 2, false}, {"RF1", 3, true},  {"AUT", 4, false},
    {"CTD", 4, false}, {"PRD", 5, true},  {"PID", 6, true},  {"NK1", 7, false}, {"GT1", 8, false},
    {"IN1", 9, false}, {"IN2", 9, false}, {"IN3", 9, false}, {"ACC", 10, false}, {"DG1", 11, true},
    {"DRG", 12, false}, {"AL1", 13, false}, {"PR1", 14, false}, {"OBR", 15, false}, {"OBX", 15, false},
    {"PV1", 16, true}, {"PV2", 17, false}, {"NTE", 18, true}, {"ERR", 19, false},
}};

const SegmentRule* RuleFor(std::string_view name) {
  for (const SegmentRule& r : kRules) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

SourceLocation At(const Hl7Segment& seg, std::string path) {
  SourceLocation loc;
  loc.format = SourceFormat::kHl7v2;
  loc.path = std::move(path);
  loc.line = seg.ordinal;
  return loc;
}

SourceLocation AtPath(const Hl7Message& m, std::string_view path) {
  SourceLocation loc;
  loc.format = SourceFormat::kHl7v2;
  loc.path = std::string(path);
  std::optional<Hl7Path> p = Hl7Path::Parse(path);
  if (p) {
    const Hl7Segment* seg = m.FindSegment(p->segment, p->occurrence);
    if (seg != nullptr) loc.line = seg->ordinal;
  }
  return loc;
}

bool HasNhsNumber(const Hl7Message& m) {
  const Hl7Segment* pid = m.FindSegment("PID");
  const Hl7Field* f = pid == nullptr ? nullptr : pid->field(3);
  if (f == nullptr) return false;
  for (size_t r = 1; r <= f->repetitions.size(); ++r) {
    Hl7Path p{"PID", 1, 3, static_cast<uint32_t>(r), 5, 0};
    const Hl7Text* type = m.Leaf(p);
    p.component = 1;
    const Hl7Text* id = m.Leaf(p);
    if (type != nullptr && type->text == "NH" && id != nullptr && !id->text.empty()) return true;
  }
  return false;
}

std::string ErrorLocation(const SourceIssue& issue, char component) {
  std::optional<Hl7Path> p = Hl7Path::Parse(issue.location.path);
  if (!p) return {};
  std::string out = p->segment + component + std::to_string(p->occurrence);
  if (p->field == 0) return out;
  out += component + std::to_string(p->field) + component + std::to_string(p->repetition);
  if (p->component != 0) out += component + std::to_string(p->component);
  if (p->subcomponent != 0) out += component + std::to_string(p->subcomponent);
  return out;
}

// HL7 table 0357 for an issue code.
std::string_view ErrorCode(std::string_view issue_code) {
  if (issue_code == "required") return "101^Required field missing^HL70357";
  if (issue_code == "structure") return "100^Segment sequence error^HL70357";
  if (issue_code == "value" || issue_code == "invalid") return "102^Data type error^HL70357";
  if (issue_code == "code-invalid") return "103^Table value not found^HL70357";
  if (issue_code == "not-supported") return "200^Unsupported message type^HL70357";
  return "207^Application internal error^HL70357";
}

}  // namespace

bool CheckRefI12(const Hl7Message& m, std::vector<SourceIssue>& issues) {
  const size_t before = issues.size();
  if (m.message_type() != "REF" || m.trigger_event() != "I12") {
    issues.push_back({Severity::kError, "not-supported",
                      "MSH-9 is \"" + std::string(m.message_type()) + "^" + std::string(m.trigger_event()) +
                          "\"; REF^I12 expected",
                      AtPath(m, "MSH-9")});
  }
  int rank = 0;
  for (const Hl7Segment& seg : m.segments()) {
    if (seg.name[0] == 'Z') continue;
    const SegmentRule* rule = RuleFor(seg.name);
    std::string where = seg.occurrence > 1 ? seg.name + "[" + std::to_string(seg.occurrence) + "]" : seg.name;
    if (rule == nullptr) {
      issues.push_back({Severity::kWarning, "structure", "segment is not part of REF^I12; passed through", At(seg, where)});
      continue;
    }
    if (!rule->mapped) {
      issues.push_back({Severity::kWarning, "informational", "segment is accepted but not mapped", At(seg, where)});
    }
    const bool floating = seg.name == "NTE" || seg.name == "CTD";
    if (floating) continue;
    if (rule->rank < rank) {
      issues.push_back({Severity::kError, "structure", "segment out of order for REF^I12", At(seg, where)});
    }
    // Judge the next segment against this one, so one misplaced segment is one error.
    rank = rule->rank;
  }
  if (m.SegmentCount("RF1") != 1) {
    issues.push_back({Severity::kError, "required", "exactly one RF1 segment is required",
                      AtPath(m, m.SegmentCount("RF1") == 0 ? "MSH" : "RF1[2]")});
  }
  if (m.SegmentCount("PID") != 1) {
    issues.push_back({Severity::kError, "required", "exactly one PID segment is required",
                      AtPath(m, m.SegmentCount("PID") == 0 ? "MSH" : "PID[2]")});
  } else if (!HasNhsNumber(m)) {
    issues.push_back({Severity::kError, "required", "no PID-3 repetition carries an NHS number (identifier type NH)",
                      AtPath(m, "PID-3")});
  }
  bool referring = false;
  for (uint32_t i = 1; i <= m.SegmentCount("PRD"); ++i) {
    const Hl7Path role{"PRD", i, 1, 1, 1, 0};
    const Hl7Text* t = m.Leaf(role);
    if (t != nullptr && t->text == "RP") referring = true;
  }
  if (!referring) {
    issues.push_back({Severity::kError, "required", "no PRD segment with PRD-1 \"RP\" (referring provider)",
                      AtPath(m, m.SegmentCount("PRD") == 0 ? "MSH" : "PRD-1")});
  }
  for (size_t i = before; i < issues.size(); ++i) {
    if (issues[i].severity == Severity::kError) return false;
  }
  return true;
}

std::string BuildRefI12Reply(const Hl7Message& request, AckCode code, const AckOptions& options) {
  const Hl7Encoding& e = request.encoding();
  const char f = e.field;
  const char c = e.component;
  auto esc = [&e](std::string_view s) { return EscapeHl7(s, e); };
  // MSH-3/4 and MSH-5/6 are composite (HD): copy the request's raw components back escaped.
  auto hd = [&](std::string_view path) {
    std::string out;
    for (uint32_t i = 1; i <= 3; ++i) {
      if (i > 1) out += c;
      out += esc(request.Text(std::string(path) + "." + std::to_string(i)));
    }
    while (!out.empty() && out.back() == c) out.pop_back();
    return out;
  };
  std::string enc;
  enc += e.component;
  enc += e.repetition;
  enc += e.escape;
  enc += e.subcomponent;
  if (e.truncation != '\0') enc += e.truncation;

  const bool accepted = code == AckCode::kAccept;
  const char* ack = accepted ? "AA" : code == AckCode::kError ? "AE" : "AR";
  std::string version(request.version().empty() ? std::string_view("2.5.1") : request.version());
  std::string type = accepted ? std::string("RRI") + c + "I12" + c + "RRI_I12" : std::string("ACK") + c + "I12" + c + "ACK";

  std::string out = "MSH";
  out += f;
  out += enc;
  for (const std::string& part :
       {esc(options.sending_application), esc(options.sending_facility), hd("MSH-3"), hd("MSH-4"),
        esc(options.timestamp), std::string(), type, esc(options.control_id),
        esc(request.Text("MSH-11").empty() ? "P" : request.Text("MSH-11")), esc(version)}) {
    out += f;
    out += part;
  }
  out += '\r';
  out += "MSA";
  out += f;
  out += ack;
  out += f;
  out += esc(request.control_id());
  if (!options.text.empty()) {
    out += f;
    out += esc(options.text);
  }
  out += '\r';
  if (!accepted) {
    for (const SourceIssue& issue : options.errors) {
      out += "ERR";
      out += f;
      out += f;
      out += ErrorLocation(issue, c);
      out += f;
      std::string_view err = ErrorCode(issue.code);
      for (char ch : err) out += ch == '^' ? c : ch;
      out += f;
      out += issue.severity == Severity::kError ? "E" : "W";
      out += std::string(4, f);
      out += esc(issue.message);
      out += '\r';
    }
  }
  return out;
}

}  // namespace workwell::mapping
