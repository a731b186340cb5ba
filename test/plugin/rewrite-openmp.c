// Calls in OpenMP regions are rewritten: the region's statement is held by
// a CapturedStmt (not one of its children) and by the CapturedDecl that
// CodeGen outlines.  What OpenMP evaluates through copies Sema makes (a
// clause, the header of a loop a directive distributes), and a call that
// is the whole statement of a region (the CapturedStmt's own slot cannot
// be assigned), are left alone, with a remark.
//
// REQUIRES: plugin
// RUN: %clang -std=gnu11 -fopenmp -fsyntax-only -Xclang -ast-print \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s | FileCheck %s
// RUN: %clang -std=gnu11 -fopenmp -S -emit-llvm -O0 -o - \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s \
// RUN:   | FileCheck %s --check-prefix=IR
// RUN: %clang -std=gnu11 -fopenmp -S -emit-llvm -O0 -o - \
// RUN:   -fplugin=%plugin -fplugin-arg-pymemcheck-trace %s \
// RUN:   | FileCheck %s --check-prefix=UNTRACED
// RUN: %clang -std=gnu11 -fopenmp -fsyntax-only -fplugin=%plugin \
// RUN:   -fplugin-arg-pymemcheck-trace -fplugin-arg-pymemcheck-remarks %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=REMARK

#include <stdlib.h>

extern void use(void *);

// CHECK-LABEL: void regions(
void regions(int n, void **out) {
#pragma omp parallel
  {
    void *p = calloc(1, n);
    // CHECK: void *p = pymemcheck_calloc_trace("{{.*}}", [[@LINE-1]], 1, n);
    // IR-DAG: call {{.*}}@pymemcheck_calloc_trace({{.*}}, i32 noundef [[#@LINE-2]],
    use(p);
    free(p);
    // CHECK: pymemcheck_free_trace("{{.*}}", [[@LINE-1]], p);
    // IR-DAG: call {{.*}}@pymemcheck_free_trace({{.*}}, i32 noundef [[#@LINE-2]],
  }
#pragma omp parallel for collapse(2)
  for (int i = 0; i < (int)(long)malloc(1); ++i)
    for (int j = 0; j < n; ++j)
      out[i + j] = calloc(2, n);
  // REMARK: rewrite-openmp.c:[[@LINE-3]]:{{[0-9]+}}: remark: pymemcheck: call to 'malloc' not rewritten: it is in the header of an OpenMP loop, which OpenMP evaluates through copies
  // CHECK: out[i + j] = pymemcheck_calloc_trace("{{.*}}", [[@LINE-2]], 2, n);
  // IR-DAG: call {{.*}}@pymemcheck_calloc_trace({{.*}}, i32 noundef [[#@LINE-3]],
#pragma omp task
  use(calloc(3, n));
  // CHECK: use(pymemcheck_calloc_trace("{{.*}}", [[@LINE-1]], 3, n));
  // IR-DAG: call {{.*}}@pymemcheck_calloc_trace({{.*}}, i32 noundef [[#@LINE-2]],
#pragma omp parallel num_threads((int)(long)malloc(2))
  use(out);
  // REMARK: rewrite-openmp.c:[[@LINE-2]]:{{[0-9]+}}: remark: pymemcheck: call to 'malloc' not rewritten: it is in an OpenMP clause, which OpenMP evaluates through copies
#pragma omp single
  free(out[0]);
  // REMARK: rewrite-openmp.c:[[@LINE-1]]:3: remark: pymemcheck: call to 'free' not rewritten: there is no slot to put it in: it is the whole statement of an OpenMP region
  // REMARK-NOT: remark:
}
// Every calloc above is rewritten, wherever OpenMP outlines it.
// UNTRACED-NOT: call {{.*}}@calloc(
// UNTRACED: declare {{.*}}@pymemcheck_calloc_trace(
