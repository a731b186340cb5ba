/*
 * tracer_host.c: the tracer's seams inside a real CPython process (the
 * host library's counterpart of tracer_standalone.c).
 *
 * libpymemcheck-host.so is what an extension compiled with the trace
 * rewrite links against.  It holds no allocator: the PyMem_*, PyObject_*
 * and PyMem_{Get,Set}Allocator functions the tracer calls are the
 * interpreter's, bound when the library is loaded, so the tracer's hooks
 * go into that interpreter's own PEP 445 chain, above whatever it had
 * (pymalloc, the debug hooks, tracemalloc).  The library is loaded once
 * per process, however many traced extensions need it, so they all share
 * one table and one report.
 *
 * When tracing starts.  An extension is imported with the GIL held, after
 * the interpreter is initialised, and the loader loads this library with
 * the first traced extension: that is when tracing starts (start=load and
 * start=first_call alike), because it is the one moment the GIL is known
 * to be held, which PyMem_SetAllocator needs once the interpreter runs.
 * Starting there also puts the hooks below any tracemalloc started later,
 * the order in which the two coexist (docs/host.md).  When the library is
 * loaded before the interpreter is initialised (linked into a program that
 * embeds CPython), tracing starts at the first traced call made with the
 * GIL held.  start=manual leaves it to pymemcheck_trace_start(), which must
 * be called with the GIL held.
 *
 * The table is never complete in the host (the interpreter allocated long
 * before the library was loaded), so pmc_start_at_load is never used: a
 * free of an address the table never saw is the normal case here.
 */
#include <Python.h>

#include "host.h"
#include "tracer_hooks.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

static atomic_bool hooks_missed;

/* Runs at exit just before the report (atexit is last in, first out). */
static void note_missed_hooks(void)
{
    if (atomic_load(&hooks_missed) && pmc_config.report != PMC_REPORT_NONE)
        fputs("pymemcheck: note: the tracer's hooks were out of CPython's allocator "
              "chain for part of the run (see the warning above): the leak report "
              "misses the blocks allocated while they were out, and may list blocks "
              "freed then as leaks\n",
              stderr);
}

/* CPython's pymalloc (3.10 and newer, 64-bit) has the pool tables'
 * geometry (block_table.h), but its functions are not exported: the
 * library learns them from the OBJ domain's allocator just before its
 * hooks first go in, when the interpreter names its allocators
 * "pymalloc" (the default: no PYTHONMALLOC, no debug hooks, no
 * tracemalloc yet).  Not at load: the library may load before
 * Py_Initialize (LD_PRELOAD, an embedding program linked to it), and
 * CPython 3.12 and newer take a lock in _PyMem_GetCurrentAllocatorName
 * that the runtime only creates as it initialises.  The function is
 * private, looked up at run time: an interpreter without it gets no pool
 * tables, and every block goes into the hashed ones. */
static PyMemAllocatorEx pymalloc;
static bool pymalloc_known;
bool pmc_host_allocators_need_thread_state;

static void learn_allocators(void)
{
    const char *(*name)(void) =
        (const char *(*)(void))dlsym(RTLD_DEFAULT, "_PyMem_GetCurrentAllocatorName");
    const char *current = name != NULL ? name() : NULL;
    if (current == NULL)
        return;
    bool is_pymalloc = strcmp(current, "pymalloc") == 0;
    pmc_host_allocators_need_thread_state =
        Py_Version >= 0x030C0000 && (is_pymalloc || strcmp(current, "mimalloc") == 0);
    if (!is_pymalloc)
        return;
    PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &pymalloc);
    pymalloc_known = true;
}

/* Once, at the first start with the interpreter running: the allocators
 * below the hooks are CPython's own then, or someone else's for good. */
void pmc_seam_hooks_installing(void)
{
    static bool asked;
    if (asked || !Py_IsInitialized())
        return;
    asked = true;
    learn_allocators();
}

bool pmc_seam_pool_allocator(const PyMemAllocatorEx *allocator)
{
    return pymalloc_known && pmc_same_functions(allocator, &pymalloc);
}

