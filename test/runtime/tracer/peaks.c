// Peaks: per site, the highest its live bytes reached; process-wide, the
// highest the traced bytes reached (pymemcheck_get_traced_memory, as
// tracemalloc.get_traced_memory).  A realloc moves bytes from the block's
// old size to its new one.  pymemcheck_reset_peak() brings every peak
// down to the current figure, as tracemalloc.reset_peak().
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=report=none %t | FileCheck %s --match-full-lines

#include "tracer_test.h"

static void traced(const char *when)
{
    size_t current, peak;
    pymemcheck_get_traced_memory(&current, &peak);
    printf("%s: current=%zu peak=%zu\n", when, current, peak);
}

int main(void)
{
    void *a[10];
    for (int i = 0; i < 10; i++)
        a[i] = _PyMem_MallocTrace("a.c", 1, 100);
    traced("ten");
    // CHECK: ten: current=1000 peak=1000
    for (int i = 0; i < 10; i++)
        _PyMem_FreeTrace("a.c", 2, a[i]);
    for (int i = 0; i < 3; i++)
        a[i] = _PyMem_MallocTrace("a.c", 1, 100);
    void *b = _PyObject_MallocTrace("b.c", 1, 50);
    b = _PyObject_ReallocTrace("b.c", 2, b, 500);
    b = _PyObject_ReallocTrace("b.c", 3, b, 20);
    traced("later");
    // CHECK-NEXT: later: current=320 peak=1000
    print_sites(stdout);
    // CHECK-NEXT: a.c:1 PyMem_Malloc live=3/300 peak=1000 allocs=13 frees=10 failed=0
    // CHECK-NEXT: b.c:3 PyObject_Realloc live=1/20 peak=20 allocs=1 frees=0 failed=0
    // CHECK-NEXT: b.c:1 PyObject_Malloc live=0/0 peak=50 allocs=1 frees=1 failed=0
    // CHECK-NEXT: b.c:2 PyObject_Realloc live=0/0 peak=500 allocs=1 frees=1 failed=0

    pymemcheck_reset_peak();
    traced("reset");
    // CHECK-NEXT: reset: current=320 peak=320
    print_sites(stdout);
    // CHECK-NEXT: a.c:1 PyMem_Malloc live=3/300 peak=300 allocs=13 frees=10 failed=0
    // CHECK-NEXT: b.c:3 PyObject_Realloc live=1/20 peak=20 allocs=1 frees=0 failed=0
    // CHECK-NEXT: b.c:1 PyObject_Malloc live=0/0 peak=0 allocs=1 frees=1 failed=0
    // CHECK-NEXT: b.c:2 PyObject_Realloc live=0/0 peak=0 allocs=1 frees=1 failed=0

    // A site passing its lowered peak: the reset brings the thread's own
    // high down with it, so that the new high is seen.  (Read once the
    // block is gone: a live figure above the peak is reported as the
    // peak.)
    a[3] = _PyMem_MallocTrace("a.c", 1, 100);
    _PyMem_FreeTrace("a.c", 2, a[3]);
    traced("grown");
    // CHECK-NEXT: grown: current=320 peak=420
    EXPECT(site_stats("a.c", 1, "PyMem_Malloc").peak_bytes == 400);

    // A new high after the reset.
    void *c = _PyMem_CallocTrace("c.c", 1, 4, 1000);
    _PyMem_FreeTrace("c.c", 2, c);
    traced("after");
    // CHECK-NEXT: after: current=320 peak=4320
    EXPECT(site_stats("c.c", 1, "PyMem_Calloc").peak_bytes == 4000);
    for (int i = 0; i < 3; i++)
        _PyMem_FreeTrace("a.c", 2, a[i]);
    _PyObject_FreeTrace("b.c", 4, b);
    traced("end");
    // CHECK-NEXT: end: current=0 peak=4320
    return 0;
}
