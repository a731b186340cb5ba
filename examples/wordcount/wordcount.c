/*
 * wordcount: a small, real CPython extension used to show pymemcheck at
 * work.  Its useful part counts words in text, with the allocation patterns
 * extensions really have: a PyMem_Resize'd array, PyMem_Calloc'd tables,
 * PyObject_Malloc'd nodes and a PyMem_RawMalloc'd buffer filled outside the
 * GIL.  Three functions carry one deliberate bug each:
 *
 *   leak_summary()     forgets to free what it allocates
 *   overflow_by_one()  writes one byte past a PyMem_Malloc block
 *   scratch_nogil()    calls PyMem_Malloc inside Py_BEGIN_ALLOW_THREADS
 *
 * test_wordcount.py tests the useful part; the demo calls the bugs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <ctype.h>
#include <string.h>

typedef struct word_node {
    struct word_node *next;
    Py_ssize_t count;
    Py_ssize_t length;
    char text[];
} word_node;

typedef struct {
    word_node **buckets;
    Py_ssize_t nbuckets;
    Py_ssize_t nwords;
} word_table;

static size_t hash_word(const char *s, Py_ssize_t n)
{
    size_t h = 1469598103934665603u;
    for (Py_ssize_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static int table_init(word_table *t, Py_ssize_t nbuckets)
{
    t->buckets = PyMem_Calloc((size_t)nbuckets, sizeof(word_node *));
    t->nbuckets = nbuckets;
    t->nwords = 0;
    return t->buckets ? 0 : -1;
}

static void table_clear(word_table *t)
{
    for (Py_ssize_t i = 0; i < t->nbuckets; i++) {
        word_node *node = t->buckets[i];
        while (node) {
            word_node *next = node->next;
            PyObject_Free(node);
            node = next;
        }
    }
    PyMem_Free(t->buckets);
}

static int table_add(word_table *t, const char *s, Py_ssize_t n)
{
    word_node **slot = &t->buckets[hash_word(s, n) % (size_t)t->nbuckets];
    for (word_node *node = *slot; node; node = node->next) {
        if (node->length == n && memcmp(node->text, s, (size_t)n) == 0) {
            node->count++;
            return 0;
        }
    }
    word_node *node = PyObject_Malloc(sizeof(word_node) + (size_t)n + 1);
    if (node == NULL)
        return -1;
    memcpy(node->text, s, (size_t)n);
    node->text[n] = '\0';
    node->length = n;
    node->count = 1;
    node->next = *slot;
    *slot = node;
    t->nwords++;
    return 0;
}

/* Lower-cases a copy of the text without the GIL: RAW is the domain for
 * that, and the only one. */
static char *lowercase_copy(const char *text, Py_ssize_t n)
{
    char *copy = PyMem_RawMalloc((size_t)n + 1);
    if (copy == NULL)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++)
        copy[i] = (char)tolower((unsigned char)text[i]);
    copy[n] = '\0';
    Py_END_ALLOW_THREADS
    return copy;
}

static int fill_table(word_table *t, const char *text, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    while (i < n) {
        while (i < n && !isalnum((unsigned char)text[i]))
            i++;
        Py_ssize_t start = i;
        while (i < n && isalnum((unsigned char)text[i]))
            i++;
        if (i > start && table_add(t, text + start, i - start) < 0)
            return -1;
    }
    return 0;
}

static PyObject *table_to_dict(const word_table *t)
{
    PyObject *result = PyDict_New();
    if (result == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < t->nbuckets; i++) {
        for (word_node *node = t->buckets[i]; node; node = node->next) {
            PyObject *count = PyLong_FromSsize_t(node->count);
            if (count == NULL || PyDict_SetItemString(result, node->text, count) < 0) {
                Py_XDECREF(count);
                Py_DECREF(result);
                return NULL;
            }
            Py_DECREF(count);
        }
    }
    return result;
}

