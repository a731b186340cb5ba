// Many threads: eight threads allocate at shared sites, hand their blocks
// to the next thread, which resizes some and frees them all (cross-thread
// frees of PyObject and C library blocks, in the same table leaves the
// owner is allocating in), and leak a known few.  No count is lost:
// allocations and frees per site, live blocks and bytes, the process's
// current bytes are exact once the threads are done.  Run under
// ThreadSanitizer in the tsan tree.
//
// RUN: %cc -D_DEFAULT_SOURCE -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=report=none %t | FileCheck %s --match-full-lines

#include "tracer_test.h"

#include <pthread.h>

enum { THREADS = 8, ROUNDS = 150, BATCH = 32, LEAKS = 5 };

static void *board[THREADS][2 * BATCH];
static pthread_barrier_t barrier;

static void make(int t, int round)
{
    for (int i = 0; i < BATCH; i++) {
        board[t][i] = _PyObject_MallocTrace("shared.c", 1, 16 + (size_t)(i + round) % 48);
        EXPECT(board[t][i] != NULL);
        board[t][BATCH + i] = pymemcheck_malloc_trace("lib.c", 1, 24);
        EXPECT(board[t][BATCH + i] != NULL);
    }
}

/* Free the previous thread's blocks: every other one resized first, and
 * a few freed by untraced code. */
static void consume(int t)
{
    void **theirs = board[(t + THREADS - 1) % THREADS];
    for (int i = 0; i < BATCH; i++) {
        if (i % 4 == 0)
            untraced_obj_free(theirs[i]);
        else
            _PyObject_FreeTrace("shared.c", 2, theirs[i]);
        void *p = theirs[BATCH + i];
        if (i % 2 == 0) {
            p = pymemcheck_realloc_trace("lib.c", 2, p, 200);
            EXPECT(p != NULL);
        }
        pymemcheck_free_trace("lib.c", 3, p);
    }
}

static void *worker(void *arg)
{
    int t = (int)(intptr_t)arg;
    for (int round = 0; round < ROUNDS; round++) {
        make(t, round);
        pthread_barrier_wait(&barrier);
        consume(t);
        pthread_barrier_wait(&barrier);
    }
    for (int i = 0; i < LEAKS; i++)
        _PyMem_CallocTrace("leak.c", 1, 10, 1);
    return NULL;
}

static void show(const char *file, int line, const char *api)
{
    pymemcheck_site_stats s = site_stats(file, line, api);
    printf("%s:%d %s allocs=%llu frees=%llu live=%zu/%zu\n", file, line, api,
           (unsigned long long)s.allocs, (unsigned long long)s.frees, s.live_blocks,
           s.live_bytes);
}

int main(void)
{
    EXPECT(pymemcheck_trace_start() == 0);
    pthread_t threads[THREADS];
    pthread_barrier_init(&barrier, NULL, THREADS);
    for (int t = 0; t < THREADS; t++)
        EXPECT(pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)t) == 0);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    pthread_barrier_destroy(&barrier);

    show("shared.c", 1, "PyObject_Malloc");
    // CHECK:      shared.c:1 PyObject_Malloc allocs=38400 frees=38400 live=0/0
    show("lib.c", 1, "malloc");
    // CHECK-NEXT: lib.c:1 malloc allocs=38400 frees=38400 live=0/0
    show("lib.c", 2, "realloc");
    // CHECK-NEXT: lib.c:2 realloc allocs=19200 frees=19200 live=0/0
    show("leak.c", 1, "PyMem_Calloc");
    // CHECK-NEXT: leak.c:1 PyMem_Calloc allocs=40 frees=0 live=40/400
    size_t current, peak;
    pymemcheck_get_traced_memory(&current, &peak);
    printf("current=%zu peak>=current: %s\n", current, peak >= current ? "yes" : "no");
    // CHECK-NEXT: current=400 peak>=current: yes
    return 0;
}
