// PyMem_SetupDebugHooks() after a user hook was put over the debug hooks
// adds a second debug layer above that hook, and the chain works (in
// CPython both layers would share one ctx and the new one would call
// itself).  Setup with the debug hooks on top adds nothing.  Layers come
// from a small fixed pool per domain: a layer wrapping the same allocator
// is reused, and when the pool is used up Setup says so and adds nothing.

/* RUN: %cc %s -o %t %libpymemcheck
 * RUN: %t two-layers 2>&1 | FileCheck %s --check-prefix=TWO --match-full-lines
 * RUN: not --crash %t overflow 2>&1 | FileCheck %s --check-prefix=OVERFLOW
 * RUN: %t reuse 2>&1 | FileCheck %s --check-prefix=REUSE --implicit-check-not=pymemcheck:
 * RUN: %t exhaust 2>&1 | FileCheck %s --check-prefix=EXHAUST
 */

// TWO:setup over the debug hooks: unchanged
// TWO-NEXT:setup over a user hook: layer added
// TWO-NEXT:hook malloc(40)
// TWO-NEXT:outer envelope: id 'm', size 16
// TWO-NEXT:inner envelope: id 'm', size 40
// TWO-NEXT:hook free
// TWO-NEXT:setup again: unchanged
//
// OVERFLOW:Debug memory block at address p=0x{{[0-9a-f]+}}: API 'm'
// OVERFLOW-NEXT:    16 bytes originally requested
// OVERFLOW:Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte
//
// REUSE:20 cycles, 20 with a debug layer on top
//
// EXHAUST-COUNT-3:pymemcheck: PyMem_SetupDebugHooks: all 8 debug layers of PYMEM_DOMAIN_MEM are in use (one is added each time the hooks are set up over a different allocator); PYMEM_DOMAIN_MEM keeps its allocator, without new debug hooks. Call PyMem_SetupDebugHooks() once, after installing your own hooks
// EXHAUST-NEXT:7 of 10 setups added a layer
// EXHAUST-NEXT:allocation through all layers: ok
#include <pymemcheck/pymem.h>

#include <stdio.h>
#include <string.h>

/* A hook that counts and forwards, as PEP 445's examples do. */
struct hook {
    PyMemAllocatorEx below;
    int verbose;
};

static void *hook_malloc(void *ctx, size_t size)
{
    struct hook *h = ctx;
    if (h->verbose)
        printf("hook malloc(%zu)\n", size);
    return h->below.malloc(h->below.ctx, size);
}

static void *hook_calloc(void *ctx, size_t nelem, size_t elsize)
{
    struct hook *h = ctx;
    return h->below.calloc(h->below.ctx, nelem, elsize);
}

static void *hook_realloc(void *ctx, void *ptr, size_t size)
{
    struct hook *h = ctx;
    return h->below.realloc(h->below.ctx, ptr, size);
}

static void hook_free(void *ctx, void *ptr)
{
    struct hook *h = ctx;
    if (h->verbose)
        printf("hook free\n");
    h->below.free(h->below.ctx, ptr);
}

static void install_hook(struct hook *h)
{
    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &h->below);
    PyMemAllocatorEx a = {h, hook_malloc, hook_calloc, hook_realloc, hook_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &a);
}

/* Whether PyMem_SetupDebugHooks() changed the MEM allocator. */
static int setup_changes_mem(void)
{
    PyMemAllocatorEx before, after;
    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &before);
    PyMem_SetupDebugHooks();
    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &after);
    return memcmp(&before, &after, sizeof before) != 0;
}

static size_t read_size(const unsigned char *at)
{
    size_t n = 0;
    for (int i = 0; i < 8; i++)
        n = n << 8 | at[i];
    return n;
}

static void two_layers(void)
{
    static struct hook h = {.verbose = 1};
    PyMem_SetupDebugHooks();
    printf("setup over the debug hooks: %s\n", setup_changes_mem() ? "CHANGED" : "unchanged");
    install_hook(&h);
    printf("setup over a user hook: %s\n", setup_changes_mem() ? "layer added" : "NOTHING ADDED");

    unsigned char *p = PyMem_Malloc(16);
    printf("outer envelope: id '%c', size %zu\n", p[-8], read_size(p - 16));
    printf("inner envelope: id '%c', size %zu\n", p[-16 - 8], read_size(p - 32));
    PyMem_Free(p);
    printf("setup again: %s\n", setup_changes_mem() ? "CHANGED" : "unchanged");
}

static void overflow(void)
{
    static struct hook h;
    PyMem_SetupDebugHooks();
    install_hook(&h);
    PyMem_SetupDebugHooks();
    char *p = PyMem_Malloc(16);
    p[16] = 'x';
    PyMem_Free(p);
}

/* Hook, set up, allocate, unhook: the same hook each time, so the same
 * layer serves every cycle. */
static void reuse(void)
{
    static struct hook h;
    int added = 0;
    PyMem_SetupDebugHooks();
    for (int i = 0; i < 20; i++) {
        PyMemAllocatorEx saved;
        PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &saved);
        install_hook(&h);
        added += setup_changes_mem();
        PyMem_Free(PyMem_Malloc(8));
        PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &saved);
    }
    printf("20 cycles, %d with a debug layer on top\n", added);
}

static void exhaust(void)
{
    static struct hook hooks[10];
    int added = 0;
    PyMem_SetupDebugHooks();
    for (int i = 0; i < 10; i++) {
        install_hook(&hooks[i]);
        added += setup_changes_mem();
    }
    printf("%d of 10 setups added a layer\n", added);
    char *p = PyMem_Malloc(16);
    p[15] = 0;
    PyMem_Free(p);
    printf("allocation through all layers: ok\n");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc != 2)
        return 2;
    if (strcmp(argv[1], "two-layers") == 0)
        two_layers();
    else if (strcmp(argv[1], "overflow") == 0)
        overflow();
    else if (strcmp(argv[1], "reuse") == 0)
        reuse();
    else if (strcmp(argv[1], "exhaust") == 0)
        exhaust();
    return 0;
}
