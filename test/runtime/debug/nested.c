// pymalloc passes requests above 512 bytes to the RAW domain, so with debug
// hooks on every domain such a block carries two envelopes: the OBJ (or
// MEM) one outside, the RAW one inside.  A RAW hook installed below the
// RAW debug hooks sees the inner envelope's size, and gets the whole block
// back dead on free; a block pymalloc serves itself never reaches it.
// pymalloc sees the request plus the 24-byte envelope, so the RAW domain
// takes over from 489 bytes, and a zero-byte request stays in pymalloc.

/* RUN: %cc %s -o %t %libpymemcheck
 * RUN: %t 2>&1 | FileCheck %s --match-full-lines
 */

// 600 + 24 for the 'o' envelope, + 24 for the 'r' one.
// CHECK:raw malloc(648)
// CHECK-NEXT:obj 600: p - base = 32
// CHECK-NEXT:obj 600: outer id 'o' size 600 tail fd, inner id 'r' size 624 tail fd
// CHECK-NEXT:raw realloc(2048)
// CHECK-NEXT:obj 600 -> 2000: outer id 'o' size 2000 tail fd, inner id 'r' size 2024 tail fd
// CHECK-NEXT:obj 600 -> 2000: data kept
// CHECK-NEXT:raw free(2048 bytes): all dd
// CHECK-NEXT:obj 0: served by pymalloc
// CHECK-NEXT:obj 488: served by pymalloc
// CHECK-NEXT:raw malloc(537)
// CHECK-NEXT:obj 489: outer id 'o' size 489 tail fd, inner id 'r' size 513 tail fd
// CHECK-NEXT:raw free(537 bytes): all dd
// CHECK-NEXT:raw malloc(624)
// CHECK-NEXT:mem 576: outer id 'm' size 576 tail fd, inner id 'r' size 600 tail fd
// CHECK-NEXT:raw free(624 bytes): all dd
// CHECK-NEXT:obj 100: served by pymalloc
// CHECK-NOT:{{.}}
#include <pymemcheck/pymem.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static PyMemAllocatorEx raw_below;
static size_t last_size;

static void *count_malloc(void *ctx, size_t size)
{
    (void)ctx;
    printf("raw malloc(%zu)\n", size);
    last_size = size;
    return raw_below.malloc(raw_below.ctx, size);
}

static void *count_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    printf("raw calloc(%zu, %zu)\n", nelem, elsize);
    last_size = nelem * elsize;
    return raw_below.calloc(raw_below.ctx, nelem, elsize);
}

static void *count_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    printf("raw realloc(%zu)\n", size);
    last_size = size;
    return raw_below.realloc(raw_below.ctx, ptr, size);
}

static bool all_dd(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0xdd)
            return false;
    return true;
}

/* The test frees one block at a time, so the last size is this block's. */
static void count_free(void *ctx, void *ptr)
{
    (void)ctx;
    printf("raw free(%zu bytes): %s\n", last_size, all_dd(ptr, last_size) ? "all dd" : "NOT all dd");
    raw_below.free(raw_below.ctx, ptr);
}

static size_t read_size(const unsigned char *at)
{
    size_t n = 0;
    for (int i = 0; i < 8; i++)
        n = n << 8 | at[i];
    return n;
}

static const char *tail_state(const unsigned char *tail)
{
    for (int i = 0; i < 8; i++)
        if (tail[i] != 0xfd)
            return "NOT fd";
    return "fd";
}

static void show(const char *label, const unsigned char *p)
{
    const unsigned char *inner = p - 16;
    size_t outer_n = read_size(p - 16), inner_n = read_size(inner - 16);
    printf("%s: outer id '%c' size %zu tail %s, inner id '%c' size %zu tail %s\n", label,
           p[-8], outer_n, tail_state(p + outer_n), inner[-8], inner_n,
           tail_state(inner + inner_n));
}

static unsigned char *base_seen;

static void *base_malloc(void *ctx, size_t size)
{
    base_seen = count_malloc(ctx, size);
    return base_seen;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &raw_below);
    PyMemAllocatorEx counting = {NULL, base_malloc, count_calloc, count_realloc, count_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &counting);
    PyMem_SetupDebugHooks();

    unsigned char *p = PyObject_Malloc(600);
    printf("obj 600: p - base = %td\n", p - base_seen);
    show("obj 600", p);
    for (int i = 0; i < 600; i++)
        p[i] = (unsigned char)i;
    p = PyObject_Realloc(p, 2000);
    show("obj 600 -> 2000", p);
    bool kept = true;
    for (int i = 0; i < 600; i++)
        kept = kept && p[i] == (unsigned char)i;
    printf("obj 600 -> 2000: data %s\n", kept ? "kept" : "NOT kept");
    PyObject_Free(p);

    PyObject_Free(PyObject_Malloc(0));
    printf("obj 0: served by pymalloc\n");
    PyObject_Free(PyObject_Malloc(488));
    printf("obj 488: served by pymalloc\n");
    p = PyObject_Malloc(489);
    show("obj 489", p);
    PyObject_Free(p);

    p = PyMem_Malloc(576);
    show("mem 576", p);
    PyMem_Free(p);

    p = PyObject_Malloc(100);
    printf("obj 100: served by pymalloc\n");
    PyObject_Free(p);
    return 0;
}
