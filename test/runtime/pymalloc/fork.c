// fork() while another thread holds pymalloc's lock (it is inside the arena
// allocator): the child must not inherit the lock held, or its first new
// arena would hang it.  The child keeps the parent's blocks and can free
// them and allocate new arenas of its own.  (ThreadSanitizer sees the
// parent's thread as leaked when the child exits; that is no finding here.)
//
// RUN: %cc %s -o %t %libpymemcheck
// RUN: env TSAN_OPTIONS=halt_on_error=1:report_thread_leaks=0 %t | FileCheck %s

#define _POSIX_C_SOURCE 200809L
#include "pymemcheck/pymem.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { CHILD_BLOCKS = 5000 };

static PyObjectArenaAllocator base;
static atomic_int hold_next_arena, inside_arena_alloc;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000};
    nanosleep(&ts, NULL);
}

/* Called under pymalloc's lock: linger there once, long enough for the
 * main thread to fork. */
static void *lingering_arena_alloc(void *ctx, size_t size)
{
    (void)ctx;
    if (atomic_exchange(&hold_next_arena, 0)) {
        atomic_store(&inside_arena_alloc, 1);
        sleep_ms(200);
    }
    return base.alloc(base.ctx, size);
}

static void *first_allocation(void *arg)
{
    PyObject_Free(PyObject_Malloc(16)); /* a new thread's heap needs an arena */
    return arg;
}

static int child(char *from_parent)
{
    static void *blocks[CHILD_BLOCKS]; /* 300 bytes: new arenas needed */
    if (from_parent[99] != 'p')
        return 2;
    for (int i = 0; i < CHILD_BLOCKS; i++)
        if ((blocks[i] = PyObject_Malloc(300)) == NULL)
            return 3;
    for (int i = 0; i < CHILD_BLOCKS; i++)
        PyObject_Free(blocks[i]);
    PyObject_Free(from_parent);
    return 0;
}

/* The child's exit status, or -1 if it hung and had to be killed. */
static int wait_child(pid_t pid)
{
    int status;
    for (int waited = 0; waited < 10000; waited += 10) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

int main(void)
{
    PyObject_GetArenaAllocator(&base);
    PyObjectArenaAllocator lingering = {NULL, lingering_arena_alloc, base.free};
    PyObject_SetArenaAllocator(&lingering);
    char *from_parent = PyObject_Malloc(100);
    memset(from_parent, 'p', 100);

    atomic_store(&hold_next_arena, 1);
    pthread_t thread;
    pthread_create(&thread, NULL, first_allocation, NULL);
    while (!atomic_load(&inside_arena_alloc))
        sleep_ms(1);
    pid_t pid = fork();
    if (pid == 0)
        _exit(child(from_parent));
    int status = wait_child(pid);
    pthread_join(thread, NULL);
    printf("child status: %d\n", status);
    // CHECK: child status: 0
    PyObject_Free(from_parent);
    return 0;
}
