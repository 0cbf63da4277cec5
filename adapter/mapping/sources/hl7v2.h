#pragma once
// HL7 v2.x (pipe-and-hat) message parser, exposing a message as a SourceRecord.
// Delimiters come from MSH-1/MSH-2 (field, component, repetition, escape, sub-component and, from
// v2.7, truncation); escape sequences are resolved; `""` (explicit null) is kept apart from an
// empty value. HL7 v2.5.1 chapter 2, sections 2.5-2.7 (message construction rules).
// https://www.hl7.eu/HL7v2x/v251/std251/ch02.html

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/status.h"
#include "adapter/mapping/sources/source_record.h"

namespace workwell::mapping {

// Limits applied while parsing; exceeding one fails the parse with resource_exhausted.
struct Hl7Limits {
  size_t max_message_bytes = 1u << 20;  // whole message
  size_t max_segments = 2000;
  size_t max_field_bytes = 64u << 10;   // one field, before unescaping
};

// The delimiters a message declares in MSH-1 and MSH-2.
struct Hl7Encoding {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  char truncation = '\0';  // '\0' when MSH-2 declares none (before v2.7)
};

// One leaf (a sub-component): unescaped text, or an explicit null (`""` in the message).
struct Hl7Text {
  std::string text;
  bool is_null = false;
};

// A component: its sub-components (at least one).
struct Hl7Component {
  std::vector<Hl7Text> subcomponents;
};

// One repetition of a field: its components (at least one).
struct Hl7Repetition {
  std::vector<Hl7Component> components;
};

// A field: its repetitions. An empty field has none.
struct Hl7Field {
  std::vector<Hl7Repetition> repetitions;
  // True when the field holds nothing (no value and no explicit null).
  bool empty() const { return repetitions.empty(); }
};

// A segment. fields[i] is SEG-(i+1); for MSH, fields[0] is MSH-1 (the field separator) and
// fields[1] is MSH-2 (the encoding characters, kept verbatim).
struct Hl7Segment {
  std::string name;
  uint32_t occurrence = 1;  // 1-based among segments of the same name
  uint32_t ordinal = 1;     // 1-based position in the message
  std::vector<Hl7Field> fields;

  // SEG-`number` (1-based), or nullptr when the segment has fewer fields.
  const Hl7Field* field(size_t number) const {
    return number >= 1 && number <= fields.size() ? &fields[number - 1] : nullptr;
  }
};

// An address inside a message, as written "SEG[n]-F[r].C.S". Zero in field, component or
// subcomponent means "not given". Occurrence and repetition default to 1.
struct Hl7Path {
  std::string segment;
  uint32_t occurrence = 1;
  uint32_t field = 0;
  uint32_t repetition = 1;
  uint32_t component = 0;
  uint32_t subcomponent = 0;

  // Parses "PID-3[2].1", "PRD[2]-2.1", "RF1-7", "PRD"; nullopt when malformed.
  static std::optional<Hl7Path> Parse(std::string_view text);
  // Renders the path, leaving out [1] indexes and unset parts.
  std::string ToString() const;
};

// A parsed message. Immutable after parsing, so concurrent reads are safe; movable.
// Values returned through SourceRecord point into the message.
//
// As a SourceRecord: Get() takes an Hl7Path; the canonical path of a leaf names a component
// only when its repetition has more than one component (or the component has sub-components),
// and a sub-component only when its component has more than one. MSH-1 and MSH-2 can be read but
// are not enumerated (they are delimiters, not data).
class Hl7Message final : public SourceRecord {
 public:
  // The delimiters declared in MSH-1 and MSH-2.
  const Hl7Encoding& encoding() const { return encoding_; }
  // Every segment, in message order.
  const std::vector<Hl7Segment>& segments() const { return segments_; }

  // The `occurrence`-th segment called `name`, or nullptr.
  const Hl7Segment* FindSegment(std::string_view name, uint32_t occurrence = 1) const;
  // How many segments are called `name`.
  size_t SegmentCount(std::string_view name) const;
  // The leaf at `path` (missing component/sub-component/repetition numbers mean 1), or nullptr
  // when the message has nothing there.
  const Hl7Text* Leaf(const Hl7Path& path) const;
  // The text at `path`, or "" when absent or null. Convenience for headers such as "MSH-9.1".
  std::string_view Text(std::string_view path) const;

  // MSH-9.1, MSH-9.2, MSH-10 and MSH-12.1.
  std::string_view message_type() const { return Text("MSH-9.1"); }
  std::string_view trigger_event() const { return Text("MSH-9.2"); }
  std::string_view control_id() const { return Text("MSH-10"); }
  std::string_view version() const { return Text("MSH-12.1"); }

  // SourceRecord: paths are Hl7Path strings; see the class comment for canonical paths.
  SourceFormat format() const override { return SourceFormat::kHl7v2; }
  std::optional<SourceField> Get(std::string_view path) const override;
  size_t Count(std::string_view path) const override;
  void ForEachField(const std::function<void(const SourceField&)>& visit) const override;

 private:
  friend class Hl7Parser;
  Hl7Encoding encoding_;
  std::vector<Hl7Segment> segments_;
};

// Parses one message. Segments may end with CR (the standard), CR LF or LF (each reported once as
// a warning). Problems that leave the value usable (an unknown or unterminated escape sequence, a
// value truncated by the sender) are warnings in `issues`. A message that cannot be read (no MSH,
// bad delimiters, a malformed segment name, a second MSH) fails with invalid_argument, a limit
// with resource_exhausted; the Status message and an error issue in `issues` both name the HL7
// location. Never throws or aborts on any input.
common::Result<Hl7Message> ParseHl7v2(std::string_view text, const Hl7Limits& limits,
                                      std::vector<SourceIssue>& issues);

// Escapes `text` for use as one leaf value under `encoding`: each delimiter becomes its escape
// sequence (F, S, T, R, E, P between escape characters) and a line break becomes ".br". The text
// `""` (two quotes) is written with its first quote as a hexadecimal escape, so that it is not
// read back as an explicit null.
std::string EscapeHl7(std::string_view text, const Hl7Encoding& encoding);

}  // namespace workwell::mapping
