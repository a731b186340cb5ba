/* reinit: a program that embeds CPython and runs the interpreter twice
 * (Py_Initialize, Py_FinalizeEx, then again), making its trace calls by
 * hand (pymemcheck/trace.h) as the plugin would have written them.  Each
 * run leaks one PyMem block "allocated at reinit.c:10", 100 bytes then
 * 101, and allocates a PyObject block "at reinit.c:20" that untraced code
 * frees: only the tracer's hooks see that free.  argv[1] "restart" stops
 * and starts tracing at the start of the second run, through the host
 * library's C API; "late-restart" does so at its end, after the hooks were
 * found out and put back, and then leaks 7 bytes "at reinit.c:30". */
#include <Python.h>

#include "pymemcheck/trace.h"
#include "pymemcheck/tracer.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    int restart = argc > 1 && strcmp(argv[1], "restart") == 0;
    int late_restart = argc > 1 && strcmp(argv[1], "late-restart") == 0;
    for (int run = 0; run < 2; run++) {
        Py_Initialize();
        if (run == 1 && restart) {
            pymemcheck_trace_stop();
            printf("restart -> %d\n", pymemcheck_trace_start());
        }
        if (_PyMem_MallocTrace("reinit.c", 10, (size_t)(100 + run)) == NULL)
            return 1;
        PyObject_Free(_PyObject_MallocTrace("reinit.c", 20, 48));
        if (run == 1 && late_restart) {
            pymemcheck_trace_stop();
            printf("late restart -> %d\n", pymemcheck_trace_start());
            if (_PyMem_MallocTrace("reinit.c", 30, 7) == NULL)
                return 1;
        }
        printf("run %d done\n", run);
        fflush(stdout);
        if (Py_FinalizeEx() < 0)
            return 1;
    }
    return 0;
}
