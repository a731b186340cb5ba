/*
 * host.h: what the host library's own files (runtime/src/host/) promise
 * each other.  The host library is the tracer inside a real CPython
 * process: the tracer's files (runtime/src/, through tracer.h) plus these,
 * which are the only ones that include <Python.h>.  docs/host.md.
 */
#ifndef PYMEMCHECK_HOST_INTERNAL_H
#define PYMEMCHECK_HOST_INTERNAL_H

#include "tracer.h"

/* gil_check.c: what tracer_hooks.c calls when PyGILState_Check(), which
 * it runs first in every MEM and OBJ hook call (pmc_hooks_set_check),
 * says the thread state is not attached: the call is reported with its
 * call site, once per site, and counted as a misuse; on_misuse=abort then
 * aborts, and so does a call the allocator below could not survive. */
PMC_T_HIDDEN void pmc_host_no_thread_state(enum pmc_api api, uint32_t site);

/* tracer_host.c: whether the MEM and OBJ allocators below the hooks crash
 * when called without a thread state: CPython 3.12 and newer keep
 * pymalloc's (and mimalloc's) state per interpreter and find it through
 * the calling thread's state, which is NULL then.  Learnt with the
 * allocators' name, before the first check can run. */
PMC_T_HIDDEN extern bool pmc_host_allocators_need_thread_state;

/* debug_hooks.c: find out whether CPython's debug hooks are below the
 * tracer's (just installed), and if so have every block the tracer hands
 * them on a free or realloc checked first, so that a damaged one is named
 * with its call sites before CPython aborts on it.  Needs the GIL. */
PMC_T_HIDDEN void pmc_host_debug_hooks_probe(void);

#endif /* PYMEMCHECK_HOST_INTERNAL_H */
