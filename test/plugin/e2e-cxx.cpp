// End to end, C++: allocations in a file-scope initializer, a class's
// in-class methods, a template's instantiations, lambdas (a generic one
// too) and a macro, compiled with the rewrite and linked with the runtime,
// are recorded at exactly their call sites, with their counts, and every
// block is seen freed; every free reaches its trace entry point with
// exactly its call site too (FREE; Inputs/free-sites.h says how that is
// seen).
//
// REQUIRES: plugin
// RUN: %clangxx -std=c++17 -I%runtime_include %s -o %t \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %libpymemcheck \
// RUN:   -Wl,--wrap=pymemcheck_free_trace,--wrap=_PyMem_RawFreeTrace \
// RUN:   -Wl,--wrap=_PyMem_FreeTrace,--wrap=_PyObject_FreeTrace
// RUN: %t > %t.out
// RUN: FileCheck %s < %t.out
// RUN: FileCheck %s --check-prefix=FREE < %t.out

#include <cstdio>
#include <cstdlib>

#include "pymemcheck/pymem.h"
#include "pymemcheck/trace.h"
#include "Inputs/print-sites.h"
#include "Inputs/free-sites.h"

// CHECK: sites: 4
// FREE: free-sites: 5

static void *startup = std::malloc(32);
// CHECK-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] malloc allocs=1 frees=1

#define RAW_BLOCK(n) PyMem_RawMalloc(n)

class Buffer {
public:
  explicit Buffer(std::size_t n) : data_(static_cast<char *>(PyMem_Malloc(n))) {}
  // CHECK-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] PyMem_Malloc allocs=2 frees=2
  ~Buffer() { PyMem_Free(data_); }
  // FREE-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] PyMem_Free calls=2

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
  // FREE-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] PyObject_Free calls=3
  release(make_array<int>(4));
  release(make_array<double>(4));
  release(make_array<int>(2));
  auto raw = [](auto n) { return RAW_BLOCK(n); };
  // CHECK-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] PyMem_RawMalloc allocs=2 frees=2
  void *r1 = raw(8), *r2 = raw(16L);
  PyMem_RawFree(r1);
  // FREE-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] PyMem_RawFree calls=1
  PyMem_RawFree(r2);
  // FREE-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] PyMem_RawFree calls=1
  std::free(startup);
  // FREE-NEXT: {{.*}}e2e-cxx.cpp:[[@LINE-1]] free calls=1
  print_sites_by_place();
  print_free_sites();
  return 0;
}
// CHECK-NEXT: free-sites:
// FREE-NOT: {{.}}
