// When the arena allocator cannot give an arena, pymalloc falls back to the
// RAW domain, as CPython does, so small allocations still succeed; once
// arenas can be had again, small requests are pymalloc's again.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#include "pymemcheck/pymem.h"

#include <string.h>

static PyObjectArenaAllocator base;
static PyMemAllocatorEx raw;
static int arena_refusals;

static void *refusing_alloc(void *ctx, size_t size)
{
    (void)ctx;
    (void)size;
    arena_refusals++;
    return NULL;
}

static void *hook_malloc(void *ctx, size_t size)
{
    printf("raw malloc(%zu)\n", size);
    return raw.malloc(ctx, size);
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
    printf("raw calloc(%zu, %zu)\n", nelem, elsize);
    return raw.calloc(ctx, nelem, elsize);
}

static void hook_free(void *ctx, void *ptr)
{
    printf("raw free\n");
    raw.free(ctx, ptr);
}

int main(void)
{
    PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &raw);
    PyMemAllocatorEx hook = {raw.ctx, hook_malloc, hook_calloc, raw.realloc, hook_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &hook);
    PyObject_GetArenaAllocator(&base);
    PyObjectArenaAllocator refusing = {NULL, refusing_alloc, base.free};
    PyObject_SetArenaAllocator(&refusing);

    Py_ssize_t before = _Py_GetAllocatedBlocks();
    char *a = PyObject_Malloc(16);
    char *b = PyObject_Calloc(4, 8);
    char *c = PyObject_Realloc(NULL, 100);
    strcpy(a, "still works");
    printf("%s, calloc zeroed %d, arena refusals %d, blocks %zd\n", a,
           b[0] == 0 && b[31] == 0, arena_refusals, _Py_GetAllocatedBlocks() - before);
    // CHECK:      raw malloc(16)
    // CHECK-NEXT: raw calloc(4, 8)
    // CHECK-NEXT: raw malloc(100)
    // CHECK-NEXT: still works, calloc zeroed 1, arena refusals 3, blocks 3

    PyObject_SetArenaAllocator(&base);
    char *d = PyObject_Malloc(16);
    PyObject_Free(d);
    printf("pymalloc again\n");
    // CHECK-NEXT: pymalloc again

    PyObject_Free(a);
    PyObject_Free(b);
    PyObject_Free(c);
    printf("blocks %zd\n", _Py_GetAllocatedBlocks() - before);
    // CHECK-NEXT: raw free
    // CHECK-NEXT: raw free
    // CHECK-NEXT: raw free
    // CHECK-NEXT: blocks 0
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &raw);
    return 0;
}
