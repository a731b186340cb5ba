/*
 * trace_calls.c: the trace entry points of the call catalog (calls.def),
 * which calls rewritten by the plugin reach.
 *
 * Each behaves exactly like the function it replaces (same checks, same
 * result, same errno), because it calls that function: the C library's
 * for the libc rows, the public PyMem_* and PyObject_* functions for the
 * others.  Around the call:
 *
 *  - PEP 445 rows only name their call site: they intern it and leave its
 *    id in pmc_self.site, where the domain's tracer hook takes it and
 *    records the block (tracer_hooks.c).  So the hook sees every block,
 *    traced call or not, and the entry point adds one intern and two
 *    thread-local stores.  Where the flavour lets it see that the
 *    tracer's hook is the domain's top allocator (the standalone
 *    library), the entry point does the hook's work itself instead, with
 *    the same checks the domain's function makes first (tracer_hooks.h,
 *    "the direct path"): same result, a call chain shorter.
 *  - libc rows record the block themselves: the C library has no hooks.
 *    A libc block freed by code that was not rewritten is not seen leaving;
 *    when its address comes back from a traced call, the table learns it
 *    was freed (docs/tracer.md, "The C library").
 *  - Fault injection (faults.c) fails a call here, before the function
 *    runs, as an allocator out of memory would: NULL, and errno ENOMEM for
 *    the libc rows (posix_memalign returns it).
 *
 * Every entry point first tries the fast lane: one load of the gate
 * (tracer.h) says that the tracer is on (and, for a PEP 445 row, that no
 * fault rule is armed and the direct path is open), and the site comes
 * from the thread's memo.  Anything else takes the general path, which
 * checks each thing in turn.
 *
 * An entry point called from inside a tracer hook (the runtime itself
 * compiled with the rewrite: raw.c's malloc, pymalloc's fallback to
 * PyMem_RawMalloc) just makes the call: the outer hook records the block.
 *
 * Nothing here may allocate through a catalog function outside an entry
 * point: the plugin never rewrites calls inside a trace entry point, so
 * the runtime can itself be compiled with the rewrite, but it would rewrite
 * them in a helper.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* strndup, posix_memalign, reallocarray */
#endif

#include "pymemcheck/trace.h"

#if defined(PYMEMCHECK_HOST)
#include <Python.h>
#else
#include "pymemcheck/pymem.h"
#endif

#include "tracer_hooks.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define FAMILY_OF(Name) pmc_api_family(PMC_API_##Name)

/* The fast lane: nothing that the reasons in `stop` stand for holds now
 * (the gate, tracer.h), and this thread is not inside a hook.  Then the
 * site is the call's own, from the thread's memo, and no other check is
 * due. */
static inline bool fast_lane(uint32_t stop)
{
    return PMC_T_LIKELY((atomic_load_explicit(&pmc_gate, memory_order_acquire) & stop) == 0 &&
                        pmc_self.depth == 0);
}

/* What keeps a PEP 445 row's entry point from doing its hook's work
 * itself (tracer_hooks.h, "the direct path") without looking further. */
#define DIRECT_STOP(Name, Domain)                                              \
    (PMC_GATE_NOT_TRACING | PMC_GATE_FAULTS | PMC_GATE_NOT_ON_TOP << (Domain) | \
     (FAMILY_OF(Name) != PMC_RAW ? PMC_GATE_CHECKED : 0u))

/* enter() off the fast lane: not tracing yet (the lazy start), stopped, or
 * inside a hook. */
static PMC_T_NOINLINE uint32_t enter_slow(const char *filename, int lineno, enum pmc_api api)
{
    /* Acquire: a thread that sees the start sees the hooks installed. */
    int state = atomic_load_explicit(&pmc_state, memory_order_acquire);
    if (PMC_T_UNLIKELY(state != PMC_TRACING)) {
        if (state != PMC_NEVER_STARTED)
            return 0;
        int saved = errno;
        pmc_first_call();
        errno = saved;
        if (!pmc_is_tracing())
            return 0;
    }
    if (pmc_self.depth != 0)
        return 0;
    return pmc_site_of_call(filename, lineno, api);
}

