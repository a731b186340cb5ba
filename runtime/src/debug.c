/*
 * debug.c: CPython 3.12's debug hooks on the three allocator domains.
 *
 * Each block handed out carries an envelope the hooks check on free and
 * realloc (S = sizeof(size_t), p = the pointer the caller gets):
 *
 *     p-2S .. p-S   requested size N, big-endian so it reads well in a dump
 *     p-S           API id: 'r' (RAW), 'm' (MEM) or 'o' (OBJ)
 *     p-S+1 .. p    S-1 FORBIDDENBYTEs
 *     p .. p+N      the data: CLEANBYTE after malloc, zeros after calloc
 *     p+N .. p+N+S  S FORBIDDENBYTEs
 *
 * CPython's serial number (off since 3.8) is not kept, so the overhead is
 * 3*S bytes.  The byte values, message texts, dump format and the order of
 * the checks are CPython's, so that people and tools that read CPython's
 * reports read ours; the function named in a fatal error is always the RAW
 * one (_PyMem_DebugRawFree, _PyMem_DebugRawRealloc), as in CPython, whatever
 * the domain.
 *
 * Where we differ from CPython, and why:
 *  - Every installed layer has its own ctx.  CPython keeps one static ctx
 *    per domain, so a second PyMem_SetupDebugHooks() after a user hook was
 *    put over the debug hooks makes the new layer call itself; here it adds
 *    a second, working layer.
 *  - A block freed twice is reported as such, not as a "bad ID" with a
 *    0xdd id (see looks_freed for the heuristic and its limits).
 *  - No GIL check: the standalone library has no interpreter, so all three
 *    domains get the same four hook functions.  CPython gives MEM and OBJ
 *    _PyMem_Debug{Malloc,Calloc,Realloc,Free}, which first call
 *    _PyMem_DebugCheckGIL(__func__) ("Fatal Python error: _PyMem_DebugMalloc:
 *    Python memory allocator called without holding the GIL") and then the
 *    RAW function.  The host library adds that check by installing such
 *    wrappers for MEM and OBJ in setup_domain(); pymemcheck_debug_unwrap
 *    recognises a layer by its malloc, so it must learn theirs too.
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

enum {
    SST = sizeof(size_t),
    EXTRA_BYTES = 3 * SST,
    CLEANBYTE = 0xCD,
    DEADBYTE = 0xDD,
    FORBIDDENBYTE = 0xFD,
    /* realloc kills this many bytes at each end of the old data while the
     * inner realloc runs (CPython's ERASED_SIZE, bpo-31626). */
    ERASED_SIZE = 64,
};

/* ---- Layers ---- */

/* What a debug layer's ctx points to.  Written once before the layer is
 * installed and never changed, because blocks it made and hooks installed
 * above it may refer to it for the rest of the process. */
struct debug_layer {
    char api_id;
    PyMemAllocatorEx inner;
};

/* A layer is only ever added by a PyMem_SetupDebugHooks() that finds
 * someone else's allocator on top, and a layer wrapping an identical
 * allocator is reused, so a handful per domain is plenty. */
enum { LAYERS_PER_DOMAIN = 8 };

static struct debug_layer layers[3][LAYERS_PER_DOMAIN];
static int layers_used[3];
static atomic_flag setup_lock = ATOMIC_FLAG_INIT;

static const char api_ids[3] = {
    [PYMEM_DOMAIN_RAW] = 'r',
    [PYMEM_DOMAIN_MEM] = 'm',
    [PYMEM_DOMAIN_OBJ] = 'o',
};

static const char *const domain_names[3] = {
    [PYMEM_DOMAIN_RAW] = "PYMEM_DOMAIN_RAW",
    [PYMEM_DOMAIN_MEM] = "PYMEM_DOMAIN_MEM",
    [PYMEM_DOMAIN_OBJ] = "PYMEM_DOMAIN_OBJ",
};

/* ---- Block envelope ---- */

static void write_size(uint8_t *at, size_t n)
{
    for (int i = SST - 1; i >= 0; i--) {
        at[i] = (uint8_t)(n & 0xFF);
        n >>= 8;
    }
}

