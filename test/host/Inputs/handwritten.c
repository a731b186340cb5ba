/* handwritten: an extension linked to the host library that makes its
 * trace calls by hand (pymemcheck/trace.h), as the plugin would have
 * written them, so that host mode is tested without the plugin too
 * (start.test, gil-untraced.test).  Its other calls are untraced. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pymemcheck/trace.h"

/* leak(): a 32-byte PyMem block "allocated at handwritten.c:10". */
static PyObject *handwritten_leak(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    if (_PyMem_MallocTrace("handwritten.c", 10, 32) == NULL)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

/* raw_leak_nogil(): a 16-byte PyMem_Raw block "allocated at
 * handwritten.c:20", without the GIL, which RAW allows. */
static PyObject *handwritten_raw_leak_nogil(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    void *p;
    Py_BEGIN_ALLOW_THREADS
    p = _PyMem_RawMallocTrace("handwritten.c", 20, 16);
    Py_END_ALLOW_THREADS
    if (p == NULL)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

/* untraced_nogil(): PyObject_Malloc and PyObject_Free without the GIL, in
 * code the plugin did not rewrite. */
static PyObject *handwritten_untraced_nogil(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    Py_BEGIN_ALLOW_THREADS
    PyObject_Free(PyObject_Malloc(8));
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef handwritten_methods[] = {
    {"leak", handwritten_leak, METH_NOARGS, NULL},
    {"raw_leak_nogil", handwritten_raw_leak_nogil, METH_NOARGS, NULL},
    {"untraced_nogil", handwritten_untraced_nogil, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef handwritten_module = {
    PyModuleDef_HEAD_INIT, "handwritten", NULL, -1, handwritten_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_handwritten(void)
{
    return PyModule_Create(&handwritten_module);
}
