// Reports how fast CsvReader reads simple records, from a buffer and from a stream.
// Usage: mapping_csv_throughput [records] (default 1,000,000). Prints records/s and MB/s.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "adapter/mapping/sources/csv.h"

namespace {

using workwell::mapping::CsvReader;

struct Run {
  size_t records = 0;
  size_t checksum = 0;
  double seconds = 0;
};

template <typename MakeReader>
Run Time(MakeReader make) {
  const auto start = std::chrono::steady_clock::now();
  Run run;
  CsvReader reader = make();
  while (reader.Next() == CsvReader::Step::kRecord) {
    ++run.records;
    run.checksum += reader.record().fields()[1].text.size();
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

void Report(const char* what, const Run& run, size_t bytes) {
  std::printf("%-28s %9zu records in %.3f s: %6.2f M records/s, %7.1f MB/s (checksum %zu)\n", what, run.records,
              run.seconds, run.records / run.seconds / 1e6, bytes / run.seconds / 1e6, run.checksum);
}

}  // namespace

int main(int argc, char** argv) {
  const size_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  std::string plain = "source_record_id,nhs_number,issue_date,outcome,family_name,practice_ods_code\n";
  std::string quoted = plain;
  for (size_t i = 0; i < count; ++i) {
    const std::string id = std::to_string(100000 + i);
    plain += "FN-" + id + ",9990000018,2026-11-02,not-fit,Smith,P84637\n";
    quoted += "FN-" + id + ",9990000018,2026-11-02,may-be-fit,\"O\"\"Brien, Jo\",P84637\r\n";
  }
  const Run a = Time([&] { return CsvReader(plain); });
  Report("buffer, plain fields", a, plain.size());
  const Run b = Time([&] { return CsvReader(quoted); });
  Report("buffer, one escaped field", b, quoted.size());
  std::istringstream in(plain);
  const Run c = Time([&] { return CsvReader(in); });
  Report("istream, plain fields", c, plain.size());
  return a.records == count && b.records == count && c.records == count ? 0 : 1;
}
