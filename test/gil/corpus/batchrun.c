// batchrun: a program that embeds Python to run a user script over a batch of
// input files.  Before Python is initialized it parses its arguments and
// installs allocator hooks for the RAW domain (statistics that log with the
// wrong allocator, or an audit hook that takes the GIL itself); once Python
// runs it reads the inputs with the GIL released (PyEval_SaveThread called
// directly), feeds standard input to the script between Py_BLOCK_THREADS and
// Py_UNBLOCK_THREADS, starts C11 threads, and frees what is left after
// Py_FinalizeEx.
//
// Expected: 8 warnings (gil-call); 12 true negatives, marked "negative:".
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%runtime_include -fplugin=%plugin -Xclang -verify %s

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#define BATCHRUN_HOME "/usr/lib/batchrun"
#define LARGE_ALLOC ((size_t)1 << 20)

/* ---- RAW-domain hooks: statistics ---------------------------------------- */

typedef struct {
    PyMemAllocatorEx prev;
    atomic_size_t calls;
    size_t *histogram; /* libc: allocations by power of two */
} raw_stats;

static raw_stats stats;

static void stats_count(raw_stats *st, size_t n)
{
    atomic_fetch_add(&st->calls, 1);
    if (st->histogram == NULL)
        st->histogram = calloc(64, sizeof(size_t));
    int bucket = 0;
    while (bucket < 63 && ((size_t)1 << bucket) < n)
        bucket++;
    if (st->histogram != NULL)
        st->histogram[bucket]++;
}

static void *stats_malloc(void *ctx, size_t n)
{
    raw_stats *st = ctx;
    void *p = st->prev.malloc(st->prev.ctx, n);
    stats_count(st, n);
    if (p != NULL && n >= LARGE_ALLOC) {
        /* no Raw fix-it here: in a RAW hook, PyMem_RawMalloc re-enters the hook */
        char *line = PyMem_Malloc(96); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
        if (line != NULL) {
            snprintf(line, 96, "batchrun: raw allocation of %zu bytes at %p\n", n, p);
            fputs(line, stderr);
            PyMem_Free(line); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
        }
    }
    return p;
}

/* negative: the other hooks use only the previous allocator and libc */
static void *stats_calloc(void *ctx, size_t nelem, size_t elsize)
{
    raw_stats *st = ctx;
    stats_count(st, nelem * elsize);
    return st->prev.calloc(st->prev.ctx, nelem, elsize);
}

static void *stats_realloc(void *ctx, void *ptr, size_t n)
{
    raw_stats *st = ctx;
    stats_count(st, n);
    return st->prev.realloc(st->prev.ctx, ptr, n);
}

static void stats_free(void *ctx, void *ptr)
{
    raw_stats *st = ctx;
    st->prev.free(st->prev.ctx, ptr);
}

static void install_stats_hooks(void)
{
    PyMemAllocatorEx hooks = {
        .ctx = &stats, .malloc = stats_malloc, .calloc = stats_calloc,
        .realloc = stats_realloc, .free = stats_free,
    };
    PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &stats.prev);
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &hooks); // expected-note 2 {{'stats_malloc' runs without the GIL: it is installed as a PYMEM_DOMAIN_RAW allocator here}}
}

/* ---- RAW-domain hooks: auditing large allocations ------------------------ */

static PyMemAllocatorEx audit_prev;

/* negative: a RAW hook that takes the GIL before it uses the MEM domain */
static void *audit_malloc(void *ctx, size_t n)
{
    (void)ctx;
    void *p = audit_prev.malloc(audit_prev.ctx, n);
    if (p != NULL && n >= LARGE_ALLOC && Py_IsInitialized()) {
        PyGILState_STATE g = PyGILState_Ensure();
        char *size = PyMem_Malloc(32);
        if (size != NULL) {
            PyOS_snprintf(size, 32, "%zu", n);
            if (PySys_Audit("batchrun.raw_alloc", "s", size) < 0)
                PyErr_Clear();
            PyMem_Free(size);
        }
        PyGILState_Release(g);
    }
    return p;
}

static void *audit_calloc(void *ctx, size_t nelem, size_t elsize)
{
    (void)ctx;
    return audit_prev.calloc(audit_prev.ctx, nelem, elsize);
}

static void *audit_realloc(void *ctx, void *ptr, size_t n)
{
    (void)ctx;
    return audit_prev.realloc(audit_prev.ctx, ptr, n);
}

static void audit_free(void *ctx, void *ptr)
{
    (void)ctx;
    audit_prev.free(audit_prev.ctx, ptr);
}

static void install_audit_hooks(void)
{
    PyMemAllocatorEx hooks;
    PyMem_GetAllocator(PYMEM_DOMAIN_RAW, &audit_prev);
    hooks.ctx = NULL;
    hooks.malloc = audit_malloc;
    hooks.calloc = audit_calloc;
    hooks.realloc = audit_realloc;
    hooks.free = audit_free;
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &hooks);
}

/* ---- options and paths --------------------------------------------------- */

