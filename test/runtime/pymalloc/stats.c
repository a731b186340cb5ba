// _PyObject_DebugMallocStats prints pymalloc's part of CPython 3.12's
// sys._debugmallocstats() in its exact format, and every byte of every
// arena is accounted for: the Total line equals arenas * 1 MiB.  Arenas
// come from a 1 MiB-aligned arena allocator, so every figure is fixed.
// _Py_GetAllocatedBlocks counts pymalloc blocks and RAW fallbacks.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s --match-full-lines --strict-whitespace

#include "pymemcheck/pymem.h"

#include <stdlib.h>

static void *aligned_arena_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return aligned_alloc(size, size);
}

static void aligned_arena_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

int main(void)
{
    PyObjectArenaAllocator arenas = {NULL, aligned_arena_alloc, aligned_arena_free};
    PyObject_SetArenaAllocator(&arenas);

    Py_ssize_t before = _Py_GetAllocatedBlocks();
    void *small[10], *big[3];
    for (int i = 0; i < 10; i++)
        small[i] = PyObject_Malloc(1 + i % 16); /* class 0: 1..16 bytes */
    for (int i = 0; i < 3; i++)
        big[i] = PyMem_Malloc(497 + i); /* class 31: 497..512 bytes */
    void *raw = PyObject_Malloc(513);   /* RAW fallback: counted, not pooled */
    void *zero = PyObject_Malloc(0);
    printf("blocks: %zd\n", _Py_GetAllocatedBlocks() - before);
    _PyObject_DebugMallocStats(stdout);

    PyObject_Free(raw);
    PyObject_Free(zero);
    for (int i = 0; i < 3; i++)
        PyMem_Free(big[i]);
    printf("blocks after freeing 5: %zd\n", _Py_GetAllocatedBlocks() - before);
    for (int i = 0; i < 10; i++)
        PyObject_Free(small[i]);
    printf("blocks after freeing all: %zd\n", _Py_GetAllocatedBlocks() - before);
    /* The emptied pools go back to the arena, which is kept. */
    _PyObject_DebugMallocStats(stdout);
    return 0;
}

// CHECK:blocks: 15
// CHECK-NEXT:Small block threshold = 512, in 32 size classes.
// CHECK-EMPTY:
// CHECK-NEXT:class   size   num pools   blocks in use  avail blocks
// CHECK-NEXT:-----   ----   ---------   -------------  ------------
// CHECK-NEXT:    0     16           1              10          1011
// CHECK-NEXT:   31    512           1               3            28
// CHECK-EMPTY:
// CHECK-NEXT:# arenas allocated total           =                    1
// CHECK-NEXT:# arenas reclaimed                 =                    0
// CHECK-NEXT:# arenas highwater mark            =                    1
// CHECK-NEXT:# arenas allocated current         =                    1
// CHECK-NEXT:1 arenas * 1048576 bytes/arena     =            1,048,576
// CHECK-EMPTY:
// CHECK-NEXT:# bytes in allocated blocks        =                1,696
// CHECK-NEXT:# bytes in available blocks        =               30,512
// CHECK-NEXT:62 unused pools * 16384 bytes      =            1,015,808
// CHECK-NEXT:# bytes lost to pool headers       =                   96
// CHECK-NEXT:# bytes lost to quantization       =                  464
// CHECK-NEXT:# bytes lost to arena alignment    =                    0
// CHECK-NEXT:Total                              =            1,048,576
// CHECK-EMPTY:
// CHECK-NEXT:arena map counts
// CHECK-NEXT:# arena map mid nodes              =                    1
// CHECK-NEXT:# arena map bot nodes              =                    1
// CHECK-EMPTY:
// CHECK-NEXT:# bytes lost to arena map root     =              262,144
// CHECK-NEXT:# bytes lost to arena map mid      =              262,144
// CHECK-NEXT:# bytes lost to arena map bot      =              131,072
// CHECK-NEXT:Total                              =              655,360
// CHECK-NEXT:blocks after freeing 5: 10
// CHECK-NEXT:blocks after freeing all: 0
// CHECK-NEXT:Small block threshold = 512, in 32 size classes.
// CHECK-EMPTY:
// CHECK-NEXT:class   size   num pools   blocks in use  avail blocks
// CHECK-NEXT:-----   ----   ---------   -------------  ------------
// CHECK-EMPTY:
// CHECK-NEXT:# arenas allocated total           =                    1
// CHECK-NEXT:# arenas reclaimed                 =                    0
// CHECK-NEXT:# arenas highwater mark            =                    1
// CHECK-NEXT:# arenas allocated current         =                    1
// CHECK-NEXT:1 arenas * 1048576 bytes/arena     =            1,048,576
// CHECK-EMPTY:
// CHECK-NEXT:# bytes in allocated blocks        =                    0
// CHECK-NEXT:# bytes in available blocks        =                    0
// CHECK-NEXT:64 unused pools * 16384 bytes      =            1,048,576
// CHECK-NEXT:# bytes lost to pool headers       =                    0
// CHECK-NEXT:# bytes lost to quantization       =                    0
// CHECK-NEXT:# bytes lost to arena alignment    =                    0
// CHECK-NEXT:Total                              =            1,048,576
