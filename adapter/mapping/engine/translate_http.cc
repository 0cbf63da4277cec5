#include "adapter/mapping/engine/translate_http.h"

#include <sstream>

#include "adapter/fhir/issue.h"
#include "adapter/mapping/engine/transforms.h"

namespace workwell::mapping {
namespace {

std::string MediaType(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  return ToLower(Trim(content_type.substr(0, semi)));
}

HttpAnswer Outcome(int status, std::string_view code, std::string_view text) {
  return {status, "application/fhir+json", fhir::SingleIssueOutcome(fhir::Severity::kError, code, text)};
}

}  // namespace

std::string FormatForRequest(std::string_view content_type, std::string_view format_param) {
  if (!Trim(format_param).empty()) return std::string(Trim(format_param));
  const std::string media = MediaType(content_type);
  if (media == "text/csv") return "fitnote-csv";
  if (media == "x-application/hl7-v2+er7" || media == "application/hl7-v2" || media == "application/hl7-v2+er7") {
    return "ref-i12";
  }
  if (media == "application/fhir+json") return "fhir";
  return {};
}

HttpAnswer TranslateHttp(const Translator& translator, std::string_view content_type, std::string_view format_param,
                         std::string_view body) {
  const std::string format = FormatForRequest(content_type, format_param);
  if (format.empty()) {
    return Outcome(415, "not-supported",
                   "say what the body is: a 'format' parameter (fitnote-json, referral-json, ref-i12, fitnote-csv, "
                   "fhir) or a Content-Type of text/csv, x-application/hl7-v2+er7 or application/fhir+json");
  }
  const Mapping* mapping = translator.FindMapping(format);
  if (mapping == nullptr && format != "fhir") {
    return Outcome(400, "not-supported", "unknown format '" + format + "'");
  }
  TranslateOptions options;
  if (mapping != nullptr && mapping->format == SourceFormat::kCsv) {
    std::istringstream in{std::string(body)};
    std::string out;
    size_t rows = 0;
    size_t rejected = 0;
    TranslateResult single;
    translator.TranslateCsvBulk(*mapping, in, options, 1, [&](size_t, const TranslateResult& r) {
      ++rows;
      rejected += r.ok ? 0 : 1;
      out += r.ok ? r.bundle : r.Outcome();
      out.push_back('\n');
      if (rows == 1) single = r;
    });
    if (rows == 1) {
      return single.ok ? HttpAnswer{200, "application/fhir+json", single.bundle}
                       : HttpAnswer{422, "application/fhir+json", single.Outcome()};
    }
    if (rows == 0) return Outcome(422, "required", "the CSV extract holds no data row");
    return {200, "application/fhir+ndjson", out};
  }
  const TranslateResult r = translator.Translate(format, body, options);
  if (r.ok) return {200, "application/fhir+json", r.bundle};
  return {422, "application/fhir+json", r.Outcome()};
}

}  // namespace workwell::mapping
