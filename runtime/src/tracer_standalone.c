/*
 * tracer_standalone.c: the seam between the tracer and the standalone
 * allocator library, and the only tracer file that may include internal.h.
 * The host library (the tracer inside a real CPython) has a file of its own
 * in this place.
 *
 *  - At load (domains.c's constructor, after PYTHONMALLOC is applied):
 *    read PYMEMCHECK, register the at-exit report, and start tracing when
 *    start=load.  The at-exit handler is registered this early so that it
 *    runs after the handlers the program registers later, which may still
 *    free blocks.
 *  - While tracing, the debug hooks' fatal dump ends with what the tracer
 *    knows of the damaged block ("Memory block allocated at ext.c:42 by
 *    PyMem_Malloc"), where CPython prints tracemalloc's traceback.
 */
#include "internal.h"
#include "tracer.h"
#include "tracer_hooks.h"

#include <stdlib.h>

/* The tracer records the pointer its hook returned.  It is above the debug
 * hooks when they were set up first (PYTHONMALLOC=debug), and sees the
 * same p as the dump; below them when PyMem_SetupDebugHooks() ran after
 * tracing started, and then it recorded the debug layer's base, 2*S bytes
 * before p. */
static void describe(FILE *out, const void *p)
{
    if (!pmc_describe_block(out, p))
        pmc_describe_block(out, (const char *)p - 2 * sizeof(size_t));
}

void pmc_seam_tracing_changed(bool on)
{
    pymemcheck_debug_set_describe_block(on ? describe : NULL);
}

/* Nothing to learn: pymalloc's functions are ours (pmc_seam_pool_allocator). */
void pmc_seam_hooks_installing(void)
{
}

/* The domains' allocators are ours to read: the trace entry points record
 * directly when the tracer's hook is on top (tracer_hooks.h). */
const PyMemAllocatorEx *pmc_seam_domain_top(int domain)
{
    return pymemcheck_installed((PyMemAllocatorDomain)domain);
}

/* pymalloc.c has the geometry of block_table.h's pool tables. */
bool pmc_seam_pool_allocator(const PyMemAllocatorEx *allocator)
{
    static const PyMemAllocatorEx pymalloc = PYMEMCHECK_PYMALLOC_ALLOCATOR;
    return pmc_same_functions(allocator, &pymalloc);
}

bool pmc_seam_pool_block(const void *p)
{
    return pymemcheck_pymalloc_owns(p);
}

/* Every PEP 445 allocation goes through the domains' hooks here. */
bool pmc_seam_unseen_allocations(enum pmc_family family)
{
    return family == PMC_LIBC;
}

/* Outside CPython no GIL guards PyMem_SetAllocator: any thread may start. */
bool pmc_seam_may_start(void)
{
    return true;
}

/* Here any thread may put the hooks back (pmc_seam_may_start): restored
 * is always true. */
void pmc_seam_hooks_missed(enum pmc_api api, uint32_t site, bool restored)
{
    static atomic_bool warned;
    if (!restored || atomic_exchange(&warned, true))
        return;
    const struct pmc_site *s = pmc_site_get(site);
    fprintf(stderr, "pymemcheck: warning: %s at %s:%d did not reach the tracer's hook: "
                    "an allocator saved before tracing started was installed again, "
                    "cutting the hook out of the domain's chain. The hook is back on "
                    "top from this call on; blocks allocated or freed while it was out "
                    "were not seen. Install hooks that wrap the current allocator "
                    "instead\n",
            pmc_apis[api].name, s->file, s->line);
}

void pymemcheck_tracer_load(void)
{
    pmc_at_load();
    pymemcheck_observe_allocators(pmc_hooks_allocators_changed);
    /* A static initializer of another object file may have made the first
     * traced call before this constructor ran, and PYTHONMALLOC, applied
     * just now, reset the domains: the hooks go back on top. */
    const char *pythonmalloc = getenv("PYTHONMALLOC");
    if (pythonmalloc != NULL && *pythonmalloc != '\0')
        (void)pmc_hooks_reinstall();
    pmc_config_from_environment();
    atexit(pmc_report_at_exit);
    if (pmc_config.start == PMC_START_LOAD && pmc_start_at_load() < 0)
        fputs("pymemcheck: PYMEMCHECK: start=load: the tracer cannot get memory for "
              "its tables; tracing is off\n", stderr);
}
