// taskpool: an extension that compresses buffers on a pool of worker threads
// and hands the results to Python callbacks.  Besides the workers it starts a
// statistics sampler and a log flusher (pthread_create), a watchdog
// (PyThread_start_new_thread), watches sockets through a C event-loop library
// whose callbacks run on the library's own thread, registers a Py_AtExit
// handler and configures the allocators of two C libraries.
//
// Expected: 7 warnings (5 gil-call, 2 gil-escape); 10 true negatives, marked
// "negative:".
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%runtime_include -fplugin=%plugin -Xclang -verify %s

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pymemcheck/gil.h"

/* ---- the C libraries the module links with (from their headers) -------- */

/* libevq: an event loop that runs callbacks on its own thread. */
typedef struct evq evq;
evq *evq_new(void);
int evq_watch(evq *q, int fd, void (*cb)(int fd, unsigned events, void *arg), void *arg);
int evq_every(evq *q, unsigned ms, void (*cb)(void *arg), void *arg);
int evq_start_thread(evq *q);
void evq_stop(evq *q);

/* liblz: a block compressor; allocates from whichever thread compresses. */
void lz_set_allocator(void *(*alloc)(size_t), void (*release)(void *));
size_t lz_bound(size_t n);
size_t lz_compress(const void *src, size_t n, void *dst, size_t cap, int level);

/* libyx: checksums, same allocation interface. */
void yx_set_allocator(void *(*alloc)(size_t), void (*release)(void *));
uint32_t yx_crc32(uint32_t crc, const void *p, size_t n);

/* ---- the pool ------------------------------------------------------------ */

typedef struct job {
    struct job *next;
    PyObject *callback; /* touched only with the GIL */
    char *input;        /* PyMem_RawMalloc: freed on a worker */
    size_t input_len;
    char *output;       /* PyMem_Malloc: freed with the GIL */
    size_t output_len;
    uint32_t crc;
    int level;
} job;

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    job *head, *tail;
    int stopping, nthreads;
    pthread_t *threads;      /* PyMem_RawMalloc */
    pthread_t sampler, flusher;
    size_t queued, done, bytes_in, bytes_out;
    char *log;               /* PyMem_Malloc: the GIL protects it */
    size_t log_len, log_cap;
    PyObject *on_sample;
    evq *loop;
} pool_state;

static pool_state pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .ready = PTHREAD_COND_INITIALIZER};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int log_append(const char *line)
{
    size_t n = strlen(line);
    if (pool.log_len + n + 2 > pool.log_cap) {
        size_t cap = pool.log_cap ? 2 * pool.log_cap : 1024;
        while (cap < pool.log_len + n + 2)
            cap *= 2;
        char *p = PyMem_Realloc(pool.log, cap);
        if (p == NULL)
            return -1;
        pool.log = p, pool.log_cap = cap;
    }
    memcpy(pool.log + pool.log_len, line, n);
    pool.log_len += n;
    pool.log[pool.log_len++] = '\n';
    pool.log[pool.log_len] = '\0';
    return 0;
}

static void log_release(void)
{
    PyMem_Free(pool.log); // expected-note {{'log_release' needs the GIL: it calls 'PyMem_Free' here}}
    pool.log = NULL;
    pool.log_len = pool.log_cap = 0;
}

/* The output buffer, two calls below the worker loop. */
static char *out_buffer(size_t cap)
{
    return PyMem_Malloc(cap); // expected-note {{'out_buffer' needs the GIL: it calls 'PyMem_Malloc' here}}
}

static int job_prepare_output(job *j)
{
    j->output = out_buffer(lz_bound(j->input_len)); // expected-note {{'job_prepare_output' needs the GIL: it calls 'out_buffer' here}}
    return j->output != NULL ? 0 : -1;
}

static job *pool_pop(void)
{
    pthread_mutex_lock(&pool.lock);
    while (pool.head == NULL && !pool.stopping)
        pthread_cond_wait(&pool.ready, &pool.lock);
    job *j = pool.head;
    if (j != NULL) {
        pool.head = j->next;
        if (pool.head == NULL)
            pool.tail = NULL;
        pool.queued--;
    }
    pthread_mutex_unlock(&pool.lock);
    return j;
}