/* The site to attach to this call, or 0 when it must just pass through
 * (not tracing, or inside a hook). */
static inline uint32_t enter(const char *filename, int lineno, enum pmc_api api)
{
    if (fast_lane(PMC_GATE_NOT_TRACING))
        return pmc_site_of_call(filename, lineno, api);
    return enter_slow(filename, lineno, api);
}

static inline bool injected(uint32_t site)
{
    return PMC_T_UNLIKELY(atomic_load_explicit(&pmc_faults_armed, memory_order_relaxed)) &&
           pmc_fault_fires(site);
}

/* ---- PEP 445 rows: name the site, let the hook record ---- */

/* The long way: call the domain's function with the site waiting for the
 * tracer's hook.  A call that reached the allocator (a free always does,
 * CPython forwards it unchecked; an allocation did when it returned a
 * block) and left the site waiting did not pass the hook: the hooks are
 * out of the domain's chain.  Where the flavour can put them back now
 * (pmc_hooks_out), the call is recorded as the hook would have
 * recorded it, then they go back; the record comes first, so that no
 * other thread can be handed a freed address and record it before. */
#define PEP445_CALL(api, site, call, reached, record)                          \
    do {                                                                       \
        pmc_self.site = (site);                                                \
        call;                                                                  \
        if (PMC_T_UNLIKELY(pmc_self.site != 0)) {                              \
            pmc_self.site = 0;                                                 \
            if ((reached) && pmc_hooks_out((api), site)) {                     \
                record;                                                        \
                pmc_hooks_restore((api), site);                                \
            }                                                                  \
        }                                                                      \
    } while (0)

/* The records of calls that missed the hook.  A realloc is counted as the
 * hook counts it: a free of the old block, if any, and an allocation. */
static PMC_T_NOINLINE void missed_alloc(enum pmc_api api, uint32_t site, void *p,
                                        size_t size)
{
    pmc_record_alloc(p, size, site, pmc_api_family(api));
}

static PMC_T_NOINLINE void missed_free(enum pmc_api api, uint32_t site, void *p)
{
    pmc_record_free(p, api, site);
}

static PMC_T_NOINLINE void missed_realloc(enum pmc_api api, uint32_t site, void *old,
                                          void *p, size_t size)
{
    if (old != NULL)
        missed_free(api, site, old);
    missed_alloc(api, site, p, size);
}

/* The checks the standalone PyMem_Malloc, PyMem_Calloc and PyMem_Realloc
 * make before any allocator sees the call (domains.c, as CPython's). */
static inline bool size_too_large(size_t size)
{
    return PMC_T_UNLIKELY(size > (size_t)PY_SSIZE_T_MAX);
}

static inline bool calloc_overflows(size_t nelem, size_t elsize)
{
    return PMC_T_UNLIKELY(elsize != 0 && nelem > (size_t)PY_SSIZE_T_MAX / elsize);
}

