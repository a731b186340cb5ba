/* ext_b: the other of two tiny extensions traced into one host library
 * (two-extensions.test).  release(address) frees a block ext_a kept, with
 * the right function; release_wrongly(address) with PyObject_Free. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *ext_b_release(PyObject *module, PyObject *arg)
{
    (void)module;
    void *block = PyLong_AsVoidPtr(arg);
    if (block == NULL && PyErr_Occurred())
        return NULL;
    PyMem_Free(block); /* B-RELEASE */
    Py_RETURN_NONE;
}

static PyObject *ext_b_release_wrongly(PyObject *module, PyObject *arg)
{
    (void)module;
    void *block = PyLong_AsVoidPtr(arg);
    if (block == NULL && PyErr_Occurred())
        return NULL;
    PyObject_Free(block); /* B-WRONG */
    Py_RETURN_NONE;
}

static PyObject *ext_b_leak(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    if (PyMem_RawCalloc(10, 10) == NULL) /* B-LEAK */
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

static PyMethodDef ext_b_methods[] = {
    {"release", ext_b_release, METH_O, "release(address) frees ext_a's block"},
    {"release_wrongly", ext_b_release_wrongly, METH_O,
     "release_wrongly(address) frees it with PyObject_Free"},
    {"leak", ext_b_leak, METH_NOARGS, "leak() loses a 100-byte PyMem_Raw block"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef ext_b_module = {
    PyModuleDef_HEAD_INIT, "ext_b", NULL, -1, ext_b_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_ext_b(void)
{
    return PyModule_Create(&ext_b_module);
}
