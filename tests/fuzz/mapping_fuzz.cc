// libFuzzer entry point for the mapping file loader (mapping::LoadMapping). The loader reads a
// file, so each input is written to one temporary file per process and loaded from there, with
// the R4 model and an empty ConceptMap registry. Beyond "never crash", it checks that a rejected
// file explains itself ("file:line: message") and that an accepted one has a name and resources.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "adapter/common/check.h"
#include "adapter/fhir/model.h"
#include "adapter/mapping/engine/concept_map.h"
#include "adapter/mapping/engine/mapping.h"

namespace {

struct Fixture {
  std::shared_ptr<const workwell::fhir::Model> model;
  std::unique_ptr<workwell::mapping::ConceptMapRegistry> concept_maps;
  workwell::mapping::MappingContext context;
  std::string path;
};

const Fixture& Shared() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    auto model = workwell::fhir::Model::LoadDefault();
    if (!model.ok()) {
      std::fprintf(stderr, "cannot load the R4 model (set WORKWELL_FHIR_DIR): %s\n",
                   model.status().ToString().c_str());
      std::abort();
    }
    f->model = std::move(model).value();
    auto maps = workwell::mapping::ConceptMapRegistry::Build({});
    WW_CHECK(maps.ok());
    f->concept_maps = std::make_unique<workwell::mapping::ConceptMapRegistry>(std::move(maps).value());
    f->context.model = f->model.get();
    f->context.concept_maps = f->concept_maps.get();
    f->context.root_dir = WORKWELL_SOURCE_DIR;
    f->path = (std::filesystem::temp_directory_path() /
               ("ww_mapping_fuzz_" + std::to_string(::getpid()) + ".map.json"))
                  .string();
    return f;
  }();
  return *fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  const Fixture& f = Shared();
  {
    std::ofstream out(f.path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto mapping = workwell::mapping::LoadMapping(f.path, "mappings/fuzz.map.json", f.context);
  std::filesystem::remove(f.path);
  if (!mapping.ok()) {
    WW_CHECK(mapping.status().message().find("mappings/fuzz.map.json") != std::string::npos);
    return 0;
  }
  WW_CHECK(!(*mapping)->name.empty());
  return 0;
}
