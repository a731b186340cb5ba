// The Raw-domain fix-it and its note promise that the function allocates
// and frees the block itself.  A block it does not free (the C library
// keeps it, or it leaks), one it only frees, and one it may free with the
// C library's free, get the warning and no fix-it.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin -Xclang -verify %s
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -fplugin=%plugin \
// RUN:   -fdiagnostics-parseable-fixits %s 2>&1 | FileCheck %s --implicit-check-not=fix-it:

#include <Python.h>
#include <stdio.h>
#include <stdlib.h>

void kept_by_putenv(int v) {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  char *s = PyMem_Malloc(32); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
  snprintf(s, 32, "X=%d", v);
  putenv(s);
  Py_END_ALLOW_THREADS
}

void kept_by_setvbuf(FILE *f) {
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  char *buf = PyMem_Malloc(BUFSIZ); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
  setvbuf(f, buf, _IOFBF, BUFSIZ);
  Py_END_ALLOW_THREADS
}

void freed_by_libc(int which) {
  Py_BEGIN_ALLOW_THREADS // expected-note 2 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  char *s = PyMem_Malloc(32); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
  if (which)
    free(s);
  else
    PyMem_Free(s); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

void only_freed(void) {
  char *s = NULL;
  Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  PyMem_Free(s); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}

/* Kept by the C library for a while, and freed here: the fix-it holds. */
void kept_then_freed(FILE *f) {
  Py_BEGIN_ALLOW_THREADS // expected-note 2 {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
  char *buf = PyMem_Malloc(BUFSIZ); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
  // expected-note@-1 {{'buf' is allocated and freed only in this function: 'PyMem_RawMalloc' and 'PyMem_RawFree' do not need the GIL}}
  setvbuf(f, buf, _IOFBF, BUFSIZ);
  fclose(f);
  PyMem_Free(buf); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  Py_END_ALLOW_THREADS
}
// CHECK: fix-it:"{{.*}}fixit-kept.c":{[[@LINE-7]]:15-[[@LINE-7]]:27}:"PyMem_RawMalloc"
// CHECK: fix-it:"{{.*}}fixit-kept.c":{[[@LINE-4]]:3-[[@LINE-4]]:13}:"PyMem_RawFree"
