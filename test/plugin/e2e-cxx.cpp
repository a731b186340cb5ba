// End to end, C++: allocations in a file-scope initializer, a class's
// in-class methods, a template's instantiations, lambdas (a generic one
// too) and a macro, compiled with the rewrite and linked with the runtime,
// are recorded at exactly their call sites, with their counts, and every
// block is seen freed.
//
// REQUIRES: plugin
// RUN: %clangxx -std=c++17 -I%runtime_include %s -o %t \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %libpymemcheck
// RUN: %t | FileCheck %s

#include <cstdio>
#include <cstdlib>

#include "pymemcheck/pymem.h"
#include "pymemcheck/trace.h"
#include "Inputs/print-sites.h"

// CHECK: sites: 4

static void *startup = std::malloc(32);
// CHECK-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] malloc allocs=1 frees=1

#define RAW_BLOCK(n) PyMem_RawMalloc(n)

class Buffer {
public:
  explicit Buffer(std::size_t n) : data_(static_cast<char *>(PyMem_Malloc(n))) {}
  // CHECK-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] PyMem_Malloc allocs=2 frees=2
  ~Buffer() { PyMem_Free(data_); }

private:
  char *data_;
};

template <class T> T *make_array(std::size_t n) {
  return static_cast<T *>(PyObject_Calloc(n, sizeof(T)));
  // CHECK-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] PyObject_Calloc allocs=3 frees=3
}

int main() {
  {
    Buffer a(8), b(16);
  }
  auto release = [](void *p) { PyObject_Free(p); };
  release(make_array<int>(4));
  release(make_array<double>(4));
  release(make_array<int>(2));
  auto raw = [](auto n) { return RAW_BLOCK(n); };
  // CHECK-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] PyMem_RawMalloc allocs=2 frees=2
  void *r1 = raw(8), *r2 = raw(16L);
  PyMem_RawFree(r1);
  PyMem_RawFree(r2);
  std::free(startup);
  print_sites_by_place();
  return 0;
}
// CHECK-NOT: {{.}}
