/*
 * gil_check.c: CPython's "called without holding the GIL" check, with the
 * C call site.
 *
 * PyMem_* and PyObject_* need an attached thread state (the GIL); only
 * PyMem_Raw* may be called without one.  CPython's debug hooks check this
 * (PYTHONMALLOC=debug) and abort with "Python memory allocator called
 * without holding the GIL", naming no C location.  The tracer's MEM and OBJ
 * hooks run the same test first (pmc_hooks_set_check) and call this file
 * when it fails, so a call the plugin rewrote is reported with its file
 * and line, any other call with its function; then the call goes on to
 * the allocator below, as CPython would have it (under the debug hooks,
 * that aborts with CPython's message after ours), unless on_misuse=abort,
 * or unless that allocator would crash on it: CPython 3.12 and newer's
 * pymalloc and mimalloc find their per-interpreter state through the
 * thread state, which is NULL here, and the library aborts instead.
 * Each site is reported once, and every call is counted as a misuse in
 * the report.
 *
 * The test is PyGILState_Check(), the one CPython's debug hooks use,
 * called by the hooks straight through a function pointer (a wrapper
 * around it here was a quarter of the check's instructions).  It
 * answers "held" whenever it cannot tell: before the GILState API is
 * initialised, after it is finalised, and, for the rest of the process,
 * once a subinterpreter has been created (CPython turns the check off then,
 * because the GILState API only knows the main interpreter).  docs/host.md.
 */
#include <Python.h>

#include "host.h"

#include <stdlib.h>

/* One bit per site id: whether the site was reported.  A site is interned
 * once per (file, line, function), and untraced calls have one site per
 * function, so every id fits. */
static _Atomic uint8_t reported[(PMC_MAX_SITES >> 3) + 1];

static bool first_report(uint32_t site)
{
    uint8_t bit = (uint8_t)(1u << (site & 7));
    return (atomic_fetch_or_explicit(&reported[site >> 3], bit, memory_order_relaxed) &
            bit) == 0;
}

void pmc_host_no_thread_state(enum pmc_api api, uint32_t site)
{
    pmc_stats_misuse();
    if (site == 0)
        site = pmc_site_unknown(api);
    const char *then = pmc_host_allocators_need_thread_state
                           ? "the call cannot go on (next line)"
                           : "the call goes on as written";
    if (first_report(site)) {
        const struct pmc_site *s = pmc_site_get(site);
        const char *name = pmc_apis[api].name;
        if (s->file != NULL)
            fprintf(stderr,
                    "pymemcheck: misuse: %s called without the GIL at %s:%d: PyMem_* "
                    "and PyObject_* need an attached thread state; hold the GIL for "
                    "this call (keep it out of Py_BEGIN_ALLOW_THREADS) or use "
                    "PyMem_Raw*, which does not need it; %s\n",
                    name, s->file, s->line, then);
        else
            fprintf(stderr,
                    "pymemcheck: misuse: %s called without the GIL in untraced code: "
                    "PyMem_* and PyObject_* need an attached thread state; compile "
                    "the caller with -fplugin-arg-pymemcheck-trace to see its line; "
                    "%s\n",
                    name, then);
    }
    if (pmc_config.abort_on_misuse) {
        fputs("pymemcheck: aborting on misuse (on_misuse=abort in PYMEMCHECK)\n", stderr);
        abort();
    }
    if (pmc_host_allocators_need_thread_state) {
        fputs("pymemcheck: aborting: CPython 3.12 and newer keep the allocator's state "
              "per interpreter and find it through the thread state, so the call "
              "would crash\n",
              stderr);
        abort();
    }
}
