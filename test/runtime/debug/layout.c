// The debug envelope, byte by byte, without crashing: what the hooks write
// around a block, what they ask of the allocator below them, and what that
// allocator gets back on free and realloc.  A recording allocator is put
// under the hooks of every domain (installed first, then
// PyMem_SetupDebugHooks() wraps it).

/* RUN: %cc %s -o %t %libpymemcheck
 * RUN: %t 2>&1 | FileCheck %s --match-full-lines
 */

// CHECK:mem malloc(40)
// CHECK-NEXT:malloc 16: size 00 00 00 00 00 00 00 10, id 'm', pads fd fd fd fd fd fd fd, tail fd fd fd fd fd fd fd fd
// CHECK-NEXT:malloc 16: data all cd, aligned to 16
// CHECK-NEXT:raw malloc(4684)
// CHECK-NEXT:raw malloc 0x1234: size 00 00 00 00 00 00 12 34, id 'r', pads fd fd fd fd fd fd fd, tail fd fd fd fd fd fd fd fd
// CHECK-NEXT:raw free(4684): all dd
// CHECK-NEXT:obj calloc(1, 44)
// CHECK-NEXT:calloc 4x5: size 00 00 00 00 00 00 00 14, id 'o', pads fd fd fd fd fd fd fd, tail fd fd fd fd fd fd fd fd
// CHECK-NEXT:calloc 4x5: data all 00
//
// Realloc: the allocator below sees the old header, trailer and data ends
// dead; the caller sees its data, then clean bytes.
// CHECK-NEXT:mem malloc(28)
// CHECK-NEXT:mem realloc(28 -> 224): header dead, ends dead
// CHECK-NEXT:grow 4 -> 200: size 00 00 00 00 00 00 00 c8, id 'm', pads fd fd fd fd fd fd fd, tail fd fd fd fd fd fd fd fd
// CHECK-NEXT:grow 4 -> 200: kept 4, then cd up to 200
// CHECK-NEXT:raw malloc(324)
// CHECK-NEXT:raw realloc(324 -> 1024): header dead, ends dead
// CHECK-NEXT:grow 300 -> 1000: kept 300, then cd up to 1000
// CHECK-NEXT:raw realloc(1024 -> 274): header dead, ends dead
// CHECK-NEXT:shrink 1000 -> 250: kept 250
// CHECK-NEXT:shrink 1000 -> 250: size 00 00 00 00 00 00 00 fa, id 'r', pads fd fd fd fd fd fd fd, tail fd fd fd fd fd fd fd fd
// CHECK-NEXT:raw free(274): all dd
//
// A failed inner realloc leaves the block as it was.
// CHECK-NEXT:mem realloc(224 -> 88): header dead, ends dead
// CHECK-NEXT:mem realloc fails
// CHECK-NEXT:failed realloc: NULL, kept 4
// CHECK-NEXT:failed realloc: size 00 00 00 00 00 00 00 c8, id 'm', pads fd fd fd fd fd fd fd, tail fd fd fd fd fd fd fd fd
// CHECK-NEXT:mem free(224): all dd
// CHECK-NEXT:mem free(40): all dd
// CHECK-NEXT:obj free(44): all dd
//
// Zero bytes: a distinct pointer per call, right at the trailing pads.
// CHECK-NEXT:raw malloc(24)
// CHECK-NEXT:raw malloc(24)
// CHECK-NEXT:zero: size 00 00 00 00 00 00 00 00, id 'r', pads fd fd fd fd fd fd fd, tail fd fd fd fd fd fd fd fd
// CHECK-NEXT:zero: distinct non-NULL
// CHECK-NEXT:raw free(24): all dd
// CHECK-NEXT:raw free(24): all dd
// CHECK-NEXT:mem calloc(1, 24)
// CHECK-NEXT:calloc 0x0: size 00 00 00 00 00 00 00 00, id 'm', pads fd fd fd fd fd fd fd, tail fd fd fd fd fd fd fd fd
// CHECK-NEXT:mem free(24): all dd
//
// Requests whose envelope would pass PY_SSIZE_T_MAX never reach the
// allocator below; one byte less does.
// CHECK-NEXT:too large: malloc NULL, calloc NULL
// CHECK-NEXT:raw malloc(9223372036854775807)
// CHECK-NEXT:largest: NULL from below
// CHECK-NEXT:raw malloc(32)
// CHECK-NEXT:too large realloc: NULL, kept 8
// CHECK-NEXT:raw free(32): all dd
//
// Free of NULL is a no-op that reaches nobody.
// CHECK-NEXT:free NULL: done
// CHECK-NEXT:second setup: unchanged
// CHECK-NOT:{{.}}
#include <pymemcheck/pymem.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- The recording allocator under the hooks ---- */

