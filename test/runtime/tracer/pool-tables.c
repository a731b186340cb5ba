// pymalloc's blocks are recorded in a table per pool, indexed by the
// block's number (runtime/src/block_table.c, "Pool tables"):
//  - they cost the tracer 8 bytes a block in full pools, under the 11 or
//    more that its hashed tables take per live block;
//  - a pool emptied and carved again for another size gets its table
//    remade, and every block of both sizes is counted once, freed once;
//  - a pool whose blocks were freed where the tracer could not see it
//    (through an allocator saved before tracing started) keeps them as
//    leaks when it is carved again: nothing recorded is lost;
//  - a block resized within its size class keeps its address and record.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=start=manual:report=none %t 2>&1 | FileCheck %s --match-full-lines

#include "tracer_test.h"

#include <stdint.h>

enum { BLOCKS = 400000, POOL = 16384, MISSED = 2000 };

static void *blocks[BLOCKS];
static uintptr_t first_pools[BLOCKS];

static int compare_addresses(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return (x > y) - (x < y);
}

/* Pools of blocks[0..n) sorted into first_pools; returns how many. */
static size_t note_pools(size_t n)
{
    for (size_t i = 0; i < n; i++)
        first_pools[i] = (uintptr_t)blocks[i] & ~(uintptr_t)(POOL - 1);
    qsort(first_pools, n, sizeof *first_pools, compare_addresses);
    return n;
}

/* How many of blocks[0..n) lie in one of the noted pools. */
static size_t in_noted_pools(size_t n, size_t noted)
{
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        uintptr_t pool = (uintptr_t)blocks[i] & ~(uintptr_t)(POOL - 1);
        hits += bsearch(&pool, first_pools, noted, sizeof pool, compare_addresses) != NULL;
    }
    return hits;
}

/* Allocate BLOCKS blocks of size at pool.c:alloc_line and free them at
 * pool.c:free_line; whether some of them came from the noted pools. */
static const char *carve_again(int alloc_line, int free_line, size_t size, size_t noted)
{
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = _PyObject_MallocTrace("pool.c", alloc_line, size);
    size_t reused = in_noted_pools(BLOCKS, noted);
    for (int i = 0; i < BLOCKS; i++)
        _PyObject_FreeTrace("pool.c", free_line, blocks[i]);
    return reused > 0 ? "some" : "none";
}

int main(void)
{
    PyMemAllocatorEx saved;
    PyMem_GetAllocator(PYMEM_DOMAIN_OBJ, &saved);
    EXPECT(pymemcheck_trace_start() == 0);

    size_t mapped = pymemcheck_get_tracer_memory();
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = _PyObject_MallocTrace("pool.c", 1, 16);
    double per_block = (double)(pymemcheck_get_tracer_memory() - mapped) / BLOCKS;
    printf("tracer bytes per 16-byte block under 10: %s\n", per_block < 10 ? "yes" : "no");
    // CHECK: tracer bytes per 16-byte block under 10: yes
    size_t noted = note_pools(BLOCKS);
    for (int i = 0; i < BLOCKS; i++)
        _PyObject_FreeTrace("pool.c", 2, blocks[i]);

    printf("48-byte blocks in pools that held 16-byte ones: %s\n",
           carve_again(3, 4, 48, noted));
    // CHECK-NEXT: 48-byte blocks in pools that held 16-byte ones: some

    for (int i = 0; i < MISSED; i++)
        blocks[i] = _PyObject_MallocTrace("pool.c", 5, 16);
    noted = note_pools(MISSED);
    for (int i = 0; i < MISSED; i++)
        saved.free(saved.ctx, blocks[i]);       /* the tracer's hook is not called */
    printf("32-byte blocks in pools of the unseen frees: %s\n",
           carve_again(6, 7, 32, noted));
    // CHECK-NEXT: 32-byte blocks in pools of the unseen frees: some

    void *grown = _PyObject_MallocTrace("pool.c", 8, 20);
    void *same = _PyObject_ReallocTrace("pool.c", 9, grown, 30);
    printf("resized in place: %s\n", same == grown ? "yes" : "no");
    // CHECK-NEXT: resized in place: yes

    print_sites(stdout);
    // CHECK-NEXT: pool.c:5 PyObject_Malloc live=2000/32000 peak=32000 allocs=2000 frees=0 failed=0
    // CHECK-NEXT: pool.c:9 PyObject_Realloc live=1/30 peak=30 allocs=1 frees=0 failed=0
    // CHECK-NEXT: pool.c:1 PyObject_Malloc live=0/0 peak=6400000 allocs=400000 frees=400000 failed=0
    // CHECK-NEXT: pool.c:3 PyObject_Malloc live=0/0 peak=19200000 allocs=400000 frees=400000 failed=0
    // CHECK-NEXT: pool.c:6 PyObject_Malloc live=0/0 peak=12800000 allocs=400000 frees=400000 failed=0
    // CHECK-NEXT: pool.c:8 PyObject_Malloc live=0/0 peak=20 allocs=1 frees=1 failed=0
    // CHECK-NOT:  {{.}}
    return 0;
}
