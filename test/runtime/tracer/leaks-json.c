// The leak report in JSON (schema: docs/tracer.md): valid JSON, every
// documented field with its type, the leaks largest first; written to the
// file output= names (%p becomes the process id), or to stdout; written at
// exit even without leaks, so that tools always find a file.  File names
// are escaped.
//
// RUN: %cc -I%S/Inputs %s -o %t %libpymemcheck
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: env PYMEMCHECK=report=json:output=%t.dir/leaks.%%p.json %t
// RUN: %cpython %S/Inputs/json_report.py %t.dir/leaks.*.json | FileCheck %s --match-full-lines
// RUN: env PYMEMCHECK=report=json:output=stdout %t > %t.stdout.json
// RUN: %cpython %S/Inputs/json_report.py %t.stdout.json | FileCheck %s --match-full-lines
// RUN: env PYMEMCHECK=report=json:output=%t.none.json %t none
// RUN: %cpython %S/Inputs/json_report.py %t.none.json | FileCheck %s --check-prefix=NONE --match-full-lines

#include "tracer_test.h"

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        PyMem_Free(_PyMem_MallocTrace("ext.c", 1, 8));
        return 0;
    }
    for (int i = 0; i < 2; i++)
        _PyMem_MallocTrace("ext.c", 42, 2048);
    void *p = _PyObject_MallocTrace("dir \"quoted\"\\odd.c", 7, 100);
    p = _PyObject_ReallocTrace("dir \"quoted\"\\odd.c", 8, p, 300);
    untraced_obj_calloc(4, 6);
    return p == NULL;
}

// CHECK:      format=pymemcheck-leaks version=1 when=exit pid=int
// CHECK-NEXT: current_bytes=4420 peak_bytes=4420 min_bytes=0
// CHECK-NEXT: leaked_bytes=4420 leaked_blocks=4 unlisted_bytes=0 unlisted_blocks=0
// CHECK-NEXT: misuses=0 failures_injected=0 untracked_blocks=0 tracer_bytes=int
// CHECK-NEXT: leak ext.c:42 PyMem_Malloc live_blocks=2 live_bytes=4096 peak_bytes=4096 allocs=2 frees=0 failures_injected=0
// CHECK-NEXT: leak dir "quoted"\odd.c:8 PyObject_Realloc live_blocks=1 live_bytes=300 peak_bytes=300 allocs=1 frees=0 failures_injected=0
// CHECK-NEXT: leak None:0 PyObject_Calloc live_blocks=1 live_bytes=24 peak_bytes=24 allocs=1 frees=0 failures_injected=0
// CHECK-NEXT: end

// NONE:      format=pymemcheck-leaks version=1 when=exit pid=int
// NONE-NEXT: current_bytes=0 peak_bytes=8 min_bytes=0
// NONE-NEXT: leaked_bytes=0 leaked_blocks=0 unlisted_bytes=0 unlisted_blocks=0
// NONE-NEXT: misuses=0 failures_injected=0 untracked_blocks=0 tracer_bytes=int
// NONE-NEXT: end
