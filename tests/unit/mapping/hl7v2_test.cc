#include "adapter/mapping/sources/hl7v2.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace workwell::mapping {
namespace {

std::string Msg(std::vector<std::string> segments, std::string_view terminator = "\r") {
  std::string out;
  for (const std::string& s : segments) {
    out += s;
    out += terminator;
  }
  return out;
}

const std::string kMsh = "MSH|^~\\&|GPSYS|P84637^^ODS|WORKWELL|QOP|20261119143012||REF^I12^REF_I12|CTRL1|P|2.5.1";

Hl7Message MustParse(std::string_view text, std::vector<SourceIssue>* issues_out = nullptr) {
  std::vector<SourceIssue> issues;
  common::Result<Hl7Message> r = ParseHl7v2(text, Hl7Limits{}, issues);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (issues_out != nullptr) *issues_out = issues;
  return r.ok() ? std::move(r).value() : Hl7Message();
}

SourceIssue MustFail(std::string_view text, const Hl7Limits& limits = Hl7Limits{}) {
  std::vector<SourceIssue> issues;
  common::Result<Hl7Message> r = ParseHl7v2(text, limits, issues);
  EXPECT_FALSE(r.ok()) << text;
  EXPECT_FALSE(issues.empty());
  if (issues.empty()) return {};
  EXPECT_EQ(issues.back().severity, SourceIssue::Severity::kError);
  EXPECT_NE(r.status().message().find(issues.back().message), std::string::npos);
  return issues.back();
}

std::string Text(const Hl7Message& m, std::string_view path) {
  std::optional<SourceField> f = m.Get(path);
  return f ? std::string(f->value.text) : std::string("<absent>");
}

TEST(Hl7PathTest, ParsesAndFormats) {
  std::optional<Hl7Path> p = Hl7Path::Parse("PID-3[2].1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->segment, "PID");
  EXPECT_EQ(p->occurrence, 1u);
  EXPECT_EQ(p->field, 3u);
  EXPECT_EQ(p->repetition, 2u);
  EXPECT_EQ(p->component, 1u);
  EXPECT_EQ(p->subcomponent, 0u);
  EXPECT_EQ(p->ToString(), "PID-3[2].1");

  p = Hl7Path::Parse("PRD[2]-7[3].1.2");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->occurrence, 2u);
  EXPECT_EQ(p->ToString(), "PRD[2]-7[3].1.2");
  EXPECT_EQ(Hl7Path::Parse("PID[1]-3[1].1")->ToString(), "PID-3.1");
  EXPECT_EQ(Hl7Path::Parse("RF1-7.1")->ToString(), "RF1-7.1");
  EXPECT_EQ(Hl7Path::Parse("ZWW")->ToString(), "ZWW");
  for (const char* bad : {"", "PI", "pid-3", "PID-", "PID-0", "PID-3.", "PID-3[0]", "PID-3[2", "PID3", "PID-3.1.2.3",
                          "PID-3 ", "1ID-3", "PID-3x"}) {
    EXPECT_FALSE(Hl7Path::Parse(bad)) << bad;
  }
}

TEST(Hl7v2Test, MshNumberingAndHeaders) {
  Hl7Message m = MustParse(Msg({kMsh}));
  EXPECT_EQ(Text(m, "MSH-1"), "|");
  EXPECT_EQ(Text(m, "MSH-2"), "^~\\&");
  EXPECT_EQ(Text(m, "MSH-3"), "GPSYS");
  EXPECT_EQ(Text(m, "MSH-4.1"), "P84637");
  EXPECT_EQ(Text(m, "MSH-4.3"), "ODS");
  EXPECT_EQ(Text(m, "MSH-7"), "20261119143012");
  EXPECT_EQ(m.message_type(), "REF");
  EXPECT_EQ(m.trigger_event(), "I12");
  EXPECT_EQ(m.control_id(), "CTRL1");
  EXPECT_EQ(m.version(), "2.5.1");
  // MSH-2 is never split or unescaped even though it holds every delimiter.
  EXPECT_EQ(m.FindSegment("MSH")->field(2)->repetitions.size(), 1u);
}

TEST(Hl7v2Test, SeparatorsComeFromMsh) {
  Hl7Message m = MustParse(Msg({"MSH#$*@%#APP#FAC$X$Y#####ADT$A01#1#P#2.4", "PID#1##A$B%C*D##E@F@G"}));
  EXPECT_EQ(m.encoding().field, '#');
  EXPECT_EQ(m.encoding().component, '$');
  EXPECT_EQ(m.encoding().repetition, '*');
  EXPECT_EQ(m.encoding().escape, '@');
  EXPECT_EQ(m.encoding().subcomponent, '%');
  EXPECT_EQ(Text(m, "MSH-1"), "#");
  EXPECT_EQ(Text(m, "MSH-4.3"), "Y");
  EXPECT_EQ(Text(m, "MSH-9.2"), "A01");
  EXPECT_EQ(Text(m, "PID-3.2.1"), "B");
  EXPECT_EQ(Text(m, "PID-3.2.2"), "C");
  EXPECT_EQ(Text(m, "PID-3[2]"), "D");
  EXPECT_EQ(Text(m, "PID-5"), "E#G");  // @F@ is the escaped field separator
}

TEST(Hl7v2Test, EveryEscapeSequence) {
  std::vector<SourceIssue> issues;
  Hl7Message m = MustParse(
      Msg({"MSH|^~\\&#|A|B|C|D|20260101||REF^I12|1|P|2.7",
           "NTE|1||F\\F\\S\\S\\T\\T\\R\\R\\E\\E\\P\\P\\end",
           "NTE|2||a\\X41C3A9\\b\\.br\\c\\.sp 2\\d\\.sp\\e",
           "NTE|3||\\H\\bold\\N\\ plain\\.in 4\\\\.ce\\\\.fi\\\\.nf\\\\.ti 2\\\\.sk 1\\"}),
      &issues);
  EXPECT_EQ(Text(m, "NTE-3"), "F|S^T&R~E\\P#end");
  EXPECT_EQ(Text(m, "NTE[2]-3"), "aA\xC3\xA9" "b\nc\n\nd\ne");
  EXPECT_EQ(Text(m, "NTE[3]-3"), "bold plain");
  EXPECT_TRUE(issues.empty()) << issues[0].ToString();
}

TEST(Hl7v2Test, DubiousEscapesAreKeptWithWarnings) {
  std::vector<SourceIssue> issues;
  Hl7Message m = MustParse(Msg({kMsh, "NTE|1||a\\X4\\b", "NTE|2||\\Zlocal\\", "NTE|3||c:\\temp", "NTE|4||\\C2842\\x",
                                "NTE|5||\\P\\"}),
                           &issues);
  EXPECT_EQ(Text(m, "NTE-3"), "a\\X4\\b");
  EXPECT_EQ(Text(m, "NTE[2]-3"), "\\Zlocal\\");
  EXPECT_EQ(Text(m, "NTE[3]-3"), "c:\\temp");
  EXPECT_EQ(Text(m, "NTE[4]-3"), "x");
  EXPECT_EQ(Text(m, "NTE[5]-3"), "\\P\\");  // no truncation character before v2.7
  ASSERT_EQ(issues.size(), 5u);
  for (const SourceIssue& i : issues) EXPECT_EQ(i.severity, SourceIssue::Severity::kWarning);
  EXPECT_EQ(issues[0].location.ToString(), "NTE-3");
  EXPECT_EQ(issues[1].location.ToString(), "NTE[2]-3");
  EXPECT_EQ(issues[2].location.ToString(), "NTE[3]-3");
  EXPECT_NE(issues[2].message.find("unterminated"), std::string::npos);
  EXPECT_EQ(issues[3].code, "not-supported");
}

TEST(Hl7v2Test, TruncationCharacterMarksTruncatedValue) {
  std::vector<SourceIssue> issues;
  Hl7Message m = MustParse(Msg({"MSH|^~\\&#|A|B|C|D|20260101||REF^I12|1|P|2.7", "NTE|1||cut here#"}), &issues);
  EXPECT_EQ(Text(m, "NTE-3"), "cut here");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].location.path, "NTE-3");
  EXPECT_EQ(m.encoding().truncation, '#');
}