#define DEFINE_PEP445_MALLOC(Name, Domain, Trace)                              \
    PYMEMCHECK_TRACE_SIGNATURE_MALLOC(Trace)                                   \
    {                                                                          \
        if (fast_lane(DIRECT_STOP(Name, Domain))) {                            \
            uint32_t site = pmc_site_of_call(filename, lineno, PMC_API_##Name);\
            if (size_too_large(size))                                          \
                return NULL;                                                   \
            return pmc_hook_alloc_at(&pmc_layers[Domain].inner, FAMILY_OF(Name),\
                                     PMC_API_##Name, site, size, 1, false);    \
        }                                                                      \
        uint32_t site = enter(filename, lineno, PMC_API_##Name);               \
        if (site == 0)                                                         \
            return Name(size);                                                 \
        if (injected(site))                                                    \
            return NULL;                                                       \
        const PyMemAllocatorEx *in = PMC_DIRECT(Domain, malloc);               \
        if (in != NULL) {                                                      \
            if (size_too_large(size))                                          \
                return NULL;                                                   \
            pmc_hook_check_call(FAMILY_OF(Name), PMC_API_##Name, site);        \
            return pmc_hook_alloc_at(in, FAMILY_OF(Name), PMC_API_##Name,      \
                                     site, size, 1, false);                    \
        }                                                                      \
        void *p;                                                               \
        PEP445_CALL(PMC_API_##Name, site, p = Name(size), p != NULL,           \
                    missed_alloc(PMC_API_##Name, site, p, size));              \
        return p;                                                              \
    }
#define DEFINE_PEP445_CALLOC(Name, Domain, Trace)                              \
    PYMEMCHECK_TRACE_SIGNATURE_CALLOC(Trace)                                   \
    {                                                                          \
        if (fast_lane(DIRECT_STOP(Name, Domain))) {                            \
            uint32_t site = pmc_site_of_call(filename, lineno, PMC_API_##Name);\
            if (calloc_overflows(nelem, elsize))                               \
                return NULL;                                                   \
            return pmc_hook_alloc_at(&pmc_layers[Domain].inner, FAMILY_OF(Name),\
                                     PMC_API_##Name, site, nelem, elsize, true);\
        }                                                                      \
        uint32_t site = enter(filename, lineno, PMC_API_##Name);               \
        if (site == 0)                                                         \
            return Name(nelem, elsize);                                        \
        if (injected(site))                                                    \
            return NULL;                                                       \
        const PyMemAllocatorEx *in = PMC_DIRECT(Domain, calloc);               \
        if (in != NULL) {                                                      \
            if (calloc_overflows(nelem, elsize))                               \
                return NULL;                                                   \
            pmc_hook_check_call(FAMILY_OF(Name), PMC_API_##Name, site);        \
            return pmc_hook_alloc_at(in, FAMILY_OF(Name), PMC_API_##Name,      \
                                     site, nelem, elsize, true);               \
        }                                                                      \
        void *p;                                                               \
        PEP445_CALL(PMC_API_##Name, site, p = Name(nelem, elsize), p != NULL,  \
                    missed_alloc(PMC_API_##Name, site, p, nelem * elsize));    \
        return p;                                                              \
    }
#define DEFINE_PEP445_REALLOC(Name, Domain, Trace)                             \
    PYMEMCHECK_TRACE_SIGNATURE_REALLOC(Trace)                                  \
    {                                                                          \
        if (fast_lane(DIRECT_STOP(Name, Domain))) {                            \
            uint32_t site = pmc_site_of_call(filename, lineno, PMC_API_##Name);\
            if (size_too_large(size))                                          \
                return NULL;                                                   \
            return pmc_hook_realloc_at(&pmc_layers[Domain].inner,              \
                                       FAMILY_OF(Name), PMC_API_##Name, site,  \
                                       ptr, size);                             \
        }                                                                      \
        uint32_t site = enter(filename, lineno, PMC_API_##Name);               \
        if (site == 0)                                                         \
            return Name(ptr, size);                                            \
        if (injected(site))                                                    \
            return NULL;                                                       \
        const PyMemAllocatorEx *in = PMC_DIRECT(Domain, realloc);              \
        if (in != NULL) {                                                      \
            if (size_too_large(size))                                          \
                return NULL;                                                   \
            pmc_hook_check_call(FAMILY_OF(Name), PMC_API_##Name, site);        \
            return pmc_hook_realloc_at(in, FAMILY_OF(Name), PMC_API_##Name,    \
                                       site, ptr, size);                       \
        }                                                                      \
        void *p;                                                               \
        PEP445_CALL(PMC_API_##Name, site, p = Name(ptr, size), p != NULL,      \
                    missed_realloc(PMC_API_##Name, site, ptr, p, size));       \
        return p;                                                              \
    }
#define DEFINE_PEP445_FREE(Name, Domain, Trace)                                \
    PYMEMCHECK_TRACE_SIGNATURE_FREE(Trace)                                     \
    {                                                                          \
        if (ptr != NULL && fast_lane(DIRECT_STOP(Name, Domain))) {             \
            uint32_t site = pmc_site_of_call(filename, lineno, PMC_API_##Name);\
            pmc_hook_free_at(&pmc_layers[Domain].inner, FAMILY_OF(Name),       \
                             PMC_API_##Name, site, ptr);                       \
            return;                                                            \
        }                                                                      \
        uint32_t site = ptr ? enter(filename, lineno, PMC_API_##Name) : 0;     \
        if (site == 0) {                                                       \
            Name(ptr);                                                         \
            return;                                                            \
        }                                                                      \
        const PyMemAllocatorEx *in = PMC_DIRECT(Domain, free);                 \
        if (in != NULL) {                                                      \
            pmc_hook_check_call(FAMILY_OF(Name), PMC_API_##Name, site);        \
            pmc_hook_free_at(in, FAMILY_OF(Name), PMC_API_##Name, site, ptr);  \
            return;                                                            \
        }                                                                      \
        PEP445_CALL(PMC_API_##Name, site, Name(ptr), true,                     \
                    missed_free(PMC_API_##Name, site, ptr));                   \
    }

/* ---- libc rows: record the block here ---- */

/* The records leave errno alone (tracer.h), so that a successful call
 * leaves it as the function it replaces does. */
static PMC_T_INLINE void record(void *p, size_t size, uint32_t site)
{
    pmc_record_alloc(p, size, site, PMC_LIBC);
}

/* After the C library's realloc of a block the table may know.  realloc(p,
 * 0) with glibc (and the sanitizers' allocators) frees p and returns NULL;
 * the C standard leaves it to the implementation, and other C libraries
 * return a fresh minimal block, which is recorded as any. */
static inline void libc_realloc_end(struct pmc_move *m, void *p, size_t size)
{
    if (p == NULL && size == 0)
        pmc_realloc_freed(m);
    else
        pmc_realloc_end(m, p, size);
}

/* The C library's realloc is called here, in the entry point itself, and
 * not from a helper: a runtime compiled with the rewrite would turn a
 * helper's call into a trace call, and recurse. */
#define LIBC_REALLOC(Name, call)                                               \
    if (ptr == NULL) {                                                         \
        void *p = call;                                                        \
        if (p != NULL)                                                         \
            record(p, size, site);                                             \
        return p;                                                              \
    }                                                                          \
    struct pmc_move m;                                                         \
    if (!pmc_realloc_begin(&m, ptr, PMC_API_##Name, site))                     \
        return NULL;                                                           \
    void *p = call;                                                            \
    libc_realloc_end(&m, p, size);                                             \
    return p;

#define LIBC_ENTER(Name, passthrough, failure)                                 \
    uint32_t site = enter(filename, lineno, PMC_API_##Name);                   \
    if (site == 0)                                                             \
        return passthrough;                                                    \
    if (injected(site)) {                                                      \
        errno = ENOMEM;                                                        \
        return failure;                                                        \
    }

#define DEFINE_LIBC_MALLOC(Name, Trace)                                        \
    PYMEMCHECK_TRACE_SIGNATURE_MALLOC(Trace)                                   \
    {                                                                          \
        LIBC_ENTER(Name, Name(size), NULL)                                     \
        void *p = Name(size);                                                  \
        if (p != NULL)                                                         \
            record(p, size, site);                                             \
        return p;                                                              \
    }
#define DEFINE_LIBC_CALLOC(Name, Trace)                                        \
    PYMEMCHECK_TRACE_SIGNATURE_CALLOC(Trace)                                   \
    {                                                                          \
        LIBC_ENTER(Name, Name(nelem, elsize), NULL)                            \
        void *p = Name(nelem, elsize);                                         \
        if (p != NULL)                                                         \
            record(p, nelem * elsize, site);                                   \
        return p;                                                              \
    }
#define DEFINE_LIBC_REALLOC(Name, Trace)                                       \
    PYMEMCHECK_TRACE_SIGNATURE_REALLOC(Trace)                                  \
    {                                                                          \
        LIBC_ENTER(Name, Name(ptr, size), NULL)                                \
        LIBC_REALLOC(Name, Name(ptr, size))                                    \
    }
#define DEFINE_LIBC_FREE(Name, Trace)                                          \
    PYMEMCHECK_TRACE_SIGNATURE_FREE(Trace)                                     \
    {                                                                          \
        uint32_t site = ptr ? enter(filename, lineno, PMC_API_##Name) : 0;     \
        if (site == 0 || pmc_record_free(ptr, PMC_API_##Name, site))           \
            Name(ptr);                                                         \
    }
#define DEFINE_LIBC_STRDUP(Name, Trace)                                        \
    PYMEMCHECK_TRACE_SIGNATURE_STRDUP(Trace)                                   \
    {                                                                          \
        LIBC_ENTER(Name, Name(s), NULL)                                        \
        char *p = Name(s);                                                     \
        if (p != NULL)                                                         \
            record(p, strlen(p) + 1, site);                                    \
        return p;                                                              \
    }
#define DEFINE_LIBC_STRNDUP(Name, Trace)                                       \
    PYMEMCHECK_TRACE_SIGNATURE_STRNDUP(Trace)                                  \
    {                                                                          \
        LIBC_ENTER(Name, Name(s, n), NULL)                                     \
        char *p = Name(s, n);                                                  \
        if (p != NULL)                                                         \
            record(p, strlen(p) + 1, site);                                    \
        return p;                                                              \
    }
#define DEFINE_LIBC_ALIGNED_ALLOC(Name, Trace)                                 \
    PYMEMCHECK_TRACE_SIGNATURE_ALIGNED_ALLOC(Trace)                            \
    {                                                                          \
        LIBC_ENTER(Name, Name(alignment, size), NULL)                          \
        void *p = Name(alignment, size);                                       \
        if (p != NULL)                                                         \
            record(p, size, site);                                             \
        return p;                                                              \
    }
/* posix_memalign reports failure by its result, not errno. */
#define DEFINE_LIBC_POSIX_MEMALIGN(Name, Trace)                                \
    PYMEMCHECK_TRACE_SIGNATURE_POSIX_MEMALIGN(Trace)                           \
    {                                                                          \
        uint32_t site = enter(filename, lineno, PMC_API_##Name);               \
        if (site == 0)                                                         \
            return Name(out, alignment, size);                                 \
        if (injected(site))                                                    \
            return ENOMEM;                                                     \
        int r = Name(out, alignment, size);                                    \
        if (r == 0)                                                            \
            record(*out, size, site);                                          \
        return r;                                                              \
    }
/* An overflowing count fails inside reallocarray, untouched by the tracer. */
#define DEFINE_LIBC_REALLOCARRAY(Name, Trace)                                  \
    PYMEMCHECK_TRACE_SIGNATURE_REALLOCARRAY(Trace)                             \
    {                                                                          \
        size_t size;                                                           \
        if (__builtin_mul_overflow(nelem, elsize, &size))                      \
            return Name(ptr, nelem, elsize);                                   \
        LIBC_ENTER(Name, Name(ptr, nelem, elsize), NULL)                       \
        LIBC_REALLOC(Name, Name(ptr, nelem, elsize))                           \
    }

#define DEFINE_LIBC(Name, Operation, Trace) DEFINE_LIBC_##Operation(Name, Trace)
#define DEFINE_RAW(Name, Operation, Trace)                                     \
    DEFINE_PEP445_##Operation(Name, PYMEM_DOMAIN_RAW, Trace)
#define DEFINE_MEM(Name, Operation, Trace)                                     \
    DEFINE_PEP445_##Operation(Name, PYMEM_DOMAIN_MEM, Trace)
#define DEFINE_OBJ(Name, Operation, Trace)                                     \
    DEFINE_PEP445_##Operation(Name, PYMEM_DOMAIN_OBJ, Trace)

#define PYMEMCHECK_CALL(Name, Family, Operation, NeedsThreadState, TraceName)  \
    DEFINE_##Family(Name, Operation, TraceName)
#include "pymemcheck/calls.def"
