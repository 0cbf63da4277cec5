#include "adapter/mapping/sources/hl7v2.h"

#include <charconv>

namespace workwell::mapping {
namespace {

using Severity = SourceIssue::Severity;

SourceLocation Hl7Location(std::string path, uint32_t ordinal = 0) {
  SourceLocation loc;
  loc.format = SourceFormat::kHl7v2;
  loc.path = std::move(path);
  loc.line = ordinal;
  return loc;
}

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsUpper(c) || IsDigit(c) || (c >= 'a' && c <= 'z'); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'); }
int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return c - 'a' + 10;
}

bool ValidSegmentName(std::string_view name) {
  return name.size() == 3 && IsUpper(name[0]) && (IsUpper(name[1]) || IsDigit(name[1])) &&
         (IsUpper(name[2]) || IsDigit(name[2]));
}

// Reads a positive decimal number at `text[pos]`, advancing `pos`.
bool ReadNumber(std::string_view text, size_t& pos, uint32_t& out) {
  size_t start = pos;
  while (pos < text.size() && IsDigit(text[pos])) ++pos;
  if (pos == start || pos - start > 6) return false;
  out = 0;
  std::from_chars(text.data() + start, text.data() + pos, out);
  return out >= 1;
}

bool ReadIndex(std::string_view text, size_t& pos, uint32_t& out) {
  if (pos >= text.size() || text[pos] != '[') return true;
  ++pos;
  if (!ReadNumber(text, pos, out)) return false;
  if (pos >= text.size() || text[pos] != ']') return false;
  ++pos;
  return true;
}

// The canonical path of one leaf.
std::string LeafPath(const Hl7Segment& seg, uint32_t field, uint32_t rep, const Hl7Repetition& r,
                     uint32_t comp, const Hl7Component& c, uint32_t sub) {
  Hl7Path p;
  p.segment = seg.name;
  p.occurrence = seg.occurrence;
  p.field = field;
  p.repetition = rep;
  const bool show_sub = c.subcomponents.size() > 1;
  const bool show_comp = show_sub || r.components.size() > 1;
  p.component = show_comp ? comp : 0;
  p.subcomponent = show_sub ? sub : 0;
  return p.ToString();
}

}  // namespace

std::optional<Hl7Path> Hl7Path::Parse(std::string_view text) {
  Hl7Path p;
  if (text.size() < 3 || !ValidSegmentName(text.substr(0, 3))) return std::nullopt;
  p.segment = std::string(text.substr(0, 3));
  size_t pos = 3;
  if (!ReadIndex(text, pos, p.occurrence)) return std::nullopt;
  if (pos == text.size()) return p;
  if (text[pos] != '-') return std::nullopt;
  ++pos;
  if (!ReadNumber(text, pos, p.field)) return std::nullopt;
  if (!ReadIndex(text, pos, p.repetition)) return std::nullopt;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (!ReadNumber(text, pos, p.component)) return std::nullopt;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      if (!ReadNumber(text, pos, p.subcomponent)) return std::nullopt;
    }
  }
  if (pos != text.size()) return std::nullopt;
  return p;
}

std::string Hl7Path::ToString() const {
  std::string out = segment;
  if (occurrence > 1) out += "[" + std::to_string(occurrence) + "]";
  if (field == 0) return out;
  out += "-" + std::to_string(field);
  if (repetition > 1) out += "[" + std::to_string(repetition) + "]";
  if (component == 0) return out;
  out += "." + std::to_string(component);
  if (subcomponent != 0) out += "." + std::to_string(subcomponent);
  return out;
}

// Builds an Hl7Message from text; one instance per parse.
class Hl7Parser {
 public:
  Hl7Parser(const Hl7Limits& limits, std::vector<SourceIssue>& issues)
      : limits_(limits), issues_(issues) {}

