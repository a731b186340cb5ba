// PyObject_Realloc on a pymalloc block of class size S keeps the block when
// the new size n fits (n <= S) and shrinking would save less than a
// quarter (4n > 3S); otherwise it moves the data (min(n, S) bytes) to a
// new block, which may be a RAW one, and frees the old.  realloc(p, 0)
// thus leaves pymalloc for a RAW malloc(0); realloc(NULL, n) is malloc.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#include "pymemcheck/pymem.h"

#include <string.h>

static PyMemAllocatorEx raw;

static void *hook_malloc(void *ctx, size_t size)
{
    printf("raw malloc(%zu)\n", size);
    return raw.malloc(ctx, size);
}

static void *hook_realloc(void *ctx, void *ptr, size_t size)
{
    printf("raw realloc(%zu)\n", size);
    return raw.realloc(ctx, ptr, size);
}

static void hook_free(void *ctx, void *ptr)
{
    printf("raw free\n");
    raw.free(ctx, ptr);
}

static void fill(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 13 + 5);
}

static int kept(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 13 + 5))
            return 0;
    return 1;
}

/* Realloc p (holding `have` filled bytes) to n and say what happened. */
static unsigned char *resize(unsigned char *p, size_t have, size_t n)
{
    unsigned char *q = PyObject_Realloc(p, n);
    size_t keep = have < n ? have : n;
    printf("%zu -> %zu: %s, data %s\n", have, n, q == p ? "same" : "moved",
           kept(q, keep) ? "kept" : "LOST");
    fill(q, n);
    return q;
}

int main(void)
{
    PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &raw);
    PyMemAllocatorEx hook = {raw.ctx, hook_malloc, raw.calloc, hook_realloc, hook_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &hook);

    unsigned char *p = PyObject_Realloc(NULL, 100); /* class 112 */
    fill(p, 100);
    p = resize(p, 100, 112);
    p = resize(p, 112, 85); /* 340 > 336: saves too little */
    p = resize(p, 85, 84);  /* 336 = 336: a quarter saved, moves to class 96 */
    p = resize(p, 84, 96);
    p = resize(p, 96, 97); /* grows past the class */
    p = resize(p, 97, 512);
    p = resize(p, 512, 513); /* leaves pymalloc */
    p = resize(p, 513, 16);  /* a RAW block stays RAW (libc may move it) */
    PyObject_Free(p);
    // CHECK:      100 -> 112: same, data kept
    // CHECK-NEXT: 112 -> 85: same, data kept
    // CHECK-NEXT: 85 -> 84: moved, data kept
    // CHECK-NEXT: 84 -> 96: same, data kept
    // CHECK-NEXT: 96 -> 97: moved, data kept
    // CHECK-NEXT: 97 -> 512: moved, data kept
    // CHECK-NEXT: raw malloc(513)
    // CHECK-NEXT: 512 -> 513: moved, data kept
    // CHECK-NEXT: raw realloc(16)
    // CHECK-NEXT: 513 -> 16: {{same|moved}}, data kept
    // CHECK-NEXT: raw free

    /* Each class's rule: the whole class stays, 3/4 of it moves. */
    int wrong = 0;
    for (size_t s = 16; s <= 512; s += 16) {
        unsigned char *b = PyObject_Malloc(s);
        wrong += PyObject_Realloc(b, s) != b;
        wrong += PyObject_Realloc(b, s * 3 / 4 + 1) != b;
        unsigned char *c = PyObject_Realloc(b, s * 3 / 4);
        wrong += c == b;
        PyObject_Free(c);
    }
    printf("classes breaking the 3/4 rule: %d\n", wrong);
    // CHECK-NEXT: classes breaking the 3/4 rule: 0

    p = PyObject_Malloc(40);
    fill(p, 40);
    p = resize(p, 40, 0);
    PyObject_Free(p);
    // CHECK-NEXT: raw malloc(0)
    // CHECK-NEXT: 40 -> 0: moved, data kept
    // CHECK-NEXT: raw free

    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &raw);
    return 0;
}