static size_t read_size(const uint8_t *at)
{
    size_t n = 0;
    for (int i = 0; i < SST; i++)
        n = (n << 8) | at[i];
    return n;
}

static bool all_bytes_are(const uint8_t *at, uint8_t value, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (at[i] != value)
            return false;
    return true;
}

static void write_envelope(uint8_t *base, char api_id, size_t nbytes)
{
    write_size(base, nbytes);
    base[SST] = (uint8_t)api_id;
    memset(base + SST + 1, FORBIDDENBYTE, SST - 1);
    memset(base + 2 * SST + nbytes, FORBIDDENBYTE, SST);
}

/* ---- Dump (CPython's _PyObject_DebugDumpAddress, line for line) ---- */

static _Atomic(pymemcheck_describe_block_fn) describe_block;

void pymemcheck_debug_set_describe_block(pymemcheck_describe_block_fn fn)
{
    atomic_store(&describe_block, fn);
}

/* CPython ends the dump with the block's allocation traceback, or with a
 * hint to enable tracemalloc.  Until a tracer takes over, keep CPython's
 * hint verbatim (tools grep for it) and say what the pymemcheck
 * equivalent is. */
static void describe_origin(const void *p)
{
    pymemcheck_describe_block_fn fn = atomic_load(&describe_block);
    if (fn != NULL) {
        fn(stderr, p);
        return;
    }
    fputs("Enable tracemalloc to get the memory block allocation traceback\n"
          "pymemcheck: no allocation site is recorded for this block; compile "
          "the code that allocates it with the pymemcheck plugin's trace "
          "rewrite to see the file:line it was allocated at\n\n",
          stderr);
}

static void dump_pad_byte(const char *where, int offset, uint8_t byte)
{
    fprintf(stderr, "        at %s%d: 0x%02x%s\n", where, offset, byte,
            byte != FORBIDDENBYTE ? " *** OUCH" : "");
}

/* Ends the "The %d pad bytes at ... are " line; true when all are intact. */
static bool dump_pads_verdict(const uint8_t *pads, int count)
{
    if (all_bytes_are(pads, FORBIDDENBYTE, count)) {
        fputs("FORBIDDENBYTE, as expected.\n", stderr);
        return true;
    }
    fprintf(stderr, "not all FORBIDDENBYTE (0x%02x):\n", FORBIDDENBYTE);
    return false;
}

static void dump_leading_pads(const uint8_t *q)
{
    fprintf(stderr, "    The %d pad bytes at p-%d are ", SST - 1, SST - 1);
    if (dump_pads_verdict(q - (SST - 1), SST - 1))
        return;
    for (int i = SST - 1; i >= 1; i--)
        dump_pad_byte("p-", i, q[-i]);
    fputs("    Because memory is corrupted at the start, the count of bytes "
          "requested\n"
          "       may be bogus, and checking the trailing pad bytes may "
          "segfault.\n",
          stderr);
}

static void dump_trailing_pads(const uint8_t *tail)
{
    fprintf(stderr, "    The %d pad bytes at tail=%p are ", SST, (const void *)tail);
    if (dump_pads_verdict(tail, SST))
        return;
    for (int i = 0; i < SST; i++)
        dump_pad_byte("tail+", i, tail[i]);
}

static void dump_hex(const uint8_t *from, const uint8_t *to)
{
    for (; from < to; from++)
        fprintf(stderr, " %02x", *from);
}

/* Up to 8 bytes from the start and up to 8 from the end, with " ..."
 * between them when more lie in between. */
static void dump_data(const uint8_t *q, size_t nbytes)
{
    fputs("    Data at p:", stderr);
    if (nbytes <= 16) {
        dump_hex(q, q + nbytes);
    } else {
        dump_hex(q, q + 8);
        fputs(" ...", stderr);
        dump_hex(q + nbytes - 8, q + nbytes);
    }
    fputc('\n', stderr);
}

void _PyObject_DebugDumpAddress(const void *p)
{
    const uint8_t *q = p;

    fprintf(stderr, "Debug memory block at address p=%p:", p);
    if (q == NULL) {
        fputc('\n', stderr);
        return;
    }
    fprintf(stderr, " API '%c'\n", (char)q[-SST]);
    size_t nbytes = read_size(q - 2 * SST);
    fprintf(stderr, "    %zu bytes originally requested\n", nbytes);
    dump_leading_pads(q);
    dump_trailing_pads(q + nbytes);
    if (nbytes > 0)
        dump_data(q, nbytes);
    fputc('\n', stderr);
    fflush(stderr);
    describe_origin(p);
}