struct recorder {
    const char *name;
    PyMemAllocatorEx inner;
};

static struct recorder recorders[3] = {{"raw", {0}}, {"mem", {0}}, {"obj", {0}}};

/* Sizes of the blocks the recorders handed out, to check them on free. */
static struct {
    void *base;
    size_t size;
} live[16];
static bool fail_next_realloc;

static void remember(void *base, size_t size)
{
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++) {
        if (live[i].base == NULL || live[i].base == base) {
            live[i].base = base;
            live[i].size = size;
            return;
        }
    }
    printf("test bug: too many live blocks\n");
}

static size_t forget(void *base)
{
    for (size_t i = 0; i < sizeof live / sizeof live[0]; i++) {
        if (live[i].base == base) {
            live[i].base = NULL;
            return live[i].size;
        }
    }
    printf("test bug: unknown block\n");
    return 0;
}

static bool all_are(const unsigned char *p, size_t n, unsigned char byte)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != byte)
            return false;
    return true;
}

/* Requests this large are refused here, not passed to libc (where a
 * sanitizer would call them errors). */
static const size_t too_large_for_libc = (size_t)1 << 40;

static void *rec_malloc(void *ctx, size_t size)
{
    struct recorder *r = ctx;
    printf("%s malloc(%zu)\n", r->name, size);
    if (size > too_large_for_libc)
        return NULL;
    void *p = r->inner.malloc(r->inner.ctx, size);
    remember(p, size);
    return p;
}

static void *rec_calloc(void *ctx, size_t nelem, size_t elsize)
{
    struct recorder *r = ctx;
    printf("%s calloc(%zu, %zu)\n", r->name, nelem, elsize);
    void *p = r->inner.calloc(r->inner.ctx, nelem, elsize);
    remember(p, nelem * elsize);
    return p;
}

static void *rec_realloc(void *ctx, void *ptr, size_t size)
{
    struct recorder *r = ctx;
    size_t old = forget(ptr);
    size_t data = old - 24, end = data < 64 ? data : 64;
    const unsigned char *base = ptr;
    bool header = all_are(base, 16 + end, 0xdd);
    bool ends = all_are(base + 16 + data - end, end + 8, 0xdd);
    printf("%s realloc(%zu -> %zu): header %s, ends %s\n", r->name, old, size,
           header ? "dead" : "alive", ends ? "dead" : "alive");
    if (fail_next_realloc) {
        fail_next_realloc = false;
        printf("%s realloc fails\n", r->name);
        remember(ptr, old);
        return NULL;
    }
    void *p = r->inner.realloc(r->inner.ctx, ptr, size);
    remember(p, size);
    return p;
}

static void rec_free(void *ctx, void *ptr)
{
    struct recorder *r = ctx;
    if (ptr == NULL) {
        printf("%s free(NULL)\n", r->name);
        return;
    }
    size_t size = forget(ptr);
    printf("%s free(%zu): %s\n", r->name, size, all_are(ptr, size, 0xdd) ? "all dd" : "NOT all dd");
    r->inner.free(r->inner.ctx, ptr);
}

static void install_recorders_under_debug_hooks(void)
{
    for (int d = PYMEM_DOMAIN_RAW; d <= PYMEM_DOMAIN_OBJ; d++) {
        PyMem_GetAllocator((PyMemAllocatorDomain)d, &recorders[d].inner);
        PyMemAllocatorEx rec = {&recorders[d], rec_malloc, rec_calloc, rec_realloc, rec_free};
        PyMem_SetAllocator((PyMemAllocatorDomain)d, &rec);
    }
    PyMem_SetupDebugHooks();
}

/* ---- Looking at an envelope ---- */

static void print_bytes(const unsigned char *p, int n)
{
    for (int i = 0; i < n; i++)
        printf(" %02x", p[i]);
}

static void show_envelope(const char *label, const void *ptr, size_t n)
{
    const unsigned char *p = ptr;
    printf("%s: size", label);
    print_bytes(p - 16, 8);
    printf(", id '%c', pads", p[-8]);
    print_bytes(p - 7, 7);
    printf(", tail");
    print_bytes(p + n, 8);
    printf("\n");
}

static void fill_pattern(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 7 + 1);
}

static size_t pattern_kept(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] == (unsigned char)(i * 7 + 1))
        i++;
    return i;
}

