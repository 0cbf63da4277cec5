// Validation speed: a realistic fit note Bundle (Patient, Practitioner, Organization,
// Condition, ServiceRequest and a WorkWell fit note Observation) validated against the R4 base
// definitions, UK Core and the WorkWell profiles, on one thread; and the time to load and
// compile every definition and profile.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "adapter/fhir/model.h"
#include "adapter/validation/validator.h"

namespace {

using workwell::validation::LoadOptions;
using workwell::validation::Validator;

LoadOptions Options() {
  LoadOptions options;
  options.r4_dir = workwell::fhir::Model::DefaultDirectory();
  options.directories = {WORKWELL_SOURCE_DIR "/fhir-profiles/ukcore", WORKWELL_SOURCE_DIR "/fhir-profiles/workwell"};
  return options;
}

const Validator& Shared() {
  static const std::shared_ptr<const Validator> v = [] {
    auto loaded = Validator::Load(Options(), nullptr);
    if (!loaded.ok()) std::abort();
    return loaded.value();
  }();
  return *v;
}

const std::string& BundleText() {
  static const std::string text = [] {
    std::ifstream in(WORKWELL_SOURCE_DIR "/bench/data/fitnote_bundle.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }();
  return text;
}

constexpr int kResourcesPerBundle = 7;  // the Bundle and its six entries

void BM_ParseAndValidateBundle(benchmark::State& state) {
  const Validator& v = Shared();
  const std::string& text = BundleText();
  for (auto _ : state) {
    workwell::fhir::IssueSink sink;
    if (!v.ValidateJson(text, {}, sink)) state.SkipWithError("bundle reported invalid");
    benchmark::DoNotOptimize(sink.issues().data());
  }
  state.counters["bundles/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["resources/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kResourcesPerBundle), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseAndValidateBundle);

// Exactly 20 iterations, for instruction counts that do not depend on timing (docs/PERFORMANCE.md):
// valgrind --tool=callgrind --toggle-collect='*ValidateJson*ParseOptions*' ... --benchmark_filter=Count
// One validation first, outside the counted call, fills the caches built on first use (value set
// expansions, code systems), so that the count is the steady state the timed runs measure.
void WarmUp() {
  workwell::fhir::IssueSink sink;
  workwell::fhir::Resource resource;
  if (!Shared().format().Parse(BundleText(), {}, resource, sink)) std::abort();
  Shared().Validate(resource, {}, sink);
}
void BM_ParseAndValidateBundleCount(benchmark::State& state) {
  WarmUp();
  BM_ParseAndValidateBundle(state);
}
BENCHMARK(BM_ParseAndValidateBundleCount)->Iterations(20);

void BM_ValidateParsedBundle(benchmark::State& state) {
  const Validator& v = Shared();
  workwell::fhir::Resource resource;
  workwell::fhir::IssueSink parse_sink;
  if (!v.format().Parse(BundleText(), {}, resource, parse_sink)) std::abort();
  for (auto _ : state) {
    workwell::fhir::IssueSink sink;
    v.Validate(resource, {}, sink);
    benchmark::DoNotOptimize(sink.issues().data());
  }
  state.counters["bundles/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ValidateParsedBundle);

void BM_LoadAndCompileEverything(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<std::string> warnings;
    auto loaded = Validator::Load(Options(), &warnings);
    if (!loaded.ok()) state.SkipWithError("load failed");
    state.counters["profiles"] = static_cast<double>(loaded.value()->profiles().size());
  }
}
BENCHMARK(BM_LoadAndCompileEverything)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
