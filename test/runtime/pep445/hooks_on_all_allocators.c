// PEP 445 use case 3: hooks on all allocators that count calls and pass
// them on, then the debug hooks above them.  A large PyObject_Malloc goes
// debug('o') -> hook(OBJ) -> pymalloc -> PyMem_RawMalloc -> debug('r') ->
// hook(RAW) -> malloc, so both hooks see it.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#include "pymemcheck/pymem.h"

typedef struct {
    PyMemAllocatorEx orig;
    size_t malloc, calloc, realloc, free;
} hook_t;

static hook_t hooks[3];

static void *hook_malloc(void *ctx, size_t size)
{
    hook_t *h = ctx;
    h->malloc++;
    return h->orig.malloc(h->orig.ctx, size);
}
static void *hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
    hook_t *h = ctx;
    h->calloc++;
    return h->orig.calloc(h->orig.ctx, nelem, elsize);
}
static void *hook_realloc(void *ctx, void *ptr, size_t size)
{
    hook_t *h = ctx;
    h->realloc++;
    return h->orig.realloc(h->orig.ctx, ptr, size);
}
static void hook_free(void *ctx, void *ptr)
{
    hook_t *h = ctx;
    h->free++;
    h->orig.free(h->orig.ctx, ptr);
}

static void setup_hooks(void)
{
    for (int d = 0; d < 3; d++) {
        PyMem_GetAllocator((PyMemAllocatorDomain)d, &hooks[d].orig);
        PyMemAllocatorEx alloc = {&hooks[d], hook_malloc, hook_calloc, hook_realloc,
                                  hook_free};
        PyMem_SetAllocator((PyMemAllocatorDomain)d, &alloc);
    }
    PyMem_SetupDebugHooks();
}

static void report(const char *what)
{
    static const char *names[] = {"raw", "mem", "obj"};
    printf("%s:", what);
    for (int d = 0; d < 3; d++)
        printf(" %s %zu/%zu/%zu/%zu", names[d], hooks[d].malloc, hooks[d].calloc,
               hooks[d].realloc, hooks[d].free);
    printf("\n");
}

int main(void)
{
    setup_hooks();
    char *small = PyObject_Malloc(100);
    report("obj small");
    char *large = PyObject_Malloc(1000);
    report("obj large");
    char *zeroed = PyMem_Calloc(10, 10);
    report("mem calloc");
    small = PyObject_Realloc(small, 200);
    report("obj realloc");
    char *raw = PyMem_RawMalloc(10);
    PyMem_RawFree(raw);
    report("raw pair");
    PyObject_Free(small);
    PyObject_Free(large);
    PyMem_Free(zeroed);
    report("freed");
    return 0;
}

// Counts are malloc/calloc/realloc/free per domain.
// CHECK:      obj small: raw 0/0/0/0 mem 0/0/0/0 obj 1/0/0/0
// CHECK-NEXT: obj large: raw 1/0/0/0 mem 0/0/0/0 obj 2/0/0/0
// CHECK-NEXT: mem calloc: raw 1/0/0/0 mem 0/1/0/0 obj 2/0/0/0
// CHECK-NEXT: obj realloc: raw 1/0/0/0 mem 0/1/0/0 obj 2/0/1/0
// CHECK-NEXT: raw pair: raw 2/0/0/1 mem 0/1/0/0 obj 2/0/1/0
// CHECK-NEXT: freed: raw 2/0/0/2 mem 0/1/0/1 obj 2/0/1/2
