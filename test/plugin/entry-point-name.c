// A declaration of the user's that takes a trace entry point's name with
// another type or linkage is never called by rewritten code.  Declared
// before a call, it leaves the call alone, with a remark and a note at the
// declaration.  Declared after calls that were already rewritten (and
// emitted), it would be what they reach in the object file: an error says
// so, rather than an object that calls the wrong thing.  A declaration at
// block scope with external linkage names the same symbol, and is held to
// the same rules.
//
// REQUIRES: plugin
// RUN: %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-remarks -Xclang -verify %s
// RUN: %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -Xclang -verify=late -DLATE %s
// A block-scope extern declaration names the same symbol: the same rules.
// RUN: %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-remarks -Xclang -verify=local -DLOCAL %s
// RUN: %clang -S -emit-llvm -o - -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -DLOCAL %s | FileCheck %s --check-prefix=IR
// RUN: %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -Xclang -verify=locallate -DLOCAL_LATE %s

#include <stdlib.h>

#if defined(LOCAL)
int peek(void *p) {
  extern int pymemcheck_free_trace; // local-note 2 {{pymemcheck: 'pymemcheck_free_trace' is declared here}}
  free(p); // local-remark {{pymemcheck: call to 'free' not rewritten: the declaration of 'pymemcheck_free_trace' in scope does not have the trace entry point's type}}
  return pymemcheck_free_trace;
}

void release_elsewhere(void *p) {
  free(p); // local-remark {{pymemcheck: call to 'free' not rewritten: the declaration of 'pymemcheck_free_trace' in scope does not have the trace entry point's type}}
}

// The variable is read as data, and free stays free.
// IR-LABEL: define {{.*}} @peek(
// IR: call void @free(
// IR: load i32, {{.*}}@pymemcheck_free_trace
// IR-LABEL: define {{.*}} @release_elsewhere(
// IR: call void @free(
#elif defined(LOCAL_LATE)
void *make(size_t n) { return malloc(n); }
void later(void) {
  extern void *pymemcheck_malloc_trace(int); // locallate-error {{pymemcheck: 'pymemcheck_malloc_trace' declared here is not pymemcheck's trace entry point, but calls above were rewritten to call it by that name; declare it before them, rename it, or leave them out with trace-exclude-function or trace-exclude-file}}
  pymemcheck_malloc_trace(3);
}
#elif !defined(LATE)
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
