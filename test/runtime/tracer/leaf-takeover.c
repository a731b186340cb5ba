// A leaf of the side table belongs to the thread that works in it, which
// records there without a lock; another thread freeing a block there takes
// the leaf over (block_table.c, "Owned leaves").  Here a producer keeps
// allocating and freeing in its own leaves while a consumer frees every
// third block it makes, as soon as it can, so takeovers meet the owner in
// the middle of its records.  Each round restarts tracing, which gives
// every leaf an owner again.  No record is lost or doubled: the per-site
// counts are exact after each round, the double free the consumer makes
// at the end of a round is reported with both sites, and the blocks left
// live are the ones the report lists.  Run under ThreadSanitizer in the
// tsan tree.
//
// RUN: %cc -D_DEFAULT_SOURCE -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=report=none %t 2>&1 | FileCheck %s --match-full-lines

#include "tracer_test.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

enum { ROUNDS = 8, BLOCKS = 60000, WINDOW = 4096, RING = 1024 };

/* A single-producer single-consumer ring of blocks to free. */
static void *ring[RING];
static atomic_size_t head, tail;    /* head: next to write; tail: next to read */
static atomic_bool producing;

static void push(void *p)
{
    size_t h = atomic_load_explicit(&head, memory_order_relaxed);
    while (h - atomic_load_explicit(&tail, memory_order_acquire) == RING)
        sched_yield();
    ring[h % RING] = p;
    atomic_store_explicit(&head, h + 1, memory_order_release);
}

static void *pop(void)
{
    size_t t = atomic_load_explicit(&tail, memory_order_relaxed);
    while (t == atomic_load_explicit(&head, memory_order_acquire)) {
        if (!atomic_load_explicit(&producing, memory_order_acquire) &&
            t == atomic_load_explicit(&head, memory_order_acquire))
            return NULL;
        sched_yield();
    }
    void *p = ring[t % RING];
    atomic_store_explicit(&tail, t + 1, memory_order_release);
    return p;
}

static void *last_consumed;

/* Tagged pointers: bit 0 says which family the block is (16-byte
 * aligned blocks leave it free). */
static void *consumer(void *unused)
{
    (void)unused;
    for (void *p; (p = pop()) != NULL;) {
        if ((uintptr_t)p & 1) {
            p = (void *)((uintptr_t)p & ~(uintptr_t)1);
            pymemcheck_free_trace("cons.c", 2, p);
        } else {
            _PyObject_FreeTrace("cons.c", 1, p);
            last_consumed = p;
        }
    }
    return NULL;
}

static void *window[WINDOW];

static void produce(void)
{
    for (int i = 0; i < BLOCKS; i++) {
        void *p = _PyObject_MallocTrace("prod.c", 1, 16 + (size_t)(i * 7) % 240);
        void *q = pymemcheck_malloc_trace("prod.c", 2, 24 + (size_t)(i * 5) % 100);
        EXPECT(p != NULL && q != NULL);
        if (i % 3 == 0) {
            push(p);
            push((void *)((uintptr_t)q | 1));
            continue;
        }
        /* The producer's own frees, of blocks made a while ago. */
        int w = i % WINDOW;
        if (window[w] != NULL)
            _PyObject_FreeTrace("prod.c", 3, window[w]);
        window[w] = p;
        pymemcheck_free_trace("prod.c", 4, q);
    }
}

static void show(const char *file, int line, const char *api)
{
    pymemcheck_site_stats s = site_stats(file, line, api);
    printf("%s:%d %s allocs=%llu frees=%llu live=%zu\n", file, line, api,
           (unsigned long long)s.allocs, (unsigned long long)s.frees, s.live_blocks);
}

int main(void)
{
    for (int round = 0; round < ROUNDS; round++) {
        EXPECT(pymemcheck_trace_start() == 0);
        atomic_store(&producing, true);
        pthread_t t;
        EXPECT(pthread_create(&t, NULL, consumer, NULL) == 0);
        produce();
        atomic_store_explicit(&producing, false, memory_order_release);
        pthread_join(t, NULL);
        if (round == 0) {
            show("prod.c", 1, "PyObject_Malloc");
            show("prod.c", 2, "malloc");
        }
        // CHECK:      prod.c:1 PyObject_Malloc allocs=60000 frees=55904 live=4096
        // CHECK-NEXT: prod.c:2 malloc allocs=60000 frees=60000 live=0
        pymemcheck_site_stats s = site_stats("prod.c", 1, "PyObject_Malloc");
        size_t kept = 0;
        for (int w = 0; w < WINDOW; w++)
            kept += window[w] != NULL;
        EXPECT(s.allocs == BLOCKS && s.live_blocks == kept && s.frees == BLOCKS - kept);
        s = site_stats("prod.c", 2, "malloc");
        EXPECT(s.allocs == BLOCKS && s.live_blocks == 0 && s.frees == BLOCKS);
        /* A second free of a block the consumer freed: the tombstone the
         * consumer's takeover left is what the producer's thread finds. */
        fflush(stdout);
        _PyObject_FreeTrace("again.c", 9, last_consumed);
        // CHECK-NEXT:    pymemcheck: misuse: double free: PyObject_Free at again.c:9 on a block allocated at prod.c:1 by PyObject_Malloc (at 0x{{[0-9a-f]+}}), already freed at cons.c:1 by PyObject_Free; this free was not done
        // CHECK-COUNT-7: pymemcheck: misuse: double free: PyObject_Free at again.c:9 on a block allocated at prod.c:1 by PyObject_Malloc (at 0x{{[0-9a-f]+}}), already freed at cons.c:1 by PyObject_Free; this free was not done
        for (int w = 0; w < WINDOW; w++) {
            if (window[w] != NULL)
                _PyObject_FreeTrace("prod.c", 3, window[w]);
            window[w] = NULL;
        }
        s = site_stats("prod.c", 1, "PyObject_Malloc");
        EXPECT(s.live_blocks == 0 && s.frees == BLOCKS);
        pymemcheck_trace_stop();
    }
    puts("rounds done");
    // CHECK-NEXT: rounds done
    return 0;
}
