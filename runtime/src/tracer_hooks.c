/*
 * tracer_hooks.c: the tracer's PEP 445 hooks, on all three domains.
 *
 * This is the PEP's "hooks on all allocators" use case: get each domain's
 * allocator, install a wrapper that calls it.  Because the hook, not the
 * trace entry point, records the block, blocks allocated or freed by code
 * that was never rewritten (CPython itself, other libraries) are seen too;
 * an entry point only leaves its call site in pmc_self.site for the hook
 * to take, and blocks allocated with no site waiting are attributed to the
 * untraced-code site of the hook's function.
 *
 * Outermost only: a 600-byte PyObject_Malloc goes through the OBJ hook,
 * then pymalloc, which falls back to PyMem_RawMalloc, through the RAW hook.
 * A thread-local depth (as tracemalloc's reentrancy flag) makes the inner
 * hook pass the call straight through, so the block is counted once, as an
 * OBJ block, at the OBJ call's site.
 *
 * Each domain has functions of its own that read their domain's saved
 * allocator from a static, not through ctx: PyMem_SetAllocator copies a
 * struct without a lock, so a thread allocating while tracing starts (the
 * default start is lazy, from whatever thread first runs rewritten code)
 * may pair our function with the old ctx.  ctx is set all the same, to the
 * saved allocator, as the PEP's example does.
 *
 * Only the public PEP 445 API is used, so the host library installs these
 * same hooks into a real interpreter.
 */
#include "pymemcheck/pymem.h"

#include "tracer_hooks.h"

struct pmc_layer pmc_layers[3];
_Atomic(const PyMemAllocatorEx *) pmc_domain_top[3];
_Atomic(pmc_held_fn) pmc_hook_held;
_Atomic(pmc_missing_fn) pmc_hook_missing;
_Atomic(pmc_block_check_fn) pmc_hook_block_check;

void pmc_hooks_set_check(pmc_held_fn held, pmc_missing_fn missing)
{
    atomic_store_explicit(&pmc_hook_missing, missing, memory_order_relaxed);
    atomic_store_explicit(&pmc_hook_held, held, memory_order_release);
    pmc_gate_set(PMC_GATE_CHECKED, held != NULL);
}

static bool hooks_on_top(const PyMemAllocatorEx *top, int domain)
{
    return top != NULL && pmc_same_functions(top, &pmc_hooks[domain]);
}

/* A domain's family is its number plus one (domains RAW 0, MEM 1, OBJ 2;
 * families RAW 1, MEM 2, OBJ 3): the bit pmc_pooled tests. */
_Static_assert(PMC_RAW == PYMEM_DOMAIN_RAW + 1 && PMC_OBJ == PYMEM_DOMAIN_OBJ + 1,
               "families follow the domains");

void pmc_hooks_allocators_changed(void)
{
    uint32_t pooled = 0;
    for (int d = PYMEM_DOMAIN_RAW; d <= PYMEM_DOMAIN_OBJ; d++) {
        const PyMemAllocatorEx *top =
            atomic_load_explicit(&pmc_domain_top[d], memory_order_relaxed);
        pmc_gate_set(PMC_GATE_NOT_ON_TOP << d, !hooks_on_top(top, d));
        if (pmc_layers[d].installed && pmc_seam_pool_allocator(&pmc_layers[d].inner))
            pooled |= 1u << (d + 1);
    }
    atomic_store_explicit(&pmc_pooled_families, pooled, memory_order_relaxed);
}

void pmc_hooks_set_block_check(pmc_block_check_fn fn)
{
    atomic_store_explicit(&pmc_hook_block_check, fn, memory_order_relaxed);
}

/* Called once per outermost hook call: takes the site its entry point left
 * (0: none), after the host's thread-state check for MEM and OBJ. */
static PMC_T_INLINE uint32_t take_site(enum pmc_family family, enum pmc_api api)
{
    uint32_t site = pmc_self.site;
    pmc_self.site = 0;
    pmc_hook_check_call(family, api, site);
    return site;
}

