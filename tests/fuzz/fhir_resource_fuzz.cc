// libFuzzer entry point for FHIR R4 JSON resources (fhir::JsonFormat::Parse), with the R4 model
// loaded once from $WORKWELL_FHIR_DIR (or the build's default). Beyond "never crash", it checks
// that a rejection always carries an error issue, that every outcome renders as JSON, and that
// an accepted resource writes canonical JSON that parses again and writes back unchanged.
// https://hl7.org/fhir/R4/json.html

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "adapter/common/check.h"
#include "adapter/common/json/json.h"
#include "adapter/fhir/issue.h"
#include "adapter/fhir/json_format.h"
#include "adapter/fhir/model.h"

namespace {

const workwell::fhir::JsonFormat& Format() {
  static const workwell::fhir::JsonFormat* format = [] {
    auto model = workwell::fhir::Model::LoadDefault();
    if (!model.ok()) {
      std::fprintf(stderr, "cannot load the R4 model (set WORKWELL_FHIR_DIR): %s\n",
                   model.status().ToString().c_str());
      std::abort();
    }
    return new workwell::fhir::JsonFormat(std::move(model).value());
  }();
  return *format;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace workwell;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const fhir::JsonFormat& format = Format();
  fhir::ParseOptions options;
  options.limits.max_bytes = 1u << 20;
  options.limits.max_depth = 64;
  options.limits.max_array_items = 10000;

  fhir::Resource resource;
  fhir::IssueSink sink;
  const bool ok = format.Parse(text, options, resource, sink);
  WW_CHECK(ok != sink.HasErrors());
  {
    json::Document outcome;
    json::ParseError error;
    WW_CHECK(json::Parse(fhir::RenderOperationOutcome(sink.issues()), json::Limits{}, outcome, error));
  }
  if (!ok) return 0;
  WW_CHECK(resource.type() != nullptr);

  const std::string written = fhir::JsonFormat::Write(resource);
  fhir::Resource again;
  fhir::IssueSink again_sink;
  fhir::ParseOptions again_options;
  again_options.expected_type = resource.resource_type();
  WW_CHECK(format.Parse(written, again_options, again, again_sink));
  WW_CHECK(again.resource_type() == resource.resource_type());
  WW_CHECK(again.id() == resource.id());
  WW_CHECK(fhir::JsonFormat::Write(again) == written);
  WW_CHECK(json::Equal(resource.root(), again.root()));
  return 0;
}