/* Hands a finished job to its callback; takes the GIL itself. */
static void deliver(job *j)
{
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *res;
    if (j->output != NULL)
        res = PyObject_CallFunction(j->callback, "y#I", j->output, (Py_ssize_t)j->output_len, (unsigned)j->crc);
    else
        res = PyObject_CallFunction(j->callback, "OI", Py_None, (unsigned)j->crc);
    if (res == NULL)
        PyErr_WriteUnraisable(j->callback);
    Py_XDECREF(res);
    Py_DECREF(j->callback);
    /* negative: the GIL-requiring calls run between Ensure and Release */
    PyMem_Free(j->output);
    log_append(j->output != NULL ? "job done" : "job failed");
    PyGILState_Release(g);
    /* negative: the raw domain after Release */
    PyMem_RawFree(j->input);
    PyMem_RawFree(j);
}

static void *worker_main(void *arg)
{
    (void)arg;
    job *j;
    while ((j = pool_pop()) != NULL) {
        j->crc = yx_crc32(0, j->input, j->input_len);
        if (job_prepare_output(j) == 0) // expected-warning {{call to 'job_prepare_output' needs the GIL, but the GIL is released here}}
            j->output_len = lz_compress(j->input, j->input_len, j->output, lz_bound(j->input_len), j->level);
        pthread_mutex_lock(&pool.lock);
        pool.done++;
        pool.bytes_in += j->input_len;
        pool.bytes_out += j->output_len;
        pthread_mutex_unlock(&pool.lock);
        deliver(j);
    }
    return NULL;
}

/* Samples the counters every second and reports them to Python. */
static void *sampler_main(void *arg)
{
    (void)arg;
    while (!pool.stopping) {
        sleep_ms(1000);
        size_t *sample = PyMem_Malloc(4 * sizeof(size_t)); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released here}} expected-note {{'sample' is allocated and freed only in this function: 'PyMem_RawMalloc' and 'PyMem_RawFree' do not need the GIL}}
        if (sample == NULL)
            continue;
        pthread_mutex_lock(&pool.lock);
        sample[0] = pool.queued, sample[1] = pool.done;
        sample[2] = pool.bytes_in, sample[3] = pool.bytes_out;
        pthread_mutex_unlock(&pool.lock);
        PyGILState_STATE g = PyGILState_Ensure();
        if (pool.on_sample != NULL) {
            PyObject *r = PyObject_CallFunction(pool.on_sample, "nnnn", (Py_ssize_t)sample[0],
                                                (Py_ssize_t)sample[1], (Py_ssize_t)sample[2], (Py_ssize_t)sample[3]);
            if (r == NULL)
                PyErr_WriteUnraisable(pool.on_sample);
            Py_XDECREF(r);
        }
        /* negative: freed with the GIL held */
        PyMem_Free(sample);
        PyGILState_Release(g);
    }
    return NULL;
}

/* Writes the log to sys.stdout every few seconds. */
static void *flusher_main(void *arg)
{
    (void)arg;
    while (!pool.stopping) {
        sleep_ms(5000);
        PyGILState_STATE g = PyGILState_Ensure();
        char *text = pool.log;
        pool.log = NULL;
        pool.log_len = pool.log_cap = 0;
        if (text != NULL)
            PySys_FormatStdout("%s", text);
        PyGILState_Release(g);
        PyMem_Free(text); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released here}}
    }
    return NULL;
}

/* negative: a PyThread-started watchdog that takes the GIL correctly */
static void watchdog_main(void *arg)
{
    size_t limit = (size_t)(uintptr_t)arg;
    while (!pool.stopping) {
        sleep_ms(2000);
        PyGILState_STATE g = PyGILState_Ensure();
        if (pool.queued > limit) {
            char *msg = PyMem_Malloc(96);
            if (msg != NULL) {
                PyOS_snprintf(msg, 96, "taskpool: %zu jobs waiting", pool.queued);
                if (PyErr_WarnEx(PyExc_ResourceWarning, msg, 1) < 0)
                    PyErr_WriteUnraisable(NULL);
                PyMem_Free(msg);
            }
        }
        PyGILState_Release(g);
    }
}