/* pmc_self.depth while pmc_hooks_install probes a domain's chain. */
#define PMC_DEPTH_PROBE 2u
/* The domains whose hook a probe passed through (a bit per domain); only
 * the probing thread writes it, under the state lock (tracer.c). */
static _Atomic uint32_t probes_seen;

static PMC_T_INLINE bool passes_through(int domain)
{
    if (PMC_T_LIKELY(pmc_self.depth == 0 && pmc_is_tracing()))
        return false;
    if (PMC_T_UNLIKELY(pmc_self.depth == PMC_DEPTH_PROBE))
        atomic_fetch_or_explicit(&probes_seen, 1u << domain, memory_order_relaxed);
    return true;
}

/* The bodies below are forced inline into each domain's hooks, whose
 * family and api are constants: clang 19 kept hook_alloc and hook_free out
 * of line, and host mode, where every allocation CPython makes comes
 * through them, ran 10% more instructions for it (bench/host_overhead.py,
 * churn, callgrind). */
static PMC_T_INLINE void *hook_alloc(const PyMemAllocatorEx *in, enum pmc_family family,
                                     enum pmc_api api, size_t nelem, size_t elsize,
                                     bool zeroed)
{
    if (passes_through(family - 1))
        return zeroed ? in->calloc(in->ctx, nelem, elsize) : in->malloc(in->ctx, nelem);
    uint32_t site = take_site(family, api);
    return pmc_hook_alloc_at(in, family, api, site, nelem, elsize, zeroed);
}

static PMC_T_INLINE void *hook_realloc(const PyMemAllocatorEx *in, enum pmc_family family,
                                       enum pmc_api api, void *p, size_t size)
{
    if (passes_through(family - 1))
        return in->realloc(in->ctx, p, size);
    uint32_t site = take_site(family, api);
    return pmc_hook_realloc_at(in, family, api, site, p, size);
}

static PMC_T_INLINE void hook_free(const PyMemAllocatorEx *in, enum pmc_family family,
                                   enum pmc_api api, void *p)
{
    if (p == NULL || passes_through(family - 1)) {
        in->free(in->ctx, p);
        return;
    }
    uint32_t site = take_site(family, api);
    pmc_hook_free_at(in, family, api, site, p);
}

