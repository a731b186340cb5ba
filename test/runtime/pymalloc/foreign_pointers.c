// pymalloc decides whether a pointer is its own from its address map alone,
// never by reading memory near the pointer: stack, static, libc and even
// inaccessible (PROT_NONE) addresses are not pymalloc's, and freeing or
// reallocating them through PyObject_Free/PyObject_Realloc passes them,
// untouched, to the RAW domain.  A read near any of them would crash here.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#define _DEFAULT_SOURCE
#include "pymemcheck/pymem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>

/* The runtime's internal ownership test (hidden, but linkable statically). */
bool pymemcheck_pymalloc_owns(const void *p);

static PyMemAllocatorEx raw;
static void *last_freed, *last_realloced;
static bool pass_through;

static void *hook_realloc(void *ctx, void *ptr, size_t size)
{
    last_realloced = ptr;
    return pass_through ? raw.realloc(ctx, ptr, size) : NULL;
}

static void hook_free(void *ctx, void *ptr)
{
    last_freed = ptr;
    if (pass_through)
        raw.free(ctx, ptr);
}

static char static_buffer[64];

static void try_foreign(const char *name, void *p)
{
    last_freed = last_realloced = NULL;
    void *q = PyObject_Realloc(p, 10);
    PyObject_Free(p);
    printf("%s: owned %d, realloc to RAW %d (result %s), free to RAW %d\n", name,
           pymemcheck_pymalloc_owns(p), last_realloced == p, q ? "non-NULL" : "NULL",
           last_freed == p);
}

int main(void)
{
    PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &raw);
    PyMemAllocatorEx hook = {raw.ctx, raw.malloc, raw.calloc, hook_realloc, hook_free};

    /* pymalloc arenas exist before the foreign pointers are tried. */
    void *mine = PyObject_Malloc(32);
    printf("pymalloc block: owned %d\n", pymemcheck_pymalloc_owns(mine));
    // CHECK: pymalloc block: owned 1

    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &hook);
    char stack_buffer[64];
    try_foreign("stack", stack_buffer + 16);
    try_foreign("static", static_buffer + 16);
    // CHECK-NEXT: stack: owned 0, realloc to RAW 1 (result NULL), free to RAW 1
    // CHECK-NEXT: static: owned 0, realloc to RAW 1 (result NULL), free to RAW 1

    size_t span = (size_t)4 << 20;
    char *none = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (none == MAP_FAILED)
        return 1;
    try_foreign("PROT_NONE start", none);
    try_foreign("PROT_NONE pool", none + 3 * 16384 + 48);
    try_foreign("PROT_NONE 2 MiB", none + (2 << 20) + 100);
    try_foreign("PROT_NONE end", none + span - 16);
    // CHECK-NEXT: PROT_NONE start: owned 0, realloc to RAW 1 (result NULL), free to RAW 1
    // CHECK-NEXT: PROT_NONE pool: owned 0, realloc to RAW 1 (result NULL), free to RAW 1
    // CHECK-NEXT: PROT_NONE 2 MiB: owned 0, realloc to RAW 1 (result NULL), free to RAW 1
    // CHECK-NEXT: PROT_NONE end: owned 0, realloc to RAW 1 (result NULL), free to RAW 1

    pass_through = true;
    void *libc = malloc(100);
    printf("libc block: owned %d\n", pymemcheck_pymalloc_owns(libc));
    libc = PyObject_Realloc(libc, 20);
    printf("libc block realloc to RAW %d\n", last_realloced != NULL);
    PyObject_Free(libc);
    printf("libc block free to RAW %d\n", last_freed == libc);
    // CHECK-NEXT: libc block: owned 0
    // CHECK-NEXT: libc block realloc to RAW 1
    // CHECK-NEXT: libc block free to RAW 1

    last_freed = NULL;
    PyObject_Free(mine);
    printf("pymalloc block free to RAW %d\n", last_freed != NULL);
    // CHECK-NEXT: pymalloc block free to RAW 0

    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &raw);
    munmap(none, span);
    return 0;
}
