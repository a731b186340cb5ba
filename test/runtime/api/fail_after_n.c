// Fail-after-N hooks on all three domains, the C version of CPython's
// _testcapi.set_nomemory(start, stop): calls number start+1 .. stop fail
// (all later ones when stop is 0), frees always pass, and removing the
// hooks twice is harmless.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s
// RUN: env PYTHONMALLOC=debug %t | FileCheck %s

#include "pymemcheck/pymem.h"

#include <string.h>

static struct {
    int installed;
    int count, start, stop;
    PyMemAllocatorEx raw, mem, obj;
} nomem;

static int should_fail(void)
{
    nomem.count++;
    return nomem.count > nomem.start && (nomem.stop <= 0 || nomem.count <= nomem.stop);
}

static void *fail_malloc(void *ctx, size_t size)
{
    PyMemAllocatorEx *orig = ctx;
    return should_fail() ? NULL : orig->malloc(orig->ctx, size);
}
static void *fail_calloc(void *ctx, size_t nelem, size_t elsize)
{
    PyMemAllocatorEx *orig = ctx;
    return should_fail() ? NULL : orig->calloc(orig->ctx, nelem, elsize);
}
static void *fail_realloc(void *ctx, void *ptr, size_t size)
{
    PyMemAllocatorEx *orig = ctx;
    return should_fail() ? NULL : orig->realloc(orig->ctx, ptr, size);
}
static void fail_free(void *ctx, void *ptr)
{
    PyMemAllocatorEx *orig = ctx;
    orig->free(orig->ctx, ptr);
}

static void set_nomemory(int start, int stop)
{
    nomem.count = 0;
    nomem.start = start;
    nomem.stop = stop;
    if (nomem.installed)
        return;
    PyMemAllocatorEx *saved[] = {&nomem.raw, &nomem.mem, &nomem.obj};
    for (int d = 0; d < 3; d++) {
        PyMem_GetAllocator((PyMemAllocatorDomain)d, saved[d]);
        PyMemAllocatorEx hook = {saved[d], fail_malloc, fail_calloc, fail_realloc, fail_free};
        PyMem_SetAllocator((PyMemAllocatorDomain)d, &hook);
    }
    nomem.installed = 1;
}

static void remove_mem_hooks(void)
{
    if (!nomem.installed)
        return;
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &nomem.raw);
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &nomem.mem);
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &nomem.obj);
    nomem.installed = 0;
}

/* Allocate through the domains in turn until one fails; return its index.
 * Every size here is one pymalloc serves, so each request is exactly one
 * hooked call (a fallback to RAW would be a second, as in CPython). */
static int first_failure(void)
{
    void *held[64];
    int i;
    for (i = 0; i < 64; i++) {
        switch (i % 4) {
        case 0: held[i] = PyMem_RawMalloc(24); break;
        case 1: held[i] = PyMem_Calloc(3, 8); break;
        case 2: held[i] = PyObject_Malloc(40); break;
        default: held[i] = PyMem_Realloc(NULL, 100); break;
        }
        if (held[i] == NULL)
            break;
    }
    int failed_at = i;
    while (--i >= 0) {
        switch (i % 4) {
        case 0: PyMem_RawFree(held[i]); break;
        case 1: PyMem_Free(held[i]); break;
        case 2: PyObject_Free(held[i]); break;
        default: PyMem_Free(held[i]); break;
        }
    }
    return failed_at;
}

int main(void)
{
    for (int start = 0; start <= 20; start += 5) {
        set_nomemory(start, 0);
        int failed_at = first_failure();
        printf("set_nomemory(%d): first failure at call %d\n", start, failed_at + 1);
    }

    set_nomemory(3, 5);
    void *p[8];
    for (int i = 0; i < 8; i++)
        p[i] = PyObject_Malloc(16);
    printf("set_nomemory(3, 5):");
    for (int i = 0; i < 8; i++) {
        printf(" %s", p[i] ? "ok" : "NULL");
        PyObject_Free(p[i]);
    }
    printf("\n");

    remove_mem_hooks();
    remove_mem_hooks();
    void *after = PyMem_Malloc(8);
    printf("after removal: %s\n", after ? "ok" : "NULL");
    PyMem_Free(after);
    return 0;
}

// The debug hooks sit below the fail hooks (installed first), so they do
// not change which call fails.
// CHECK:      set_nomemory(0): first failure at call 1
// CHECK-NEXT: set_nomemory(5): first failure at call 6
// CHECK-NEXT: set_nomemory(10): first failure at call 11
// CHECK-NEXT: set_nomemory(15): first failure at call 16
// CHECK-NEXT: set_nomemory(20): first failure at call 21
// CHECK-NEXT: set_nomemory(3, 5): ok ok ok NULL NULL ok ok ok
// CHECK-NEXT: after removal: ok