typedef struct {
    const char *script;
    const char **inputs; /* PyMem_RawCalloc */
    int ninputs;
    char *search_path;
} options;

/* negative: raw allocation, called before Python is initialized */
static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->inputs = PyMem_RawCalloc((size_t)argc, sizeof(char *));
    if (o->inputs == NULL)
        return -1;
    for (int i = 1; i < argc; i++) {
        if (o->script == NULL)
            o->script = argv[i];
        else
            o->inputs[o->ninputs++] = argv[i];
    }
    return o->script != NULL ? 0 : -1;
}

static char *path_join(const char *dir, const char *name)
{
    size_t ld = strlen(dir), ln = strlen(name);
    char *p = PyMem_Malloc(ld + ln + 2); // expected-note {{'path_join' needs the GIL: it calls 'PyMem_Malloc' here}}
    if (p != NULL) {
        memcpy(p, dir, ld);
        p[ld] = '/';
        memcpy(p + ld + 1, name, ln + 1);
    }
    return p;
}

static char *search_path_build(const char *home)
{
    const char *sub = getenv("BATCHRUN_LIBDIR");
    return path_join(home, sub != NULL ? sub : "lib"); // expected-note {{'search_path_build' needs the GIL: it calls 'path_join' here}}
}

/* ---- reading the inputs -------------------------------------------------- */

/* negative: raw allocations only; called with the GIL released */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = PyMem_RawMalloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *bigger = PyMem_RawRealloc(buf, cap *= 2);
        if (bigger == NULL)
            PyMem_RawFree(buf);
        buf = bigger;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Reads every input with the GIL released; returns a list of bytes. */
static PyObject *read_inputs(const options *o)
{
    char **data = PyMem_New(char *, (size_t)o->ninputs);
    size_t *lens = PyMem_New(size_t, (size_t)o->ninputs);
    if (data == NULL || lens == NULL) {
        PyMem_Free(data);
        PyMem_Free(lens);
        return PyErr_NoMemory();
    }
    size_t total = 0;
    PyThreadState *ts = PyEval_SaveThread(); // expected-note {{the GIL is released here by 'PyEval_SaveThread'}}
    for (int i = 0; i < o->ninputs; i++) {
        data[i] = slurp(o->inputs[i], &lens[i]);
        total += data[i] != NULL ? lens[i] : 0;
    }
    char *summary = PyMem_Malloc(80); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}}
    if (summary != NULL)
        snprintf(summary, 80, "%d inputs, %zu bytes", o->ninputs, total);
    PyEval_RestoreThread(ts);
    /* negative: the GIL is back */
    PyObject *list = PyList_New(0);
    for (int i = 0; i < o->ninputs; i++) {
        PyObject *b = data[i] != NULL ? PyBytes_FromStringAndSize(data[i], (Py_ssize_t)lens[i]) : Py_NewRef(Py_None);
        if (list != NULL && (b == NULL || PyList_Append(list, b) < 0))
            Py_CLEAR(list);
        Py_XDECREF(b);
        PyMem_RawFree(data[i]);
    }
    if (summary != NULL)
        PySys_WriteStderr("batchrun: %s\n", summary);
    PyMem_Free(summary);
    PyMem_Free(data);
    PyMem_Free(lens);
    return list;
}

/* Feeds standard input to the script's feed(), a line at a time. */
static int pump_stdin(PyObject *feed)
{
    size_t cap = 8192;
    char *chunk = PyMem_Malloc(cap);
    char *last = NULL;
    int rc = 0;
    if (chunk == NULL)
        return -1;
    Py_BEGIN_ALLOW_THREADS
    while (fgets(chunk, (int)cap, stdin) != NULL) {
        Py_BLOCK_THREADS
        /* negative: Py_BLOCK_THREADS took the GIL back */
        PyMem_Free(last);
        last = PyMem_Malloc(strlen(chunk) + 1);
        if (last != NULL)
            strcpy(last, chunk);
        PyObject *r = PyObject_CallFunction(feed, "s", chunk);
        rc = r != NULL ? 0 : -1;
        Py_XDECREF(r);
        Py_UNBLOCK_THREADS // expected-note {{the GIL is released here by 'Py_UNBLOCK_THREADS'}}
        if (rc < 0) {
            PyMem_Free(chunk); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
            chunk = NULL;
            break;
        }
    }
    Py_END_ALLOW_THREADS
    if (rc < 0 && last != NULL)
        PySys_FormatStderr("batchrun: feed() failed on: %s", last);
    /* negative: after Py_END_ALLOW_THREADS */
    PyMem_Free(last);
    PyMem_Free(chunk);
    return rc;
}

/* ---- threads ------------------------------------------------------------- */

typedef struct {
    mtx_t lock;
    atomic_int stop;
    char *line; /* PyObject_Malloc: taken and freed by the main thread */
    atomic_size_t ticks;
} progress;