#define DEFINE_HOOKS(domain, Family, Prefix)                                   \
    static void *Prefix##malloc_hook(void *ctx, size_t size)                   \
    {                                                                          \
        (void)ctx;                                                             \
        return hook_alloc(&pmc_layers[domain].inner, PMC_##Family,             \
                          PMC_API_##Prefix##Malloc, size, 1, false);           \
    }                                                                          \
    static void *Prefix##calloc_hook(void *ctx, size_t nelem, size_t elsize)   \
    {                                                                          \
        (void)ctx;                                                             \
        return hook_alloc(&pmc_layers[domain].inner, PMC_##Family,             \
                          PMC_API_##Prefix##Calloc, nelem, elsize, true);      \
    }                                                                          \
    static void *Prefix##realloc_hook(void *ctx, void *p, size_t size)         \
    {                                                                          \
        (void)ctx;                                                             \
        return hook_realloc(&pmc_layers[domain].inner, PMC_##Family,           \
                            PMC_API_##Prefix##Realloc, p, size);               \
    }                                                                          \
    static void Prefix##free_hook(void *ctx, void *p)                          \
    {                                                                          \
        (void)ctx;                                                             \
        hook_free(&pmc_layers[domain].inner, PMC_##Family, PMC_API_##Prefix##Free, \
                  p);                                                          \
    }

DEFINE_HOOKS(PYMEM_DOMAIN_RAW, RAW, PyMem_Raw)
DEFINE_HOOKS(PYMEM_DOMAIN_MEM, MEM, PyMem_)
DEFINE_HOOKS(PYMEM_DOMAIN_OBJ, OBJ, PyObject_)

const PyMemAllocatorEx pmc_hooks[3] = {
    [PYMEM_DOMAIN_RAW] = {&pmc_layers[PYMEM_DOMAIN_RAW].inner, PyMem_Rawmalloc_hook,
                          PyMem_Rawcalloc_hook, PyMem_Rawrealloc_hook,
                          PyMem_Rawfree_hook},
    [PYMEM_DOMAIN_MEM] = {&pmc_layers[PYMEM_DOMAIN_MEM].inner, PyMem_malloc_hook,
                          PyMem_calloc_hook, PyMem_realloc_hook, PyMem_free_hook},
    [PYMEM_DOMAIN_OBJ] = {&pmc_layers[PYMEM_DOMAIN_OBJ].inner, PyObject_malloc_hook,
                          PyObject_calloc_hook, PyObject_realloc_hook,
                          PyObject_free_hook},
};

/* Whether the tracer's layer on domain d is still in the domain's chain:
 * an allocation through the domain's functions, which the layer notes as
 * it passes it through.  Only the top of a chain is visible (CPython's
 * PyMem_GetAllocator), and a layer below another hook may have been cut
 * out of it since it went in: tracemalloc.stop() restores the allocators
 * it saved before the tracer started, and CPython 3.12's Py_Initialize
 * resets them all. */
static bool layer_in_chain(int d)
{
    static void *(*const domain_malloc[3])(size_t) = {PyMem_RawMalloc, PyMem_Malloc,
                                                      PyObject_Malloc};
    static void (*const domain_free[3])(void *) = {PyMem_RawFree, PyMem_Free,
                                                   PyObject_Free};
    atomic_store_explicit(&probes_seen, 0, memory_order_relaxed);
    uint32_t depth = pmc_self.depth;
    pmc_self.depth = PMC_DEPTH_PROBE;
    domain_free[d](domain_malloc[d](1));
    pmc_self.depth = depth;
    return atomic_load_explicit(&probes_seen, memory_order_relaxed) >> d & 1;
}

/* A domain whose chain still holds our layer (someone installed a hook
 * above it, so stop could not take it out) keeps it: installing a second
 * layer would make the first one's saved allocator lead back into us.
 * One that lost it gets a new one.  With the state lock held. */
int pmc_hooks_install(void)
{
    int put_back = 0;
    for (int d = PYMEM_DOMAIN_RAW; d <= PYMEM_DOMAIN_OBJ; d++) {
        if (pmc_layers[d].installed) {
            if (layer_in_chain(d))
                continue;
            put_back++;
        }
        PyMem_GetAllocator((PyMemAllocatorDomain)d, &pmc_layers[d].inner);
        PyMemAllocatorEx ours = pmc_hooks[d];
        PyMem_SetAllocator((PyMemAllocatorDomain)d, &ours);
        pmc_layers[d].installed = true;
        atomic_store_explicit(&pmc_domain_top[d], pmc_seam_domain_top(d),
                              memory_order_relaxed);
    }
    pmc_hooks_allocators_changed();
    return put_back;
}

/* Only where ours is on top: removing a layer from under someone else's
 * hook would cut theirs off (tracemalloc's stop restores blindly and drops
 * any hook installed after it; we do not). */
void pmc_hooks_uninstall(void)
{
    for (int d = PYMEM_DOMAIN_RAW; d <= PYMEM_DOMAIN_OBJ; d++) {
        PyMemAllocatorEx top;
        PyMem_GetAllocator((PyMemAllocatorDomain)d, &top);
        if (!pmc_layers[d].installed || top.malloc != pmc_hooks[d].malloc)
            continue;
        PyMem_SetAllocator((PyMemAllocatorDomain)d, &pmc_layers[d].inner);
        pmc_layers[d].installed = false;
    }
    pmc_hooks_allocators_changed();
}
