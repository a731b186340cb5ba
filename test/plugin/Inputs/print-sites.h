/* For the end-to-end programs: print every call site the tracer recorded
 * an allocation at, sorted by file, then line, then function:
 *
 *     sites: 2
 *     ext.c:42 PyMem_Malloc allocs=3 frees=3
 *     ext.c:57 strdup allocs=1 frees=0
 *
 * C and C++. */
#include "pymemcheck/tracer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int e2e_compare_sites(const void *a, const void *b) {
  const pymemcheck_site_stats *x = *(const pymemcheck_site_stats *const *)a;
  const pymemcheck_site_stats *y = *(const pymemcheck_site_stats *const *)b;
  int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
  if (c != 0)
    return c;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  return strcmp(x->api, y->api);
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
