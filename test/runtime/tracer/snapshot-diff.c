// Snapshots and their difference, as tracemalloc's
// Snapshot.compare_to(old, 'lineno'): grouped by file:line (the functions
// called on one line together, untraced code as one <unknown> group), size
// and count of the newer snapshot with their change, sorted by the size of
// the change, then size, then the count's change, then count.  Lines that
// did not change are not printed; limit caps the lines.  A snapshot keeps
// its figures while the program goes on.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=report=none %t | FileCheck %s --match-full-lines

#include "tracer_test.h"

int main(void)
{
    void *keep = _PyMem_MallocTrace("same.c", 1, 64);
    void *gone = _PyMem_MallocTrace("gone.c", 5, 1000);
    void *shrink[4];
    for (int i = 0; i < 4; i++)
        shrink[i] = _PyObject_MallocTrace("shrink.c", 9, 100);
    pymemcheck_snapshot *old = pymemcheck_snapshot_take();
    EXPECT(old != NULL);

    _PyMem_FreeTrace("gone.c", 6, gone);
    _PyObject_FreeTrace("shrink.c", 10, shrink[0]);
    for (int i = 0; i < 3; i++)
        _PyMem_MallocTrace("new.c", 20, 200);
    _PyObject_MallocTrace("new.c", 20, 50);   /* same line, another function */
    _PyMem_RawMallocTrace("small.c", 3, 8);
    untraced_mem_malloc(30);
    untraced_obj_malloc(2);
    pymemcheck_snapshot *now = pymemcheck_snapshot_take();
    EXPECT(now != NULL);

    size_t current, peak;
    pymemcheck_snapshot_traced_memory(old, &current, &peak);
    printf("old: current=%zu peak=%zu\n", current, peak);
    // CHECK: old: current=1464 peak=1464
    pymemcheck_snapshot_traced_memory(now, &current, &peak);
    printf("now: current=%zu peak=%zu\n", current, peak);
    // CHECK-NEXT: now: current=1054 peak=1464

    pymemcheck_snapshot_diff *diff = pymemcheck_snapshot_compare(now, old);
    EXPECT(diff != NULL);
    pymemcheck_snapshot_diff_print(diff, stdout, 0);
    // CHECK-NEXT: pymemcheck: gone.c:5: size=0 B (-1000 B), count=0 (-1), average=0 B
    // CHECK-NEXT: pymemcheck: new.c:20: size=650 B (+650 B), count=4 (+4), average=162 B
    // CHECK-NEXT: pymemcheck: shrink.c:9: size=300 B (-100 B), count=3 (-1), average=100 B
    // CHECK-NEXT: pymemcheck: <unknown>: size=32 B (+32 B), count=2 (+2), average=16 B
    // CHECK-NEXT: pymemcheck: small.c:3: size=8 B (+8 B), count=1 (+1), average=8 B
    pymemcheck_snapshot_diff_print(diff, stdout, 2);
    // CHECK-NEXT: pymemcheck: gone.c:5: size=0 B (-1000 B), count=0 (-1), average=0 B
    // CHECK-NEXT: pymemcheck: new.c:20: size=650 B (+650 B), count=4 (+4), average=162 B

    /* Every line, unchanged ones too, through the C structures. */
    size_t n;
    const pymemcheck_stat_diff *d = pymemcheck_snapshot_diff_entries(diff, &n);
    for (size_t i = 0; i < n; i++)
        printf("%s:%d %zu %+td %zu %+td\n", d[i].file ? d[i].file : "<unknown>", d[i].line,
               d[i].size, d[i].size_diff, d[i].count, d[i].count_diff);
    // CHECK-NEXT: gone.c:5 0 -1000 0 -1
    // CHECK-NEXT: new.c:20 650 +650 4 +4
    // CHECK-NEXT: shrink.c:9 300 -100 3 -1
    // CHECK-NEXT: <unknown>:0 32 +32 2 +2
    // CHECK-NEXT: small.c:3 8 +8 1 +1
    // CHECK-NEXT: same.c:1 64 +0 1 +0

    /* The snapshot itself: sites by live bytes. */
    const pymemcheck_site_stats *s = pymemcheck_snapshot_sites(old, &n);
    for (size_t i = 0; i < n; i++)
        printf("old %s:%d %s %zu\n", s[i].file, s[i].line, s[i].api, s[i].live_bytes);
    // CHECK-NEXT: old gone.c:5 PyMem_Malloc 1000
    // CHECK-NEXT: old shrink.c:9 PyObject_Malloc 400
    // CHECK-NEXT: old same.c:1 PyMem_Malloc 64

    pymemcheck_snapshot_diff_free(diff);
    pymemcheck_snapshot_free(old);
    pymemcheck_snapshot_free(now);
    _PyMem_FreeTrace("same.c", 2, keep);
    return 0;
}
