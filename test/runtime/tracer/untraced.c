// The tracer is a PEP 445 hook: it sees blocks of code that was never
// rewritten.  Their allocations are counted at <unknown>, per function
// (calloc and realloc included); traced blocks freed (or resized) by
// untraced code leave their site's live count; a realloc by untraced code
// keeps the block at its site.  Blocks allocated before tracing started
// and freed after are simply not in the table: nothing is counted and
// nothing is reported.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=start=manual:report=none %t 2>&1 | FileCheck %s --match-full-lines

#include "tracer_test.h"

int main(void)
{
    void *before = untraced_mem_malloc(77);
    void *before_traced = _PyMem_MallocTrace("early.c", 1, 33);   /* start=manual */
    EXPECT(!pymemcheck_trace_is_tracing());
    EXPECT(pymemcheck_trace_start() == 0);
    EXPECT(pymemcheck_trace_is_tracing());

    void *u = untraced_mem_malloc(10);
    void *c = untraced_obj_calloc(3, 5);
    void *r = untraced_mem_realloc(NULL, 7);
    void *t = _PyMem_MallocTrace("ext.c", 5, 40);
    t = untraced_mem_realloc(t, 80);             /* keeps its site */
    void *gone = _PyObject_MallocTrace("ext.c", 9, 16);
    untraced_obj_free(gone);                     /* seen leaving */
    untraced_mem_free(before);                   /* not in the table */
    untraced_mem_free(before_traced);
    print_sites(stdout);
    // CHECK:      ext.c:5 PyMem_Malloc live=1/80 peak=80 allocs=2 frees=1 failed=0
    // CHECK-NEXT: <unknown>:0 PyObject_Calloc live=1/15 peak=15 allocs=1 frees=0 failed=0
    // CHECK-NEXT: <unknown>:0 PyMem_Malloc live=1/10 peak=10 allocs=1 frees=0 failed=0
    // CHECK-NEXT: <unknown>:0 PyMem_Realloc live=1/7 peak=7 allocs=1 frees=0 failed=0
    // CHECK-NEXT: ext.c:9 PyObject_Malloc live=0/0 peak=16 allocs=1 frees=1 failed=0
    // CHECK-NOT:  {{.}}
    size_t current, peak;
    pymemcheck_get_traced_memory(&current, &peak);
    printf("current=%zu peak=%zu\n", current, peak);
    // CHECK-NEXT: current=112 peak=128

    untraced_mem_free(u);
    untraced_obj_free(c);
    untraced_mem_free(r);
    untraced_mem_free(t);
    pymemcheck_get_traced_memory(&current, &peak);
    printf("current=%zu\n", current);
    // CHECK-NEXT: current=0
    return 0;
}
