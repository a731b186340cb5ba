// pymalloc serves 1..512 bytes itself and passes zero bytes and anything
// larger to the RAW domain through the public PyMem_Raw* functions, with
// the caller's exact arguments, so a hook on RAW sees exactly those calls.
// Blocks that did not come from pymalloc (RAW fallbacks, libc's) are freed
// and reallocated through RAW; _Py_GetAllocatedBlocks counts the fallbacks.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#include "pymemcheck/pymem.h"

#include <stdlib.h>
#include <string.h>

static PyMemAllocatorEx raw;

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

static void *hook_realloc(void *ctx, void *ptr, size_t size)
{
    printf("raw realloc(%s, %zu)\n", ptr ? "p" : "NULL", size);
    return raw.realloc(ctx, ptr, size);
}

static void hook_free(void *ctx, void *ptr)
{
    printf("raw free(%s)\n", ptr ? "p" : "NULL");
    raw.free(ctx, ptr);
}

static Py_ssize_t baseline;

static void step(const char *what)
{
    printf("-- %s (blocks %+zd)\n", what, _Py_GetAllocatedBlocks() - baseline);
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

int main(void)
{
    PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &raw);
    PyMemAllocatorEx hook = {raw.ctx, hook_malloc, hook_calloc, hook_realloc, hook_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &hook);
    baseline = _Py_GetAllocatedBlocks();

    void *one = PyObject_Malloc(1);
    void *max = PyMem_Malloc(512);
    step("malloc 1 and 512");
    // CHECK:      -- malloc 1 and 512 (blocks +2)

    void *zero = PyObject_Malloc(0);
    void *big = PyMem_Malloc(513);
    step("malloc 0 and 513");
    // CHECK-NEXT: raw malloc(0)
    // CHECK-NEXT: raw malloc(513)
    // CHECK-NEXT: -- malloc 0 and 513 (blocks +4)

    /* A dirty block of class 31, freed, is what calloc gets back. */
    memset(max, 0xab, 512);
    PyMem_Free(max);
    unsigned char *czero = PyObject_Calloc(16, 32);
    printf("calloc(16, 32) zeroed: %d\n", all_zero(czero, 512));
    void *c0 = PyObject_Calloc(0, 5);
    void *c1 = PyObject_Calloc(3, 0);
    unsigned char *cbig = PyObject_Calloc(2, 300);
    printf("calloc(2, 300) zeroed: %d\n", all_zero(cbig, 600));
    step("calloc");
    // CHECK-NEXT: calloc(16, 32) zeroed: 1
    // CHECK-NEXT: raw calloc(0, 5)
    // CHECK-NEXT: raw calloc(3, 0)
    // CHECK-NEXT: raw calloc(2, 300)
    // CHECK-NEXT: calloc(2, 300) zeroed: 1
    // CHECK-NEXT: -- calloc (blocks +7)

    /* Foreign blocks stay foreign: realloc goes to RAW whatever the size. */
    big = PyObject_Realloc(big, 16);
    big = PyObject_Realloc(big, 2000);
    step("realloc a RAW block");
    // CHECK-NEXT: raw realloc(p, 16)
    // CHECK-NEXT: raw realloc(p, 2000)
    // CHECK-NEXT: -- realloc a RAW block (blocks +7)

    PyObject_Free(NULL);
    PyObject_Free(zero);
    PyObject_Free(big);
    PyObject_Free(c0);
    PyObject_Free(c1);
    PyObject_Free(cbig);
    step("free the RAW blocks");
    // CHECK-NEXT: raw free(p)
    // CHECK-NEXT: raw free(p)
    // CHECK-NEXT: raw free(p)
    // CHECK-NEXT: raw free(p)
    // CHECK-NEXT: raw free(p)
    // CHECK-NEXT: -- free the RAW blocks (blocks +2)

    /* A block from libc's malloc, freed through pymalloc, goes to RAW
     * (and is counted as a RAW fallback leaving, as in CPython). */
    void *libc = malloc(24);
    PyObject_Free(libc);
    step("free a libc block");
    // CHECK-NEXT: raw free(p)
    // CHECK-NEXT: -- free a libc block (blocks +1)

    PyObject_Free(one);
    PyObject_Free(czero);
    step("free the pymalloc blocks");
    // CHECK-NEXT: -- free the pymalloc blocks (blocks -1)

    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &raw);
    return 0;
}