  common::Result<Hl7Message> Run(std::string_view text) {
    if (text.size() > limits_.max_message_bytes) {
      return Fail(true, "too-costly",
                  "message is " + std::to_string(text.size()) + " bytes; the limit is " +
                      std::to_string(limits_.max_message_bytes),
                  Hl7Location({}, 0));
    }
    if (text.size() < 8 || text.substr(0, 3) != "MSH") {
      return Fail(false, "structure", "message does not start with an MSH segment", Hl7Location("MSH", 1));
    }
    common::Status s = ReadEncoding(text);
    if (!s.ok()) return s;

    size_t pos = 0;
    uint32_t ordinal = 0;
    bool warned_crlf = false;
    bool warned_lf = false;
    while (pos < text.size()) {
      size_t end = text.find_first_of("\r\n", pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      ++ordinal;
      size_t next = end;
      if (end < text.size()) {
        if (text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') {
          next = end + 2;
          if (!warned_crlf) {
            warned_crlf = true;
            Warn("structure", "segments end with CR LF; HL7 v2 ends them with CR alone", Hl7Location({}, ordinal));
          }
        } else {
          next = end + 1;
          if (text[end] == '\n' && !warned_lf) {
            warned_lf = true;
            Warn("structure", "segments end with LF; HL7 v2 ends them with CR", Hl7Location({}, ordinal));
          }
        }
      }
      pos = next;
      if (line.empty()) {
        if (pos < text.size()) Warn("structure", "empty segment skipped", Hl7Location({}, ordinal));
        --ordinal;
        continue;
      }
      if (msg_.segments_.size() >= limits_.max_segments) {
        return Fail(true, "too-costly",
                    "more than " + std::to_string(limits_.max_segments) + " segments", Hl7Location({}, ordinal));
      }
      s = ReadSegment(line, ordinal);
      if (!s.ok()) return s;
    }
    return std::move(msg_);
  }

 private:
  common::Status Fail(bool limit, std::string code, std::string message, SourceLocation loc) {
    SourceIssue issue{Severity::kError, std::move(code), std::move(message), std::move(loc)};
    std::string text = issue.ToString();
    issues_.push_back(std::move(issue));
    return limit ? common::ResourceExhausted(std::move(text)) : common::InvalidArgument(std::move(text));
  }

  void Warn(std::string code, std::string message, SourceLocation loc) {
    issues_.push_back({Severity::kWarning, std::move(code), std::move(message), std::move(loc)});
  }

  common::Status ReadEncoding(std::string_view text) {
    Hl7Encoding& e = msg_.encoding_;
    e.field = text[3];
    if (IsAlnum(e.field) || e.field == '\r' || e.field == '\n' || e.field == ' ') {
      return Fail(false, "structure", "MSH-1 field separator is not a usable delimiter", Hl7Location("MSH-1", 1));
    }
    size_t end = text.find_first_of(std::string{e.field, '\r', '\n'}, 4);
    std::string_view chars = text.substr(4, end == std::string_view::npos ? std::string_view::npos : end - 4);
    if (chars.size() < 4 || chars.size() > 5) {
      return Fail(false, "structure", "MSH-2 must hold 4 or 5 encoding characters, found " + std::to_string(chars.size()),
                  Hl7Location("MSH-2", 1));
    }
    std::string seen{e.field};
    for (char c : chars) {
      if (IsAlnum(c) || c == ' ' || seen.find(c) != std::string::npos) {
        return Fail(false, "structure", "MSH-2 encoding characters must be distinct non-alphanumeric delimiters",
                    Hl7Location("MSH-2", 1));
      }
      seen += c;
    }
    e.component = chars[0];
    e.repetition = chars[1];
    e.escape = chars[2];
    e.subcomponent = chars[3];
    e.truncation = chars.size() == 5 ? chars[4] : '\0';
    return common::Status::Ok();
  }

  common::Status ReadSegment(std::string_view line, uint32_t ordinal) {
    const Hl7Encoding& e = msg_.encoding_;
    size_t name_end = line.find(e.field);
    std::string_view name = line.substr(0, name_end);
    if (!ValidSegmentName(name)) {
      return Fail(false, "structure", "segment name \"" + std::string(name.substr(0, 16)) +
                  "\" is not three upper-case letters or digits", Hl7Location({}, ordinal));
    }
    if (name == "MSH" && ordinal != 1) {
      return Fail(false, "not-supported", "a second MSH segment: batches are not supported", Hl7Location("MSH[2]", ordinal));
    }
    if (ordinal == 1 && name != "MSH") {
      return Fail(false, "structure", "message does not start with an MSH segment", Hl7Location({}, ordinal));
    }
    Hl7Segment seg;
    seg.name = std::string(name);
    seg.ordinal = ordinal;
    seg.occurrence = static_cast<uint32_t>(msg_.SegmentCount(name) + 1);
    if (name_end == std::string_view::npos) {
      msg_.segments_.push_back(std::move(seg));
      return common::Status::Ok();
    }
    std::string_view rest = line.substr(name_end + 1);
    const bool is_msh = name == "MSH";
    uint32_t number = 1;
    if (is_msh) {
      seg.fields.push_back(Verbatim(std::string(1, e.field)));
      size_t enc_end = rest.find(e.field);
      seg.fields.push_back(Verbatim(std::string(rest.substr(0, enc_end))));
      rest = enc_end == std::string_view::npos ? std::string_view() : rest.substr(enc_end + 1);
      number = 3;
      if (enc_end == std::string_view::npos) {
        msg_.segments_.push_back(std::move(seg));
        return common::Status::Ok();
      }
    }
    while (true) {
      size_t end = rest.find(e.field);
      std::string_view raw = rest.substr(0, end);
      Hl7Path path{seg.name, seg.occurrence, number, 1, 0, 0};
      if (raw.size() > limits_.max_field_bytes) {
        return Fail(true, "too-long",
                    "field is " + std::to_string(raw.size()) + " bytes; the limit is " +
                        std::to_string(limits_.max_field_bytes),
                    Hl7Location(path.ToString(), ordinal));
      }
      seg.fields.push_back(ReadField(raw, path, ordinal));
      if (end == std::string_view::npos) break;
      rest = rest.substr(end + 1);
      ++number;
    }
    while (!seg.fields.empty() && seg.fields.back().empty() && seg.fields.size() > (is_msh ? 2u : 0u)) {
      seg.fields.pop_back();
    }
    msg_.segments_.push_back(std::move(seg));
    return common::Status::Ok();
  }

  static Hl7Field Verbatim(std::string text) {
    Hl7Field f;
    f.repetitions.push_back({{Hl7Component{{Hl7Text{std::move(text), false}}}}});
    return f;
  }

  Hl7Field ReadField(std::string_view raw, Hl7Path& path, uint32_t ordinal) {
    const Hl7Encoding& e = msg_.encoding_;
    Hl7Field field;
    if (raw.empty()) return field;
    uint32_t rep_no = 0;
    for (std::string_view rep_raw : Split(raw, e.repetition)) {
      path.repetition = ++rep_no;
      Hl7Repetition rep;
      const std::vector<std::string_view> comps = Split(rep_raw, e.component);
      uint32_t comp_no = 0;
      for (std::string_view comp_raw : comps) {
        ++comp_no;
        Hl7Component comp;
        const std::vector<std::string_view> subs = Split(comp_raw, e.subcomponent);
        uint32_t sub_no = 0;
        for (std::string_view sub_raw : subs) {
          ++sub_no;
          // The canonical path of this leaf, as ForEachField will name it.
          path.component = comps.size() > 1 || subs.size() > 1 ? comp_no : 0;
          path.subcomponent = subs.size() > 1 ? sub_no : 0;
          Hl7Text leaf;
          if (sub_raw == "\"\"") {
            leaf.is_null = true;
          } else {
            leaf.text = Unescape(sub_raw, path, ordinal);
          }
          comp.subcomponents.push_back(std::move(leaf));
        }
        rep.components.push_back(std::move(comp));
      }
      field.repetitions.push_back(std::move(rep));
    }
    // A field holding only empty repetitions ("~~") carries nothing.
    bool any = false;
    for (const Hl7Repetition& r : field.repetitions) {
      for (const Hl7Component& c : r.components) {
        for (const Hl7Text& t : c.subcomponents) any = any || t.is_null || !t.text.empty();
      }
    }
    if (!any) field.repetitions.clear();
    return field;
  }

  static std::vector<std::string_view> Split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    while (true) {
      size_t end = s.find(sep);
      parts.push_back(s.substr(0, end));
      if (end == std::string_view::npos) break;
      s = s.substr(end + 1);
    }
    return parts;
  }

