// A declaration of the user's that takes a trace entry point's name with
// another type or linkage is never called by rewritten code.  Declared
// before a call, it leaves the call alone, with a remark and a note at the
// declaration.  Declared after calls that were already rewritten (and
// emitted), it would be what they reach in the object file: an error says
// so, rather than an object that calls the wrong thing.
//
// REQUIRES: plugin
// RUN: %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-remarks -Xclang -verify %s
// RUN: %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -Xclang -verify=late -DLATE %s

#include <stdlib.h>

#ifndef LATE
static int pymemcheck_free_trace(const char *file, int line, void *p) { // expected-note {{pymemcheck: 'pymemcheck_free_trace' is declared here}}
  (void)file, (void)line, (void)p;
  return 0;
}

void release(void *p) {
  free(p); // expected-remark {{pymemcheck: call to 'free' not rewritten: the declaration of 'pymemcheck_free_trace' in scope does not have the trace entry point's type}}
}
#else
void *make(size_t n) { return malloc(n); }
int pymemcheck_malloc_trace = 1; // late-error {{pymemcheck: 'pymemcheck_malloc_trace' declared here is not pymemcheck's trace entry point, but calls above were rewritten to call it by that name; declare it before them, rename it, or leave them out with trace-exclude-function or trace-exclude-file}}
#endif
