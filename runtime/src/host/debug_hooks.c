/*
 * debug_hooks.c: the C call sites of a block CPython's debug hooks are
 * about to abort on.
 *
 * Under PYTHONMALLOC=debug (or -X dev, or a debug build of CPython) the
 * debug hooks check a block's guard bytes when it is freed or reallocated;
 * on damage they print the block ("Debug memory block at address p=...",
 * "Enable tracemalloc to get the memory block allocation traceback") and a
 * fatal error, and abort, without a C location.  The tracer's hooks sit
 * above them (they wrap whatever allocator is installed when tracing
 * starts), so they see each block on its way down.  When tracing starts,
 * one probe block per domain tells whether the debug hooks are below and
 * which guard byte they use; if they are, each block a free or realloc
 * hands down is looked at first (pmc_hooks_set_block_check), with the
 * debug hooks' own checks, in their order, and a damaged one is named
 * just before CPython's report, in one line:
 *
 *   pymemcheck: CPython's debug hooks are about to stop on the block at
 *   0x7f...850 (bad trailing pad byte): it was allocated at ext.c:42 by
 *   PyMem_Malloc, and is being freed at ext.c:47 by PyMem_Free
 *
 * A SIGABRT handler, run after CPython's report, would not do: before it
 * aborts, a fatal error puts back the handlers faulthandler replaced when
 * it was enabled, dropping any installed since, and -X dev, the usual way
 * to get the debug hooks, enables faulthandler at startup.
 *
 * Like CPython, this reads the trailing guard at the size the header
 * gives; it does so only when the leading guard is intact, where CPython
 * reads it regardless.
 */
#include <Python.h>

#include "host.h"

#include <string.h>

enum { S = sizeof(size_t) };

/* Per domain: its API id ('r', 'm', 'o'), or 0 when no debug hooks are
 * below the tracer; published with release after the guard byte, which is
 * common to all, so that a hook that reads an id also reads its guard. */
static _Atomic char api_ids[3];
static _Atomic unsigned char guard;

/* The debug hooks' block layout (docs/runtime.md, "Debug hooks"): the
 * requested size big-endian in p[-2S:-S], the API id at p[-S], S-1 guard
 * bytes before p and S after the data. */
static size_t size_of(const unsigned char *p)
{
    const unsigned char *header = p - 2 * S;
    size_t n = 0;
    for (size_t i = 0; i < S; i++)
        n = (n << 8) | header[i];
    return n;
}

static bool guards_equal(const unsigned char *from, size_t count, unsigned char byte)
{
    for (size_t i = 0; i < count; i++)
        if (from[i] != byte)
            return false;
    return true;
}

/* Allocates a block through the whole chain (ours on top: tracing just
 * started) and tells whether it has the debug hooks' envelope: its API id,
 * or 0.  Only the block's own bytes are read until they show the debug
 * hooks' fill (CLEANBYTE, 0xCD since CPython 3.8): only then is there an
 * envelope around it to read, and reading before or after a block of
 * another allocator would be out of its bounds (AddressSanitizer and
 * Valgrind would say so, rightly). */
static char probe(void *(*alloc)(size_t), void (*release)(void *), unsigned char *guard_out)
{
    enum { N = 2 * S, CLEANBYTE = 0xCD };
    unsigned char *p = alloc(N);
    if (p == NULL)
        return 0;
    char id = 0;
    if (guards_equal(p, N, CLEANBYTE)) {
        id = (char)p[-S];
        unsigned char g = p[-1];
        bool envelope = (id == 'r' || id == 'm' || id == 'o') && size_of(p) == N &&
                        guards_equal(p - (S - 1), S - 1, g) && guards_equal(p + N, S, g);
        *guard_out = g;
        if (!envelope)
            id = 0;
    }
    release(p);
    return id;
}

static const char *damage(const unsigned char *p, char id)
{
    unsigned char g = atomic_load_explicit(&guard, memory_order_relaxed);
    if ((char)p[-S] != id)
        return "bad ID";
    if (!guards_equal(p - (S - 1), S - 1, g))
        return "bad leading pad byte";
    if (!guards_equal(p + size_of(p), S, g))
        return "bad trailing pad byte";
    return NULL;
}

/* "at ext.c:47 by PyMem_Free", "at <unknown> by PyMem_Free" or, for a
 * call no site was left for, "by PyMem_Free in untraced code". */
static void phrase(char *buf, size_t n, uint32_t site, enum pmc_api api)
{
    if (site != 0)
        pmc_site_phrase(buf, n, site);
    else
        snprintf(buf, n, "by %s in untraced code", pmc_apis[api].name);
}

static void check(const void *p, enum pmc_family family, enum pmc_api api, uint32_t site)
{
    char id = atomic_load_explicit(&api_ids[family - PMC_RAW], memory_order_acquire);
    if (id == 0)
        return;
    const char *what = damage(p, id);
    if (PMC_T_LIKELY(what == NULL))
        return;
    char allocated[4200] = "before tracing started", handed[4200];
    struct pmc_block b;
    if (pmc_table_peek(p, &b) != PMC_ABSENT)
        pmc_site_phrase(allocated, sizeof allocated, b.site);
    phrase(handed, sizeof handed, site, api);
    fprintf(stderr,
            "pymemcheck: CPython's debug hooks are about to stop on the block at %p "
            "(%s): it was allocated %s, and is being %s %s\n",
            p, what, allocated, pmc_apis[api].op == PMC_OP_FREE ? "freed" : "reallocated",
            handed);
    fflush(stderr);
}

void pmc_host_debug_hooks_probe(void)
{
    unsigned char g[3] = {0};
    char ids[3] = {
        probe(PyMem_RawMalloc, PyMem_RawFree, &g[0]),
        probe(PyMem_Malloc, PyMem_Free, &g[1]),
        probe(PyObject_Malloc, PyObject_Free, &g[2]),
    };
    bool any = false;
    for (int d = 0; d < 3; d++) {
        if (ids[d] != 0)
            atomic_store_explicit(&guard, g[d], memory_order_relaxed);
        any |= ids[d] != 0;
    }
    for (int d = 0; d < 3; d++)
        atomic_store_explicit(&api_ids[d], ids[d], memory_order_release);
    pmc_hooks_set_block_check(any ? check : NULL);
}
