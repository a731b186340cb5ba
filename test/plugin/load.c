// The plugin loads into its clang, lists its arguments, rejects unknown
// ones by name, and with nothing asked of it leaves the object file
// byte-identical to a compile without it.
//
// REQUIRES: plugin
// RUN: %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-help %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=HELP
// HELP: pymemcheck: Clang plugin arguments (pass each as -fplugin-arg-pymemcheck-<argument>):
// HELP-NEXT: {{^}} help print this list{{$}}
// HELP-NEXT: {{^}} no-gil-call do not report calls made without the GIL{{$}}
// HELP-NEXT: {{^}} error-gil-call report them as errors{{$}}
// HELP-NEXT: {{^}} no-gil-escape do not report GIL-needing functions passed to foreign code{{$}}
// HELP-NEXT: {{^}} error-gil-escape report those as errors{{$}}
// HELP-NEXT: {{^}} no-gil-return do not report returns that leave the GIL released{{$}}
// HELP-NEXT: {{^}} error-gil-return report those as errors{{$}}
// HELP-NEXT: {{^}} gil-api=<memory|all> check the memory API (default) or all of it{{$}}
// HELP-NEXT: {{^}} sarif=<path> also write the findings to <path> as SARIF 2.1.0{{$}}
// HELP-NEXT: {{^}} gil-summaries=<dir> share GIL summaries with the other files compiled with this <dir>{{$}}
// HELP-NEXT: {{^}} gil-stats print the GIL analysis's own figures{{$}}
// HELP-NEXT: {{^}} trace rewrite allocation calls into trace calls{{$}}
// HELP-NEXT: {{^}} trace-families=<list> only these: libc,raw,mem,obj (default: all){{$}}
// HELP-NEXT: {{^}} trace-exclude-file=<glob> not in files whose __FILE__ matches{{$}}
// HELP-NEXT: {{^}} trace-exclude-function=<glob> not in functions whose name matches{{$}}
// HELP-NEXT: {{^}} trace-system-headers also in system headers{{$}}
// HELP-NEXT: {{^}} remarks explain, as remarks, the calls left alone{{$}}
// HELP-NOT: {{.}}
//
// RUN: not %clang -fsyntax-only -fplugin=%plugin -fplugin-arg-pymemcheck-no-such-thing %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: pymemcheck: unknown plugin argument 'no-such-thing'; -fplugin-arg-pymemcheck-help lists the accepted ones
//
// RUN: %clang -O2 -g -c %s -o %t.plain.o
// RUN: %clang -O2 -g -c %s -o %t.plugin.o -fplugin=%plugin -fplugin-arg-pymemcheck-help 2> %t.stderr
// RUN: FileCheck %s --check-prefix=HELP < %t.stderr
// RUN: cmp %t.plain.o %t.plugin.o

#include <stdlib.h>

static int *make(size_t n) { return malloc(n * sizeof(int)); }

int main(void) {
  int *p = make(4);
  free(p);
  return 0;
}