/* ---- sockets, through libevq -------------------------------------------- */

typedef struct {
    char *buf;
    size_t len, cap;
    PyObject *on_line;
} conn;

PYMEMCHECK_WITHOUT_GIL static void on_readable(int fd, unsigned events, void *arg) // expected-note {{'on_readable' runs without the GIL: it is declared PYMEMCHECK_WITHOUT_GIL}}
{
    conn *c = arg;
    (void)events;
    if (c->len == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 4096;
        char *p = PyMem_Realloc(c->buf, cap); // expected-warning {{call to 'PyMem_Realloc' needs the GIL, but the GIL is released here}}
        if (p == NULL)
            return;
        c->buf = p, c->cap = cap;
    }
    ssize_t got = read(fd, c->buf + c->len, c->cap - c->len);
    if (got > 0)
        c->len += (size_t)got;
}

/* negative: a library callback declared to run without the GIL, that takes it */
PYMEMCHECK_WITHOUT_GIL static void on_tick(void *arg)
{
    conn *c = arg;
    PyGILState_STATE g = PyGILState_Ensure();
    char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
    if (nl != NULL && c->on_line != NULL) {
        size_t n = (size_t)(nl - c->buf) + 1;
        char *line = PyMem_Malloc(n);
        if (line != NULL) {
            memcpy(line, c->buf, n);
            memmove(c->buf, c->buf + n, c->len - n);
            c->len -= n;
            PyObject *r = PyObject_CallFunction(c->on_line, "y#", line, (Py_ssize_t)n);
            Py_XDECREF(r);
            PyMem_Free(line);
        }
    }
    PyGILState_Release(g);
}

/* ---- shutting down ------------------------------------------------------ */

static void pool_stop_and_join(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.stopping = 1;
    pthread_cond_broadcast(&pool.ready);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 0; i < pool.nthreads; i++)
        pthread_join(pool.threads[i], NULL);
    PyMem_RawFree(pool.threads);
    pool.threads = NULL;
    pool.nthreads = 0;
    if (pool.loop != NULL)
        evq_stop(pool.loop);
}

static void taskpool_atexit(void)
{
    /* negative: joining and raw frees after finalization */
    pool_stop_and_join();
    log_release(); // expected-warning {{call to 'log_release' needs the GIL, but the GIL is released here}}
}

/* ---- module functions --------------------------------------------------- */

