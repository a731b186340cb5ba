// -fplugin-arg-pymemcheck-gil-summaries=<dir>: helpers defined in another
// translation unit are known by the summaries it wrote.  What a compile
// writes depends on its own file only, so after one pass over every file,
// a second compile gives the same findings whatever order the first pass
// ran in; and a compile without the directory knows nothing of them.
//
// REQUIRES: plugin, cpython-headers
// RUN: rm -rf %t && mkdir -p %t/ab %t/ba
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%S/Inputs/cross-tu -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-summaries=%t/ab %S/Inputs/cross-tu/helpers.c
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%S/Inputs/cross-tu -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-summaries=%t/ab %s -Xclang -verify
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%S/Inputs/cross-tu -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-summaries=%t/ba %s -Xclang -verify=first
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%S/Inputs/cross-tu -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-summaries=%t/ba %S/Inputs/cross-tu/helpers.c
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%S/Inputs/cross-tu -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-summaries=%t/ba %s -Xclang -verify
// RUN: cd %t && diff -r ab ba
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%S/Inputs/cross-tu -fplugin=%plugin %s -Xclang -verify=first
// RUN: echo garbage > %t/ab/bad.gil.json
// RUN: not %clang -std=c11 -fsyntax-only -I%py_include -I%S/Inputs/cross-tu -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-summaries=%t/ab %s 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: pymemcheck: GIL summaries in '{{.*}}ab': '{{.*}}bad.gil.json' is not a summary file

#include "helpers.h"

void caller(size_t n) {
  void *a, *b, *c, *d;
  PyThreadState *save;
  Py_BEGIN_ALLOW_THREADS // expected-note 3 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  a = helper_alloc(n); // expected-warning {{call to 'helper_alloc' needs the GIL, but the GIL is released here}}
  b = helper_chained(n); // expected-warning {{call to 'helper_chained' needs the GIL, but the GIL is released here}}
  c = helper_raw(n);
  d = PyProj_Alloc(n); // expected-warning {{call to 'PyProj_Alloc' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
  helper_detach(&save); // expected-note {{the GIL is released here by the call to 'helper_detach', which returns without it}}
  PyMem_Free(a); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  PyEval_RestoreThread(save);
  PyMem_Free(b);
  PyMem_RawFree(c);
  PyMem_Free(d);
}
// expected-note-re@helpers.h:2 {{'helper_alloc' needs the GIL: it calls 'inner' at {{.*}}helpers.c:6}}
// expected-note-re@helpers.h:2 {{'inner' needs the GIL: it calls 'PyMem_Malloc' at {{.*}}helpers.c:5}}
// expected-note-re@helpers.h:3 {{'helper_chained' needs the GIL: it calls 'helper_alloc' at {{.*}}helpers.c:7}}
// expected-note-re@helpers.h:3 {{'helper_alloc' needs the GIL: it calls 'inner' at {{.*}}helpers.c:6}}
// expected-note-re@helpers.h:3 {{'inner' needs the GIL: it calls 'PyMem_Malloc' at {{.*}}helpers.c:5}}
// expected-note-re@helpers.h:6 {{'PyProj_Alloc' needs the GIL: it calls 'helper_alloc' at {{.*}}helpers.c:11}}
// expected-note-re@helpers.h:6 {{'helper_alloc' needs the GIL: it calls 'inner' at {{.*}}helpers.c:6}}
// expected-note-re@helpers.h:6 {{'inner' needs the GIL: it calls 'PyMem_Malloc' at {{.*}}helpers.c:5}}
// first-no-diagnostics
