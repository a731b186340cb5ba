/*
 * fatal.c: the end of the road for a corrupted heap.
 *
 * The first line is CPython's, word for word, so that people and tools that
 * know CPython's fatal memory errors recognise it; the second says what to
 * do about it.  Both go straight to stderr's descriptor through stdio's
 * unbuffered stream, and the process aborts so a debugger or core dump
 * catches it at the fault.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void pymemcheck_fatal_error(const char *func, const char *message)
{
    fflush(stdout);
    fprintf(stderr, "Fatal Python error: %s: %s\n", func, message);
    fputs("pymemcheck: aborting on a memory error the debug hooks caught; "
          "run under a debugger or with a core dump to see the faulting call\n",
          stderr);
    fflush(stderr);
    abort();
}
