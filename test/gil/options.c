// The analysis honours what clang's own warnings honour, which plugin
// diagnostics would otherwise bypass: -Werror, -w, system headers; and
// its own switches turn each check off or into an error.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -isystem %S/Inputs/sys -fplugin=%plugin %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=WARN --implicit-check-not=warning: --implicit-check-not=error:
// RUN: not %clang -std=c11 -fsyntax-only -I%py_include -isystem %S/Inputs/sys -fplugin=%plugin -Werror %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ERROR --implicit-check-not=warning:
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -isystem %S/Inputs/sys -fplugin=%plugin -Werror -Wno-error %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=WARN
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -isystem %S/Inputs/sys -fplugin=%plugin -w %s 2>&1 | count 0
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -isystem %S/Inputs/sys -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-no-gil-call -fplugin-arg-pymemcheck-no-gil-escape \
// RUN:   -fplugin-arg-pymemcheck-no-gil-return %s 2>&1 | count 0
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -isystem %S/Inputs/sys -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-no-gil-call %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=ESCAPE-ONLY --implicit-check-not=warning:
// RUN: not %clang -std=c11 -fsyntax-only -I%py_include -isystem %S/Inputs/sys -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-error-gil-call %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CALL-ERROR
// RUN: not %clang -std=c11 -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-gil-api=some %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD-API
// RUN: not %clang -std=c11 -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-sarif= %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BAD-SARIF
// (load.c checks that -fplugin-arg-pymemcheck-help lists these arguments.)

#include <Python.h>
#include "gil_helpers.h" /* a system header: its own released calls are not ours */

typedef void *(*alloc_fn)(size_t);
void lib_set_alloc(alloc_fn f);

void released(void) {
  Py_BEGIN_ALLOW_THREADS
  PyMem_Free(NULL);
  Py_END_ALLOW_THREADS
  lib_set_alloc(PyMem_Malloc);
}

// WARN: options.c:[[@LINE-5]]:3: warning: call to 'PyMem_Free' needs the GIL, but the GIL is released here
// WARN: options.c:[[@LINE-4]]:17: warning: 'PyMem_Malloc' needs the GIL, but it is passed here to 'lib_set_alloc'
// ERROR: options.c:[[@LINE-7]]:3: error: call to 'PyMem_Free' needs the GIL
// ERROR: options.c:[[@LINE-6]]:17: error: 'PyMem_Malloc' needs the GIL
// ESCAPE-ONLY: options.c:[[@LINE-7]]:17: warning: 'PyMem_Malloc' needs the GIL
// CALL-ERROR: options.c:[[@LINE-10]]:3: error: call to 'PyMem_Free' needs the GIL
// CALL-ERROR: options.c:[[@LINE-9]]:17: warning: 'PyMem_Malloc' needs the GIL
// BAD-API: error: pymemcheck: unknown value 'some' in -fplugin-arg-pymemcheck-gil-api=; accepted: memory, all
// BAD-SARIF: error: pymemcheck: empty path in -fplugin-arg-pymemcheck-sarif=