/* pymalloc's own map of its arenas is not exported either.  A request of
 * 1 to 512 bytes gets a pool's block unless pymalloc cannot get an arena
 * and falls back to the C library; such a block is recorded in a pool
 * table of its own making, which stays correct (entries name their
 * offsets, block_table.c) and only costs that table's memory. */
bool pmc_seam_pool_block(const void *p)
{
    (void)p;
    return true;
}

__attribute__((constructor)) static void host_loaded(void)
{
    pmc_at_load();
    /* Untraced code in the host is the interpreter itself: its blocks live
     * at exit are not the extension's leaks.  untraced=report lists them. */
    pmc_config.report_unknown = false;
    pmc_config_from_environment();
    /* Registered at load, so that it runs after the interpreter has shut
     * down (Py_FinalizeEx frees what it frees before C's atexit handlers
     * run) and after the atexit handlers of anything loaded later. */
    atexit(pmc_report_at_exit);
    atexit(note_missed_hooks);
    if (pmc_config.start != PMC_START_MANUAL && pmc_seam_may_start())
        pmc_start_or_stay_off();
}

/* tracemalloc takes some of its own buffers from the raw allocator it saved
 * when the interpreter started, below the tracer, and may free them through
 * the tracer's hook; CPython allocates strings around its initialisation
 * and finalisation with the default raw allocator (_PyMem_SetDefaultAllocator). */
bool pmc_seam_unseen_allocations(enum pmc_family family)
{
    return family == PMC_LIBC || family == PMC_RAW;
}

/* CPython keeps its domains' allocators to itself: the trace entry points
 * always go through PyMem_Malloc and the hook (tracer_hooks.h). */
const PyMemAllocatorEx *pmc_seam_domain_top(int domain)
{
    (void)domain;
    return NULL;
}

bool pmc_seam_may_start(void)
{
    return Py_IsInitialized() && PyGILState_Check();
}

/* A start empties the table, so the blocks missed before it are no
 * longer the report's business: the note at exit speaks of this run. */
void pmc_seam_tracing_changed(bool on)
{
    pmc_hooks_set_check(on ? PyGILState_Check : NULL, pmc_host_no_thread_state);
    if (on) {
        atomic_store(&hooks_missed, false);
        pmc_host_debug_hooks_probe();
    } else {
        pmc_hooks_set_block_check(NULL);
    }
}

/* A traced call that reached the allocator without passing the hook: the
 * hooks were taken out of the interpreter's allocator chain.  Two things
 * do that in practice.  tracemalloc.stop() restores the allocators it
 * saved when it started, and if that was before the tracer started, ours
 * were not among them.  Py_Initialize() after Py_FinalizeEx() resets the
 * allocators on CPython 3.12 and newer (and on older ones when
 * PYTHONMALLOC is set).  Where this thread holds the GIL the hooks went
 * back in at once (restored); else they do at the next traced call that
 * holds it. */
void pmc_seam_hooks_missed(enum pmc_api api, uint32_t site, bool restored)
{
    if (atomic_exchange(&hooks_missed, true))
        return;
    const struct pmc_site *s = pmc_site_get(site);
    fprintf(stderr,
            "pymemcheck: warning: %s at %s:%d did not reach the tracer's hook: the "
            "hooks had been taken out of CPython's allocator chain. %s "
            "tracemalloc.stop() takes them out when tracemalloc was started before "
            "pymemcheck (python -X tracemalloc, or tracemalloc.start() before the "
            "first traced extension was imported): it restores the allocators it "
            "saved, without pymemcheck's. Py_Initialize() after Py_FinalizeEx() does "
            "too on CPython 3.12 and newer, or with PYTHONMALLOC set. Start "
            "tracemalloc after importing the traced extension, or do not stop it\n",
            pmc_apis[api].name, s->file, s->line,
            restored ? "They are back from this call on; blocks allocated or freed "
                       "while they were out were not seen."
                     : "They go back at the next traced call made with the GIL held; "
                       "until then nothing is recorded.");
}
