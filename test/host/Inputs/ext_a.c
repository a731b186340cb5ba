/* ext_a: one of two tiny extensions traced into one host library
 * (two-extensions.test).  keep(n) allocates a block that ext_b releases,
 * leak() loses one, hand_over() gives ext_b a PyMem block to free with
 * the wrong function. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *ext_a_keep(PyObject *module, PyObject *arg)
{
    (void)module;
    size_t n = PyLong_AsSize_t(arg);
    if (n == (size_t)-1 && PyErr_Occurred())
        return NULL;
    void *block = PyMem_Malloc(n); /* A-KEEP */
    if (block == NULL)
        return PyErr_NoMemory();
    return PyLong_FromVoidPtr(block);
}

static PyObject *ext_a_leak(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    if (PyObject_Malloc(48) == NULL) /* A-LEAK */
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

static PyMethodDef ext_a_methods[] = {
    {"keep", ext_a_keep, METH_O, "keep(n) -> address of a new n-byte PyMem block"},
    {"leak", ext_a_leak, METH_NOARGS, "leak() loses a 48-byte PyObject block"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef ext_a_module = {
    PyModuleDef_HEAD_INIT, "ext_a", NULL, -1, ext_a_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_ext_a(void)
{
    return PyModule_Create(&ext_a_module);
}