TEST(Hl7v2Test, RepetitionsComponentsSubcomponents) {
  Hl7Message m = MustParse(
      Msg({kMsh, "PID|1||9990000018^^^NHS^NH~M123^^^R0A^MR||Smith^Jo||19800101|F|||1 High St&Flat 2^^Leeds^^LS1 1AA"}));
  EXPECT_EQ(m.Count("PID-3"), 2u);
  EXPECT_EQ(Text(m, "PID-3.1"), "9990000018");
  EXPECT_EQ(Text(m, "PID-3.5"), "NH");
  EXPECT_EQ(Text(m, "PID-3[2].1"), "M123");
  EXPECT_EQ(Text(m, "PID-3[2].4"), "R0A");
  EXPECT_EQ(Text(m, "PID-3[3].1"), "<absent>");
  EXPECT_EQ(Text(m, "PID-11.1.1"), "1 High St");
  EXPECT_EQ(Text(m, "PID-11.1.2"), "Flat 2");
  EXPECT_EQ(Text(m, "PID-11.5"), "LS1 1AA");
  EXPECT_EQ(Text(m, "PID-8"), "F");
  EXPECT_EQ(Text(m, "PID-8.1.1"), "F");  // a simple value is its own first component
  EXPECT_EQ(Text(m, "PID-8.2"), "<absent>");
  EXPECT_EQ(Text(m, "PID-4"), "<absent>");
  EXPECT_EQ(Text(m, "PID-99"), "<absent>");
  EXPECT_EQ(Text(m, "PV1-1"), "<absent>");
  // A composite read as one value is its first component; the returned path says which.
  std::optional<SourceField> f = m.Get("PID-5");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->value.text, "Smith");
  EXPECT_EQ(f->path, "PID-5.1");
  EXPECT_EQ(m.Get("PID-11.1")->path, "PID-11.1.1");
  EXPECT_EQ(m.Get("PID-8.1")->path, "PID-8");
}

