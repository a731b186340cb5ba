// C++ with a precompiled header built with the rewrite on: the PCH holds no
// rewritten call, and the compile that uses it rewrites the template
// instantiations, inline functions and in-class methods it takes from it.
// Clang 19 reads a default member initializer afresh from the PCH at each
// use, so that one call cannot be rewritten there, and a remark says so;
// clang 14 keeps one copy, which is rewritten.
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
// RUN: FileCheck %s --check-prefixes=CHECK,V%llvm_major < %t/with-pch.ll
// RUN: FileCheck %s --check-prefix=REMARK-V%llvm_major --allow-empty < %t/remarks.txt

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
// V14: call {{.*}}@pymemcheck_calloc_trace({{.*}}, i32 noundef 14,
// V19: call {{.*}}@calloc(
// CHECK-LABEL: define linkonce_odr {{.*}}@_ZN4Pool4growEv(
// CHECK: call {{.*}}@pymemcheck_realloc_trace({{.*}}, i32 noundef 15,
// CHECK-LABEL: define linkonce_odr {{.*}}@_Z11header_intsv(
// CHECK-LABEL: define linkonce_odr {{.*}}@_Z4makeIdEPT_m(
// CHECK: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef 8,
// CHECK-LABEL: define linkonce_odr {{.*}}@_ZN4PoolD2Ev(
// CHECK: call {{.*}}@pymemcheck_free_trace({{.*}}, i32 noundef 16,
// CHECK-LABEL: define linkonce_odr {{.*}}@_Z4makeIiEPT_m(
// CHECK: call {{.*}}@pymemcheck_malloc_trace({{.*}}, i32 noundef 8,
// CHECK-NOT: call {{.*}}@{{malloc|realloc|free}}(

// REMARK-V14-NOT: remark
// REMARK-V19: pch-cxx-header.hpp:14:{{[0-9]+}}: remark: pymemcheck: call to 'calloc' not rewritten: clang reads this default member initializer afresh from the precompiled header at each use
