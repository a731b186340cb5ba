// A program that installs an allocator it saved before tracing started
// cuts the tracer's hook out of the domain's chain.  The next traced call
// that reaches the allocator without passing the hook says so once,
// records itself and puts the hook back on top, so that what follows is
// seen again (here an untraced free, which only the hook can see).  What
// happened while the hook was out was not seen: a free of an address the
// table has as freed is no longer taken for a double free, as the address
// may have been handed out unseen.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=start=manual:report=none %t 2>&1 | FileCheck %s --match-full-lines

#include "tracer_test.h"

int main(void)
{
    PyMemAllocatorEx saved;
    PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &saved);
    EXPECT(pymemcheck_trace_start() == 0);
    void *before = _PyObject_MallocTrace("cut.c", 1, 10);
    _PyObject_FreeTrace("cut.c", 2, before);

    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &saved);
    void *unseen = untraced_obj_malloc(10);             /* not seen */
    printf("address reused: %d\n", unseen == before);
    // CHECK: address reused: 1
    fflush(stdout);
    void *a = _PyObject_MallocTrace("cut.c", 3, 30);
    // CHECK-NEXT: pymemcheck: warning: PyObject_Malloc at cut.c:3 did not reach the tracer's hook: an allocator saved before tracing started was installed again, cutting the hook out of the domain's chain. The hook is back on top from this call on; blocks allocated or freed while it was out were not seen. Install hooks that wrap the current allocator instead
    /* Freed through the hook, at an address the table has as freed. */
    untraced_obj_free(unseen);
    void *b = _PyObject_MallocTrace("cut.c", 4, 40);
    untraced_obj_free(b);
    _PyObject_FreeTrace("cut.c", 5, a);
    print_sites(stdout);
    // CHECK-NEXT: cut.c:1 PyObject_Malloc live=0/0 peak=10 allocs=1 frees=1 failed=0
    // CHECK-NEXT: cut.c:3 PyObject_Malloc live=0/0 peak=30 allocs=1 frees=1 failed=0
    // CHECK-NEXT: cut.c:4 PyObject_Malloc live=0/0 peak=40 allocs=1 frees=1 failed=0
    // CHECK-NOT: {{.}}
    return 0;
}