TEST(Hl7v2Test, EmptyIsAbsentAndDoubleQuotesAreNull) {
  Hl7Message m = MustParse(Msg({kMsh, "PID|1||\"\"|x|\"\"^Jo|~~|"}));
  std::optional<SourceField> f = m.Get("PID-3");
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->value.IsNull());
  EXPECT_EQ(m.Get("PID-5.1")->value.kind, SourceValue::Kind::kNull);
  EXPECT_EQ(m.Get("PID-5.2")->value.text, "Jo");
  EXPECT_FALSE(m.Get("PID-2"));
  EXPECT_EQ(m.Count("PID-6"), 0u);  // only empty repetitions
  EXPECT_EQ(m.Count("PID-3"), 1u);
  EXPECT_EQ(m.Text("PID-3"), "");
}

TEST(Hl7v2Test, SegmentOccurrencesAndCount) {
  Hl7Message m = MustParse(Msg({kMsh, "PRD|RP|A", "PRD|RT|B", "PRD|PP|C", "ZXY|1"}));
  EXPECT_EQ(m.Count("PRD"), 3u);
  EXPECT_EQ(m.Count("PRD[2]"), 1u);
  EXPECT_EQ(m.Count("PRD[4]"), 0u);
  EXPECT_EQ(m.Count("PRD[2]-1"), 1u);
  EXPECT_EQ(m.Count("PRD[2]-1[1]"), 1u);
  EXPECT_EQ(Text(m, "PRD[2]-2"), "B");
  EXPECT_EQ(Text(m, "PRD[3]-1"), "PP");
  EXPECT_EQ(Text(m, "ZXY-1"), "1");
  EXPECT_EQ(m.FindSegment("PRD", 3)->ordinal, 4u);
  std::optional<SourceField> f = m.Get("PRD[3]-2");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->location.ToString(), "PRD[3]-2");
  EXPECT_EQ(f->location.line, 4u);
}

TEST(Hl7v2Test, EnumeratesEveryPopulatedLeafWithCanonicalPaths) {
  Hl7Message m = MustParse(Msg({kMsh, "PID|1||A^^^NHS^NH~B||\"\"||x&y", "ZZZ"}));
  std::vector<std::string> paths;
  m.ForEachField([&](const SourceField& f) {
    paths.push_back(f.path);
    std::optional<SourceField> again = m.Get(f.path);
    ASSERT_TRUE(again) << f.path;
    EXPECT_EQ(again->path, f.path);
    EXPECT_EQ(again->value.text, f.value.text);
  });
  const std::vector<std::string> expected = {
      "MSH-3", "MSH-4.1", "MSH-4.3", "MSH-5", "MSH-6", "MSH-7", "MSH-9.1", "MSH-9.2", "MSH-9.3", "MSH-10", "MSH-11",
      "MSH-12", "PID-1", "PID-3.1", "PID-3.4", "PID-3.5", "PID-3[2]", "PID-5", "PID-7.1.1", "PID-7.1.2"};
  EXPECT_EQ(paths, expected);
}

TEST(Hl7v2Test, LineEndingsAreToleratedAndReported) {
  std::vector<SourceIssue> issues;
  Hl7Message m = MustParse(Msg({kMsh, "PID|1", "NTE|1"}, "\r\n"), &issues);
  EXPECT_EQ(m.segments().size(), 3u);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].message.find("CR LF"), std::string::npos);
  EXPECT_EQ(issues[0].location.ToString(), "segment 1");

  issues.clear();
  m = MustParse(Msg({kMsh, "PID|1", "NTE|1"}, "\n"), &issues);
  EXPECT_EQ(m.segments().size(), 3u);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].message.find("LF"), std::string::npos);

  issues.clear();
  m = MustParse(kMsh + "\rPID|1\r\rNTE|1", &issues);
  EXPECT_EQ(m.segments().size(), 3u);
  EXPECT_EQ(m.FindSegment("NTE")->ordinal, 3u);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].message.find("empty segment"), std::string::npos);
}