static void show_grown(const char *label, const unsigned char *p, size_t old, size_t n)
{
    size_t kept = pattern_kept(p, old);
    printf("%s: kept %zu, then %s up to %zu\n", label, kept,
           all_are(p + old, n - old, 0xcd) ? "cd" : "NOT cd", n);
}

/* ---- The checks ---- */

static void check_malloc_calloc(void **mem16, void **obj20)
{
    unsigned char *p = PyMem_Malloc(16);
    show_envelope("malloc 16", p, 16);
    printf("malloc 16: data %s, aligned to %s\n", all_are(p, 16, 0xcd) ? "all cd" : "NOT all cd",
           (uintptr_t)p % 16 == 0 ? "16" : "less than 16");
    *mem16 = p;

    unsigned char *r = PyMem_RawMalloc(0x1234);
    show_envelope("raw malloc 0x1234", r, 0x1234);
    PyMem_RawFree(r);

    unsigned char *c = PyObject_Calloc(4, 5);
    show_envelope("calloc 4x5", c, 20);
    printf("calloc 4x5: data %s\n", all_are(c, 20, 0) ? "all 00" : "NOT all 00");
    *obj20 = c;
}

static void *check_realloc(void)
{
    unsigned char *p = PyMem_Malloc(4);
    fill_pattern(p, 4);
    p = PyMem_Realloc(p, 200);
    show_envelope("grow 4 -> 200", p, 200);
    show_grown("grow 4 -> 200", p, 4, 200);

    /* Past 128 bytes only the first and last 64 are saved and put back;
     * the inner realloc copies the middle. */
    unsigned char *r = PyMem_RawMalloc(300);
    fill_pattern(r, 300);
    r = PyMem_RawRealloc(r, 1000);
    show_grown("grow 300 -> 1000", r, 300, 1000);
    fill_pattern(r, 1000);
    r = PyMem_RawRealloc(r, 250);
    printf("shrink 1000 -> 250: kept %zu\n", pattern_kept(r, 250));
    show_envelope("shrink 1000 -> 250", r, 250);
    PyMem_RawFree(r);
    return p;
}

static void check_failed_realloc(unsigned char *p)
{
    fail_next_realloc = true;
    void *q = PyMem_Realloc(p, 64);
    printf("failed realloc: %s, kept %zu\n", q == NULL ? "NULL" : "not NULL", pattern_kept(p, 4));
    show_envelope("failed realloc", p, 200);
    PyMem_Free(p);
}

static void check_zero_size(void)
{
    void *a = PyMem_RawMalloc(0), *b = PyMem_RawMalloc(0);
    show_envelope("zero", a, 0);
    printf("zero: %s\n", a != NULL && b != NULL && a != b ? "distinct non-NULL" : "NOT distinct non-NULL");
    PyMem_RawFree(a);
    PyMem_RawFree(b);
    void *c = PyMem_Calloc(0, 0);
    show_envelope("calloc 0x0", c, 0);
    PyMem_Free(c);
}

static void check_too_large(void)
{
    size_t limit = (size_t)PY_SSIZE_T_MAX - 24;
    void *m = PyMem_RawMalloc(limit + 1), *c = PyMem_RawCalloc(1, limit + 1);
    printf("too large: malloc %s, calloc %s\n", m ? "not NULL" : "NULL", c ? "not NULL" : "NULL");
    printf("largest: %s\n", PyMem_RawMalloc(limit) ? "not NULL" : "NULL from below");

    unsigned char *p = PyMem_RawMalloc(8);
    fill_pattern(p, 8);
    void *q = PyMem_RawRealloc(p, limit + 1);
    printf("too large realloc: %s, kept %zu\n", q ? "not NULL" : "NULL", pattern_kept(p, 8));
    PyMem_RawFree(p);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    install_recorders_under_debug_hooks();

    void *mem16, *obj20;
    check_malloc_calloc(&mem16, &obj20);
    check_failed_realloc(check_realloc());
    PyMem_Free(mem16);
    PyObject_Free(obj20);
    check_zero_size();
    check_too_large();

    PyMem_RawFree(NULL);
    PyMem_Free(NULL);
    PyObject_Free(NULL);
    printf("free NULL: done\n");

    PyMemAllocatorEx before, after;
    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &before);
    PyMem_SetupDebugHooks();
    PyMem_GetAllocator(PYMEM_DOMAIN_MEM, &after);
    printf("second setup: %s\n", memcmp(&before, &after, sizeof before) == 0 ? "unchanged" : "CHANGED");
    return 0;
}
