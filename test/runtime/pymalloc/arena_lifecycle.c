// Arenas come from the arena allocator and go back to it when all their
// pools are free, except that one wholly free arena is kept (bpo-37257), so
// that allocating and freeing around an arena boundary, or a working set
// under one arena, never calls the arena allocator again.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#include "pymemcheck/pymem.h"

static PyObjectArenaAllocator base;
static int arena_allocs, arena_frees, bad_sizes;

static void *counting_alloc(void *ctx, size_t size)
{
    (void)ctx;
    arena_allocs++;
    bad_sizes += size != (size_t)1 << 20;
    return base.alloc(base.ctx, size);
}

static void counting_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    arena_frees++;
    bad_sizes += size != (size_t)1 << 20;
    base.free(base.ctx, ptr, size);
}

enum { MANY = 12000, FEW = 1000, CYCLES = 500 };
static void *blocks[MANY];

int main(void)
{
    PyObject_GetArenaAllocator(&base);
    PyObjectArenaAllocator counting = {NULL, counting_alloc, counting_free};
    PyObject_SetArenaAllocator(&counting);

    /* 512-byte blocks: 31 to a pool, 63 or 64 pools to an arena. */
    for (int i = 0; i < MANY; i++)
        blocks[i] = PyObject_Malloc(512);
    int peak = arena_allocs - arena_frees;
    printf("live arenas after %d blocks: %d\n", MANY, peak);
    // CHECK: live arenas after 12000 blocks: 7

    for (int i = 0; i < MANY; i++)
        PyObject_Free(blocks[i]);
    printf("live arenas after freeing all: %d, returned: %d\n",
           arena_allocs - arena_frees, arena_frees);
    // CHECK-NEXT: live arenas after freeing all: 1, returned: 6

    int calls = arena_allocs + arena_frees;
    for (int c = 0; c < CYCLES; c++) {
        for (int i = 0; i < FEW; i++)
            blocks[i] = PyObject_Malloc(16 + (size_t)(i % 31) * 16);
        for (int i = FEW; i-- > 0;)
            PyObject_Free(blocks[i]);
    }
    printf("arena calls in %d allocate-all/free-all cycles: %d\n", CYCLES,
           arena_allocs + arena_frees - calls);
    // CHECK-NEXT: arena calls in 500 allocate-all/free-all cycles: 0

    /* Fill arenas until one block lands in a new arena, then free and
     * allocate that block over and over. */
    int n = 0;
    int live = arena_allocs - arena_frees;
    while (arena_allocs - arena_frees == live)
        blocks[n++] = PyObject_Malloc(512);
    calls = arena_allocs + arena_frees;
    for (int c = 0; c < CYCLES; c++) {
        PyObject_Free(blocks[n - 1]);
        blocks[n - 1] = PyObject_Malloc(512);
    }
    printf("arena calls thrashing at an arena boundary: %d\n",
           arena_allocs + arena_frees - calls);
    // CHECK-NEXT: arena calls thrashing at an arena boundary: 0

    while (n > 0)
        PyObject_Free(blocks[--n]);
    printf("live arenas at the end: %d, sizes other than 1 MiB: %d\n",
           arena_allocs - arena_frees, bad_sizes);
    // CHECK-NEXT: live arenas at the end: 1, sizes other than 1 MiB: 0
    return 0;
}
