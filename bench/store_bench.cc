// Store throughput: creates/s and searches/s on SQLite (always) and PostgreSQL (when
// WORKWELL_PG_DSN is set, e.g. after eval "$(scripts/postgres.sh start)"). Each backend gets a
// fresh database (a temporary directory / a temporary schema), seeded once with 200 patients
// and 2000 observations for the searches.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "adapter/common/json/json.h"
#include "adapter/store/postgres/postgres_store.h"
#include "adapter/store/sqlite/sqlite_store.h"
#include "adapter/store/store.h"

namespace {

using workwell::store::Store;
using workwell::store::Transaction;

constexpr int kPatients = 200;
constexpr int kObservationsPerPatient = 10;

workwell::json::Document Json(const std::string& text) {
  workwell::json::Document doc;
  workwell::json::ParseError error;
  if (!workwell::json::Parse(text, workwell::json::Limits{}, doc, error)) std::abort();
  return doc;
}

std::string Observation(int patient, int n) {
  return R"({"resourceType":"Observation","identifier":[{"system":"urn:bench","value":")" + std::to_string(patient) +
         "-" + std::to_string(n) +
         R"("}],"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"social-history"}]}],"code":{"coding":[{"system":"http://snomed.info/sct","code":"224362002","display":"Employment status"}]},"subject":{"reference":"Patient/p)" +
         std::to_string(patient) + R"("},"effectiveDateTime":"2024-0)" + std::to_string(1 + n % 9) +
         R"(-15T10:00:00Z","valueQuantity":{"value":37.50,"unit":"h"},"note":[{"text":"Works 37.5 hours a week; phased return agreed with the employer."}]})";
}

struct Backend {
  std::string name;
  std::unique_ptr<Store> store;
  std::string dir;     // sqlite
  std::string dsn;     // postgres
  std::string schema;  // postgres
};

void Seed(Store& store) {
  auto st = store.RunInTransaction([](Transaction& tx) -> workwell::store::StoreStatus {
    for (int p = 0; p < kPatients; ++p) {
      auto patient = Json(R"({"resourceType":"Patient","id":"p)" + std::to_string(p) +
                          R"(","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9)" +
                          std::to_string(100000000 + p) + R"("}]})");
      auto r = tx.Update(patient.root());
      if (!r.ok()) return r.status();
      for (int n = 0; n < kObservationsPerPatient; ++n) {
        auto obs = Json(Observation(p, n));
        auto c = tx.Create(obs.root());
        if (!c.ok()) return c.status();
      }
    }
    return workwell::store::StoreStatus::Ok();
  });
  if (!st.ok()) {
    std::fprintf(stderr, "seeding failed: %s\n", st.ToString().c_str());
    std::abort();
  }
}

void BM_Create(benchmark::State& state, Backend* backend) {
  static std::atomic<int> counter{0};
  for (auto _ : state) {
    auto doc = Json(Observation(counter++ % kPatients, 1000));
    auto r = backend->store->Create(doc.root());
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Search(benchmark::State& state, Backend* backend, int kind) {
  int i = 0;
  for (auto _ : state) {
    const std::string p = std::to_string(i++ % kPatients);
    workwell::store::SearchRequest request;
    switch (kind) {
      case 0: request.params = {{"patient", "p" + p}, {"status", "final"}, {"_count", "20"}}; break;
      case 1:
        request.params = {{"patient.identifier", "https://fhir.nhs.uk/Id/nhs-number|9" + std::to_string(100000000 + i % kPatients)},
                          {"_count", "20"}};
        break;
      default:
        request.params = {{"date", "ge2024-03-01"}, {"date", "lt2024-04-01"}, {"_sort", "-date"}, {"_count", "20"},
                          {"_include", "Observation:patient"}};
        break;
    }
    auto r = backend->store->Search("Observation", request);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(r->total);
  }
  state.SetItemsProcessed(state.iterations());
}

void Register(Backend* b) {
  benchmark::RegisterBenchmark(("BM_Create/" + b->name).c_str(), BM_Create, b)->UseRealTime();
  benchmark::RegisterBenchmark(("BM_Create/" + b->name).c_str(), BM_Create, b)->Threads(4)->UseRealTime();
  benchmark::RegisterBenchmark(("BM_SearchByPatient/" + b->name).c_str(), BM_Search, b, 0)->UseRealTime();
  benchmark::RegisterBenchmark(("BM_SearchByPatient/" + b->name).c_str(), BM_Search, b, 0)->Threads(4)->UseRealTime();
  benchmark::RegisterBenchmark(("BM_SearchChainedNhsNumber/" + b->name).c_str(), BM_Search, b, 1)->UseRealTime();
  benchmark::RegisterBenchmark(("BM_SearchDateRangeSortInclude/" + b->name).c_str(), BM_Search, b, 2)->UseRealTime();
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const std::string tag = std::to_string(::getpid());

  Backend sqlite{"sqlite", nullptr, (std::filesystem::temp_directory_path() / ("workwell-bench-" + tag)).string(), "", ""};
  workwell::store::sqlite::SqliteOptions so;
  so.data_dir = sqlite.dir;
  so.store.pool_size = 8;
  auto opened = workwell::store::sqlite::OpenStore(so);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  sqlite.store = std::move(opened).value();
  Seed(*sqlite.store);
  Register(&sqlite);

  Backend pg{"postgres", nullptr, "", "", "bench_" + tag};
  if (const char* dsn = std::getenv("WORKWELL_PG_DSN"); dsn != nullptr && *dsn != '\0') {
    pg.dsn = dsn;
    workwell::store::postgres::PostgresOptions po;
    po.dsn = pg.dsn;
    po.schema = pg.schema;
    po.store.pool_size = 8;
    auto pg_opened = workwell::store::postgres::OpenStore(po);
    if (!pg_opened.ok()) {
      std::fprintf(stderr, "%s\n", pg_opened.status().ToString().c_str());
      return 1;
    }
    pg.store = std::move(pg_opened).value();
    Seed(*pg.store);
    Register(&pg);
  } else {
    std::fprintf(stderr, "WORKWELL_PG_DSN is not set: PostgreSQL benchmarks skipped\n");
  }

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  sqlite.store.reset();
  std::filesystem::remove_all(sqlite.dir);
  if (pg.store) {
    pg.store.reset();
    (void)workwell::store::postgres::DropSchema(pg.dsn, pg.schema);
  }
  return 0;
}
