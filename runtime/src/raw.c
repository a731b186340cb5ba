/*
 * raw.c: the default RAW allocator, libc's malloc family.
 *
 * PEP 445 promises a distinct non-NULL pointer for a zero-byte request and a
 * realloc to zero bytes that resizes rather than frees.  libc leaves both
 * implementation-defined, so zero is asked for as one byte, exactly as
 * CPython's _PyMem_RawMalloc and friends do.
 */
#include "internal.h"

#include <stdlib.h>

void *pymemcheck_raw_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size == 0 ? 1 : size);
}

void *pymemcheck_raw_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    if (nelem == 0 || elsize == 0) {
        nelem = 1;
        elsize = 1;
    }
    return calloc(nelem, elsize);
}

void *pymemcheck_raw_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    return realloc(ptr, size == 0 ? 1 : size);
}

void pymemcheck_raw_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
}
