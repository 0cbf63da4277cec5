// Writes Patient resources in a loop from several threads and prints each id (one per line,
// flushed) only after its commit returned. A crash test kills this with SIGKILL mid-load and
// then checks that every printed id is readable.
//   store_crash_writer sqlite <data_dir> [threads]
//   store_crash_writer postgres <dsn> <schema> [threads]
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapter/common/json/json.h"
#include "adapter/store/postgres/postgres_store.h"
#include "adapter/store/sqlite/sqlite_store.h"
#include "adapter/store/store.h"

namespace {

using workwell::store::Store;

std::unique_ptr<Store> OpenFromArgs(int argc, char** argv, int& next_arg) {
  const std::string backend = argc > 1 ? argv[1] : "";
  workwell::store::StoreResult<std::unique_ptr<Store>> opened =
      workwell::store::StoreStatus(workwell::store::StoreCode::kInvalid, "usage");
  if (backend == "sqlite" && argc > 2) {
    workwell::store::sqlite::SqliteOptions options;
    options.data_dir = argv[2];
    opened = workwell::store::sqlite::OpenStore(options);
    next_arg = 3;
  } else if (backend == "postgres" && argc > 3) {
    workwell::store::postgres::PostgresOptions options;
    options.dsn = argv[2];
    options.schema = argv[3];
    opened = workwell::store::postgres::OpenStore(options);
    next_arg = 4;
  } else {
    std::fprintf(stderr, "usage: %s sqlite <data_dir> [threads] | postgres <dsn> <schema> [threads]\n", argv[0]);
    std::exit(2);
  }
  if (!opened.ok()) {
    std::fprintf(stderr, "crash_writer: %s\n", opened.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(opened).value();
}

}  // namespace

int main(int argc, char** argv) {
  int next_arg = 0;
  std::unique_ptr<Store> store = OpenFromArgs(argc, argv, next_arg);
  const int threads = argc > next_arg ? std::atoi(argv[next_arg]) : 4;
  std::mutex out;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (long i = 0;; ++i) {
        const std::string text = R"({"resourceType":"Patient","identifier":[{"system":"urn:crash","value":")" +
                                 std::to_string(t) + "-" + std::to_string(i) +
                                 R"("}],"extension":[{"url":"urn:x","valueDecimal":1.50}]})";
        workwell::json::Document doc;
        workwell::json::ParseError error;
        if (!workwell::json::Parse(text, workwell::json::Limits{}, doc, error)) std::abort();
        auto created = store->Create(doc.root());
        if (!created.ok()) {
          std::fprintf(stderr, "crash_writer: %s\n", created.status().ToString().c_str());
          continue;
        }
        std::lock_guard lock(out);
        std::fprintf(stdout, "%s\n", created->resource.id.c_str());
        std::fflush(stdout);
      }
    });
  }
  for (auto& w : workers) w.join();
  return 0;
}
