// With -fplugin-arg-pymemcheck-remarks, every catalog call the rewrite
// leaves alone although it could have been meant says so, with the reason;
// without it, nothing is said.  Nothing is said about system headers.
//
// REQUIRES: plugin
// RUN: %clangxx -std=c++17 -fms-extensions -fsyntax-only -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-remarks -Xclang -verify %s
// RUN: %clangxx -std=c++17 -fms-extensions -fsyntax-only -isystem %S/Inputs/sys \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s 2>&1 | count 0

#include <pmc_sysalloc.h>

typedef void *(*allocator)(size_t);
void take(allocator);

// An address taken: calls through it are not rewritten.
void address_taken() {
  allocator a = malloc; // expected-remark {{pymemcheck: 'malloc' is used as a value here, not called; calls through it are not traced}}
  take(&calloc == nullptr ? a : a); // expected-remark {{pymemcheck: 'calloc' is used as a value here, not called; calls through it are not traced}}
}

// No slot to put the new call in: a member initialized by the call
// itself, or a default member initializer that is the call.
struct Holder {
  void *p = malloc(1); // expected-remark {{pymemcheck: call to 'malloc' not rewritten: there is no slot to put it in: it is the whole default member initializer}}
  void *q;
  Holder() : q(malloc(2)) {} // expected-remark {{pymemcheck: call to 'malloc' not rewritten: there is no slot to put it in: it is the whole initializer of a member or base}}
  Holder(int) : q(static_cast<void *>(malloc(3))) {}
};

// A pseudo-object expression (here a Microsoft property) evaluates its
// operands through opaque values that cannot be rewritten in place.
struct Property {
  void *get();
  void put(void *);
  __declspec(property(get = get, put = put)) void *value;
};
void property(Property &p) {
  p.value = malloc(4); // expected-remark {{pymemcheck: call to 'malloc' not rewritten: it is an operand of a pseudo-object expression}}
}

// A function of a catalog name that is not the C library's.
static void *strdup(const char *, int) { return nullptr; }
void *own_strdup() {
  return strdup("x", 1); // expected-remark {{pymemcheck: call to 'strdup' not rewritten: it is not the external C function of that name}}
}

// Declared with a type the catalog does not expect.
extern "C" void *PyMem_Malloc(unsigned int);
void *odd_prototype() {
  return PyMem_Malloc(5); // expected-remark {{pymemcheck: call to 'PyMem_Malloc' not rewritten: it is declared with a type other than the one pymemcheck expects for it}}
}

// A trace entry point's name already declared as something else.
extern "C" int _PyObject_FreeTrace; // expected-note {{pymemcheck: '_PyObject_FreeTrace' is declared here}}
extern "C" void PyObject_Free(void *);
void clash(void *p) {
  PyObject_Free(p); // expected-remark {{pymemcheck: call to 'PyObject_Free' not rewritten: the declaration of '_PyObject_FreeTrace' in scope does not have the trace entry point's type}}
}

// Nothing about the system header's own calls.
void quiet() { free(sys_make(1)); }
