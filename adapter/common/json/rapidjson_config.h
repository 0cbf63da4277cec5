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
