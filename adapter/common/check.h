#pragma once
// Always-on invariant checks. A failed check is a bug in the gateway, never an input problem:
// it prints the location and aborts. Never use for anything a request can trigger.

#include <cstdio>
#include <cstdlib>

#define WW_CHECK(cond)                                                          \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                             \
    }                                                                           \
  } while (0)