static int progress_main(void *arg)
{
    progress *pg = arg;
    while (!atomic_load(&pg->stop)) {
        mtx_lock(&pg->lock);
        int empty = pg->line == NULL;
        mtx_unlock(&pg->lock);
        char *line = empty ? PyObject_Malloc(64) : NULL; // expected-warning {{call to 'PyObject_Malloc' needs the GIL, but the GIL is released here}}
        if (line != NULL) {
            snprintf(line, 64, "batchrun: %zu ticks\n", (size_t)atomic_fetch_add(&pg->ticks, 1));
            mtx_lock(&pg->lock);
            pg->line = line;
            mtx_unlock(&pg->lock);
        }
        thrd_sleep(&(struct timespec){.tv_sec = 1}, NULL);
    }
    return 0;
}

static PyObject *warm_code;

/* negative: raw before Ensure, compile with the GIL, raw after Release */
static int warmup_main(void *arg)
{
    size_t len;
    char *src = slurp((const char *)arg, &len);
    if (src == NULL)
        return 1;
    PyGILState_STATE g = PyGILState_Ensure();
    warm_code = Py_CompileString(src, (const char *)arg, Py_file_input);
    if (warm_code == NULL)
        PyErr_Clear();
    PyGILState_Release(g);
    PyMem_RawFree(src);
    return 0;
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv) // expected-note 2 {{'main' runs without the GIL until Python is initialized}}
{
    options opts;
    /* negative: raw allocations, locale decoding and the hooks come first */
    if (parse_args(argc, argv, &opts) < 0) {
        fprintf(stderr, "usage: %s SCRIPT [INPUT...]\n", argv[0]);
        return 2;
    }
    const char *hooks = getenv("BATCHRUN_RAW_HOOKS");
    if (hooks != NULL && strcmp(hooks, "stats") == 0)
        install_stats_hooks();
    else if (hooks != NULL && strcmp(hooks, "audit") == 0)
        install_audit_hooks();
    wchar_t *program = Py_DecodeLocale(argv[0], NULL);
    char *banner = PyMem_Malloc(strlen(opts.script) + 16); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}} expected-note {{'banner' is allocated and freed only in this function: 'PyMem_RawMalloc' and 'PyMem_RawFree' do not need the GIL}}
    if (banner != NULL)
        sprintf(banner, "batchrun: %s", opts.script);
    opts.search_path = search_path_build(BATCHRUN_HOME); // expected-warning {{call to 'search_path_build' needs the GIL, but the GIL is released here}}

    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    config.parse_argv = 0;
    PyStatus status = PyConfig_SetString(&config, &config.program_name, program);
    if (PyStatus_Exception(status))
        goto exception;
    status = Py_InitializeFromConfig(&config);
    if (PyStatus_Exception(status))
        goto exception;
    PyConfig_Clear(&config);

    /* negative: everything below runs with the GIL, until Py_FinalizeEx */
    char *site = path_join(opts.search_path, "site-packages");
    PyObject *sys_path = PySys_GetObject("path");
    PyObject *entry = site != NULL ? PyUnicode_DecodeFSDefault(site) : NULL;
    if (sys_path == NULL || entry == NULL || PyList_Insert(sys_path, 0, entry) < 0)
        PyErr_Print();
    Py_XDECREF(entry);
    PyMem_Free(site);
    PyMem_Free(opts.search_path);

    progress pg = {.stop = 0, .line = NULL};
    mtx_init(&pg.lock, mtx_plain);
    thrd_t ticker, warmer;
    thrd_create(&ticker, progress_main, &pg); // expected-note {{'progress_main' runs without the GIL: it is started as a thread by 'thrd_create' here}}
    thrd_create(&warmer, warmup_main, (void *)opts.script);

    int rc = 0;
    PyObject *inputs = read_inputs(&opts);
    PyObject *main_dict = PyModule_GetDict(PyImport_AddModule("__main__"));
    FILE *fp = fopen(opts.script, "r");
    if (inputs == NULL || fp == NULL || PyDict_SetItemString(main_dict, "inputs", inputs) < 0 ||
        PyRun_SimpleFileEx(fp, opts.script, 1) < 0)
        rc = 1;
    PyObject *feed = rc == 0 ? PyDict_GetItemString(main_dict, "feed") : NULL;
    if (feed != NULL && pump_stdin(feed) < 0)
        rc = 1;
    Py_XDECREF(inputs);

    /* negative: joining with the GIL released, then freeing with it */
    atomic_store(&pg.stop, 1);
    Py_BEGIN_ALLOW_THREADS
    thrd_join(ticker, NULL);
    thrd_join(warmer, NULL);
    Py_END_ALLOW_THREADS
    if (pg.line != NULL)
        PySys_WriteStderr("%s", pg.line);
    PyObject_Free(pg.line);
    mtx_destroy(&pg.lock);
    Py_CLEAR(warm_code);

    if (Py_FinalizeEx() < 0) // expected-note {{the GIL is released here by 'Py_FinalizeEx'}}
        rc = 120;
    PyMem_Free(banner); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
    /* negative: the raw domain after finalization */
    PyMem_RawFree(program);
    PyMem_RawFree(opts.inputs);
    return rc;

exception:
    PyConfig_Clear(&config);
    Py_ExitStatusException(status);
}
