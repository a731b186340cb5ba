/*
 * internal.h: what the runtime's files promise each other.  Nothing here is
 * exported; the public API is runtime/include/pymemcheck/.
 *
 *   domains.c   the three domains' allocator table, the public entry points
 *               and their size checks
 *   pythonmalloc.c  the PYTHONMALLOC and PYTHONMALLOCSTATS variables
 *   draft_api.c the PEP's draft spelling over the final API
 *   raw.c       the default RAW allocator (libc malloc, zero sizes made 1)
 *   arena.c     the arena allocator (mmap/munmap by default)
 *   pymalloc.c  the small-object allocator behind MEM and OBJ
 *   debug.c     the debug hooks and their fatal dump
 *   fatal.c     "Fatal Python error: ..." and abort
 *   tracer_standalone.c  the tracer's seam into this library (the tracer's
 *               own files, listed in tracer.h, never include this header)
 */
#ifndef PYMEMCHECK_INTERNAL_H
#define PYMEMCHECK_INTERNAL_H

#include "pymemcheck/pymem.h"

#include <stdbool.h>
#include <stddef.h>

#if defined(__GNUC__)
#define PMC_HIDDEN __attribute__((visibility("hidden")))
#define PMC_LIKELY(x) __builtin_expect(!!(x), 1)
#define PMC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define PMC_HIDDEN
#define PMC_LIKELY(x) (x)
#define PMC_UNLIKELY(x) (x)
#endif

/* ---- domains.c ---- */

/* The allocator currently installed for a valid domain (a live view, not a
 * copy: callers must not keep it across PyMem_SetAllocator). */
PMC_HIDDEN const PyMemAllocatorEx *pymemcheck_installed(PyMemAllocatorDomain domain);

/* fn runs after any domain's allocator changes (PyMem_SetAllocator, a
 * reset to PYTHONMALLOC's): the tracer's entry points go straight to the
 * allocator below its hook only while that hook is on top
 * (tracer_standalone.c).  One observer; NULL for none. */
PMC_HIDDEN void pymemcheck_observe_allocators(void (*fn)(void));

/* Reset every domain to the allocators PYTHONMALLOC names and install the
 * debug hooks when it asks for them.  Returns -1 for NOT_SET or an unknown
 * name, leaving the domains alone. */
PMC_HIDDEN int pymemcheck_setup_allocators(PyMemAllocatorName name);

/* ---- pythonmalloc.c ---- */

/* Apply PYTHONMALLOC (exiting with a message on an unknown value) and
 * PYTHONMALLOCSTATS.  Called once, before main. */
PMC_HIDDEN void pymemcheck_read_environment(void);

/* ---- raw.c ---- */

/* libc malloc, calloc, realloc and free, with zero-size requests made 1 so
 * that each returns a distinct non-NULL pointer, as CPython's RAW default.
 * ctx is unused. */
PMC_HIDDEN void *pymemcheck_raw_malloc(void *ctx, size_t size);
PMC_HIDDEN void *pymemcheck_raw_calloc(void *ctx, size_t nelem, size_t elsize);
PMC_HIDDEN void *pymemcheck_raw_realloc(void *ctx, void *ptr, size_t size);
PMC_HIDDEN void pymemcheck_raw_free(void *ctx, void *ptr);
#define PYMEMCHECK_RAW_ALLOCATOR                                               \
    {NULL, pymemcheck_raw_malloc, pymemcheck_raw_calloc,                       \
     pymemcheck_raw_realloc, pymemcheck_raw_free}

/* ---- arena.c ---- */

/* Through whatever PyObject_SetArenaAllocator installed.  pymalloc calls
 * these with its arena lock held, so a user arena allocator is never called
 * concurrently. */
PMC_HIDDEN void *pymemcheck_arena_alloc(size_t size);
PMC_HIDDEN void pymemcheck_arena_free(void *ptr, size_t size);

