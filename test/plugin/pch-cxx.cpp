// C++ with a precompiled header built with the rewrite on: the PCH holds no
// rewritten call, and the compile that uses it rewrites the template
// instantiations, inline functions and in-class methods it takes from it.
// Clang 19 reads a default member initializer afresh from the PCH for each
// constructor that uses it, and the rewrite follows each constructor's
// copy; clang 14 keeps one copy.  Either way it is rewritten.
//
// REQUIRES: plugin
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clangxx -std=c++17 -x c++-header %S/Inputs/pch-cxx-header.hpp -o %t/plain.pch
// RUN: %clangxx -std=c++17 -x c++-header %S/Inputs/pch-cxx-header.hpp -o %t/plugin.pch \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace
// RUN: cmp %t/plain.pch %t/plugin.pch
// RUN: %clangxx -std=c++17 -include-pch %t/plugin.pch -I%S/Inputs -S -emit-llvm -O0 \
// RUN:   -o %t/with-pch.ll %s -fplugin=%plugin -fplugin-arg-pymemcheck-trace \
// RUN:   -fplugin-arg-pymemcheck-remarks 2> %t/remarks.txt
// RUN: FileCheck %s < %t/with-pch.ll
// RUN: count 0 < %t/remarks.txt

#include "pch-cxx-header.hpp"

int main() {
  Pool pool;
  pool.grow();
  std::free(header_ints());
  std::free(make<double>(2));
  return 0;
}

// CHECK-LABEL: define {{.*}}@main(
// CHECK-LABEL: define linkonce_odr {{.*}}@_ZN4PoolC2Ev(
// CHECK: call {{.*}}@pymemcheck_calloc_trace({{.*}}, i32 noundef 14,
// CHECK-LABEL: define linkonce_odr {{.*}}@_ZN4Pool4growEv(
// CHECK: call {{.*}}@pymemcheck_realloc_trace({{.*}}, i32 noundef 15,
// CHECK-LABEL: define linkonce_odr {{.*}}@_Z11header_intsv(
// CHECK-LABEL: define linkonce_odr {{.*}}@_Z4makeIdEPT_m(
// CHECK: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef 8,
// CHECK-LABEL: define linkonce_odr {{.*}}@_ZN4PoolD2Ev(
// CHECK: call {{.*}}@pymemcheck_free_trace({{.*}}, i32 noundef 16,
// CHECK-LABEL: define linkonce_odr {{.*}}@_Z4makeIiEPT_m(
// CHECK: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef 8,
// CHECK-NOT: call {{.*}}@{{malloc|calloc|realloc|free}}(
