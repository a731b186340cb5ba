/* Helpers for e2e-c.c: an inline function and a macro of a user header. */
#include "pymemcheck/pymem.h"

static inline char *helper_buffer(size_t n) {
  return PyMem_Malloc(n);
}

#define HELPER_FREE(p) PyMem_Free(p)