static PyObject *taskpool_submit(PyObject *module, PyObject *args)
{
    Py_buffer data;
    PyObject *callback;
    int level = 6;
    (void)module;
    if (!PyArg_ParseTuple(args, "y*O|i", &data, &callback, &level))
        return NULL;
    /* negative: raw allocations and the log while the GIL is held */
    job *j = PyMem_RawCalloc(1, sizeof *j);
    char *copy = PyMem_RawMalloc((size_t)data.len);
    if (j == NULL || copy == NULL || log_append("job queued") < 0) {
        PyMem_RawFree(j);
        PyMem_RawFree(copy);
        PyBuffer_Release(&data);
        return PyErr_NoMemory();
    }
    memcpy(copy, data.buf, (size_t)data.len);
    j->input = copy, j->input_len = (size_t)data.len, j->level = level;
    Py_INCREF(callback);
    j->callback = callback;
    PyBuffer_Release(&data);
    Py_BEGIN_ALLOW_THREADS
    pthread_mutex_lock(&pool.lock);
    if (pool.tail != NULL)
        pool.tail->next = j;
    else
        pool.head = j;
    pool.tail = j;
    pool.queued++;
    pthread_cond_signal(&pool.ready);
    pthread_mutex_unlock(&pool.lock);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static conn sock_conn;

static PyObject *taskpool_start(PyObject *module, PyObject *args)
{
    int n, fd = -1;
    PyObject *on_sample = Py_None, *on_line = Py_None;
    (void)module;
    if (!PyArg_ParseTuple(args, "i|OiO", &n, &on_sample, &fd, &on_line))
        return NULL;
    if (n < 1 || n > 64 || pool.threads != NULL)
        return PyErr_Format(PyExc_ValueError, "bad thread count or already started");
    pool.threads = PyMem_RawCalloc((size_t)n, sizeof(pthread_t));
    if (pool.threads == NULL)
        return PyErr_NoMemory();
    if (on_sample != Py_None)
        pool.on_sample = Py_NewRef(on_sample);
    pool.stopping = 0;
    for (pool.nthreads = 0; pool.nthreads < n; pool.nthreads++)
        if (pthread_create(&pool.threads[pool.nthreads], NULL, worker_main, NULL) != 0) // expected-note {{'worker_main' runs without the GIL: it is started as a thread by 'pthread_create' here}}
            break;
    pthread_create(&pool.sampler, NULL, sampler_main, NULL); // expected-note {{'sampler_main' runs without the GIL: it is started as a thread by 'pthread_create' here}}
    pthread_create(&pool.flusher, NULL, flusher_main, NULL); // expected-note {{'flusher_main' runs without the GIL: it is started as a thread by 'pthread_create' here}}
    if (PyThread_start_new_thread(watchdog_main, (void *)(uintptr_t)(16 * n)) == PYTHREAD_INVALID_THREAD_ID)
        return PyErr_Format(PyExc_RuntimeError, "cannot start the watchdog");
    if (fd >= 0) {
        pool.loop = evq_new();
        sock_conn.on_line = on_line != Py_None ? Py_NewRef(on_line) : NULL;
        evq_watch(pool.loop, fd, on_readable, &sock_conn);
        evq_every(pool.loop, 50, on_tick, &sock_conn);
        evq_start_thread(pool.loop);
    }
    Py_AtExit(taskpool_atexit); // expected-note {{'taskpool_atexit' runs without the GIL: it is registered with 'Py_AtExit' here}}
    return PyLong_FromLong(pool.nthreads);
}

/* negative: a helper that joins and frees raw memory, in a released block */
static PyObject *taskpool_shutdown(PyObject *module, PyObject *unused)
{
    (void)module, (void)unused;
    Py_BEGIN_ALLOW_THREADS
    pool_stop_and_join();
    Py_END_ALLOW_THREADS
    Py_CLEAR(pool.on_sample);
    Py_RETURN_NONE;
}

static PyMethodDef taskpool_methods[] = {
    {"submit", taskpool_submit, METH_VARARGS, "Queue data for compression."},
    {"start", taskpool_start, METH_VARARGS, "Start the worker threads."},
    {"shutdown", taskpool_shutdown, METH_NOARGS, "Stop and join the workers."},
    {NULL, NULL, 0, NULL},
};

/* negative: module teardown runs with the GIL */
static void taskpool_free(void *module)
{
    (void)module;
    log_release();
}

static struct PyModuleDef taskpool_module = {
    .m_base = PyModuleDef_HEAD_INIT, .m_name = "taskpool", .m_size = -1,
    .m_methods = taskpool_methods, .m_free = taskpool_free,
};

PyMODINIT_FUNC PyInit_taskpool(void)
{
    /* negative: the raw domain may be called from any thread */
    yx_set_allocator(PyMem_RawMalloc, PyMem_RawFree);
    /* liblz allocates from the worker threads */
    lz_set_allocator(PyMem_Malloc, PyMem_Free); // expected-warning {{'PyMem_Malloc' needs the GIL, but it is passed here to 'lz_set_allocator', which may call it without the GIL}} expected-warning {{'PyMem_Free' needs the GIL, but it is passed here to 'lz_set_allocator', which may call it without the GIL}}
    return PyModule_Create(&taskpool_module);
}