/* count(text) -> {word: occurrences}, case-insensitive. */
static PyObject *wordcount_count(PyObject *module, PyObject *arg)
{
    (void)module;
    Py_ssize_t n;
    const char *text = PyUnicode_AsUTF8AndSize(arg, &n);
    if (text == NULL)
        return NULL;
    char *lower = lowercase_copy(text, n);
    if (lower == NULL)
        return PyErr_NoMemory();
    word_table table;
    PyObject *result = NULL;
    if (table_init(&table, 64) == 0) {
        if (fill_table(&table, lower, n) == 0)
            result = table_to_dict(&table);
        else
            PyErr_NoMemory();
        table_clear(&table);
    } else {
        PyErr_NoMemory();
    }
    PyMem_RawFree(lower);
    return result;
}

/* lengths(words) -> list of the lengths, through a PyMem_Resize'd array. */
static PyObject *wordcount_lengths(PyObject *module, PyObject *words)
{
    (void)module;
    PyObject *seq = PySequence_Fast(words, "lengths() expects a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    Py_ssize_t *lengths = NULL;
    Py_ssize_t capacity = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i == capacity) {
            capacity = capacity ? 2 * capacity : 4;
            Py_ssize_t *grown = lengths;
            PyMem_Resize(grown, Py_ssize_t, (size_t)capacity);
            if (grown == NULL) {
                PyMem_Free(lengths);
                Py_DECREF(seq);
                return PyErr_NoMemory();
            }
            lengths = grown;
        }
        lengths[i] = PyObject_Length(PySequence_Fast_GET_ITEM(seq, i));
        if (lengths[i] < 0) {
            PyMem_Free(lengths);
            Py_DECREF(seq);
            return NULL;
        }
    }
    PyObject *result = PyList_New(n);
    for (Py_ssize_t i = 0; result && i < n; i++)
        PyList_SET_ITEM(result, i, PyLong_FromSsize_t(lengths[i]));
    PyMem_Free(lengths);
    Py_DECREF(seq);
    return result;
}

/* Deliberate bug: the summary buffer is never freed. */
static PyObject *wordcount_leak_summary(PyObject *module, PyObject *arg)
{
    (void)module;
    Py_ssize_t n;
    const char *text = PyUnicode_AsUTF8AndSize(arg, &n);
    if (text == NULL)
        return NULL;
    char *summary = PyMem_Malloc((size_t)n + 32);
    if (summary == NULL)
        return PyErr_NoMemory();
    snprintf(summary, (size_t)n + 32, "%zd characters: %s", n, text);
    return PyLong_FromSize_t(strlen(summary));
}

/* Deliberate bug: writes one byte past the end of a 16-byte block. */
static PyObject *wordcount_overflow_by_one(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    char *buffer = PyMem_Malloc(16);
    if (buffer == NULL)
        return PyErr_NoMemory();
    memset(buffer, 'w', 17);
    PyMem_Free(buffer);
    Py_RETURN_NONE;
}

/* Deliberate bug: PyMem_Malloc needs the GIL, which is released here. */
static PyObject *wordcount_scratch_nogil(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    Py_BEGIN_ALLOW_THREADS
    char *scratch = PyMem_Malloc(64);
    if (scratch != NULL)
        memset(scratch, 0, 64);
    PyMem_Free(scratch);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef wordcount_methods[] = {
    {"count", wordcount_count, METH_O, "count(text) -> {word: occurrences}"},
    {"lengths", wordcount_lengths, METH_O, "lengths(words) -> [len(word), ...]"},
    {"leak_summary", wordcount_leak_summary, METH_O,
     "leak_summary(text) -> length of a summary (leaks it: deliberate bug)"},
    {"overflow_by_one", wordcount_overflow_by_one, METH_NOARGS,
     "overflow_by_one() (writes past a block: deliberate bug)"},
    {"scratch_nogil", wordcount_scratch_nogil, METH_NOARGS,
     "scratch_nogil() (PyMem_Malloc without the GIL: deliberate bug)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef wordcount_module = {
    PyModuleDef_HEAD_INIT, "wordcount",
    "Word counting, with three deliberate memory bugs for pymemcheck's demo.", -1,
    wordcount_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_wordcount(void)
{
    return PyModule_Create(&wordcount_module);
}
