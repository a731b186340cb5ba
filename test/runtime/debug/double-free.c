// A block freed twice, or reallocated after its free, is reported as such
// (CPython calls it a "bad ID" with a 0xdd id and then reads a tail from a
// garbage size).  Free leaves DEADBYTE in the envelope; what the inner
// allocator's own free writes over it decides which bytes still show it:
// pymalloc writes its 8-byte free-list link at the block's base (the size
// field), glibc's tcache writes 16 bytes there (over the id and the pads).

/* RUN: %cc %s -o %t %libpymemcheck
 * RUN: env PYTHONMALLOC=debug not --crash %t obj 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines --check-prefixes=CHECK,FREE
 * RUN: env PYTHONMALLOC=debug not --crash %t mem-realloc 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines --check-prefixes=CHECK,REALLOC
 * RUN: not --crash %t raw-tcache 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines --check-prefixes=CHECK,FREE
 * RUN: not --crash %t raw-tcache-zero 2>&1 \
 * RUN:   | FileCheck %s --strict-whitespace --match-full-lines --check-prefixes=CHECK,FREE
 */

// CHECK:Debug memory block at address p=0x{{[0-9a-f]+}}: already freed
// CHECK-NEXT:    Header at p-16:{{(( [0-9a-f]{2}){16})}}
// CHECK-NEXT:    Data at p: dd dd dd dd dd dd dd dd
// CHECK-NEXT:    The debug hooks fill a block with DEADBYTE (0xdd) when they free it, and this one
// CHECK-NEXT:       still carries that pattern.
// CHECK-EMPTY:
// CHECK-NEXT:Enable tracemalloc to get the memory block allocation traceback
// CHECK-NEXT:pymemcheck: {{.+}}
// CHECK-EMPTY:
// FREE-NEXT:Fatal Python error: _PyMem_DebugRawFree: block already freed (double free or use after free)
// REALLOC-NEXT:Fatal Python error: _PyMem_DebugRawRealloc: block already freed (double free or use after free)
#include <pymemcheck/pymem.h>

#include <stdalign.h>
#include <string.h>

/* A RAW allocator that frees the way glibc's tcache does, writing a 16-byte
 * link and key at the chunk's base, but keeps the memory: a second free
 * then reads memory that is still allocated, so the test means the same
 * with and without AddressSanitizer.  The key's first byte is the RAW API
 * id, to show that a valid-looking id alone does not hide the free. */
static alignas(16) unsigned char pool[4096];
static size_t pool_used;

static void *tcache_malloc(void *ctx, size_t size)
{
    (void)ctx;
    size = (size + 15) & ~(size_t)15;
    if (size > sizeof pool - pool_used)
        return NULL;
    pool_used += size;
    return pool + pool_used - size;
}

static void *tcache_calloc(void *ctx, size_t nelem, size_t elsize)
{
    void *p = tcache_malloc(ctx, nelem * elsize);
    if (p != NULL)
        memset(p, 0, nelem * elsize);
    return p;
}

static void *tcache_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)ptr;
    (void)size;
    return NULL;
}

static void tcache_free(void *ctx, void *ptr)
{
    static const unsigned char link_and_key[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                                   'r', 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde};
    (void)ctx;
    if (ptr != NULL)
        memcpy(ptr, link_and_key, sizeof link_and_key);
}

static void use_tcache_raw_allocator(void)
{
    PyMemAllocatorEx tcache = {NULL, tcache_malloc, tcache_calloc, tcache_realloc,
                               tcache_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &tcache);
    PyMem_SetupDebugHooks();
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const char *mode = argv[1];
    if (strcmp(mode, "obj") == 0) {
        /* The neighbour keeps pymalloc's pool in use, so the freed block
         * stays where it is. */
        void *neighbour = PyObject_Malloc(16);
        void *p = PyObject_Malloc(16);
        PyObject_Free(p);
        PyObject_Free(p);
        PyObject_Free(neighbour);
    } else if (strcmp(mode, "mem-realloc") == 0) {
        void *neighbour = PyMem_Malloc(16);
        void *p = PyMem_Malloc(16);
        PyMem_Free(p);
        p = PyMem_Realloc(p, 32);
        PyMem_Free(neighbour);
    } else if (strncmp(mode, "raw-tcache", 10) == 0) {
        use_tcache_raw_allocator();
        void *p = PyMem_RawMalloc(strcmp(mode, "raw-tcache-zero") == 0 ? 0 : 16);
        PyMem_RawFree(p);
        PyMem_RawFree(p);
    }
    return 0;
}
