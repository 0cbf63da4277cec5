#pragma once
// The one place RapidJSON is configured: its assertions become always-on checks, so a misuse
// of the library aborts loudly in every build instead of corrupting memory in release builds.
#include "adapter/common/check.h"

#ifndef RAPIDJSON_ASSERT
#define RAPIDJSON_ASSERT(x) WW_CHECK(x)
#endif
#ifndef RAPIDJSON_HAS_STDSTRING
#define RAPIDJSON_HAS_STDSTRING 1
#endif
// x86-64 always has SSE2: RapidJSON then scans strings and whitespace 16 bytes at a time
// (same results as its byte loop). Its aligned 16-byte loads may read up to 15 bytes past the
// last character examined, so the parse buffer is padded (json.cc).
#if !defined(RAPIDJSON_SSE2) && !defined(RAPIDJSON_SSE42) && (defined(__SSE2__) || defined(__x86_64__))
#define RAPIDJSON_SSE2
#endif