TEST(Hl7v2Test, MalformedMessagesNameTheLocation) {
  EXPECT_EQ(MustFail("").location.ToString(), "MSH");
  EXPECT_EQ(MustFail("PID|1||x\r").location.ToString(), "MSH");
  EXPECT_EQ(MustFail("MSH|^~\\\r").location.ToString(), "MSH-2");
  EXPECT_EQ(MustFail("MSH|^~\\&$%|A\r").location.ToString(), "MSH-2");
  EXPECT_EQ(MustFail("MSH|^^\\&|A\r").location.ToString(), "MSH-2");
  EXPECT_EQ(MustFail("MSHA^~\\&|A\r").location.ToString(), "MSH-1");
  SourceIssue e = MustFail(Msg({kMsh, "PID|1", "Pid|2"}));
  EXPECT_EQ(e.location.ToString(), "segment 3");
  EXPECT_EQ(e.code, "structure");
  EXPECT_EQ(MustFail(Msg({kMsh, "PID|1", "P1|2"})).location.line, 3u);
  EXPECT_EQ(MustFail(Msg({kMsh, "PID|1", kMsh})).location.ToString(), "MSH[2]");
}

TEST(Hl7v2Test, LimitsFailWithResourceExhausted) {
  Hl7Limits limits;
  limits.max_field_bytes = 8;
  std::vector<SourceIssue> issues;
  common::Result<Hl7Message> r = ParseHl7v2(Msg({"MSH|^~\\&|A", "PID|1||123456789~1"}), limits, issues);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), common::StatusCode::kResourceExhausted);
  EXPECT_EQ(issues.back().location.ToString(), "PID-3");
  EXPECT_EQ(issues.back().code, "too-long");

  limits = Hl7Limits{};
  limits.max_segments = 2;
  issues.clear();
  r = ParseHl7v2(Msg({"MSH|^~\\&|A", "PID|1", "PV1|1"}), limits, issues);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), common::StatusCode::kResourceExhausted);
  EXPECT_EQ(issues.back().location.ToString(), "segment 3");

  limits = Hl7Limits{};
  limits.max_message_bytes = 10;
  issues.clear();
  r = ParseHl7v2(Msg({"MSH|^~\\&|A", "PID|1"}), limits, issues);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), common::StatusCode::kResourceExhausted);
}

TEST(Hl7v2Test, EscapeRoundTrips) {
  Hl7Encoding e;
  e.truncation = '#';
  const std::string text = "a|b^c&d~e\\f#g\r\nh\ni";
  const std::string escaped = EscapeHl7(text, e);
  EXPECT_EQ(escaped, "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\P\\g\\.br\\h\\.br\\i");
  Hl7Message m = MustParse(Msg({"MSH|^~\\&#|A", "NTE|1||" + escaped}));
  EXPECT_EQ(Text(m, "NTE-3"), "a|b^c&d~e\\f#g\nh\ni");
}

// Two quotes as a value's text are not the explicit null once escaped.
TEST(Hl7v2Test, EscapedTwoQuotesStayText) {
  Hl7Encoding e;
  const std::string escaped = EscapeHl7("\"\"", e);
  EXPECT_EQ(escaped, "\\X22\\\"");
  Hl7Message m = MustParse(Msg({kMsh, "NTE|1||" + escaped + "|\"\""}));
  const Hl7Text* text = m.Leaf(*Hl7Path::Parse("NTE-3"));
  ASSERT_NE(text, nullptr);
  EXPECT_FALSE(text->is_null);
  EXPECT_EQ(text->text, "\"\"");
  EXPECT_TRUE(m.Leaf(*Hl7Path::Parse("NTE-4"))->is_null);
}

TEST(Hl7v2Test, SegmentWithoutFieldsAndTrailingSeparators) {
  Hl7Message m = MustParse(Msg({kMsh, "ZZZ", "PID|1|||||"}));
  EXPECT_EQ(m.FindSegment("ZZZ")->fields.size(), 0u);
  EXPECT_EQ(m.FindSegment("PID")->fields.size(), 1u);
}

}  // namespace
}  // namespace workwell::mapping
