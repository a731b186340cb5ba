// An arena allocator may return memory at any address.  pymalloc then
// aligns its first pool up, loses one pool to "arena alignment", and its
// address map covers exactly the arena, which straddles two 1 MiB slots:
// every block is pymalloc's, the bytes just outside the arena are not, and
// nothing outside the arena is ever touched (it is PROT_NONE here).
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s --match-full-lines

#define _DEFAULT_SOURCE
#include "pymemcheck/pymem.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

bool pymemcheck_pymalloc_owns(const void *p);

#define MIB ((size_t)1 << 20)

static char *reserve;
static int arenas_handed_out, arenas_returned;

/* Arenas at reserve + 1.5 MiB + 4 KiB (+ 2 MiB for each one after), in a
 * reservation that is otherwise inaccessible. */
static void *odd_arena_alloc(void *ctx, size_t size)
{
    (void)ctx;
    char *arena = reserve + MIB + MIB / 2 + 4096 + 2 * MIB * (size_t)arenas_handed_out++;
    return mprotect(arena, size, PROT_READ | PROT_WRITE) == 0 ? arena : NULL;
}

static void odd_arena_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    arenas_returned++;
    mprotect(ptr, size, PROT_NONE);
}

int main(void)
{
    char *map = mmap(NULL, 12 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        return 1;
    reserve = (char *)(((uintptr_t)map + MIB - 1) & ~(uintptr_t)(MIB - 1));
    PyObjectArenaAllocator odd = {NULL, odd_arena_alloc, odd_arena_free};
    PyObject_SetArenaAllocator(&odd);

    /* 63 pools of 31 blocks of 512 bytes fill the arena. */
    enum { FULL = 63 * 31 };
    static unsigned char *blocks[FULL];
    for (int i = 0; i < FULL; i++) {
        blocks[i] = PyObject_Malloc(512);
        blocks[i][0] = blocks[i][511] = (unsigned char)i;
    }
    char *arena = reserve + MIB + MIB / 2 + 4096;
    int in_arena = 0, owned = 0;
    for (int i = 0; i < FULL; i++) {
        in_arena += (char *)blocks[i] >= arena && (char *)blocks[i] + 512 <= arena + MIB;
        owned += pymemcheck_pymalloc_owns(blocks[i]) &&
                 pymemcheck_pymalloc_owns(blocks[i] + 511);
    }
    printf("arenas: %d, blocks in the arena: %d, owned: %d of %d\n", arenas_handed_out,
           in_arena, owned, FULL);
    // CHECK: arenas: 1, blocks in the arena: 1953, owned: 1953 of 1953

    printf(
        "owned: before %d, first byte %d, slot boundary %d/%d, last byte %d, after %d\n",
        pymemcheck_pymalloc_owns(arena - 1), pymemcheck_pymalloc_owns(arena),
        pymemcheck_pymalloc_owns(reserve + 2 * MIB - 1),
        pymemcheck_pymalloc_owns(reserve + 2 * MIB),
        pymemcheck_pymalloc_owns(arena + MIB - 1), pymemcheck_pymalloc_owns(arena + MIB));
    // CHECK-NEXT: owned: before 0, first byte 1, slot boundary 1/1, last byte 1, after 0

    _PyObject_DebugMallocStats(stdout);
    // CHECK:    31    512          63            1953             0
    // CHECK:# arenas allocated current         =                    1
    // CHECK:0 unused pools * 16384 bytes       =                    0
    // CHECK:# bytes lost to arena alignment    =               16,384
    // CHECK-NEXT:Total                              =            1,048,576
    // CHECK:# arena map bot nodes              =                    1

    /* One more block needs a second arena, two slots further up. */
    unsigned char *extra = PyObject_Malloc(512);
    printf("arenas: %d, extra block owned %d\n", arenas_handed_out,
           pymemcheck_pymalloc_owns(extra));
    // CHECK: arenas: 2, extra block owned 1
    PyObject_Free(extra);

    int intact = 0;
    for (int i = 0; i < FULL; i++) {
        intact += blocks[i][0] == (unsigned char)i && blocks[i][511] == (unsigned char)i;
        PyObject_Free(blocks[i]);
    }
    /* One of the two arenas is kept, the other unmapped from the map. */
    printf("intact: %d, arenas returned: %d, arenas still owned: %d\n", intact,
           arenas_returned,
           pymemcheck_pymalloc_owns(arena + MIB / 2) +
               pymemcheck_pymalloc_owns(arena + 2 * MIB));
    // CHECK-NEXT: intact: 1953, arenas returned: 1, arenas still owned: 1
    return 0;
}
