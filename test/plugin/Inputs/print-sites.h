/* For the end-to-end programs: print every call site the tracer recorded
 * an allocation at, sorted by file, then line, then function:
 *
 *     sites: 2
 *     ext.c:42 PyMem_Malloc allocs=3 frees=3
 *     ext.c:57 strdup allocs=1 frees=0
 *
 * C and C++. */
#ifndef E2E_PRINT_SITES_H
#define E2E_PRINT_SITES_H

#include "pymemcheck/tracer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The order of both listings (this one and free-sites.h's): file, then
 * line, then function. */
static int e2e_compare_places(const char *file_a, int line_a, const char *api_a,
                              const char *file_b, int line_b, const char *api_b) {
  int c = strcmp(file_a, file_b);
  if (c != 0)
    return c;
  if (line_a != line_b)
    return line_a < line_b ? -1 : 1;
  return strcmp(api_a, api_b);
}

static int e2e_compare_sites(const void *a, const void *b) {
  const pymemcheck_site_stats *x = *(const pymemcheck_site_stats *const *)a;
  const pymemcheck_site_stats *y = *(const pymemcheck_site_stats *const *)b;
  return e2e_compare_places(x->file ? x->file : "", x->line, x->api,
                            y->file ? y->file : "", y->line, y->api);
}

static void print_sites_by_place(void) {
  pymemcheck_snapshot *snapshot = pymemcheck_snapshot_take();
  size_t n;
  const pymemcheck_site_stats *sites = pymemcheck_snapshot_sites(snapshot, &n);
  const pymemcheck_site_stats *order[64];
  size_t count = 0;
  for (size_t i = 0; i < n && count < 64; i++)
    order[count++] = &sites[i];
  qsort(order, count, sizeof order[0], e2e_compare_sites);
  printf("sites: %zu\n", count);
  for (size_t i = 0; i < count; i++)
    printf("%s:%d %s allocs=%llu frees=%llu\n", order[i]->file ? order[i]->file : "<unknown>",
           order[i]->line, order[i]->api, (unsigned long long)order[i]->allocs,
           (unsigned long long)order[i]->frees);
  pymemcheck_snapshot_free(snapshot);
}

#endif /* E2E_PRINT_SITES_H */
