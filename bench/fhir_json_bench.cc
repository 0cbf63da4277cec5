// Parse + serialise of a realistic 4 KB referral Bundle: the exact FHIR path (JSON tree with
// number text, type-model checks, canonical order) beside a bare RapidJSON DOM parse + write of
// the same bytes. RapidJSON is used here directly only as the baseline being compared against.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "adapter/common/json/json.h"
#include "adapter/common/json/rapidjson_config.h"
#include "adapter/fhir/json_format.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace {

std::string Compact(const std::string& text) {
  workwell::json::Document doc;
  workwell::json::ParseError err;
  if (!workwell::json::Parse(text, {}, doc, err)) std::abort();
  return workwell::json::Write(doc.root());
}

const std::string& Bundle() {
  static const std::string text = [] {
    std::ifstream in(WORKWELL_SOURCE_DIR "/bench/data/referral_bundle.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return Compact(ss.str());
  }();
  return text;
}

const workwell::fhir::JsonFormat& Format() {
  static const workwell::fhir::JsonFormat format = [] {
    auto model = workwell::fhir::Model::LoadDefault();
    if (!model.ok()) std::abort();
    return workwell::fhir::JsonFormat(model.value());
  }();
  return format;
}

void BM_FhirParseAndWrite(benchmark::State& state) {
  const std::string& text = Bundle();
  const auto& format = Format();
  for (auto _ : state) {
    workwell::fhir::Resource r;
    workwell::fhir::IssueSink sink;
    if (!format.Parse(text, {}, r, sink)) state.SkipWithError("bundle rejected");
    std::string out = workwell::fhir::JsonFormat::Write(r);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_FhirParseAndWrite);

// Exactly 20 iterations, for instruction counts that do not depend on timing (docs/PERFORMANCE.md):
// valgrind --tool=callgrind --toggle-collect='workwell::fhir::JsonFormat::Parse*'
//   --toggle-collect='workwell::fhir::JsonFormat::Write*' ... --benchmark_filter=Count
void BM_FhirParseAndWriteCount(benchmark::State& state) { BM_FhirParseAndWrite(state); }
BENCHMARK(BM_FhirParseAndWriteCount)->Iterations(20);

void BM_JsonTreeParseAndWrite(benchmark::State& state) {
  const std::string& text = Bundle();
  for (auto _ : state) {
    workwell::json::Document doc;
    workwell::json::ParseError err;
    if (!workwell::json::Parse(text, {}, doc, err)) state.SkipWithError("parse failed");
    std::string out = workwell::json::Write(doc.root());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_JsonTreeParseAndWrite);

void BM_RapidJsonDomParseAndWrite(benchmark::State& state) {
  const std::string& text = Bundle();
  for (auto _ : state) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError()) state.SkipWithError("parse failed");
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    benchmark::DoNotOptimize(buffer.GetString());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_RapidJsonDomParseAndWrite);

}  // namespace

BENCHMARK_MAIN();
