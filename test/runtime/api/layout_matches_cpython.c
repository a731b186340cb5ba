// The allocator structs and enums have CPython's layout, field order and
// values: the same program compiled against the system's <Python.h> and
// against pymemcheck/pymem.h prints the same offsets, sizes and constants.
//
// REQUIRES: cpython-headers
// RUN: %cc %s -o %t.ours %libpymemcheck
// RUN: %t.ours > %t.ours.txt
// RUN: %cc -DWITH_CPYTHON -I%py_include -c %s -o %t.cpython.o
// RUN: %cc %t.cpython.o -o %t.cpython
// RUN: %t.cpython > %t.cpython.txt
// RUN: diff %t.cpython.txt %t.ours.txt
// RUN: FileCheck %s < %t.ours.txt

#ifdef WITH_CPYTHON
#include <Python.h>
#else
#include "pymemcheck/pymem.h"
#endif

#include <stddef.h>
#include <stdio.h>

#define SHOW_FIELD(type, field)                                                \
    printf(#type "." #field " at %zu size %zu\n", offsetof(type, field),       \
           sizeof(((type *)0)->field))

int main(void)
{
    printf("PyMemAllocatorEx size %zu\n", sizeof(PyMemAllocatorEx));
    SHOW_FIELD(PyMemAllocatorEx, ctx);
    SHOW_FIELD(PyMemAllocatorEx, malloc);
    SHOW_FIELD(PyMemAllocatorEx, calloc);
    SHOW_FIELD(PyMemAllocatorEx, realloc);
    SHOW_FIELD(PyMemAllocatorEx, free);
    printf("PyObjectArenaAllocator size %zu\n", sizeof(PyObjectArenaAllocator));
    SHOW_FIELD(PyObjectArenaAllocator, ctx);
    SHOW_FIELD(PyObjectArenaAllocator, alloc);
    SHOW_FIELD(PyObjectArenaAllocator, free);
    printf("domains %d %d %d, enum size %zu\n", PYMEM_DOMAIN_RAW, PYMEM_DOMAIN_MEM,
           PYMEM_DOMAIN_OBJ, sizeof(PyMemAllocatorDomain));
    printf("Py_ssize_t size %zu, PY_SSIZE_T_MAX %lld\n", sizeof(Py_ssize_t),
           (long long)PY_SSIZE_T_MAX);
    /* An aggregate initialiser written for CPython. */
    PyMemAllocatorEx alloc = {NULL, NULL, NULL, NULL, NULL};
    PyObjectArenaAllocator arena = {NULL, NULL, NULL};
    printf("initialisers compile: %d\n", alloc.ctx == arena.ctx);
    return 0;
}

// CHECK:      PyMemAllocatorEx size 40
// CHECK-NEXT: PyMemAllocatorEx.ctx at 0 size 8
// CHECK-NEXT: PyMemAllocatorEx.malloc at 8 size 8
// CHECK-NEXT: PyMemAllocatorEx.calloc at 16 size 8
// CHECK-NEXT: PyMemAllocatorEx.realloc at 24 size 8
// CHECK-NEXT: PyMemAllocatorEx.free at 32 size 8
// CHECK-NEXT: PyObjectArenaAllocator size 24
// CHECK:      domains 0 1 2
// CHECK-NEXT: Py_ssize_t size 8, PY_SSIZE_T_MAX 9223372036854775807
