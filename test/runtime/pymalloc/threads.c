// pymalloc without a GIL: threads allocate and free at once, hand blocks to
// other threads that free or reallocate them (remote frees), and exit while
// their blocks live on; later threads adopt the orphaned heaps.  Every
// block keeps its contents, and once all threads are joined the allocated
// block count is back at its baseline and the statistics show no block in
// use.  Run under -fsanitize=thread this also proves the absence of races.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#define _POSIX_C_SOURCE 200809L
#include "pymemcheck/pymem.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

enum {
    PAIRS = 3,
    ITEMS = 50000,
    RING = 64,
    WAVES = 4,
    WAVE_THREADS = 4,
    PER_THREAD = 1000
};

typedef struct {
    unsigned char *ptr;
    size_t size;
    unsigned tag;
} item_t;

static pthread_mutex_t failure_lock = PTHREAD_MUTEX_INITIALIZER;
static int failures;

static void fail(const char *what)
{
    pthread_mutex_lock(&failure_lock);
    if (failures++ < 10)
        printf("FAIL: %s\n", what);
    pthread_mutex_unlock(&failure_lock);
}

static unsigned next_random(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

/* Mostly pymalloc sizes, some zero-size and some RAW-sized requests. */
static size_t pick_size(unsigned *state)
{
    unsigned r = next_random(state);
    if (r % 50 == 0)
        return 0;
    if (r % 50 == 1)
        return 513 + r % 600;
    return 1 + r % 512;
}

static unsigned char pattern(unsigned tag, size_t i)
{
    return (unsigned char)(tag * 31 + i);
}

static item_t make_item(unsigned tag, unsigned *state)
{
    item_t it = {NULL, pick_size(state), tag};
    it.ptr = tag % 3 == 0 ? PyObject_Calloc(1, it.size) : PyObject_Malloc(it.size);
    if (it.ptr == NULL) {
        fail("allocation returned NULL");
        return it;
    }
    if (tag % 3 == 0)
        for (size_t i = 0; i < it.size; i++)
            if (it.ptr[i] != 0)
                fail("calloc block not zeroed");
    for (size_t i = 0; i < it.size; i++)
        it.ptr[i] = pattern(tag, i);
    return it;
}

static void check_item(const item_t *it, size_t n)
{
    for (size_t i = 0; i < n && i < it->size; i++)
        if (it->ptr[i] != pattern(it->tag, i)) {
            fail("block contents changed");
            return;
        }
}

/* ---- Producer/consumer pairs over bounded rings ---- */

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    item_t slots[RING];
    unsigned head, tail;
} ring_t;

static ring_t rings[PAIRS];