/* ---- pymalloc.c ---- */

/* CPython's small-object allocator: requests of 1..512 bytes from 16 KiB
 * pools in 1 MiB arenas; anything else falls back to the RAW domain
 * (PyMem_Raw*).  Safe to call from any number of threads.  ctx is unused. */
PMC_HIDDEN void *pymemcheck_pymalloc_malloc(void *ctx, size_t size);
PMC_HIDDEN void *pymemcheck_pymalloc_calloc(void *ctx, size_t nelem, size_t elsize);
PMC_HIDDEN void *pymemcheck_pymalloc_realloc(void *ctx, void *ptr, size_t size);
PMC_HIDDEN void pymemcheck_pymalloc_free(void *ctx, void *ptr);
#define PYMEMCHECK_PYMALLOC_ALLOCATOR                                          \
    {NULL, pymemcheck_pymalloc_malloc, pymemcheck_pymalloc_calloc,             \
     pymemcheck_pymalloc_realloc, pymemcheck_pymalloc_free}

/* Register pymalloc's fork handlers (and its thread-exit key) now: called
 * at load, before any thread can allocate (pymalloc.c, "fork"). */
PMC_HIDDEN void pymemcheck_pymalloc_at_load(void);

/* True when p lies in a block pymalloc handed out (or could hand out); it
 * never reads memory pymalloc does not own. */
PMC_HIDDEN bool pymemcheck_pymalloc_owns(const void *p);

/* The body of _PyObject_DebugMallocStats once the caller has checked that
 * pymalloc is the OBJ allocator. */
PMC_HIDDEN void pymemcheck_pymalloc_print_stats(FILE *out);

/* PYTHONMALLOCSTATS: print the statistics to stderr each time pymalloc is
 * about to map a new arena, as CPython does (pythonmalloc.c sets it at load,
 * before any thread). */
PMC_HIDDEN extern bool pymemcheck_pymalloc_stats_at_new_arena;

/* Blocks pymalloc has handed out and not yet taken back, plus the blocks it
 * passed to the RAW domain and that are still live. */
PMC_HIDDEN Py_ssize_t pymemcheck_pymalloc_allocated_blocks(void);

/* ---- debug.c ---- */

/* Wrap each domain's installed allocator in the debug hooks, unless the
 * debug hooks already are the installed allocator of that domain. */
PMC_HIDDEN void pymemcheck_debug_setup_hooks(void);

/* When a is the debug hooks' allocator, the allocator they wrap; else NULL. */
PMC_HIDDEN const PyMemAllocatorEx *pymemcheck_debug_unwrap(const PyMemAllocatorEx *a);

/* The end of a debug-hook dump, where CPython prints the block's tracemalloc
 * traceback.  The tracer sets a function that prints to out what it knows
 * of the block whose user pointer is p ("Memory block allocated at
 * file:line"), followed by an empty line, or nothing if it knows nothing.
 * It mostly runs on the way to abort(), with the heap possibly corrupted:
 * it must not allocate.  NULL (the default) prints CPython's "Enable
 * tracemalloc ..." line and a pymemcheck hint. */
typedef void (*pymemcheck_describe_block_fn)(FILE *out, const void *p);
PMC_HIDDEN void pymemcheck_debug_set_describe_block(pymemcheck_describe_block_fn fn);

/* ---- tracer_standalone.c ---- */

/* Read PYMEMCHECK and start tracing if it says start=load.  Called once,
 * before main, after pymemcheck_read_environment. */
PMC_HIDDEN void pymemcheck_tracer_load(void);

/* ---- fatal.c ---- */

/* Print "Fatal Python error: func: message", a pymemcheck hint line, and
 * abort, as CPython's _Py_FatalErrorFunc does. */
PMC_HIDDEN _Noreturn void pymemcheck_fatal_error(const char *func, const char *message);

#endif /* PYMEMCHECK_INTERNAL_H */
