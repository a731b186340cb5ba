// The public entry points refuse oversized requests before any allocator
// is called, exactly at CPython's limits (PY_SSIZE_T_MAX, and for calloc
// PY_SSIZE_T_MAX / elsize, not SIZE_MAX); frees reach the allocator
// unchecked, NULL included; PyMem_New and PyMem_Resize check the count; an
// unknown domain is ignored by Set and reads back as NULLs from Get.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#include "pymemcheck/pymem.h"

#include <stdint.h>
#include <string.h>

static int calls;
static void *last_freed = (void *)1;
static PyMemAllocatorEx orig[3];

#define DOMAIN_OF(ctx) ((PyMemAllocatorDomain)(intptr_t)(ctx))
static void *count_malloc(void *ctx, size_t n)
{
    calls++;
    return orig[DOMAIN_OF(ctx)].malloc(orig[DOMAIN_OF(ctx)].ctx, n);
}
static void *count_calloc(void *ctx, size_t n, size_t e)
{
    calls++;
    return orig[DOMAIN_OF(ctx)].calloc(orig[DOMAIN_OF(ctx)].ctx, n, e);
}
static void *count_realloc(void *ctx, void *p, size_t n)
{
    calls++;
    return orig[DOMAIN_OF(ctx)].realloc(orig[DOMAIN_OF(ctx)].ctx, p, n);
}
static void count_free(void *ctx, void *p)
{
    calls++;
    last_freed = p;
    orig[DOMAIN_OF(ctx)].free(orig[DOMAIN_OF(ctx)].ctx, p);
}

int main(void)
{
    for (int d = 0; d < 3; d++) {
        PyMem_GetAllocator((PyMemAllocatorDomain)d, &orig[d]);
        PyMemAllocatorEx hook = {(void *)(intptr_t)d, count_malloc, count_calloc,
                                 count_realloc, count_free};
        PyMem_SetAllocator((PyMemAllocatorDomain)d, &hook);
    }
    size_t too_big = (size_t)PY_SSIZE_T_MAX + 1;

    void *r[] = {PyMem_RawMalloc(too_big), PyMem_Malloc(too_big),
                 PyObject_Malloc(too_big), PyMem_RawRealloc(NULL, too_big),
                 PyMem_Realloc(NULL, too_big), PyObject_Realloc(NULL, too_big),
                 PyMem_RawCalloc(2, (size_t)PY_SSIZE_T_MAX / 2 + 1),
                 PyMem_Calloc((size_t)PY_SSIZE_T_MAX / 8 + 1, 8),
                 PyObject_Calloc(3, (size_t)PY_SSIZE_T_MAX / 3 + 1)};
    int all_null = 1;
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        all_null &= r[i] == NULL;
    printf("oversized: all NULL %d, allocator calls %d\n", all_null, calls);

    /* Exactly at the calloc limit the request is let through: it is the
     * allocator's to refuse (and glibc does, for lack of memory). */
    void *edge = PyMem_RawCalloc((size_t)PY_SSIZE_T_MAX / 8, 8);
    printf("calloc at the limit reaches the allocator: calls %d\n", calls);
    PyMem_RawFree(edge);
    calls = 0;

    PyMem_RawFree(NULL);
    PyMem_Free(NULL);
    PyObject_Free(NULL);
    printf("free(NULL) forwarded: calls %d, last freed %p\n", calls, last_freed);

    calls = 0;
    double *fine = PyMem_New(double, 4);
    double *none = PyMem_New(double, (size_t)PY_SSIZE_T_MAX / sizeof(double) + 1);
    printf("PyMem_New: fine %d, overflow NULL %d, calls %d\n", fine != NULL, none == NULL,
           calls);
    double *keep = fine;
    PyMem_Resize(fine, double, (size_t)PY_SSIZE_T_MAX);
    printf("PyMem_Resize overflow: p set to NULL %d, calls %d\n", fine == NULL, calls);
    PyMem_Resize(keep, double, 16);
    printf("PyMem_Resize: grown %d, calls %d\n", keep != NULL, calls);
    PyMem_Del(keep);

    for (int d = 0; d < 3; d++)
        PyMem_SetAllocator((PyMemAllocatorDomain)d, &orig[d]);

    PyMemAllocatorEx bogus;
    memset(&bogus, 0xAB, sizeof bogus);
    PyMem_GetAllocator((PyMemAllocatorDomain)3, &bogus);
    printf("get unknown domain: all NULL %d\n",
           !bogus.ctx && !bogus.malloc && !bogus.calloc && !bogus.realloc && !bogus.free);
    PyMem_SetAllocator((PyMemAllocatorDomain)3, &bogus);
    PyMem_SetAllocator((PyMemAllocatorDomain)-1, &bogus);
    void *still = PyMem_Malloc(8);
    printf("set unknown domain ignored: %d\n", still != NULL);
    PyMem_Free(still);
    return 0;
}

// CHECK:      oversized: all NULL 1, allocator calls 0
// CHECK-NEXT: calloc at the limit reaches the allocator: calls 1
// CHECK-NEXT: free(NULL) forwarded: calls 3, last freed (nil)
// CHECK-NEXT: PyMem_New: fine 1, overflow NULL 1, calls 1
// CHECK-NEXT: PyMem_Resize overflow: p set to NULL 1, calls 1
// CHECK-NEXT: PyMem_Resize: grown 1, calls 2
// CHECK-NEXT: get unknown domain: all NULL 1
// CHECK-NEXT: set unknown domain ignored: 1