/* ---- Checks ---- */

enum envelope_fault {
    ENVELOPE_OK,
    BAD_ID,
    BAD_LEADING_PAD,
    BAD_TRAILING_PAD,
    ALREADY_FREED,
};

static bool is_api_id(uint8_t byte)
{
    return byte == 'r' || byte == 'm' || byte == 'o';
}

/*
 * Free fills the whole envelope with DEADBYTE, so a block freed a second
 * time still shows the pattern where the inner free did not write: pymalloc
 * overwrites the 8 bytes at the base (the size field) with its free-list
 * link and leaves the id and the leading pads dead; glibc writes 16 bytes
 * there (tcache next and key), over the id and the pads, but leaves the
 * data dead.  Hence: the id and pads are dead, or the header is not intact
 * and the first S bytes at p (data or trailing pads, always inside the
 * block) are dead.
 *
 * This is a heuristic.  Once the inner allocator hands the memory out again
 * the pattern is gone and a second free shows as corruption (or, if the
 * new owner is a debug block, frees it); once it gives the memory back to
 * the system, reading the envelope faults; and a live block whose header
 * was smashed and whose first bytes happen to be 0xdd is called freed.
 */
static bool looks_freed(const uint8_t *q)
{
    const uint8_t *pads = q - (SST - 1);
    uint8_t id = q[-SST];
    if (id == DEADBYTE && all_bytes_are(pads, DEADBYTE, SST - 1))
        return true;
    bool header_intact = is_api_id(id) && all_bytes_are(pads, FORBIDDENBYTE, SST - 1);
    return !header_intact && all_bytes_are(q, DEADBYTE, SST);
}

/* CPython's order: the id, then the leading pads, and only then the size
 * field, which an underflow may have garbled, to find the trailing pads. */
static enum envelope_fault inspect(char api_id, const uint8_t *q)
{
    bool id_ok = (char)q[-SST] == api_id;
    bool pads_ok = all_bytes_are(q - (SST - 1), FORBIDDENBYTE, SST - 1);
    if (!id_ok || !pads_ok) {
        if (looks_freed(q))
            return ALREADY_FREED;
        return id_ok ? BAD_LEADING_PAD : BAD_ID;
    }
    size_t nbytes = read_size(q - 2 * SST);
    if (!all_bytes_are(q + nbytes, FORBIDDENBYTE, SST))
        return BAD_TRAILING_PAD;
    return ENVELOPE_OK;
}

/* Only the header and the first S bytes at p: the size field of a freed
 * block is whatever the inner free left there, so the tail is not
 * looked for. */
static void dump_freed(const uint8_t *q)
{
    fprintf(stderr, "Debug memory block at address p=%p: already freed\n",
            (const void *)q);
    fprintf(stderr, "    Header at p-%d:", 2 * SST);
    dump_hex(q - 2 * SST, q);
    fputs("\n    Data at p:", stderr);
    dump_hex(q, q + SST);
    fprintf(stderr, "\n    The debug hooks fill a block with DEADBYTE (0x%02x) "
                    "when they free it, and this one\n"
                    "       still carries that pattern.\n\n",
            DEADBYTE);
    fflush(stderr);
    describe_origin(q);
}

static _Noreturn void report_fault(const char *func, char api_id,
                                   const uint8_t *q, enum envelope_fault fault)
{
    char message[96];

    if (fault == ALREADY_FREED) {
        dump_freed(q);
        pymemcheck_fatal_error(func, "block already freed "
                                     "(double free or use after free)");
    }
    _PyObject_DebugDumpAddress(q);
    switch (fault) {
    case BAD_ID:
        snprintf(message, sizeof message,
                 "bad ID: Allocated using API '%c', verified using API '%c'",
                 (char)q[-SST], api_id);
        pymemcheck_fatal_error(func, message);
    case BAD_LEADING_PAD:
        pymemcheck_fatal_error(func, "bad leading pad byte");
    default:
        pymemcheck_fatal_error(func, "bad trailing pad byte");
    }
}

