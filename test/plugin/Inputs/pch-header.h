/* A header for pch.c, compiled into a precompiled header. */
#ifndef PCH_HEADER_H
#define PCH_HEADER_H

#include <stdlib.h>

static inline void *header_make(size_t n) {
  return malloc(n);
}

static inline void header_release(void *p) {
  free(p);
}

static inline void *never_used(void) {
  return calloc(1, 1);
}

#define HEADER_ALLOC(n) malloc(n)

#endif
