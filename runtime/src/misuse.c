/*
 * misuse.c: reports of an allocation API used wrongly, with both call
 * sites when the tracer knows them:
 *
 *   pymemcheck: misuse: PyObject_Free at ext.c:57 of a 64-byte block
 *   allocated at ext.c:42 by PyMem_Malloc (wrong family: free it with PyMem_Free)
 *
 * (one line).  With on_misuse=report (the default) the program goes on as
 * it would have under CPython, except after a double free or a realloc of
 * a freed block: the tracer knows the block is no longer the program's,
 * and passing the call on would corrupt the allocator, so it does not (a
 * realloc returns NULL).  With on_misuse=abort the process aborts after
 * the report, so a debugger or core dump catches it at the call.
 */
#include "tracer.h"

#include <errno.h>

#include <stdlib.h>

static const char *const free_of_family[] = {
    [PMC_LIBC] = "free", [PMC_RAW] = "PyMem_RawFree",
    [PMC_MEM] = "PyMem_Free", [PMC_OBJ] = "PyObject_Free",
};
static const char *const realloc_of_family[] = {
    [PMC_LIBC] = "realloc", [PMC_RAW] = "PyMem_RawRealloc",
    [PMC_MEM] = "PyMem_Realloc", [PMC_OBJ] = "PyObject_Realloc",
};

/* "PyObject_Free at ext.c:57" or "PyObject_Free in untraced code". */
static void print_call(FILE *out, enum pmc_api api, uint32_t site)
{
    const struct pmc_site *s = site ? pmc_site_get(site) : NULL;
    if (s != NULL && s->file != NULL)
        fprintf(out, "%s at %s:%d", pmc_apis[api].name, s->file, s->line);
    else
        fprintf(out, "%s in untraced code", pmc_apis[api].name);
}

/* "on a block allocated at ext.c:42 by PyMem_Malloc (64 bytes at 0x...)" */
static void print_block(FILE *out, const void *p, const struct pmc_block *b, bool live)
{
    char where[4200];
    pmc_site_phrase(where, sizeof where, b->site);
    if (live)
        fprintf(out, " on a block allocated %s (%zu bytes at %p)", where, b->size, p);
    else
        fprintf(out, " on a block allocated %s (at %p)", where, p);
}

/* Leaves errno alone: the C library's entry points call it on the way to
 * the function they replace, and do not save errno themselves. */
void pmc_misuse(enum pmc_misuse kind, const void *p, enum pmc_api api, uint32_t site,
                const struct pmc_block *b)
{
    int saved = errno;
    FILE *out = stderr;
    char where[4200];
    bool frees = pmc_apis[api].op == PMC_OP_FREE;
    pmc_stats_misuse();
    fputs("pymemcheck: misuse: ", out);
    switch (kind) {
    case PMC_MISUSE_WRONG_FAMILY:
        print_call(out, api, site);
        print_block(out, p, b, true);
        fprintf(out, ": wrong family, %s it with %s; the call goes on as written\n",
                frees ? "free" : "resize",
                (frees ? free_of_family : realloc_of_family)[b->family]);
        break;
    case PMC_MISUSE_DOUBLE_FREE:
    case PMC_MISUSE_REALLOC_FREED:
        fputs(kind == PMC_MISUSE_DOUBLE_FREE ? "double free: " : "use after free: ", out);
        print_call(out, api, site);
        print_block(out, p, b, false);
        pmc_site_phrase(where, sizeof where, b->free_site);
        fprintf(out, ", already freed %s; %s\n", where,
                kind == PMC_MISUSE_DOUBLE_FREE
                    ? "this free was not done"
                    : "the realloc was not done and returned NULL");
        break;
    case PMC_MISUSE_NEVER_ALLOCATED:
        print_call(out, api, site);
        fprintf(out, " on %p, which no traced allocator returned since tracing started "
                     "(memory from another allocator, an interior pointer, or not heap "
                     "memory at all); the call goes on as written\n",
                p);
        break;
    }
    fflush(out);
    if (pmc_config.abort_on_misuse) {
        fputs("pymemcheck: aborting on misuse (on_misuse=abort in PYMEMCHECK)\n", out);
        abort();
    }
    errno = saved;
}
