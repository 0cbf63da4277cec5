// The FHIR command-line tools: `validate` and `translate`.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <ostream>
#include <sstream>

#include "adapter/app/commands.h"
#include "adapter/app/conformance_setup.h"
#include "adapter/fhir/issue.h"
#include "adapter/fhir/model.h"
#include "adapter/mapping/engine/translator.h"
#include "adapter/validation/validator.h"

namespace workwell::app {
namespace {

bool ReadFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// The canonical URL of the StructureDefinition in `path`, or empty.
std::string UrlOfFile(const std::string& path) {
  std::string text;
  if (!ReadFile(path, text)) return {};
  json::Document doc;
  json::ParseError err;
  json::Limits limits;
  limits.max_bytes = 64u << 20;
  if (!json::Parse(text, limits, doc, err)) return {};
  const json::Value* url = doc.root().Find("url");
  return url != nullptr && url->IsString() ? std::string(url->text()) : std::string();
}

}  // namespace

std::string_view ValidateUsage() {
  return "usage: workwell-gateway validate [--profile URL|FILE]... [--load FILE|DIR]... [--definitions DIR]\n"
         "                                 [--pretty] FILE|-\n"
         "  Validates one FHIR R4 JSON resource against its base definition, the profiles it claims in\n"
         "  meta.profile, the profiles given with --profile, and the project's own and UK Core profiles.\n"
         "  --profile URL|FILE  also validate against this profile (a canonical URL, or a file holding a\n"
         "                      StructureDefinition, which is loaded too); may repeat\n"
         "  --load FILE|DIR     load more conformance resources (StructureDefinition, ValueSet,\n"
         "                      CodeSystem, Questionnaire, Bundles of them); may repeat\n"
         "  --definitions DIR   the unpacked R4 definitions (default: $WORKWELL_FHIR_DIR/r4)\n"
         "  --pretty            indent the OperationOutcome\n"
         "  Prints an OperationOutcome on stdout. Exit status: 0 valid, 1 invalid, 2 usage or load error.\n";
}

std::string_view TranslateUsage() {
  return "usage: workwell-gateway translate --format fitnote-json|referral-json|ref-i12|fitnote-csv|fhir\n"
         "                                  [--transaction] [--coverage] [--pretty] [--out DIR] [--workers N]\n"
         "                                  [--mappings DIR] FILE|-\n"
         "  Translates a source record into a FHIR Bundle (type collection, or transaction with\n"
         "  --transaction) through the mapping files, validates it against the base and WorkWell profiles\n"
         "  and prints it; a record that cannot become valid FHIR is answered with an OperationOutcome\n"
         "  naming the source location and the FHIR path. --format fhir validates a transaction or\n"
         "  message Bundle as it is.\n"
         "  fitnote-csv is bulk mode: one Bundle per row as NDJSON on stdout (or one file per row in\n"
         "  --out DIR), a progress bar on stderr when it is a terminal, and a summary on stderr.\n"
         "  --coverage      list the populated source fields no rule read (on stderr)\n"
         "  --pretty        indent the output (not in bulk mode)\n"
         "  --workers N     bulk mode threads (default: one per core)\n"
         "  --mappings DIR  the mapping files (default: <source>/mappings)\n"
         "  Exit status: 0 translated (every row, in bulk mode), 1 rejected, 2 usage or load error.\n";
}

int RunValidate(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  validation::LoadOptions load = DefaultLoadOptions();
  std::vector<std::string> profiles;
  std::string file;
  bool pretty = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& target) {
      if (i + 1 >= args.size()) {
        err << "workwell-gateway validate: " << a << " needs a value\n";
        return false;
      }
      target = args[++i];
      return true;
    };
    std::string v;
    if (a == "--profile") {
      if (!value(v)) return kExitUsage;
      if (std::filesystem::is_regular_file(v)) {
        load.files.push_back(v);
        const std::string url = UrlOfFile(v);
        if (url.empty()) {
          err << "workwell-gateway validate: " << v << " holds no StructureDefinition url\n";
          return kExitUsage;
        }
        profiles.push_back(url);
      } else {
        profiles.push_back(v);
      }
    } else if (a == "--load") {
      if (!value(v)) return kExitUsage;
      if (std::filesystem::is_directory(v)) {
        load.directories.push_back(v);
      } else {
        load.files.push_back(v);
      }
    } else if (a == "--definitions") {
      if (!value(v)) return kExitUsage;
      load.r4_dir = v;
    } else if (a == "--pretty") {
      pretty = true;
    } else if (a == "--help" || a == "-h") {
      out << ValidateUsage();
      return kExitOk;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      err << "workwell-gateway validate: unknown option '" << a << "'\n" << ValidateUsage();
      return kExitUsage;
    } else if (file.empty()) {
      file = a;
    } else {
      err << "workwell-gateway validate: one FILE at a time\n";
      return kExitUsage;
    }
  }
  if (file.empty()) {
    err << ValidateUsage();
    return kExitUsage;
  }
  std::string text;
  if (file == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else if (!ReadFile(file, text)) {
    err << "workwell-gateway validate: cannot read " << file << "\n";
    return kExitUsage;
  }
  std::vector<std::string> warnings;
  auto validator = validation::Validator::Load(load, &warnings);
  if (!validator.ok()) {
    err << "workwell-gateway validate: " << validator.status().message() << "\n";
    return kExitUsage;
  }
  fhir::IssueSink sink;
  fhir::ParseOptions options;
  options.limits.max_bytes = 64u << 20;
  const bool valid = validator.value()->ValidateJson(text, profiles, sink, options);
  out << fhir::RenderOperationOutcome(sink.issues(), pretty) << "\n";
  return valid ? kExitOk : kExitFailure;
}

