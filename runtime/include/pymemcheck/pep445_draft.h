/*
 * pymemcheck/pep445_draft.h: the June 2013 draft spelling of PEP 445, for
 * code written against it, as a thin layer over the final API.
 *
 *   draft                                        final
 *   PyMemBlockAllocator {ctx,malloc,realloc,free} PyMemAllocatorEx (calloc
 *                                                 synthesised: malloc + zero)
 *   PyMem_{Get,Set}RawAllocator(block)           PyMem_{Get,Set}Allocator(RAW, ...)
 *   PyMem_{Get,Set}Allocator(block)              PyMem_{Get,Set}Allocator(MEM, ...)
 *   PyObject_{Get,Set}Allocator(block)           PyMem_{Get,Set}Allocator(OBJ, ...)
 *   int PyMem_{Get,Set}BlockAllocator(domain, b) the same, -1 for an unknown domain
 *   PYALLOC_PYMEM_RAW, _PYMEM, _PYOBJECT         PYMEM_DOMAIN_RAW, _MEM, _OBJ
 *   PyMemMappingAllocator {ctx,alloc,free}       PyObjectArenaAllocator
 *   PyMem_{Get,Set}MappingAllocator(m)           PyObject_{Get,Set}ArenaAllocator
 *
 * PyMem_GetAllocator and PyMem_SetAllocator keep their final two-argument
 * form too: with one argument they take the draft's block allocator.
 * A block allocator read back after a draft set is the one that was set; one
 * read from a final allocator is its ctx, malloc, realloc and free.
 */
#ifndef PYMEMCHECK_PEP445_DRAFT_H
#define PYMEMCHECK_PEP445_DRAFT_H

#include "pymemcheck/pymem.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    void *ctx;
    void *(*malloc)(void *ctx, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t size);
    void (*free)(void *ctx, void *ptr);
} PyMemBlockAllocator;

typedef struct {
    void *ctx;
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr, size_t size);
} PyMemMappingAllocator;

#define PYALLOC_PYMEM_RAW PYMEM_DOMAIN_RAW
#define PYALLOC_PYMEM PYMEM_DOMAIN_MEM
#define PYALLOC_PYOBJECT PYMEM_DOMAIN_OBJ

/* Return 0, or -1 (and leave *allocator alone) for an unknown domain. */
PYMEMCHECK_API int PyMem_GetBlockAllocator(int domain, PyMemBlockAllocator *allocator);
PYMEMCHECK_API int PyMem_SetBlockAllocator(int domain, PyMemBlockAllocator *allocator);

#define PyMem_GetRawAllocator(allocator)                                       \
    ((void)PyMem_GetBlockAllocator(PYMEM_DOMAIN_RAW, (allocator)))
#define PyMem_SetRawAllocator(allocator)                                       \
    ((void)PyMem_SetBlockAllocator(PYMEM_DOMAIN_RAW, (allocator)))
#define PyObject_GetAllocator(allocator)                                       \
    ((void)PyMem_GetBlockAllocator(PYMEM_DOMAIN_OBJ, (allocator)))
#define PyObject_SetAllocator(allocator)                                       \
    ((void)PyMem_SetBlockAllocator(PYMEM_DOMAIN_OBJ, (allocator)))

/* One argument: the draft's MEM block allocator; two: the final API. */
#define PYMEMCHECK_DRAFT_ARITY(...) PYMEMCHECK_DRAFT_ARITY_(__VA_ARGS__, 2, 1, 0)
#define PYMEMCHECK_DRAFT_ARITY_(a, b, n, ...) n
#define PYMEMCHECK_DRAFT_CAT(a, b) PYMEMCHECK_DRAFT_CAT_(a, b)
#define PYMEMCHECK_DRAFT_CAT_(a, b) a##b
#define PyMem_GetAllocator(...)                                                \
    PYMEMCHECK_DRAFT_CAT(PYMEMCHECK_DRAFT_GET_,                                \
                         PYMEMCHECK_DRAFT_ARITY(__VA_ARGS__))(__VA_ARGS__)
#define PyMem_SetAllocator(...)                                                \
    PYMEMCHECK_DRAFT_CAT(PYMEMCHECK_DRAFT_SET_,                                \
                         PYMEMCHECK_DRAFT_ARITY(__VA_ARGS__))(__VA_ARGS__)
#define PYMEMCHECK_DRAFT_GET_1(allocator)                                      \
    ((void)PyMem_GetBlockAllocator(PYMEM_DOMAIN_MEM, (allocator)))
#define PYMEMCHECK_DRAFT_SET_1(allocator)                                      \
    ((void)PyMem_SetBlockAllocator(PYMEM_DOMAIN_MEM, (allocator)))
/* A function-like macro's own name is not expanded again, so these reach
 * the real functions. */
#define PYMEMCHECK_DRAFT_GET_2 PyMem_GetAllocator
#define PYMEMCHECK_DRAFT_SET_2 PyMem_SetAllocator

/* The two structs have the same members in the same order. */
static inline void PyMem_GetMappingAllocator(PyMemMappingAllocator *allocator)
{
    PyObjectArenaAllocator arena;
    PyObject_GetArenaAllocator(&arena);
    allocator->ctx = arena.ctx;
    allocator->alloc = arena.alloc;
    allocator->free = arena.free;
}

static inline void PyMem_SetMappingAllocator(PyMemMappingAllocator *allocator)
{
    PyObjectArenaAllocator arena = {allocator->ctx, allocator->alloc, allocator->free};
    PyObject_SetArenaAllocator(&arena);
}

#ifdef __cplusplus
}
#endif

#endif /* PYMEMCHECK_PEP445_DRAFT_H */
