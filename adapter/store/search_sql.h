#pragma once
// Compiles a FHIR search request into SQL over the store's tables (resources r, search_index s).
// The SQL is the same on SQLite and PostgreSQL. Pure: no database access, thread-safe.
// https://hl7.org/fhir/R4/search.html

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/store/sql.h"
#include "adapter/store/store.h"

namespace workwell::store {

inline constexpr size_t kDefaultCount = 20;
inline constexpr size_t kMaxCount = 1000;

// An _include to resolve after the page is read.
struct IncludeSpec {
  std::string param;   // a reference parameter of the searched type
  std::string target;  // only include resources of this type; empty for any
};

struct CompiledSearch {
  // Conditions ANDed after "r.type = ? AND r.deleted = 0", each starting with " AND ".
  std::string where;
  std::vector<SqlParam> where_params;
  // The ORDER BY list (always ends with r.id for a stable order).
  std::string order_by;
  std::vector<SqlParam> order_params;
  size_t count = kDefaultCount;
  size_t offset = 0;
  std::vector<IncludeSpec> includes;
  QueryParams canonical;  // the request's parameters without _offset, for paging links
  std::vector<std::string> ignored;
};

// Compiles `request` for resources of `type`. kInvalid names the offending parameter.
StoreResult<CompiledSearch> CompileSearch(std::string_view type, const SearchRequest& request);

// A stable key for a conditional-create query: the type and its parameters sorted, hashed
// (FNV-1a, hex). Equal for the same criteria in any order.
std::string ConditionKey(std::string_view type, const QueryParams& params);

}  // namespace workwell::store