  SourceLocation LeafLocation(const Hl7Path& path, uint32_t ordinal) const {
    return Hl7Location(path.ToString(), ordinal);
  }

  std::string Unescape(std::string_view raw, const Hl7Path& path, uint32_t ordinal) {
    const Hl7Encoding& e = msg_.encoding_;
    std::string out;
    if (raw.find(e.escape) == std::string_view::npos &&
        (e.truncation == '\0' || raw.find(e.truncation) == std::string_view::npos)) {
      out.assign(raw);
      return out;
    }
    out.reserve(raw.size());
    size_t i = 0;
    while (i < raw.size()) {
      char c = raw[i];
      if (e.truncation != '\0' && c == e.truncation) {
        if (i + 1 == raw.size()) {
          Warn("informational", "value was truncated by the sender", LeafLocation(path, ordinal));
        } else {
          Warn("value", "truncation character inside a value (expected \\P\\); kept", LeafLocation(path, ordinal));
          out += c;
        }
        ++i;
        continue;
      }
      if (c != e.escape) {
        out += c;
        ++i;
        continue;
      }
      size_t close = raw.find(e.escape, i + 1);
      if (close == std::string_view::npos) {
        Warn("value", "unterminated escape sequence; kept as text", LeafLocation(path, ordinal));
        out.append(raw.substr(i));
        break;
      }
      std::string_view seq = raw.substr(i + 1, close - i - 1);
      ApplyEscape(seq, raw.substr(i, close - i + 1), out, path, ordinal);
      i = close + 1;
    }
    return out;
  }

