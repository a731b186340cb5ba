/*
 * domains.c: the three PEP 445 domains and their public entry points.
 *
 * Each public function checks the request the way CPython 3.12 does before
 * any allocator sees it (sizes above PY_SSIZE_T_MAX, calloc overflow against
 * PY_SSIZE_T_MAX) and then calls through the domain's installed allocator.
 * Frees are forwarded unchecked, NULL included: an installed free must
 * accept NULL, as CPython's contract says.
 *
 * Like CPython, Get and Set take no lock: allocators are meant to be
 * installed before other threads allocate, or by wrapping the installed one.
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const PyMemAllocatorEx raw_default = PYMEMCHECK_RAW_ALLOCATOR;
static const PyMemAllocatorEx pymalloc_default = PYMEMCHECK_PYMALLOC_ALLOCATOR;

/* Statically initialised, as in CPython, so that code running before main
 * (constructors of other libraries) can already allocate. */
static PyMemAllocatorEx installed[3] = {
    [PYMEM_DOMAIN_RAW] = PYMEMCHECK_RAW_ALLOCATOR,
    [PYMEM_DOMAIN_MEM] = PYMEMCHECK_PYMALLOC_ALLOCATOR,
    [PYMEM_DOMAIN_OBJ] = PYMEMCHECK_PYMALLOC_ALLOCATOR,
};

/* The constructor lives here, not beside the code it calls, because a
 * static link only pulls in archive members that something references:
 * this file always is, a file holding only a constructor never would be. */
__attribute__((constructor)) static void configure_from_environment(void)
{
    pymemcheck_pymalloc_at_load();
    pymemcheck_read_environment();
    pymemcheck_tracer_load();
}

static bool valid_domain(PyMemAllocatorDomain domain)
{
    return domain == PYMEM_DOMAIN_RAW || domain == PYMEM_DOMAIN_MEM ||
           domain == PYMEM_DOMAIN_OBJ;
}

const PyMemAllocatorEx *pymemcheck_installed(PyMemAllocatorDomain domain)
{
    return &installed[domain];
}

static void (*_Atomic observer)(void);

void pymemcheck_observe_allocators(void (*fn)(void))
{
    atomic_store(&observer, fn);
}

static void allocators_changed(void)
{
    void (*fn)(void) = atomic_load(&observer);
    if (fn != NULL)
        fn();
}

void PyMem_GetAllocator(PyMemAllocatorDomain domain, PyMemAllocatorEx *allocator)
{
    if (valid_domain(domain))
        *allocator = installed[domain];
    else
        memset(allocator, 0, sizeof *allocator);
}

void PyMem_SetAllocator(PyMemAllocatorDomain domain, PyMemAllocatorEx *allocator)
{
    if (!valid_domain(domain))
        return;
    installed[domain] = *allocator;
    allocators_changed();
}

void PyMem_SetupDebugHooks(void)
{
    pymemcheck_debug_setup_hooks();
}

int pymemcheck_setup_allocators(PyMemAllocatorName name)
{
    PyMemAllocatorEx small = pymalloc_default;
    bool debug = false;

    switch (name) {
    case PYMEM_ALLOCATOR_DEFAULT:
    case PYMEM_ALLOCATOR_PYMALLOC:
        break;
    case PYMEM_ALLOCATOR_DEBUG:
    case PYMEM_ALLOCATOR_PYMALLOC_DEBUG:
        debug = true;
        break;
    case PYMEM_ALLOCATOR_MALLOC:
        small = raw_default;
        break;
    case PYMEM_ALLOCATOR_MALLOC_DEBUG:
        small = raw_default;
        debug = true;
        break;
    default:
        return -1;
    }
    installed[PYMEM_DOMAIN_RAW] = raw_default;
    installed[PYMEM_DOMAIN_MEM] = small;
    installed[PYMEM_DOMAIN_OBJ] = small;
    allocators_changed();
    if (debug)
        pymemcheck_debug_setup_hooks();
    return 0;
}

/* ---- Entry points ---- */

static bool size_too_large(size_t size)
{
    return size > (size_t)PY_SSIZE_T_MAX;
}

static bool calloc_overflows(size_t nelem, size_t elsize)
{
    return elsize != 0 && nelem > (size_t)PY_SSIZE_T_MAX / elsize;
}

#define DEFINE_DOMAIN_ENTRY_POINTS(Prefix, domain)                             \
    void *Prefix##Malloc(size_t size)                                          \
    {                                                                          \
        if (PMC_UNLIKELY(size_too_large(size)))                                \
            return NULL;                                                       \
        return installed[domain].malloc(installed[domain].ctx, size);          \
    }                                                                          \
    void *Prefix##Calloc(size_t nelem, size_t elsize)                          \
    {                                                                          \
        if (PMC_UNLIKELY(calloc_overflows(nelem, elsize)))                     \
            return NULL;                                                       \
        return installed[domain].calloc(installed[domain].ctx, nelem, elsize); \
    }                                                                          \
    void *Prefix##Realloc(void *ptr, size_t new_size)                          \
    {                                                                          \
        if (PMC_UNLIKELY(size_too_large(new_size)))                            \
            return NULL;                                                       \
        return installed[domain].realloc(installed[domain].ctx, ptr,           \
                                         new_size);                            \
    }                                                                          \
    void Prefix##Free(void *ptr)                                               \
    {                                                                          \
        installed[domain].free(installed[domain].ctx, ptr);                    \
    }

DEFINE_DOMAIN_ENTRY_POINTS(PyMem_Raw, PYMEM_DOMAIN_RAW)
DEFINE_DOMAIN_ENTRY_POINTS(PyMem_, PYMEM_DOMAIN_MEM)
DEFINE_DOMAIN_ENTRY_POINTS(PyObject_, PYMEM_DOMAIN_OBJ)

/* ---- Introspection ---- */

static bool obj_domain_is_pymalloc(void)
{
    const PyMemAllocatorEx *obj = &installed[PYMEM_DOMAIN_OBJ];
    const PyMemAllocatorEx *inner = pymemcheck_debug_unwrap(obj);
    if (inner != NULL)
        obj = inner;
    return obj->malloc == pymemcheck_pymalloc_malloc;
}

int _PyObject_DebugMallocStats(FILE *out)
{
    if (!obj_domain_is_pymalloc())
        return 0;
    pymemcheck_pymalloc_print_stats(out);
    return 1;
}

Py_ssize_t _Py_GetAllocatedBlocks(void)
{
    return pymemcheck_pymalloc_allocated_blocks();
}
