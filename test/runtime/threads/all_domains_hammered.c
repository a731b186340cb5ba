// Several threads hammer RAW, MEM and OBJ at once, with every size from 0
// to 1100 bytes (pymalloc and its RAW fallback), and hand half their blocks
// to another thread to free.  Every block keeps its contents until freed,
// and afterwards the allocator's block count is back where it started.
// Outside CPython there is no GIL: this is the runtime's own job.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s
// RUN: env PYTHONMALLOC=debug %t | FileCheck %s

#define _POSIX_C_SOURCE 200809L
#include "pymemcheck/pymem.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

enum { NTHREADS = 4, ROUNDS = 20000, LIVE = 64, MAILBOX = 256 };

typedef struct {
    unsigned char *ptr;
    size_t size;
    int domain;
} block_t;

/* Blocks in flight between threads: a bounded queue under a mutex. */
static struct {
    pthread_mutex_t lock;
    block_t slots[MAILBOX];
    int count;
} mailbox = {PTHREAD_MUTEX_INITIALIZER, {{0}}, 0};

static int corrupted;
static pthread_mutex_t corrupted_lock = PTHREAD_MUTEX_INITIALIZER;

static void *domain_malloc(int domain, size_t size)
{
    switch (domain) {
    case 0: return PyMem_RawMalloc(size);
    case 1: return PyMem_Malloc(size);
    default: return PyObject_Malloc(size);
    }
}

static void domain_free(int domain, void *ptr)
{
    switch (domain) {
    case 0: PyMem_RawFree(ptr); break;
    case 1: PyMem_Free(ptr); break;
    default: PyObject_Free(ptr); break;
    }
}

static unsigned char pattern(const block_t *b)
{
    return (unsigned char)(((uintptr_t)b->ptr >> 4) ^ b->size);
}

static void check_and_free(const block_t *b)
{
    unsigned char expected = pattern(b);
    for (size_t i = 0; i < b->size; i++) {
        if (b->ptr[i] != expected) {
            pthread_mutex_lock(&corrupted_lock);
            corrupted++;
            pthread_mutex_unlock(&corrupted_lock);
            break;
        }
    }
    domain_free(b->domain, b->ptr);
}

static int post(const block_t *b)
{
    pthread_mutex_lock(&mailbox.lock);
    int posted = mailbox.count < MAILBOX;
    if (posted)
        mailbox.slots[mailbox.count++] = *b;
    pthread_mutex_unlock(&mailbox.lock);
    return posted;
}

static int take(block_t *b)
{
    pthread_mutex_lock(&mailbox.lock);
    int taken = mailbox.count > 0;
    if (taken)
        *b = mailbox.slots[--mailbox.count];
    pthread_mutex_unlock(&mailbox.lock);
    return taken;
}

static void *worker(void *arg)
{
    uint64_t rng = (uintptr_t)arg * 0x9E3779B97F4A7C15u + 1;
    block_t live[LIVE] = {{0}};
    for (int round = 0; round < ROUNDS; round++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        block_t *slot = &live[rng % LIVE];
        if (slot->ptr != NULL && !((rng >> 20) & 1 && post(slot)))
            check_and_free(slot);
        slot->domain = (int)((rng >> 8) % 3);
        slot->size = (size_t)((rng >> 32) % 1101);
        slot->ptr = domain_malloc(slot->domain, slot->size);
        memset(slot->ptr, pattern(slot), slot->size);
        block_t foreign;
        if ((rng >> 24) & 1 && take(&foreign))
            check_and_free(&foreign);
    }
    for (int i = 0; i < LIVE; i++)
        if (live[i].ptr != NULL)
            check_and_free(&live[i]);
    return NULL;
}

int main(void)
{
    Py_ssize_t before = _Py_GetAllocatedBlocks();
    pthread_t threads[NTHREADS];
    for (intptr_t i = 0; i < NTHREADS; i++)
        pthread_create(&threads[i], NULL, worker, (void *)i);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(threads[i], NULL);
    block_t left;
    while (take(&left))
        check_and_free(&left);
    printf("corrupted blocks: %d\n", corrupted);
    printf("allocated blocks back to the start: %d\n", _Py_GetAllocatedBlocks() == before);
    return 0;
}

// CHECK:      corrupted blocks: 0
// CHECK-NEXT: allocated blocks back to the start: 1
