#pragma once
// Hashing for the mapping engine: SHA-256 of an input (named in Provenance) and deterministic
// UUIDs for output resources, so that sending the same record again yields the same ids.
// The only place in the engine that uses OpenSSL. Safe from any thread (each thread keeps its
// own digest context).

#include <string>
#include <string_view>

namespace workwell::mapping {

// The SHA-256 digest of `data` as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);

// A UUID (RFC 9562 version 8, name-based on SHA-256) derived from the source system, the record id
// in that system and the role of the resource in the output ("patient", "condition-1"). The
// same three inputs always give the same UUID; lower-case, hyphenated.
std::string DeterministicUuid(std::string_view source_system, std::string_view record_id, std::string_view role);

}  // namespace workwell::mapping
