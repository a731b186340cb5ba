/*
 * pep445_demo: what the standalone runtime does, in one run.
 *
 *  1. pymalloc's statistics, as sys._debugmallocstats() prints them, after
 *     some allocations (like CPython, the dump is only printed while
 *     pymalloc itself is the OBJ allocator, so it comes first);
 *  2. hooks on all three domains count calls (PEP 445's third use case),
 *     with the debug hooks installed above them;
 *  3. a one-byte buffer overflow caught by the debug hooks, in a child
 *     process so that the demo itself carries on.
 */
#define _POSIX_C_SOURCE 200809L
#include "pymemcheck/pymem.h"

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    const char *name;
    PyMemAllocatorEx orig;
    size_t calls;
} counting_hook;

static counting_hook hooks[3] = {{"PyMem_Raw*", {0}, 0},
                                 {"PyMem_*", {0}, 0},
                                 {"PyObject_*", {0}, 0}};

static void *count_malloc(void *ctx, size_t size)
{
    counting_hook *h = ctx;
    h->calls++;
    return h->orig.malloc(h->orig.ctx, size);
}

static void *count_calloc(void *ctx, size_t nelem, size_t elsize)
{
    counting_hook *h = ctx;
    h->calls++;
    return h->orig.calloc(h->orig.ctx, nelem, elsize);
}

static void *count_realloc(void *ctx, void *ptr, size_t size)
{
    counting_hook *h = ctx;
    h->calls++;
    return h->orig.realloc(h->orig.ctx, ptr, size);
}

static void count_free(void *ctx, void *ptr)
{
    counting_hook *h = ctx;
    h->calls++;
    h->orig.free(h->orig.ctx, ptr);
}

static void install_counting_hooks(void)
{
    for (int domain = 0; domain < 3; domain++) {
        PyMem_GetAllocator((PyMemAllocatorDomain)domain, &hooks[domain].orig);
        PyMemAllocatorEx hook = {&hooks[domain], count_malloc, count_calloc,
                                 count_realloc, count_free};
        PyMem_SetAllocator((PyMemAllocatorDomain)domain, &hook);
    }
}

enum { NOBJECTS = 20000 };

/* Every pymalloc size class, then every other block freed again. */
static void allocate_some(void **objects)
{
    for (size_t i = 0; i < NOBJECTS; i++)
        objects[i] = PyObject_Malloc(16 + (i % 32) * 16);
    for (size_t i = 0; i < NOBJECTS; i += 2) {
        PyObject_Free(objects[i]);
        objects[i] = NULL;
    }
    char *text = PyMem_Calloc(1, 4096);
    strcpy(text, "a large block falls back to the RAW domain");
    PyMem_Free(text);
}

static void free_all(void **objects)
{
    for (size_t i = 0; i < NOBJECTS; i++)
        PyObject_Free(objects[i]);
}

static void overflow_in_child(void)
{
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        char *buffer = PyMem_Malloc(16);
        buffer[16] = 'x'; /* one byte past the end: lands in the trailing pad */
        PyMem_Free(buffer);
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT)
        printf("\nThe child was stopped with SIGABRT, as CPython would stop.\n");
    else
        printf("\nUNEXPECTED: the overflow went unnoticed (status %d)\n", status);
}

int main(void)
{
    static void *plain[NOBJECTS], *hooked[NOBJECTS];

    allocate_some(plain);
    printf("== 1. pymalloc statistics with 10000 live blocks "
           "(sys._debugmallocstats format)\n\n");
    fflush(stdout);
    _PyObject_DebugMallocStats(stdout);
    printf("\nsys.getallocatedblocks() would say %zd\n", (ssize_t)_Py_GetAllocatedBlocks());
    free_all(plain);

    install_counting_hooks();
    PyMem_SetupDebugHooks();
    allocate_some(hooked);
    printf("\n== 2. The same work again, seen by counting hooks on each domain\n");
    printf("(under the debug hooks every block is 24 bytes larger, so more of\n"
           " them fall back from pymalloc to the RAW domain)\n");
    for (int domain = 0; domain < 3; domain++)
        printf("%-12s %zu calls\n", hooks[domain].name, hooks[domain].calls);
    free_all(hooked);

    printf("\n== 3. A one-byte overflow of a PyMem_Malloc(16) block, caught at free\n\n");
    overflow_in_child();
    return 0;
}