static void check_address(const char *func, char api_id, const uint8_t *q)
{
    enum envelope_fault fault = inspect(api_id, q);
    if (PMC_UNLIKELY(fault != ENVELOPE_OK))
        report_fault(func, api_id, q, fault);
}

/* ---- The hooks ---- */

static void *debug_alloc(const struct debug_layer *layer, size_t nbytes, bool zeroed)
{
    if (nbytes > (size_t)PY_SSIZE_T_MAX - EXTRA_BYTES)
        return NULL;
    size_t total = nbytes + EXTRA_BYTES;
    const PyMemAllocatorEx *inner = &layer->inner;
    uint8_t *base = zeroed ? inner->calloc(inner->ctx, 1, total)
                           : inner->malloc(inner->ctx, total);
    if (base == NULL)
        return NULL;
    write_envelope(base, layer->api_id, nbytes);
    if (!zeroed)
        memset(base + 2 * SST, CLEANBYTE, nbytes);
    return base + 2 * SST;
}

static void *debug_malloc(void *ctx, size_t nbytes)
{
    return debug_alloc(ctx, nbytes, false);
}

static void *debug_calloc(void *ctx, size_t nelem, size_t elsize)
{
    /* The public entry points refuse these, but an allocator struct can be
     * called directly. */
    if (elsize != 0 && nelem > (size_t)PY_SSIZE_T_MAX / elsize)
        return NULL;
    return debug_alloc(ctx, nelem * elsize, true);
}

static void debug_free(void *ctx, void *p)
{
    if (p == NULL)
        return;
    const struct debug_layer *layer = ctx;
    uint8_t *base = (uint8_t *)p - 2 * SST;
    check_address("_PyMem_DebugRawFree", layer->api_id, p);
    memset(base, DEADBYTE, read_size(base) + EXTRA_BYTES);
    layer->inner.free(layer->inner.ctx, base);
}

/* Before the inner realloc runs, mark the header, the trailer and the first
 * and last ERASED_SIZE data bytes (all of them in a small block) dead, so
 * that a stale pointer into the old location, if the block moves, reads
 * dead bytes and trips the checks; the data is saved to be put back. */