  void ApplyEscape(std::string_view seq, std::string_view whole, std::string& out, const Hl7Path& path,
                   uint32_t ordinal) {
    const Hl7Encoding& e = msg_.encoding_;
    if (seq.size() == 1) {
      switch (seq[0]) {
        case 'F': out += e.field; return;
        case 'S': out += e.component; return;
        case 'T': out += e.subcomponent; return;
        case 'R': out += e.repetition; return;
        case 'E': out += e.escape; return;
        case 'P':
          if (e.truncation != '\0') {
            out += e.truncation;
            return;
          }
          break;
        case 'H':
        case 'N':
          return;  // start / end of highlighting: no meaning in plain text
        default:
          break;
      }
    }
    if (!seq.empty() && seq[0] == 'X') {
      std::string_view hex = seq.substr(1);
      bool ok = !hex.empty() && hex.size() % 2 == 0;
      for (char h : hex) ok = ok && IsHex(h);
      if (ok) {
        for (size_t k = 0; k < hex.size(); k += 2) {
          out += static_cast<char>(HexValue(hex[k]) * 16 + HexValue(hex[k + 1]));
        }
        return;
      }
      Warn("value", "malformed hexadecimal escape " + std::string(whole) + "; kept as text", LeafLocation(path, ordinal));
      out.append(whole);
      return;
    }
    if (!seq.empty() && seq[0] == '.') {
      std::string_view cmd = seq.substr(1);
      if (cmd == "br") {
        out += '\n';
        return;
      }
      if (cmd.substr(0, 2) == "sp") {
        std::string_view n = cmd.substr(2);
        while (!n.empty() && (n[0] == ' ' || n[0] == '+')) n.remove_prefix(1);
        uint32_t count = 1;
        if (!n.empty()) {
          auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), count);
          if (ec != std::errc() || p != n.data() + n.size() || count > 100) count = 1;
        }
        out.append(count, '\n');
        return;
      }
      if (cmd == "fi" || cmd == "nf" || cmd.substr(0, 2) == "in" || cmd.substr(0, 2) == "ti" ||
          cmd.substr(0, 2) == "sk" || cmd == "ce") {
        return;  // layout commands of formatted text: dropped
      }
    }
    if (!seq.empty() && (seq[0] == 'C' || seq[0] == 'M')) {
      Warn("not-supported", "character set escape " + std::string(whole) + " is not supported; dropped",
           LeafLocation(path, ordinal));
      return;
    }
    Warn("value", "unknown escape sequence " + std::string(whole) + "; kept as text", LeafLocation(path, ordinal));
    out.append(whole);
  }

  const Hl7Limits& limits_;
  std::vector<SourceIssue>& issues_;
  Hl7Message msg_;
};

const Hl7Segment* Hl7Message::FindSegment(std::string_view name, uint32_t occurrence) const {
  for (const Hl7Segment& s : segments_) {
    if (s.name == name && s.occurrence == occurrence) return &s;
  }
  return nullptr;
}

size_t Hl7Message::SegmentCount(std::string_view name) const {
  size_t n = 0;
  for (const Hl7Segment& s : segments_) n += s.name == name ? 1 : 0;
  return n;
}

const Hl7Text* Hl7Message::Leaf(const Hl7Path& path) const {
  const Hl7Segment* seg = FindSegment(path.segment, path.occurrence);
  if (seg == nullptr || path.field == 0) return nullptr;
  const Hl7Field* f = seg->field(path.field);
  if (f == nullptr || path.repetition > f->repetitions.size()) return nullptr;
  const Hl7Repetition& r = f->repetitions[path.repetition - 1];
  const uint32_t comp = path.component == 0 ? 1 : path.component;
  if (comp > r.components.size()) return nullptr;
  const Hl7Component& c = r.components[comp - 1];
  const uint32_t sub = path.subcomponent == 0 ? 1 : path.subcomponent;
  if (sub > c.subcomponents.size()) return nullptr;
  return &c.subcomponents[sub - 1];
}

