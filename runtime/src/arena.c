/*
 * arena.c: the allocator pymalloc takes its 1 MiB arenas from.
 *
 * The default maps anonymous memory, so arenas never come from (or go back
 * to) the heap that RAW blocks live in, and a returned arena really leaves
 * the process.  Where mmap does not exist, malloc stands in, as in CPython.
 */
#include "internal.h"

#include <stdlib.h>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define PMC_HAVE_MMAP 1
#endif

static void *default_arena_alloc(void *ctx, size_t size)
{
    (void)ctx;
#ifdef PMC_HAVE_MMAP
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
#else
    return malloc(size);
#endif
}

static void default_arena_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
#ifdef PMC_HAVE_MMAP
    munmap(ptr, size);
#else
    (void)size;
    free(ptr);
#endif
}

static PyObjectArenaAllocator arena_allocator = {NULL, default_arena_alloc,
                                                 default_arena_free};

void PyObject_GetArenaAllocator(PyObjectArenaAllocator *allocator)
{
    *allocator = arena_allocator;
}

void PyObject_SetArenaAllocator(PyObjectArenaAllocator *allocator)
{
    arena_allocator = *allocator;
}

void *pymemcheck_arena_alloc(size_t size)
{
    return arena_allocator.alloc(arena_allocator.ctx, size);
}

void pymemcheck_arena_free(void *ptr, size_t size)
{
    arena_allocator.free(arena_allocator.ctx, ptr, size);
}
