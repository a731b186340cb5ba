/* A system header (the tests include it with -isystem). */
#include <stdlib.h>

static inline void *sys_make(size_t n) {
  return malloc(n);
}

#define SYS_ALLOC(n) malloc(n)
#define SYS_ALLOC_THROUGH_INLINE() sys_make(4)
