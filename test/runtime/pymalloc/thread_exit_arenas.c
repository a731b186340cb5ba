// Each thread's heap keeps one wholly free arena while the thread runs, so
// that it does not map and unmap around an arena boundary; a thread that
// exits gives it back.  Eight threads that each fill and empty three
// arenas leave none mapped once joined (before: one per heap, up to 8 MiB), while
// the arenas that hold a block an exited thread left live stay until the
// block is freed.
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: %t | FileCheck %s

#define _POSIX_C_SOURCE 200809L
#include "pymemcheck/pymem.h"

#include <pthread.h>
#include <stdio.h>

static PyObjectArenaAllocator base;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int arenas_mapped;

static void *counting_alloc(void *ctx, size_t size)
{
    (void)ctx;
    void *p = base.alloc(base.ctx, size);
    pthread_mutex_lock(&count_lock);
    arenas_mapped += p != NULL;
    pthread_mutex_unlock(&count_lock);
    return p;
}

static void counting_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    pthread_mutex_lock(&count_lock);
    arenas_mapped--;
    pthread_mutex_unlock(&count_lock);
    base.free(base.ctx, ptr, size);
}

static int mapped(void)
{
    pthread_mutex_lock(&count_lock);
    int n = arenas_mapped;
    pthread_mutex_unlock(&count_lock);
    return n;
}

enum { THREADS = 8, BLOCKS = 4096 }; /* 4096 blocks of 512 bytes: 3 arenas */

/* Fills and empties its heap; with keep, returns its last block live. */
static void *fill_and_empty(void *keep)
{
    void *blocks[BLOCKS];
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = PyObject_Malloc(512);
    for (int i = 0; i < BLOCKS - (keep != NULL); i++)
        PyObject_Free(blocks[i]);
    return keep != NULL ? blocks[BLOCKS - 1] : NULL;
}

static void run_threads(void *keep, void **left)
{
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, fill_and_empty, keep);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], &left[i]);
}

int main(void)
{
    PyObject_GetArenaAllocator(&base);
    PyObjectArenaAllocator counting = {NULL, counting_alloc, counting_free};
    PyObject_SetArenaAllocator(&counting);

    void *left[THREADS];
    run_threads(NULL, left);
    printf("emptied and exited: %d arenas mapped\n", mapped());

    run_threads(&counting, left);
    printf("exited with a block live each: %d arenas mapped\n", mapped());
    for (int i = 0; i < THREADS; i++)
        PyObject_Free(left[i]);
    printf("those blocks freed: %d arenas mapped\n", mapped());
    return 0;
}

// CHECK:      emptied and exited: 0 arenas mapped
// CHECK-NEXT: exited with a block live each: {{[1-8]}} arenas mapped
// CHECK-NEXT: those blocks freed: {{[0-8]}} arenas mapped
