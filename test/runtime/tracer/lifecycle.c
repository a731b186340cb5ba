// Starting and stopping.  Stop keeps what was recorded for reports and
// snapshots, takes the hooks out, and records nothing more; a block
// recorded before the stop and freed after it stays counted (nothing saw
// it leave).  Start clears the records and begins again.  A hook installed
// above the tracer's (wrapping it, as PEP 445 asks) survives a stop: the
// tracer's layer stays below it and passes calls through, and a restart
// records through that same layer again (no second layer).  To know that
// its layer is still in the chain, the restart allocates and frees one
// byte through the domain, which the hook above sees too.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=start=manual:report=none %t | FileCheck %s --match-full-lines

#include "tracer_test.h"

static PyMemAllocatorEx below;
static int counted;

static void *counting_malloc(void *ctx, size_t size)
{
    (void)ctx;
    counted++;
    return below.malloc(below.ctx, size);
}

static void live(const char *when)
{
    size_t current, peak;
    pymemcheck_get_traced_memory(&current, &peak);
    printf("%s: tracing=%d current=%zu\n", when, pymemcheck_trace_is_tracing(), current);
}

int main(void)
{
    EXPECT(pymemcheck_trace_start() == 0);
    void *a = _PyMem_MallocTrace("a.c", 1, 100);
    pymemcheck_trace_stop();
    void *b = _PyMem_MallocTrace("a.c", 2, 50);   /* not recorded */
    _PyMem_FreeTrace("a.c", 3, a);               /* not seen */
    live("stopped");
    // CHECK: stopped: tracing=0 current=100
    EXPECT(site_stats("a.c", 1, "PyMem_Malloc").live_blocks == 1);

    EXPECT(pymemcheck_trace_start() == 0);
    live("restarted");
    // CHECK-NEXT: restarted: tracing=1 current=0
    _PyMem_FreeTrace("a.c", 4, b);               /* from before the start: nothing */
    live("freed");
    // CHECK-NEXT: freed: tracing=1 current=0

    /* A hook above ours. */
    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &below);
    PyMemAllocatorEx above = below;
    above.malloc = counting_malloc;
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &above);
    void *c = _PyMem_MallocTrace("c.c", 1, 10);
    pymemcheck_trace_stop();
    void *d = _PyMem_MallocTrace("c.c", 2, 10);
    EXPECT(pymemcheck_trace_start() == 0);
    void *e = _PyMem_MallocTrace("c.c", 3, 10);
    printf("counted=%d\n", counted);
    // CHECK-NEXT: counted=4
    print_sites(stdout);
    // CHECK-NEXT: c.c:3 PyMem_Malloc live=1/10 peak=10 allocs=1 frees=0 failed=0
    // CHECK-NOT:  c.c
    PyMem_Free(c);
    PyMem_Free(d);
    PyMem_Free(e);
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &below);
    return 0;
}
