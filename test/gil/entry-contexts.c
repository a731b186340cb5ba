// Functions that start without the GIL, from how the translation unit uses
// them: thread start routines, Py_AtExit callbacks, allocators installed
// for PYMEM_DOMAIN_RAW, and what pymemcheck/gil.h declares.
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%runtime_include -fplugin=%plugin -Xclang -verify %s

#include <Python.h>
#include <pthread.h>
#include <threads.h>
#include <stdlib.h>
#include "pymemcheck/gil.h"

static void *posix_thread(void *arg) {
  PyObject_Free(arg); // expected-warning {{call to 'PyObject_Free' needs the GIL, but the GIL is released here}}
  return NULL;
}

static int c11_thread(void *arg) {
  PyMem_Free(arg); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  return 0;
}

static void python_thread(void *arg) {
  PyMem_Free(arg); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
}

static void raw_thread_fine(void *arg) { PyMem_RawFree(arg); }

static void at_exit(void) {
  PyMem_Free(NULL); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
}

int start_threads(void) {
  pthread_t pt;
  thrd_t ct;
  pthread_create(&pt, NULL, posix_thread, NULL); // expected-note {{'posix_thread' runs without the GIL: it is started as a thread by 'pthread_create' here}}
  thrd_create(&ct, c11_thread, NULL); // expected-note {{'c11_thread' runs without the GIL: it is started as a thread by 'thrd_create' here}}
  PyThread_start_new_thread(python_thread, NULL); // expected-note {{'python_thread' runs without the GIL: it is started as a thread by 'PyThread_start_new_thread' here}}
  PyThread_start_new_thread(raw_thread_fine, NULL);
  return Py_AtExit(at_exit); // expected-note {{'at_exit' runs without the GIL: it is registered with 'Py_AtExit' here}}
}

/* RAW allocators are called without the GIL, by contract. */
static void *raw_malloc(void *ctx, size_t n) {
  (void)ctx;
  return PyMem_Malloc(n); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
}
static void *raw_calloc(void *ctx, size_t n, size_t e) { (void)ctx; return calloc(n, e); }
static void *raw_realloc(void *ctx, void *p, size_t n) { (void)ctx; return realloc(p, n); }
static void raw_free(void *ctx, void *p) {
  (void)ctx;
  PyGILState_STATE st = PyGILState_Ensure(); /* takes the GIL itself */
  PyMem_Free(p);
  PyGILState_Release(st);
}

void install_raw(void) {
  PyMemAllocatorEx alloc = {NULL, raw_malloc, raw_calloc, raw_realloc, raw_free};
  PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &alloc); // expected-note {{'raw_malloc' runs without the GIL: it is installed as a PYMEM_DOMAIN_RAW allocator here}}
}

/* Installed for the MEM domain, the same function is called with the GIL. */
static void *mem_malloc(void *ctx, size_t n) { (void)ctx; return PyObject_Malloc(n); }
static void *raw_malloc_by_member(void *ctx, size_t n) {
  (void)ctx;
  return PyObject_Malloc(n); // expected-warning {{call to 'PyObject_Malloc' needs the GIL, but the GIL is released here}}
}

void install_by_member(void) {
  PyMemAllocatorEx mem = {NULL, mem_malloc, raw_calloc, raw_realloc, raw_free};
  PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &mem);
  PyMemAllocatorEx raw;
  PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &raw);
  raw.malloc = raw_malloc_by_member;
  PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &raw); // expected-note {{'raw_malloc_by_member' runs without the GIL: it is installed as a PYMEM_DOMAIN_RAW allocator here}}
}

/* Annotations: a callback foreign code calls without the GIL. */
PYMEMCHECK_WITHOUT_GIL static void on_event(void *data); // expected-note {{'on_event' runs without the GIL: it is declared PYMEMCHECK_WITHOUT_GIL}}
static void on_event(void *data) {
  PyObject_Free(data); // expected-warning {{call to 'PyObject_Free' needs the GIL, but the GIL is released here}}
}
void (*event_handler)(void *) = on_event;

/* Windows' thread starts, declared here as <windows.h> and <process.h>
   declare them (with plain C types), so that a Linux compile sees them. */
typedef unsigned long (*win_thread_start)(void *);
void *CreateThread(void *attrs, size_t stack, win_thread_start start,
                   void *arg, unsigned long flags, unsigned long *id);
uintptr_t _beginthreadex(void *security, unsigned stack,
                         unsigned (*start)(void *), void *arg,
                         unsigned flags, unsigned *id);

static unsigned long win_thread(void *arg) {
  PyMem_Free(arg); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
  return 0;
}
static unsigned crt_thread(void *arg) {
  PyObject_Free(arg); // expected-warning {{call to 'PyObject_Free' needs the GIL, but the GIL is released here}}
  return 0;
}

void start_windows_threads(void) {
  CreateThread(NULL, 0, win_thread, NULL, 0, NULL); // expected-note {{'win_thread' runs without the GIL: it is started as a thread by 'CreateThread' here}}
  _beginthreadex(NULL, 0, crt_thread, NULL, 0, NULL); // expected-note {{'crt_thread' runs without the GIL: it is started as a thread by '_beginthreadex' here}}
}