namespace {

struct TranslateArgs {
  std::string format;
  std::string file;
  std::string out_dir;
  std::string mappings_dir = WORKWELL_SOURCE_DIR "/mappings";
  bool coverage = false;
  bool pretty = false;
  bool transaction = false;
  int workers = 0;
};

void PrintCoverage(const mapping::Coverage& c, std::string_view label, std::ostream& err) {
  err << "coverage" << (label.empty() ? "" : " ") << label << ": " << c.mapped << " of " << c.populated
      << " populated source fields mapped";
  if (c.unmapped.empty()) {
    err << "\n";
    return;
  }
  err << "; not mapped:\n";
  for (const mapping::UnmappedField& f : c.unmapped) err << "  " << f.path << "  at " << f.location << "\n";
}

// One line of the bulk summary per rejection reason, most frequent first.
void PrintSummary(const mapping::BulkSummary& s, std::ostream& err) {
  err << "translated " << (s.accepted + s.rejected) << " records: " << s.accepted << " accepted, " << s.rejected
      << " rejected\n";
  std::vector<std::pair<size_t, std::string>> reasons;
  for (const auto& [text, n] : s.reasons) reasons.emplace_back(n, text);
  std::sort(reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [n, text] : reasons) err << "  " << n << " x " << text << "\n";
}

int RunBulk(const mapping::Translator& translator, const mapping::Mapping& m, const TranslateArgs& a,
            std::istream& in, std::uintmax_t total_bytes, std::ostream& out, std::ostream& err) {
  if (!a.out_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(a.out_dir, ec);
    if (ec) {
      err << "workwell-gateway translate: cannot create " << a.out_dir << ": " << ec.message() << "\n";
      return kExitUsage;
    }
  }
  const bool tty = isatty(STDERR_FILENO) == 1 && &err == &std::cerr;
  mapping::TranslateOptions options;
  options.transaction = a.transaction;
  bool write_failed = false;
  auto output = [&](size_t index, const mapping::TranslateResult& r) {
    const std::string name = "record-" + std::to_string(index + 1);
    if (a.coverage) PrintCoverage(r.coverage, name, err);
    if (a.out_dir.empty()) {
      if (r.ok) out << r.bundle << "\n";
      return;
    }
    const std::string path = a.out_dir + "/" + name + (r.ok ? ".bundle.json" : ".outcome.json");
    std::ofstream f(path, std::ios::binary);
    f << (r.ok ? r.bundle : r.Outcome(true)) << "\n";
    write_failed = write_failed || !f;
  };
  auto progress = [&](size_t done) {
    if (!tty) return;
    std::streamoff pos = in.tellg();
    std::string bar;
    if (total_bytes > 0 && pos >= 0) {
      const int pct = static_cast<int>(100.0 * static_cast<double>(pos) / static_cast<double>(total_bytes));
      bar = "[" + std::string(pct / 5, '#') + std::string(20 - pct / 5, ' ') + "] " + std::to_string(pct) + "% ";
    }
    std::fprintf(stderr, "\r%s%zu records", bar.c_str(), done);
    std::fflush(stderr);
  };
  const mapping::BulkSummary s = translator.TranslateCsvBulk(m, in, options, a.workers, output, progress);
  if (tty) std::fprintf(stderr, "\n");
  PrintSummary(s, err);
  if (write_failed) {
    err << "workwell-gateway translate: could not write every file in " << a.out_dir << "\n";
    return kExitFailure;
  }
  return s.rejected == 0 ? kExitOk : kExitFailure;
}

}  // namespace