static void ring_put(ring_t *r, item_t it)
{
    pthread_mutex_lock(&r->lock);
    while (r->tail - r->head == RING)
        pthread_cond_wait(&r->changed, &r->lock);
    r->slots[r->tail++ % RING] = it;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static item_t ring_get(ring_t *r)
{
    pthread_mutex_lock(&r->lock);
    while (r->tail == r->head)
        pthread_cond_wait(&r->changed, &r->lock);
    item_t it = r->slots[r->head++ % RING];
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    return it;
}

/* Local churn between handoffs, so each thread's own heap is busy too. */
static void churn(unsigned *state, unsigned tag)
{
    item_t local = make_item(tag, state);
    check_item(&local, local.size);
    PyObject_Free(local.ptr);
}

static void *producer(void *arg)
{
    ring_t *r = arg;
    unsigned state = (unsigned)(r - rings) + 1;
    for (unsigned i = 0; i < ITEMS; i++) {
        ring_put(r, make_item(i, &state));
        churn(&state, i + 7);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    ring_t *r = arg;
    unsigned state = (unsigned)(r - rings) + 100;
    for (unsigned i = 0; i < ITEMS; i++) {
        item_t it = ring_get(r);
        check_item(&it, it.size);
        if (i % 4 == 0) {
            /* Realloc a block another thread's heap owns. */
            size_t new_size = pick_size(&state);
            unsigned char *q = PyObject_Realloc(it.ptr, new_size);
            if (q == NULL && new_size != 0) {
                fail("realloc returned NULL");
                continue;
            }
            it.ptr = q;
            check_item(&it, new_size);
        }
        PyObject_Free(it.ptr);
        churn(&state, i + 13);
    }
    return NULL;
}

/* ---- Threads that exit with blocks still live ---- */

static item_t handed[WAVES * WAVE_THREADS * PER_THREAD / 2];
static unsigned handed_count;
static pthread_mutex_t handed_lock = PTHREAD_MUTEX_INITIALIZER;

/* Free the handed blocks but num/den of them. */
static void free_handed(unsigned num, unsigned den)
{
    pthread_mutex_lock(&handed_lock);
    unsigned keep = handed_count * num / den;
    while (handed_count > keep) {
        item_t *it = &handed[--handed_count];
        check_item(it, it->size);
        PyObject_Free(it->ptr);
    }
    pthread_mutex_unlock(&handed_lock);
}

static void *short_lived(void *arg)
{
    unsigned state = (unsigned)(uintptr_t)arg;
    item_t mine[PER_THREAD];
    /* Free some blocks left by threads that exited: maybe now ours. */
    free_handed(1, 2);
    for (unsigned i = 0; i < PER_THREAD; i++)
        mine[i] = make_item(i + state, &state);
    pthread_mutex_lock(&handed_lock);
    for (unsigned i = 0; i < PER_THREAD; i += 2)
        handed[handed_count++] = mine[i];
    pthread_mutex_unlock(&handed_lock);
    for (unsigned i = 1; i < PER_THREAD; i += 2) {
        check_item(&mine[i], mine[i].size);
        PyObject_Free(mine[i].ptr);
    }
    return NULL;
}

int main(void)
{
    Py_ssize_t baseline = _Py_GetAllocatedBlocks();
    pthread_t threads[2 * PAIRS];
    for (int i = 0; i < PAIRS; i++) {
        pthread_mutex_init(&rings[i].lock, NULL);
        pthread_cond_init(&rings[i].changed, NULL);
        pthread_create(&threads[2 * i], NULL, producer, &rings[i]);
        pthread_create(&threads[2 * i + 1], NULL, consumer, &rings[i]);
    }
    for (int i = 0; i < 2 * PAIRS; i++)
        pthread_join(threads[i], NULL);
    printf("pairs: blocks over baseline %zd\n", _Py_GetAllocatedBlocks() - baseline);
    // CHECK-NOT: FAIL
    // CHECK: pairs: blocks over baseline 0

    for (int w = 0; w < WAVES; w++) {
        pthread_t wave[WAVE_THREADS];
        for (int i = 0; i < WAVE_THREADS; i++)
            pthread_create(&wave[i], NULL, short_lived,
                           (void *)(uintptr_t)(w * 16 + i + 1));
        for (int i = 0; i < WAVE_THREADS; i++)
            pthread_join(wave[i], NULL);
        /* The main thread frees a third of what the exited threads left. */
        free_handed(2, 3);
    }
    printf("waves: blocks left by exited threads %u, counted %zd\n", handed_count,
           _Py_GetAllocatedBlocks() - baseline);
    free_handed(0, 1);
    printf("all freed: blocks over baseline %zd, failures %d\n",
           _Py_GetAllocatedBlocks() - baseline, failures);
    // CHECK-NOT: FAIL
    // CHECK: waves: blocks left by exited threads [[LEFT:[0-9]+]], counted [[LEFT]]
    // CHECK-NEXT: all freed: blocks over baseline 0, failures 0

    /* Blocks freed into the heaps of exited threads are taken back before
     * the statistics are printed, so no class shows a block in use. */
    _PyObject_DebugMallocStats(stdout);
    // CHECK:      -----   ----   ---------   -------------  ------------
    // CHECK-EMPTY:
    // CHECK-NEXT: # arenas allocated total
    return 0;
}
