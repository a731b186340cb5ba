/* For the end-to-end programs: the call site of every rewritten free.
 *
 * The tracer's snapshot (print-sites.h) lists the sites that allocated,
 * with how many of their blocks were freed, but not where: a block of a
 * PEP 445 domain is seen leaving through the domain's hook whether or not
 * the free was rewritten, and the tracer keeps a free's own site only in
 * the freed block's record, for its misuse messages ("already freed at
 * ext.c:57").  So the programs link with, for each FREE row of the call
 * catalog,
 *
 *     -Wl,--wrap=<trace entry point>
 *
 * and this header's __wrap_ functions count each call by the site the
 * plugin passed, then call the runtime's entry point (__real_).  A FREE row
 * added to calls.def without its --wrap in the RUN lines fails the link
 * (__real_<entry point> is undefined).  print_free_sites() prints, sorted by
 * file, then line, then function:
 *
 *     free-sites: 2
 *     ext.c:43 PyMem_Free calls=3
 *     ext.c:57 free calls=1
 *
 * C and C++; single-threaded programs. */
#include "print-sites.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

struct e2e_free_site {
  const char *file;
  int line;
  const char *api;
  unsigned long calls;
};

static struct e2e_free_site e2e_free_sites[64];
static size_t e2e_free_site_count;
static int e2e_free_sites_full;

static void e2e_count_free(const char *file, int line, const char *api) {
  for (size_t i = 0; i < e2e_free_site_count; i++) {
    struct e2e_free_site *s = &e2e_free_sites[i];
    if (s->line == line && strcmp(s->file, file) == 0 && strcmp(s->api, api) == 0) {
      s->calls++;
      return;
    }
  }
  if (e2e_free_site_count == sizeof e2e_free_sites / sizeof e2e_free_sites[0]) {
    e2e_free_sites_full = 1;
    return;
  }
  struct e2e_free_site *s = &e2e_free_sites[e2e_free_site_count++];
  s->file = file;
  s->line = line;
  s->api = api;
  s->calls = 1;
}

#define E2E_WRAP_FREE(Name, TraceName)                                         \
  void __real_##TraceName(const char *filename, int lineno, void *ptr);      \
  void __wrap_##TraceName(const char *filename, int lineno, void *ptr);      \
  void __wrap_##TraceName(const char *filename, int lineno, void *ptr) {     \
    e2e_count_free(filename, lineno, #Name);                                   \
    __real_##TraceName(filename, lineno, ptr);                                 \
  }
#define E2E_WRAP_MALLOC(Name, TraceName)
#define E2E_WRAP_CALLOC(Name, TraceName)
#define E2E_WRAP_REALLOC(Name, TraceName)
#define E2E_WRAP_STRDUP(Name, TraceName)
#define E2E_WRAP_STRNDUP(Name, TraceName)
#define E2E_WRAP_ALIGNED_ALLOC(Name, TraceName)
#define E2E_WRAP_POSIX_MEMALIGN(Name, TraceName)
#define E2E_WRAP_REALLOCARRAY(Name, TraceName)
#define PYMEMCHECK_CALL(Name, Family, Operation, NeedsThreadState, TraceName)  \
  E2E_WRAP_##Operation(Name, TraceName)
#include "pymemcheck/calls.def"

static int e2e_compare_free_sites(const void *a, const void *b) {
  const struct e2e_free_site *x = (const struct e2e_free_site *)a;
  const struct e2e_free_site *y = (const struct e2e_free_site *)b;
  return e2e_compare_places(x->file, x->line, x->api, y->file, y->line, y->api);
}

static void print_free_sites(void) {
  qsort(e2e_free_sites, e2e_free_site_count, sizeof e2e_free_sites[0], e2e_compare_free_sites);
  printf("free-sites: %zu%s\n", e2e_free_site_count, e2e_free_sites_full ? " (table full)" : "");
  for (size_t i = 0; i < e2e_free_site_count; i++)
    printf("%s:%d %s calls=%lu\n", e2e_free_sites[i].file, e2e_free_sites[i].line,
           e2e_free_sites[i].api, e2e_free_sites[i].calls);
}

#ifdef __cplusplus
}
#endif
