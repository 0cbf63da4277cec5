// Mapping engine throughput: records translated (and validated) per second per source format,
// and CSV bulk mode over a synthetic extract with one worker per core. Figures and commands are
// in docs/PERFORMANCE.md ("Translation").

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "adapter/fhir/model.h"
#include "adapter/mapping/engine/translator.h"
#include "adapter/mapping/engine/transforms.h"

namespace workwell::mapping {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Translator& Shared() {
  static const std::shared_ptr<const Translator> translator = [] {
    validation::LoadOptions load;
    load.r4_dir = fhir::Model::DefaultDirectory();
    load.directories = {WORKWELL_SOURCE_DIR "/fhir-profiles/ukcore", WORKWELL_SOURCE_DIR "/fhir-profiles/workwell"};
    std::vector<std::string> warnings;
    auto validator = validation::Validator::Load(load, &warnings);
    if (!validator.ok()) std::abort();
    Translator::Options options;
    options.mappings_dir = WORKWELL_SOURCE_DIR "/mappings";
    options.root_dir = WORKWELL_SOURCE_DIR;
    auto t = Translator::Load(validator.value(), options);
    if (!t.ok()) std::abort();
    return t.value();
  }();
  return *translator;
}

// One record per format: (format, example file).
const std::pair<const char*, const char*> kExamples[] = {
    {"fitnote-json", "examples/records/fit-note-may-be-fit-physio.json"},
    {"referral-json", "examples/records/referral-hospital-discharge.json"},
    {"ref-i12", "examples/records/ref-i12-hospital-discharge.hl7"},
};

void BM_Record(benchmark::State& state, bool validate) {
  const auto& [format, file] = kExamples[state.range(0)];
  const std::string input = ReadFile(std::string(WORKWELL_SOURCE_DIR "/") + file);
  TranslateOptions options;
  options.validate = validate;
  options.now = "2026-12-01T09:00:00+00:00";
  for (auto _ : state) {
    TranslateResult r = Shared().Translate(format, input, options);
    if (!r.ok) state.SkipWithError("translation rejected");
    benchmark::DoNotOptimize(r.bundle.data());
  }
  state.SetLabel(format);
  state.SetItemsProcessed(state.iterations());
}

void BM_TranslateValidate(benchmark::State& state) { BM_Record(state, true); }
void BM_TranslateOnly(benchmark::State& state) { BM_Record(state, false); }
BENCHMARK(BM_TranslateValidate)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TranslateOnly)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

// A CSV extract of `rows` fit notes: the example rows repeated with fresh record ids and valid
// NHS numbers.
std::string SyntheticExtract(size_t rows) {
  const std::string example = ReadFile(WORKWELL_SOURCE_DIR "/examples/records/fit-notes-extract.csv");
  std::istringstream in(example);
  std::string header;
  std::getline(in, header);
  std::string row;
  std::getline(in, row);  // the first row: ISO dates, no quoted line breaks
  const std::string id = "FN-2026-0005001";
  const std::string nhs = "9991000011";
  std::string out = header + "\n";
  out.reserve(row.size() * rows + header.size());
  uint64_t number = 999000001;
  for (size_t i = 0; i < rows; ++i) {
    std::string r = row;
    r.replace(r.find(id), id.size(), "FN-BENCH-" + std::to_string(i));
    std::string candidate;
    do {
      candidate = std::to_string(number++);
      int sum = 0;
      for (int d = 0; d < 9; ++d) sum += (candidate[d] - '0') * (10 - d);
      const int check = (11 - sum % 11) % 11;
      if (check == 10) continue;
      candidate += static_cast<char>('0' + check);
    } while (candidate.size() != 10 || !NhsNumberValid(candidate));
    r.replace(r.find(nhs), nhs.size(), candidate);
    out += r;
    out += "\n";
  }
  return out;
}

// `workers` 0: one per core.
void BM_CsvBulk(benchmark::State& state, bool validate, int workers = 0) {
  const size_t rows = static_cast<size_t>(state.range(0));
  const std::string extract = SyntheticExtract(rows);
  const Mapping* m = Shared().FindMapping("fitnote-csv");
  TranslateOptions options;
  options.validate = validate;
  options.now = "2026-12-01T09:00:00+00:00";
  if (workers <= 0) workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  size_t accepted = 0;
  for (auto _ : state) {
    std::istringstream in(extract);
    size_t bytes = 0;
    const BulkSummary s = Shared().TranslateCsvBulk(*m, in, options, workers, [&](size_t, const TranslateResult& r) {
      bytes += r.bundle.size();
    });
    accepted += s.accepted;
    if (s.rejected != 0) state.SkipWithError("rows rejected");
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(accepted));
  state.SetLabel(std::to_string(workers) + " workers");
}

void BM_CsvBulkTranslateOnly(benchmark::State& state) { BM_CsvBulk(state, false); }
void BM_CsvBulkTranslateValidate(benchmark::State& state) { BM_CsvBulk(state, true); }
BENCHMARK(BM_CsvBulkTranslateOnly)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CsvBulkTranslateValidate)->Arg(2000)->Unit(benchmark::kMillisecond)->UseRealTime();

// One pass over 200 rows on the calling thread, for instruction counts under callgrind
// (docs/PERFORMANCE.md): valgrind --tool=callgrind
// --toggle-collect='*TranslateCsvBulk*lambda*' ... --benchmark_filter=Count/200
// The toggle also counts the translator's load-time self-check (it translates the example
// extract through TranslateCsvBulk); the /0 variants count only that, to be subtracted.
void BM_CsvBulkTranslateOnlyCount(benchmark::State& state) { BM_CsvBulk(state, false, 1); }
void BM_CsvBulkTranslateValidateCount(benchmark::State& state) { BM_CsvBulk(state, true, 1); }
BENCHMARK(BM_CsvBulkTranslateOnlyCount)->Arg(200)->Arg(0)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CsvBulkTranslateValidateCount)->Arg(200)->Arg(0)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace workwell::mapping

BENCHMARK_MAIN();
