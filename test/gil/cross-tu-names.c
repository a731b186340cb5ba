// gil-summaries: a compile's summary file is named after the absolute
// path of the file compiled, links resolved.  Two files of one name in two
// directories, each compiled from its own directory, keep one summary file
// each; the same file compiled again, under another spelling of its path,
// replaces its own.
//
// REQUIRES: plugin, cpython-headers
// RUN: rm -rf %t && mkdir -p %t/gil && cp -R %S/Inputs/same-name/a %S/Inputs/same-name/b %t
// RUN: cd %t/a && %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-summaries=%t/gil util.c
// RUN: cd %t/b && %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-summaries=%t/gil util.c
// RUN: ls %t/gil | count 2
// RUN: ln -s a %t/link
// RUN: cd %t && %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-summaries=%t/gil b/../link/util.c
// RUN: ls %t/gil | count 2
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-gil-summaries=%t/gil %s -Xclang -verify

#include <Python.h>

void *a_helper(size_t n); // expected-note-re {{'a_helper' needs the GIL: it calls 'PyMem_Malloc' at {{.*}}util.c:3}}
void *b_helper(size_t n); // expected-note-re {{'b_helper' needs the GIL: it calls 'PyMem_Malloc' at {{.*}}util.c:3}}

void f(void) {
  Py_BEGIN_ALLOW_THREADS // expected-note 2 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  a_helper(1); // expected-warning {{call to 'a_helper' needs the GIL, but the GIL is released here}}
  b_helper(1); // expected-warning {{call to 'b_helper' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}
