/* A vendored header (not a system one), for rewrite-exclude.c. */
#include <stdlib.h>

static inline void *vendored_make(size_t n) {
  return malloc(n);
}
