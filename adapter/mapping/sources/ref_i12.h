#pragma once
// The WorkWell HL7 v2 referral profile: structure check of a REF^I12 message and the builder of
// the reply (RRI^I12 when accepted, ACK^I12 with ERR segments when not). The field-by-field
// contract is docs/INPUT-CONTRACT.md, section "HL7 v2 REF^I12".
// HL7 v2.5.1 chapter 11 (patient referral): https://www.hl7.eu/HL7v2x/v251/std251/ch11.html

#include <string>
#include <string_view>
#include <vector>

#include "adapter/mapping/sources/hl7v2.h"
#include "adapter/mapping/sources/source_record.h"

namespace workwell::mapping {

// Checks `message` against the REF^I12 profile: MSH-9 is REF^I12; one RF1; one or more PRD, one
// of them the referring provider (PRD-1 "RP"); exactly one PID with an NHS number (PID-3
// repetition with identifier type NH); PV1, DG1 and NTE optional; segments in the standard's
// order; Z-segments allowed anywhere after MSH and passed through. Other segments of the
// standard structure (SFT, AUT, CTD, NK1, IN1, OBR, OBX, ...) are accepted but not mapped
// (warning). Appends one issue per problem; returns true when there is no error.
bool CheckRefI12(const Hl7Message& message, std::vector<SourceIssue>& issues);

// The acknowledgment code of a reply (HL7 table 0008, original mode).
enum class AckCode { kAccept, kError, kReject };  // AA, AE, AR

// What the gateway puts in its reply. Timestamp and control id are supplied by the caller
// (from the injected clock and an id generator): the builder reads no clock.
struct AckOptions {
  std::string control_id;                           // MSH-10 of the reply
  std::string timestamp;                            // MSH-7, e.g. "20260312143000+0000"
  std::string sending_application = "WORKWELL";     // MSH-3
  std::string sending_facility = "WORKWELL-GW";     // MSH-4
  std::string text;                                 // MSA-3: a short human-readable summary
  std::vector<SourceIssue> errors;                  // one ERR segment each (AE / AR)
};

// Builds the reply to `request` with its delimiters and version: sender and receiver swapped,
// MSA-1 the code, MSA-2 the request's MSH-10. AA gives RRI^I12^RRI_I12; AE and AR give
// ACK^I12^ACK with one ERR segment per error (ERR-2 location from an HL7 issue location,
// ERR-3 an HL7 table 0357 code, ERR-4 severity, ERR-8 the message). Segments end with CR.
std::string BuildRefI12Reply(const Hl7Message& request, AckCode code, const AckOptions& options);

}  // namespace workwell::mapping
