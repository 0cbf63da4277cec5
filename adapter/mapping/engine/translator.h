#pragma once
// The mapping engine: translates source records (vendor JSON, HL7 v2 REF^I12, CSV rows) into a
// FHIR Bundle through the mapping files in mappings/, validates every output against the base
// and WorkWell profiles, and rejects what cannot become valid FHIR with an OperationOutcome whose
// issues name both the source location and the FHIR path. docs/MAPPING.md describes it.
//
// A Translator is built once at start-up (Load checks every mapping, then translates and
// validates each mapping's example records) and is immutable afterwards: Translate* may be called
// from many threads at once.

#include <cstddef>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/common/status.h"
#include "adapter/fhir/issue.h"
#include "adapter/mapping/engine/concept_map.h"
#include "adapter/mapping/engine/mapping.h"
#include "adapter/mapping/sources/source_record.h"
#include "adapter/validation/validator.h"

namespace workwell::mapping {

// How one translation runs.
struct TranslateOptions {
  bool transaction = false;  // Bundle.type transaction (PUT of each resource) instead of collection
  bool validate = true;      // validate the output (off only for measuring translation alone)
  bool pretty = false;       // indent the Bundle text
  // Provenance.recorded and Bundle.timestamp (an instant). Empty: the current time.
  std::string now;
};

// A populated source field that no rule read.
struct UnmappedField {
  std::string path;
  std::string location;
};

// Which populated source fields the mapping read.
struct Coverage {
  size_t populated = 0;
  size_t mapped = 0;
  std::vector<UnmappedField> unmapped;
};

// The outcome of translating one record.
struct TranslateResult {
  bool ok = false;
  std::string bundle;               // the Bundle as JSON text, when ok
  std::vector<fhir::Issue> issues;  // errors when rejected; warnings either way
  Coverage coverage;
  std::string record_id;            // the source record id, when known
  std::string source_system;        // the sending system, when known
  // The mapping's routing facts read from the record ("case" section, docs/MAPPING.md), by name.
  std::map<std::string, std::string> case_facts;
  std::vector<int> rule_lines;      // per issue: the mapping line it is attributed to (0 unknown)

  // The OperationOutcome for the issues (errors when rejected).
  std::string Outcome(bool pretty = false) const { return fhir::RenderOperationOutcome(issues, pretty); }
};

// Totals of a bulk run.
struct BulkSummary {
  size_t accepted = 0;
  size_t rejected = 0;
  // "line 3, column 46 (family_name): stray quote ..." style reasons, grouped by their text
  // without the line, with how often each occurred.
  std::map<std::string, size_t> reasons;
};

class Translator {
 public:
  // Where the engine finds its files.
  struct Options {
    std::string mappings_dir;  // *.map.json files
    std::string root_dir;      // the repository root: examples/ and docs/schemas/ are relative to it
    bool self_check = true;    // translate and validate each mapping's examples at load
  };

  // Loads every mapping in `options.mappings_dir` and checks it (see mapping.h); with self_check,
  // translates each mapping's examples and validates the output. invalid_argument lists every
  // problem as "file:line: message"; not_found when the directory is missing.
  static common::Result<std::shared_ptr<const Translator>> Load(std::shared_ptr<const validation::Validator> validator,
                                                                const Options& options);

  // The mapping used for a --format name, or nullptr. "fhir" has no mapping.
  const Mapping* FindMapping(std::string_view format) const;
  // The --format names, sorted (the mapping names and "fhir").
  std::vector<std::string> FormatNames() const;

  // Translates one input in `format` ("fitnote-json", "referral-json", "ref-i12", "fitnote-csv"
  // with exactly one data row, or "fhir": a transaction or message Bundle, validated as it is).
  // A CSV extract with several rows is rejected (with the first unusable row's issues, if any).
  TranslateResult Translate(std::string_view format, std::string_view input, const TranslateOptions& options) const;

  // Translates one parsed record with `mapping`; `raw` is the input the SHA-256 is taken of.
  TranslateResult TranslateRecord(const Mapping& mapping, const SourceRecord& record, std::string_view raw,
                                  const TranslateOptions& options) const;

  // Called in input order with each record's result (on the calling thread).
  using BulkOutput = std::function<void(size_t record_index, const TranslateResult& result)>;
  // Called now and then with the records done so far.
  using BulkProgress = std::function<void(size_t records_done)>;

  // Translates every row of a CSV extract with `mapping`, using `workers` threads (0: one per
  // core). Unreadable rows are rejected with their CSV location; an unterminated quote stops the
  // run. Results reach `output` in input order.
  BulkSummary TranslateCsvBulk(const Mapping& mapping, std::istream& in, const TranslateOptions& options, int workers,
                               const BulkOutput& output, const BulkProgress& progress = {}) const;

  const validation::Validator& validator() const { return *validator_; }
  const std::vector<std::shared_ptr<const Mapping>>& mappings() const { return mappings_; }

  Translator(std::shared_ptr<const validation::Validator> validator, std::shared_ptr<const ConceptMapRegistry> maps);

 private:
  TranslateResult ValidateFhirBundle(std::string_view input, const TranslateOptions& options) const;
  common::Status SelfCheck(const Mapping& mapping, const std::string& root_dir) const;

  std::shared_ptr<const validation::Validator> validator_;
  std::shared_ptr<const ConceptMapRegistry> concept_maps_;
  std::vector<std::shared_ptr<const Mapping>> mappings_;
};

}  // namespace workwell::mapping