int RunTranslate(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  TranslateArgs a;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string& target) {
      if (i + 1 >= args.size()) {
        err << "workwell-gateway translate: " << arg << " needs a value\n";
        return false;
      }
      target = args[++i];
      return true;
    };
    std::string v;
    if (arg == "--format") {
      if (!value(a.format)) return kExitUsage;
    } else if (arg == "--out") {
      if (!value(a.out_dir)) return kExitUsage;
    } else if (arg == "--mappings") {
      if (!value(a.mappings_dir)) return kExitUsage;
    } else if (arg == "--workers") {
      if (!value(v)) return kExitUsage;
      a.workers = std::atoi(v.c_str());
      if (a.workers < 1) {
        err << "workwell-gateway translate: --workers needs a positive number\n";
        return kExitUsage;
      }
    } else if (arg == "--coverage") {
      a.coverage = true;
    } else if (arg == "--pretty") {
      a.pretty = true;
    } else if (arg == "--transaction") {
      a.transaction = true;
    } else if (arg == "--help" || arg == "-h") {
      out << TranslateUsage();
      return kExitOk;
    } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
      err << "workwell-gateway translate: unknown option '" << arg << "'\n" << TranslateUsage();
      return kExitUsage;
    } else if (a.file.empty()) {
      a.file = arg;
    } else {
      err << "workwell-gateway translate: one FILE at a time\n";
      return kExitUsage;
    }
  }
  if (a.file.empty() || a.format.empty()) {
    err << TranslateUsage();
    return kExitUsage;
  }
  std::vector<std::string> warnings;
  auto validator = validation::Validator::Load(DefaultLoadOptions(), &warnings);
  if (!validator.ok()) {
    err << "workwell-gateway translate: " << validator.status().message() << "\n";
    return kExitUsage;
  }
  mapping::Translator::Options topts;
  topts.mappings_dir = a.mappings_dir;
  topts.root_dir = WORKWELL_SOURCE_DIR;
  auto translator = mapping::Translator::Load(validator.value(), topts);
  if (!translator.ok()) {
    err << "workwell-gateway translate: the mappings did not load:\n" << translator.status().message() << "\n";
    return kExitUsage;
  }
  const mapping::Translator& t = *translator.value();
  const mapping::Mapping* m = t.FindMapping(a.format);
  if (m == nullptr && a.format != "fhir") {
    err << "workwell-gateway translate: unknown format '" << a.format << "' (known:";
    for (const std::string& name : t.FormatNames()) err << " " << name;
    err << ")\n";
    return kExitUsage;
  }
  if (m != nullptr && m->format == mapping::SourceFormat::kCsv) {
    if (a.file == "-") return RunBulk(t, *m, a, std::cin, 0, out, err);
    std::ifstream in(a.file, std::ios::binary);
    if (!in) {
      err << "workwell-gateway translate: cannot read " << a.file << "\n";
      return kExitUsage;
    }
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(a.file, ec);
    return RunBulk(t, *m, a, in, ec ? 0 : size, out, err);
  }
  std::string text;
  if (a.file == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else if (!ReadFile(a.file, text)) {
    err << "workwell-gateway translate: cannot read " << a.file << "\n";
    return kExitUsage;
  }
  mapping::TranslateOptions options;
  options.pretty = a.pretty;
  options.transaction = a.transaction;
  const mapping::TranslateResult r = t.Translate(a.format, text, options);
  if (a.coverage && m != nullptr) PrintCoverage(r.coverage, "", err);
  if (!r.ok) {
    out << r.Outcome(a.pretty) << "\n";
    return kExitFailure;
  }
  out << r.bundle << "\n";
  return kExitOk;
}

}  // namespace workwell::app