static void erase_ends(uint8_t *data, size_t nbytes, uint8_t saved[2 * ERASED_SIZE])
{
    if (nbytes <= 2 * ERASED_SIZE) {
        memcpy(saved, data, nbytes);
        memset(data - 2 * SST, DEADBYTE, nbytes + EXTRA_BYTES);
        return;
    }
    uint8_t *last = data + nbytes - ERASED_SIZE;
    memcpy(saved, data, ERASED_SIZE);
    memcpy(saved + ERASED_SIZE, last, ERASED_SIZE);
    memset(data - 2 * SST, DEADBYTE, 2 * SST + ERASED_SIZE);
    memset(last, DEADBYTE, ERASED_SIZE + SST);
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Put the saved bytes back at their offsets, as far as the new size
 * reaches; the inner realloc copied the rest. */
static void restore_ends(uint8_t *data, size_t old_nbytes, size_t new_nbytes,
                         const uint8_t saved[2 * ERASED_SIZE])
{
    if (old_nbytes <= 2 * ERASED_SIZE) {
        memcpy(data, saved, min_size(old_nbytes, new_nbytes));
        return;
    }
    memcpy(data, saved, min_size(new_nbytes, ERASED_SIZE));
    size_t last = old_nbytes - ERASED_SIZE;
    if (new_nbytes > last)
        memcpy(data + last, saved + ERASED_SIZE,
               min_size(new_nbytes - last, ERASED_SIZE));
}

static void *debug_realloc(void *ctx, void *p, size_t nbytes)
{
    const struct debug_layer *layer = ctx;
    if (p == NULL)
        return debug_alloc(layer, nbytes, false);

    check_address("_PyMem_DebugRawRealloc", layer->api_id, p);
    if (nbytes > (size_t)PY_SSIZE_T_MAX - EXTRA_BYTES)
        return NULL;
    uint8_t *data = p;
    size_t old_nbytes = read_size(data - 2 * SST);
    uint8_t saved[2 * ERASED_SIZE];
    erase_ends(data, old_nbytes, saved);

    uint8_t *base = layer->inner.realloc(layer->inner.ctx, data - 2 * SST,
                                         nbytes + EXTRA_BYTES);
    /* On failure the old block is still the caller's: give it back its
     * envelope and data. */
    bool failed = base == NULL;
    size_t new_nbytes = failed ? old_nbytes : nbytes;
    if (failed)
        base = data - 2 * SST;
    data = base + 2 * SST;
    write_envelope(base, layer->api_id, new_nbytes);
    restore_ends(data, old_nbytes, new_nbytes, saved);
    if (failed)
        return NULL;
    if (nbytes > old_nbytes)
        memset(data + old_nbytes, CLEANBYTE, nbytes - old_nbytes);
    return data;
}

/* ---- Installation ---- */

static bool is_layer_of(const PyMemAllocatorEx *a, char api_id)
{
    const PyMemAllocatorEx *inner = pymemcheck_debug_unwrap(a);
    return inner != NULL && ((const struct debug_layer *)a->ctx)->api_id == api_id;
}

static bool same_allocator(const PyMemAllocatorEx *a, const PyMemAllocatorEx *b)
{
    return a->ctx == b->ctx && a->malloc == b->malloc && a->calloc == b->calloc &&
           a->realloc == b->realloc && a->free == b->free;
}

/* A layer that already wraps exactly `inner` is as good as a new one (its
 * ctx never changes), so repeated hook/setup/unhook cycles do not drain the
 * pool. */
static struct debug_layer *layer_for(PyMemAllocatorDomain domain,
                                     const PyMemAllocatorEx *inner)
{
    struct debug_layer *pool = layers[domain];
    for (int i = 0; i < layers_used[domain]; i++)
        if (same_allocator(&pool[i].inner, inner))
            return &pool[i];
    if (layers_used[domain] == LAYERS_PER_DOMAIN)
        return NULL;
    struct debug_layer *layer = &pool[layers_used[domain]++];
    layer->api_id = api_ids[domain];
    layer->inner = *inner;
    return layer;
}

/* The pool is spent: say so and leave the domain as it is, hooks and all
 * (aborting over a missing extra layer would be worse than running
 * without it). */
static void report_no_layer_left(PyMemAllocatorDomain domain)
{
    fprintf(stderr,
            "pymemcheck: PyMem_SetupDebugHooks: all %d debug layers of %s are "
            "in use (one is added each time the hooks are set up over a "
            "different allocator); %s keeps its allocator, without new debug "
            "hooks. Call PyMem_SetupDebugHooks() once, after installing your "
            "own hooks\n",
            LAYERS_PER_DOMAIN, domain_names[domain], domain_names[domain]);
}

static void setup_domain(PyMemAllocatorDomain domain)
{
    const PyMemAllocatorEx *top = pymemcheck_installed(domain);
    if (is_layer_of(top, api_ids[domain]))
        return;
    struct debug_layer *layer = layer_for(domain, top);
    if (layer == NULL) {
        report_no_layer_left(domain);
        return;
    }
    PyMemAllocatorEx hooks = {layer, debug_malloc, debug_calloc, debug_realloc,
                              debug_free};
    PyMem_SetAllocator(domain, &hooks);
}

void pymemcheck_debug_setup_hooks(void)
{
    /* Installing is rare and brief; the lock only keeps two threads from
     * claiming the same layer.  Like PyMem_SetAllocator it does not order
     * installation against allocations in other threads. */
    while (atomic_flag_test_and_set_explicit(&setup_lock, memory_order_acquire))
        ;
    setup_domain(PYMEM_DOMAIN_RAW);
    setup_domain(PYMEM_DOMAIN_MEM);
    setup_domain(PYMEM_DOMAIN_OBJ);
    atomic_flag_clear_explicit(&setup_lock, memory_order_release);
}

const PyMemAllocatorEx *pymemcheck_debug_unwrap(const PyMemAllocatorEx *a)
{
    if (a->malloc != debug_malloc)
        return NULL;
    return &((const struct debug_layer *)a->ctx)->inner;
}
