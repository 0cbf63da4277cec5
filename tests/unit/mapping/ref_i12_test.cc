#include "adapter/mapping/sources/ref_i12.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace workwell::mapping {
namespace {

const char kRef[] =
    "MSH|^~\\&|MFT-EPR|R0A^^ODS|WORKWELL|QOP^^ODS|20261119143012+0000||REF^I12^REF_I12|MFT1|P|2.5.1\r"
    "RF1|P|R|msk|clinical-msk|I|DIS-1^MFT|20261119\r"
    "PRD|RP|Llewellyn^Rhys|||||6127394^GMC\r"
    "PRD|RT|Greater Manchester WorkWell|||||QOP^ODS\r"
    "PID|1||9995678128^^^NHS^NH||Okafor^Samuel||19691201|M\r"
    "DG1|1||239873007^Osteoarthritis of knee^SCT\r"
    "ZWW|hospital-discharge|Y\r"
    "NTE|1|P|note\r";

Hl7Message Parse(std::string_view text) {
  std::vector<SourceIssue> issues;
  common::Result<Hl7Message> r = ParseHl7v2(text, Hl7Limits{}, issues);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : Hl7Message();
}

std::vector<std::string> Errors(std::string_view text) {
  std::vector<SourceIssue> issues;
  CheckRefI12(Parse(text), issues);
  std::vector<std::string> out;
  for (const SourceIssue& i : issues) {
    if (i.severity == SourceIssue::Severity::kError) out.push_back(i.ToString());
  }
  return out;
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(RefI12Test, ValidMessagePasses) {
  std::vector<SourceIssue> issues;
  EXPECT_TRUE(CheckRefI12(Parse(kRef), issues));
  EXPECT_TRUE(issues.empty()) << issues[0].ToString();
}

TEST(RefI12Test, ProfileErrorsNameTheLocation) {
  EXPECT_EQ(Errors(Replace(kRef, "REF^I12", "ADT^A01")),
            (std::vector<std::string>{"MSH-9: MSH-9 is \"ADT^A01\"; REF^I12 expected"}));
  EXPECT_EQ(Errors(Replace(kRef, "9995678128^^^NHS^NH", "M1^^^R0A^MR")),
            (std::vector<std::string>{"PID-3: no PID-3 repetition carries an NHS number (identifier type NH)"}));
  EXPECT_EQ(Errors(Replace(kRef, "PRD|RP|", "PRD|PP|")),
            (std::vector<std::string>{"PRD-1: no PRD segment with PRD-1 \"RP\" (referring provider)"}));
  EXPECT_EQ(Errors(Replace(kRef, "RF1|P|R|msk|clinical-msk|I|DIS-1^MFT|20261119\r", "")),
            (std::vector<std::string>{"MSH: exactly one RF1 segment is required"}));
  // DG1 before PID is out of order.
  std::string moved = Replace(kRef, "DG1|1||239873007^Osteoarthritis of knee^SCT\r", "");
  moved = Replace(moved, "PRD|RT", "DG1|1||x\rPRD|RT");
  EXPECT_EQ(Errors(moved), (std::vector<std::string>{"PRD[2]: segment out of order for REF^I12"}));
}

TEST(RefI12Test, UnknownSegmentsAreWarnings) {
  std::vector<SourceIssue> issues;
  EXPECT_TRUE(CheckRefI12(Parse(Replace(kRef, "ZWW|", "OBX|1|TX\rQRD|1\rZWW|")), issues));
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].ToString(), "OBX: segment is accepted but not mapped");
  EXPECT_EQ(issues[1].ToString(), "QRD: segment is not part of REF^I12; passed through");
}

TEST(RefI12Test, AcceptReplyIsRri) {
  AckOptions options;
  options.control_id = "WW-1";
  options.timestamp = "20261119143100+0000";
  const std::string reply = BuildRefI12Reply(Parse(kRef), AckCode::kAccept, options);
  EXPECT_EQ(reply,
            "MSH|^~\\&|WORKWELL|WORKWELL-GW|MFT-EPR|R0A^^ODS|20261119143100+0000||RRI^I12^RRI_I12|WW-1|P|2.5.1\r"
            "MSA|AA|MFT1\r");
  Hl7Message parsed = Parse(reply);
  EXPECT_EQ(parsed.Text("MSA-2"), "MFT1");
}

TEST(RefI12Test, ErrorReplyIsAckWithErrSegments) {
  Hl7Message request = Parse(Replace(kRef, "9995678128^^^NHS^NH", "M1^^^R0A^MR"));
  std::vector<SourceIssue> issues;
  ASSERT_FALSE(CheckRefI12(request, issues));
  AckOptions options;
  options.control_id = "WW-2";
  options.timestamp = "20261119143100+0000";
  options.text = "Rejected: 1 error | see ERR";
  options.errors = issues;
  const std::string reply = BuildRefI12Reply(request, AckCode::kReject, options);
  EXPECT_EQ(reply,
            "MSH|^~\\&|WORKWELL|WORKWELL-GW|MFT-EPR|R0A^^ODS|20261119143100+0000||ACK^I12^ACK|WW-2|P|2.5.1\r"
            "MSA|AR|MFT1|Rejected: 1 error \\F\\ see ERR\r"
            "ERR||PID^1^3^1|101^Required field missing^HL70357|E||||no PID-3 repetition carries an NHS number "
            "(identifier type NH)\r");
  Hl7Message parsed = Parse(reply);
  EXPECT_EQ(parsed.Text("ERR-2.3"), "3");
  EXPECT_EQ(parsed.Text("MSA-3"), "Rejected: 1 error | see ERR");
}

}  // namespace
}  // namespace workwell::mapping
