/*
 * tracer_hooks.h: what a tracer hook does once it knows its call site,
 * inline, shared by the hooks themselves (tracer_hooks.c) and by the trace
 * entry points' direct path (trace_calls.c).
 *
 * The direct path: a PEP 445 entry point (_PyMem_MallocTrace, ...) whose
 * domain has the tracer's hook on top would call PyMem_Malloc, which calls
 * the hook, which takes the site the entry point left in thread-local
 * storage and records the block.  When the flavour can see the domain's
 * installed allocator (the standalone library: pmc_seam_domain_top) and
 * its function for this operation is the tracer's hook, the entry point
 * does the hook's work itself, with the site in hand: the same checks
 * PyMem_Malloc makes, the same allocator below, the same record.  The
 * result is the one the long way gives, minus a call through the domain,
 * the hook's own checks and the thread-local handoff.  Anywhere else (a
 * hook installed above the tracer's, the debug hooks on top, the host
 * library, which cannot see CPython's allocator structs) the entry point
 * takes the long way.
 *
 * Include after the header that declares PyMemAllocatorEx (pymemcheck/
 * pymem.h, or <Python.h> in the host library).
 */
#ifndef PYMEMCHECK_TRACER_HOOKS_H
#define PYMEMCHECK_TRACER_HOOKS_H

#include "tracer.h"

struct pmc_layer {
    PyMemAllocatorEx inner;     /* the allocator we wrap */
    bool installed;             /* ours is somewhere in the domain's chain */
};

/* Indexed by PyMemAllocatorDomain (RAW 0, MEM 1, OBJ 2). */
PMC_T_HIDDEN extern struct pmc_layer pmc_layers[3];
/* The tracer's hooks, as installed on each domain. */
PMC_T_HIDDEN extern const PyMemAllocatorEx pmc_hooks[3];
/* Each domain's installed allocator, where the flavour can see it (the
 * standalone library); NULL where it cannot (the host library). */
PMC_T_HIDDEN extern _Atomic(const PyMemAllocatorEx *) pmc_domain_top[3];
PMC_T_HIDDEN extern _Atomic(pmc_held_fn) pmc_hook_held;
PMC_T_HIDDEN extern _Atomic(pmc_missing_fn) pmc_hook_missing;
PMC_T_HIDDEN extern _Atomic(pmc_block_check_fn) pmc_hook_block_check;

/* The seam behind pmc_domain_top: the flavour's installed allocator of a
 * domain (a pointer that stays valid and is read on every direct call),
 * or NULL. */
PMC_T_HIDDEN const PyMemAllocatorEx *pmc_seam_domain_top(int domain);
/* Whether allocator carves its blocks of 1 to 512 bytes from pools of the
 * geometry in block_table.h, whose blocks then go into pool tables
 * (block_table.c, "Pool tables"). */
PMC_T_HIDDEN bool pmc_seam_pool_allocator(const PyMemAllocatorEx *allocator);

/* Whether two allocators have the same four functions (their ctx aside):
 * the same allocator, or the tracer's own hooks. */
static inline bool pmc_same_functions(const PyMemAllocatorEx *a, const PyMemAllocatorEx *b)
{
    return a->malloc == b->malloc && a->calloc == b->calloc && a->realloc == b->realloc &&
           a->free == b->free;
}

/* The host's thread-state check, for MEM and OBJ calls (take_site).
 * Acquire: missing is stored before held (pmc_hooks_set_check). */
static PMC_T_INLINE void pmc_hook_check_call(enum pmc_family family, enum pmc_api api,
                                             uint32_t site)
{
    pmc_held_fn held = atomic_load_explicit(&pmc_hook_held, memory_order_acquire);
    if (PMC_T_UNLIKELY(held != NULL) && family != PMC_RAW && PMC_T_UNLIKELY(!held()))
        atomic_load_explicit(&pmc_hook_missing, memory_order_relaxed)(api, site);
}

static PMC_T_INLINE void pmc_hook_check_block(const void *p, enum pmc_family family,
                                              enum pmc_api api, uint32_t site)
{
    pmc_block_check_fn fn = atomic_load_explicit(&pmc_hook_block_check,
                                                 memory_order_relaxed);
    if (PMC_T_UNLIKELY(fn != NULL))
        fn(p, family, api, site);
}

/* The bodies of the hooks, once the site is known (0: untraced code) and
 * the thread-state check made.  Inner calls (pymalloc falling back to the
 * RAW domain) pass through: depth is set around the allocator's call. */
static PMC_T_INLINE void *pmc_hook_alloc_at(const PyMemAllocatorEx *in,
                                            enum pmc_family family, enum pmc_api api,
                                            uint32_t site, size_t nelem, size_t elsize,
                                            bool zeroed)
{
    pmc_self.depth = 1;
    void *p = zeroed ? in->calloc(in->ctx, nelem, elsize) : in->malloc(in->ctx, nelem);
    pmc_self.depth = 0;
    if (p != NULL)
        pmc_record_alloc(p, zeroed ? nelem * elsize : nelem,
                         site ? site : pmc_site_unknown(api), family);
    return p;
}

static PMC_T_INLINE void *pmc_hook_realloc_at(const PyMemAllocatorEx *in,
                                              enum pmc_family family, enum pmc_api api,
                                              uint32_t site, void *p, size_t size)
{
    if (p == NULL) {
        pmc_self.depth = 1;
        void *q = in->realloc(in->ctx, NULL, size);
        pmc_self.depth = 0;
        if (q != NULL)
            pmc_record_alloc(q, size, site ? site : pmc_site_unknown(api), family);
        return q;
    }
    struct pmc_move m;
    if (!pmc_realloc_begin(&m, p, api, site))
        return NULL;
    pmc_hook_check_block(p, family, api, site);
    pmc_self.depth = 1;
    void *q = in->realloc(in->ctx, p, size);
    pmc_self.depth = 0;
    pmc_realloc_end(&m, q, size);
    return q;
}

static PMC_T_INLINE void pmc_hook_free_at(const PyMemAllocatorEx *in,
                                          enum pmc_family family, enum pmc_api api,
                                          uint32_t site, void *p)
{
    if (!pmc_record_free(p, api, site))
        return;
    pmc_hook_check_block(p, family, api, site);
    pmc_self.depth = 1;
    in->free(in->ctx, p);
    pmc_self.depth = 0;
}

/* The allocator below the tracer's hook on `domain` when the hook's
 * function for this operation (Fn: malloc, calloc, realloc or free) is
 * what the domain's entry point would call now; NULL otherwise. */
#define PMC_DIRECT(domain, Fn) pmc_direct_##Fn(domain)
#define PMC_DEFINE_DIRECT(Fn)                                                  \
    static PMC_T_INLINE const PyMemAllocatorEx *pmc_direct_##Fn(int domain)    \
    {                                                                          \
        const PyMemAllocatorEx *top =                                          \
            atomic_load_explicit(&pmc_domain_top[domain], memory_order_relaxed);\
        if (PMC_T_LIKELY(top != NULL && top->Fn == pmc_hooks[domain].Fn))     \
            return &pmc_layers[domain].inner;                                  \
        return NULL;                                                           \
    }
PMC_DEFINE_DIRECT(malloc)
PMC_DEFINE_DIRECT(calloc)
PMC_DEFINE_DIRECT(realloc)
PMC_DEFINE_DIRECT(free)
#undef PMC_DEFINE_DIRECT

#endif /* PYMEMCHECK_TRACER_HOOKS_H */
