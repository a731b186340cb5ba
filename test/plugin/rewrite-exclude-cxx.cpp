// trace-exclude-function in C++: the name matched is the qualified one
// (ns::make, without template arguments), and a lambda's calls, generic
// lambdas' instantiations included, belong to the function it is written in.
//
// REQUIRES: plugin
// RUN: %clangxx -std=c++17 -S -emit-llvm -O0 -o - -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace '-fplugin-arg-pymemcheck-trace-exclude-function=test_*' %s \
// RUN:   | FileCheck %s --check-prefixes=CHECK,TESTS-EXCLUDED
// RUN: %clangxx -std=c++17 -S -emit-llvm -O0 -o - -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace '-fplugin-arg-pymemcheck-trace-exclude-function=ns::make' %s \
// RUN:   | FileCheck %s --check-prefixes=CHECK,MAKE-EXCLUDED

#include <cstdlib>

namespace ns {
template <class T> T *make() { return static_cast<T *>(std::malloc(sizeof(T))); }
} // namespace ns

int test_lambdas() {
  auto plain = [](std::size_t n) { return std::malloc(n); };
  auto generic = [](auto n) { return std::calloc(1, n); };
  std::free(plain(1)), std::free(generic(2)), std::free(generic(3L));
  std::free(ns::make<int>());
  return 0;
}

// CHECK-LABEL: define {{.*}}@_Z12test_lambdasv(
// TESTS-EXCLUDED-NOT: _trace(
// MAKE-EXCLUDED-COUNT-4: call void @pymemcheck_free_trace(
// CHECK-LABEL: define internal {{.*}}@"_ZZ12test_lambdasvENK{{.*}}clEm"(
// TESTS-EXCLUDED: call {{.*}}@malloc(
// MAKE-EXCLUDED: call {{.*}}@pymemcheck_malloc_trace(
// CHECK-LABEL: define internal {{.*}}@"_ZZ12test_lambdasvENK{{.*}}clIiEEDaT_"(
// TESTS-EXCLUDED: call {{.*}}@calloc(
// MAKE-EXCLUDED: call {{.*}}@pymemcheck_calloc_trace(
// CHECK-LABEL: define internal {{.*}}@"_ZZ12test_lambdasvENK{{.*}}clIlEEDaT_"(
// TESTS-EXCLUDED: call {{.*}}@calloc(
// MAKE-EXCLUDED: call {{.*}}@pymemcheck_calloc_trace(
// CHECK-LABEL: define linkonce_odr {{.*}}@_ZN2ns4makeIiEEPT_v(
// TESTS-EXCLUDED: call {{.*}}@pymemcheck_malloc_trace(
// MAKE-EXCLUDED: call {{.*}}@malloc(