std::string_view Hl7Message::Text(std::string_view path) const {
  std::optional<Hl7Path> p = Hl7Path::Parse(path);
  if (!p) return {};
  const Hl7Text* t = Leaf(*p);
  return t == nullptr || t->is_null ? std::string_view() : std::string_view(t->text);
}

std::optional<SourceField> Hl7Message::Get(std::string_view path) const {
  std::optional<Hl7Path> p = Hl7Path::Parse(path);
  if (!p) return std::nullopt;
  const Hl7Text* t = Leaf(*p);
  if (t == nullptr || (!t->is_null && t->text.empty())) return std::nullopt;
  const Hl7Segment* seg = FindSegment(p->segment, p->occurrence);
  const Hl7Repetition& r = seg->field(p->field)->repetitions[p->repetition - 1];
  const uint32_t comp = p->component == 0 ? 1 : p->component;
  const uint32_t sub = p->subcomponent == 0 ? 1 : p->subcomponent;
  std::string canonical = LeafPath(*seg, p->field, p->repetition, r, comp, r.components[comp - 1], sub);
  SourceValue value{t->is_null ? SourceValue::Kind::kNull : SourceValue::Kind::kText, t->text};
  SourceLocation loc = Hl7Location(canonical, seg->ordinal);
  return SourceField{std::move(canonical), value, std::move(loc)};
}

size_t Hl7Message::Count(std::string_view path) const {
  std::optional<Hl7Path> p = Hl7Path::Parse(path);
  if (!p) return 0;
  const size_t dash = path.find('-');
  if (p->field == 0) {
    if (path.find('[') != std::string_view::npos) return FindSegment(p->segment, p->occurrence) ? 1 : 0;
    return SegmentCount(p->segment);
  }
  const bool repetition_given = path.find('[', dash) != std::string_view::npos;
  if (p->component == 0 && !repetition_given) {
    const Hl7Segment* seg = FindSegment(p->segment, p->occurrence);
    const Hl7Field* f = seg == nullptr ? nullptr : seg->field(p->field);
    return f == nullptr ? 0 : f->repetitions.size();
  }
  return Get(path) ? 1 : 0;
}

void Hl7Message::ForEachField(const std::function<void(const SourceField&)>& visit) const {
  for (const Hl7Segment& seg : segments_) {
    for (uint32_t fi = 0; fi < seg.fields.size(); ++fi) {
      if (seg.name == "MSH" && fi < 2) continue;
      const Hl7Field& f = seg.fields[fi];
      for (uint32_t ri = 0; ri < f.repetitions.size(); ++ri) {
        const Hl7Repetition& r = f.repetitions[ri];
        for (uint32_t ci = 0; ci < r.components.size(); ++ci) {
          const Hl7Component& c = r.components[ci];
          for (uint32_t si = 0; si < c.subcomponents.size(); ++si) {
            const Hl7Text& t = c.subcomponents[si];
            if (!t.is_null && t.text.empty()) continue;
            std::string path = LeafPath(seg, fi + 1, ri + 1, r, ci + 1, c, si + 1);
            SourceField field{path, {t.is_null ? SourceValue::Kind::kNull : SourceValue::Kind::kText, t.text},
                              Hl7Location(path, seg.ordinal)};
            visit(field);
          }
        }
      }
    }
  }
}

common::Result<Hl7Message> ParseHl7v2(std::string_view text, const Hl7Limits& limits,
                                      std::vector<SourceIssue>& issues) {
  Hl7Parser parser(limits, issues);
  return parser.Run(text);
}

std::string EscapeHl7(std::string_view text, const Hl7Encoding& e) {
  std::string out;
  if (text == "\"\"") {
    // Written as is, the text "" would be read back as the explicit null.
    return std::string{e.escape} + "X22" + e.escape + '"';
  }
  out.reserve(text.size());
  auto put = [&out, &e](char code) {
    out += e.escape;
    out += code;
    out += e.escape;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == e.field) {
      put('F');
    } else if (c == e.component) {
      put('S');
    } else if (c == e.subcomponent) {
      put('T');
    } else if (c == e.repetition) {
      put('R');
    } else if (c == e.escape) {
      put('E');
    } else if (e.truncation != '\0' && c == e.truncation) {
      put('P');
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += e.escape;
      out += ".br";
      out += e.escape;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace workwell::mapping
