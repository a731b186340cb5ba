/*
 * pythonmalloc.c: the PYTHONMALLOC and PYTHONMALLOCSTATS environment
 * variables, read once when the library is loaded (domains.c calls
 * pymemcheck_read_environment from its constructor), as CPython reads them
 * at pre-initialisation, before the program allocates.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    PyMemAllocatorName value;
} allocator_names[] = {
    {"default", PYMEM_ALLOCATOR_DEFAULT},
    {"debug", PYMEM_ALLOCATOR_DEBUG},
    {"malloc", PYMEM_ALLOCATOR_MALLOC},
    {"malloc_debug", PYMEM_ALLOCATOR_MALLOC_DEBUG},
    {"pymalloc", PYMEM_ALLOCATOR_PYMALLOC},
    {"pymalloc_debug", PYMEM_ALLOCATOR_PYMALLOC_DEBUG},
};

static PyMemAllocatorName parse_allocator_name(const char *text)
{
    for (size_t i = 0; i < sizeof allocator_names / sizeof allocator_names[0]; i++)
        if (strcmp(text, allocator_names[i].name) == 0)
            return allocator_names[i].value;
    return PYMEM_ALLOCATOR_NOT_SET;
}

/* CPython refuses to start on an unknown PYTHONMALLOC; so do we, with the
 * list of what would have worked rather than a crash. */
static _Noreturn void reject_pythonmalloc(const char *text)
{
    fprintf(stderr, "pymemcheck: PYTHONMALLOC=%s: unknown allocator; accepted values: ",
            text);
    for (size_t i = 0; i < sizeof allocator_names / sizeof allocator_names[0]; i++)
        fprintf(stderr, "%s%s", i ? ", " : "", allocator_names[i].name);
    if (strncmp(text, "mimalloc", 8) == 0)
        fputs(" (pymemcheck is not built with mimalloc)", stderr);
    fputc('\n', stderr);
    exit(1);
}

static void print_stats_at_exit(void)
{
    _PyObject_DebugMallocStats(stderr);
}

void pymemcheck_read_environment(void)
{
    const char *text = getenv("PYTHONMALLOC");
    /* An empty variable counts as unset, as everywhere in CPython. */
    if (text != NULL && *text != '\0') {
        PyMemAllocatorName name = parse_allocator_name(text);
        if (pymemcheck_setup_allocators(name) < 0)
            reject_pythonmalloc(text);
    }
    const char *stats = getenv("PYTHONMALLOCSTATS");
    if (stats != NULL && *stats != '\0') {
        pymemcheck_pymalloc_stats_at_new_arena = true;
        atexit(print_stats_at_exit);
    }
}
