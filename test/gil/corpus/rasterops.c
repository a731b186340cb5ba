// rasterops: an image-processing extension in the style of the array and
// imaging libraries.  Pixel loops run with the GIL released, through the
// module's own NumPy-style macros (released only when no Python object is
// touched, restored only when it was released), through a Pillow-style
// enter/leave pair of functions, and through Py_BEGIN_ALLOW_THREADS; helpers
// up to three calls deep allocate scratch memory.
//
// Expected: 6 warnings (gil-call); 11 true negatives, marked "negative:".
//
// REQUIRES: plugin, cpython-headers
// RUN: %clang -std=c11 -fsyntax-only -I%py_include -I%runtime_include -fplugin=%plugin -Xclang -verify %s

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "pymemcheck/gil.h"

#define RO_MAX_RADIUS 24

/* ---- releasing the GIL ------------------------------------------------- */

/* NumPy-style: the begin macro may be skipped when the loop calls back into
   Python; the end macro restores only what was released. */
#define RO_BEGIN_THREADS_DEF PyThreadState *ro_save_ = NULL
#define RO_BEGIN_THREADS do { ro_save_ = PyEval_SaveThread(); } while (0)
#define RO_END_THREADS                        \
    do {                                      \
        if (ro_save_ != NULL) {               \
            PyEval_RestoreThread(ro_save_);   \
            ro_save_ = NULL;                  \
        }                                     \
    } while (0)

/* Pillow-style: a cookie filled in by a function that returns without the
   GIL, handed back to the function that takes it again. */
typedef struct {
    PyThreadState *state;
} ro_section;

static void ro_section_enter(ro_section *s) { s->state = PyEval_SaveThread(); }

static void ro_section_leave(ro_section *s)
{
    PyEval_RestoreThread(s->state);
    s->state = NULL;
}

/* The row cache lives in rasterops_cache.c: a free list of pixel rows that
   the GIL protects. */
PYMEMCHECK_NEEDS_GIL void *ro_cache_take(size_t nbytes); // expected-note {{'ro_cache_take' is declared PYMEMCHECK_NEEDS_GIL}}
PYMEMCHECK_NEEDS_GIL void ro_cache_give(void *row, size_t nbytes);

/* ---- the Raster type ---------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    int width, height, channels;
    Py_ssize_t stride;
    uint8_t *pixels;  /* from the row cache */
    float *work;      /* filter scratch, grown on demand */
    size_t work_len;  /* in floats */
} RasterObject;

static PyTypeObject Raster_Type;

static PyObject *raster_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"width", "height", "channels", NULL};
    int width, height, channels = 3;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "ii|i", kwlist, &width, &height, &channels))
        return NULL;
    if (width <= 0 || height <= 0 || channels < 1 || channels > 4)
        return PyErr_Format(PyExc_ValueError, "bad raster geometry");
    RasterObject *self = (RasterObject *)type->tp_alloc(type, 0);
    if (self == NULL)
        return NULL;
    self->width = width, self->height = height, self->channels = channels;
    self->stride = (Py_ssize_t)width * channels;
    /* negative: a GIL-requiring cache call where the GIL is held */
    self->pixels = ro_cache_take((size_t)(self->stride * height));
    if (self->pixels == NULL)
        return Py_DECREF(self), PyErr_NoMemory();
    memset(self->pixels, 0, (size_t)(self->stride * height));
    return (PyObject *)self;
}

static void raster_dealloc(PyObject *op)
{
    RasterObject *self = (RasterObject *)op;
    /* negative: deallocation runs with the GIL */
    if (self->pixels != NULL)
        ro_cache_give(self->pixels, (size_t)(self->stride * self->height));
    PyMem_Free(self->work);
    Py_TYPE(op)->tp_free(op);
}

/* ---- scratch memory, three calls deep ----------------------------------- */

static int workspace_grow(RasterObject *r, size_t need)
{
    size_t len = r->work_len ? r->work_len : 256;
    while (len < need)
        len *= 2;
    float *w = r->work;
    PyMem_Resize(w, float, len); // expected-note {{'workspace_grow' needs the GIL: it calls 'PyMem_Realloc' here}}
    if (w == NULL)
        return -1;
    r->work = w, r->work_len = len;
    return 0;
}

static float *workspace_reserve(RasterObject *r, size_t need)
{
    if (need > r->work_len && workspace_grow(r, need) < 0) // expected-note {{'workspace_reserve' needs the GIL: it calls 'workspace_grow' here}}
        return NULL;
    return r->work;
}

/* One channel, one row at a time, through a row of floats. */
static void convolve_rows(const RasterObject *src, RasterObject *dst, int c,
                          const float *k, int radius, float *row)
{
    for (int y = 0; y < src->height; y++) {
        const uint8_t *in = src->pixels + (Py_ssize_t)y * src->stride;
        uint8_t *out = dst->pixels + (Py_ssize_t)y * dst->stride;
        for (int x = 0; x < src->width; x++) {
            row[x] = 0.0f;
            for (int i = -radius; i <= radius; i++) {
                int xx = x + i < 0 ? 0 : (x + i >= src->width ? src->width - 1 : x + i);
                row[x] += k[i + radius] * (float)in[xx * src->channels + c];
            }
            out[x * dst->channels + c] = (uint8_t)(row[x] < 0.0f ? 0.0f : fminf(row[x], 255.0f));
        }
    }
}

static int convolve_plane(RasterObject *dst, const RasterObject *src, int c,
                          const float *k, int radius)
{
    float *row = workspace_reserve(dst, (size_t)src->width); // expected-note {{'convolve_plane' needs the GIL: it calls 'workspace_reserve' here}}
    if (row == NULL)
        return -1;
    convolve_rows(src, dst, c, k, radius, row);
    return 0;
}

static int gaussian_kernel(double sigma, float *k)
{
    int radius = sigma * 3.0 > RO_MAX_RADIUS ? RO_MAX_RADIUS : (int)ceil(sigma * 3.0);
    double sum = 0.0;
    for (int i = -radius; i <= radius; i++)
        sum += k[i + radius] = (float)exp(-(double)(i * i) / (2.0 * sigma * sigma));
    for (int i = 0; i <= 2 * radius; i++)
        k[i] = (float)(k[i] / sum);
    return radius;
}

/* Calls back into Python (a progress callable); takes the GIL itself. */
static int report_progress(PyObject *callback, int done, int total)
{
    PyGILState_STATE g = PyGILState_Ensure();
    int rc = 0;
    /* negative: PyMem_Malloc/PyMem_Free between Ensure and Release */
    char *msg = PyMem_Malloc(64);
    if (msg != NULL) {
        PyOS_snprintf(msg, 64, "%d/%d rows", done, total);
        PyObject *r = PyObject_CallFunction(callback, "s", msg);
        rc = r == NULL ? -1 : 0;
        Py_XDECREF(r);
        PyMem_Free(msg);
    }
    PyGILState_Release(g);
    return rc;
}

static int check_pair(RasterObject *a, RasterObject *b)
{
    if (a->width == b->width && a->height == b->height && a->channels == b->channels)
        return 0;
    PyErr_SetString(PyExc_ValueError, "rasters differ in geometry");
    return -1;
}

/* ---- module functions --------------------------------------------------- */

static PyObject *rasterops_blur(PyObject *module, PyObject *args)
{
    RasterObject *src, *dst;
    double sigma;
    (void)module;
    if (!PyArg_ParseTuple(args, "O!O!d", &Raster_Type, &src, &Raster_Type, &dst, &sigma))
        return NULL;
    if (check_pair(src, dst) < 0)
        return NULL;
    float kernel[2 * RO_MAX_RADIUS + 1];
    int radius = gaussian_kernel(sigma, kernel);
    int rc = 0;
    Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
    for (int c = 0; c < src->channels && rc == 0; c++)
        rc = convolve_plane(dst, src, c, kernel, radius); // expected-warning {{call to 'convolve_plane' needs the GIL, but the GIL is released here}}
    Py_END_ALLOW_THREADS
    if (rc < 0)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

/* negative: the scratch is reserved before the GIL is released; the
   released loop calls only the pure helper and a helper that takes the GIL */
static PyObject *rasterops_sharpen(PyObject *module, PyObject *args)
{
    RasterObject *src, *dst;
    double amount;
    PyObject *progress = Py_None;
    (void)module;
    if (!PyArg_ParseTuple(args, "O!O!d|O", &Raster_Type, &src, &Raster_Type, &dst, &amount, &progress))
        return NULL;
    if (check_pair(src, dst) < 0)
        return NULL;
    float *row = workspace_reserve(dst, (size_t)src->width);
    if (row == NULL)
        return PyErr_NoMemory();
    float k[3] = {(float)-amount, (float)(1.0 + 2.0 * amount), (float)-amount};
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (int c = 0; c < src->channels && !failed; c++) {
        convolve_rows(src, dst, c, k, 1, row);
        if (progress != Py_None)
            failed = report_progress(progress, c + 1, src->channels) < 0;
    }
    Py_END_ALLOW_THREADS
    if (failed)
        return NULL;
    Py_RETURN_NONE;
}

/* A lookup table from bytes runs without the GIL; a callable needs it. */
static PyObject *rasterops_apply_lut(PyObject *module, PyObject *args)
{
    RasterObject *r;
    PyObject *lut;
    (void)module;
    if (!PyArg_ParseTuple(args, "O!O", &Raster_Type, &r, &lut))
        return NULL;
    int needs_api = PyCallable_Check(lut);
    uint8_t table[256];
    if (!needs_api && (!PyBytes_Check(lut) || PyBytes_GET_SIZE(lut) != 256))
        return PyErr_Format(PyExc_TypeError, "lut must be 256 bytes or a callable");
    if (!needs_api)
        memcpy(table, PyBytes_AS_STRING(lut), sizeof table);
    RO_BEGIN_THREADS_DEF;
    if (!needs_api)
        RO_BEGIN_THREADS; // expected-note 2 {{the GIL is released here by 'RO_BEGIN_THREADS'}}
    uint8_t *stage = PyMem_Malloc((size_t)r->stride); // expected-warning {{call to 'PyMem_Malloc' needs the GIL, but the GIL is released on some paths to here}}
    int failed = stage == NULL;
    for (int y = 0; y < r->height && !failed; y++) {
        uint8_t *px = r->pixels + (Py_ssize_t)y * r->stride;
        memcpy(stage, px, (size_t)r->stride);
        if (needs_api) {
            PyObject *res = PyObject_CallFunction(lut, "y#", (const char *)stage, r->stride);
            if (res == NULL || !PyBytes_Check(res) || PyBytes_GET_SIZE(res) != r->stride)
                failed = 1;
            else
                memcpy(px, PyBytes_AS_STRING(res), (size_t)r->stride);
            Py_XDECREF(res);
        } else {
            for (Py_ssize_t i = 0; i < r->stride; i++)
                px[i] = table[stage[i]];
        }
    }
    PyMem_Free(stage); // expected-warning {{call to 'PyMem_Free' needs the GIL, but the GIL is released on some paths to here}}
    RO_END_THREADS;
    if (failed)
        return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "lut failed");
    Py_RETURN_NONE;
}

/* negative: the same macros used as intended: allocate while the GIL is
   held, release it when the table is plain bytes, free after the end macro
   (which restores exactly what the begin macro released) */
static PyObject *rasterops_threshold(PyObject *module, PyObject *args)
{
    RasterObject *r;
    int level, release = 1;
    (void)module;
    if (!PyArg_ParseTuple(args, "O!i|p", &Raster_Type, &r, &level, &release))
        return NULL;
    Py_ssize_t *histogram = PyMem_New(Py_ssize_t, 256);
    if (histogram == NULL)
        return PyErr_NoMemory();
    memset(histogram, 0, 256 * sizeof *histogram);
    RO_BEGIN_THREADS_DEF;
    if (release)
        RO_BEGIN_THREADS;
    Py_ssize_t n = r->stride * r->height;
    for (Py_ssize_t i = 0; i < n; i++) {
        histogram[r->pixels[i]]++;
        r->pixels[i] = r->pixels[i] >= level ? 255 : 0;
    }
    RO_END_THREADS;
    PyObject *result = PyList_New(256);
    for (int i = 0; result != NULL && i < 256; i++)
        PyList_SET_ITEM(result, i, PyLong_FromSsize_t(histogram[i]));
    PyMem_Free(histogram);
    return result;
}

static PyObject *rasterops_resize_rows(PyObject *module, PyObject *args)
{
    RasterObject *src, *dst;
    (void)module;
    if (!PyArg_ParseTuple(args, "O!O!", &Raster_Type, &src, &Raster_Type, &dst))
        return NULL;
    if (src->channels != dst->channels || src->height != dst->height) {
        PyErr_SetString(PyExc_ValueError, "only the width may change");
        return NULL;
    }
    ro_section cookie;
    ro_section_enter(&cookie); // expected-note {{the GIL is released here by the call to 'ro_section_enter', which returns without it}}
    float *coeffs = PyMem_Calloc((size_t)dst->width, sizeof(float)); // expected-warning {{call to 'PyMem_Calloc' needs the GIL, but the GIL is released here}} expected-note {{'coeffs' is allocated and freed only in this function: 'PyMem_RawCalloc' and 'PyMem_RawFree' do not need the GIL}}
    for (int x = 0; coeffs != NULL && x < dst->width; x++)
        coeffs[x] = (float)((x + 0.5) * src->width / dst->width);
    for (int y = 0; coeffs != NULL && y < dst->height; y++)
        for (int x = 0; x < dst->width; x++)
            memcpy(dst->pixels + (Py_ssize_t)y * dst->stride + (Py_ssize_t)x * dst->channels,
                   src->pixels + (Py_ssize_t)y * src->stride + (Py_ssize_t)coeffs[x] * src->channels,
                   (size_t)src->channels);
    ro_section_leave(&cookie);
    if (coeffs == NULL)
        return PyErr_NoMemory();
    /* negative: ro_section_leave took the GIL back */
    PyMem_Free(coeffs);
    Py_RETURN_NONE;
}

/* ---- a quadtree for region statistics ----------------------------------- */

typedef struct qt_node {
    int x, y, w, h;
    double mean;
    struct qt_node *child[4];
} qt_node;

static qt_node *qt_build(const RasterObject *r, int x, int y, int w, int h, int depth)
{
    qt_node *n = PyMem_New(qt_node, 1);
    if (n == NULL)
        return NULL;
    memset(n, 0, sizeof *n);
    n->x = x, n->y = y, n->w = w, n->h = h;
    if (depth > 0 && w > 1 && h > 1) {
        int hw = w / 2, hh = h / 2;
        n->child[0] = qt_build(r, x, y, hw, hh, depth - 1);
        n->child[1] = qt_build(r, x + hw, y, w - hw, hh, depth - 1);
        n->child[2] = qt_build(r, x, y + hh, hw, h - hh, depth - 1);
        n->child[3] = qt_build(r, x + hw, y + hh, w - hw, h - hh, depth - 1);
    }
    return n;
}

static Py_ssize_t qt_measure(const RasterObject *r, qt_node *n, double tolerance)
{
    double sum = 0.0;
    for (int y = n->y; y < n->y + n->h; y++)
        for (int x = n->x; x < n->x + n->w; x++)
            sum += r->pixels[(Py_ssize_t)y * r->stride + (Py_ssize_t)x * r->channels];
    n->mean = sum / ((double)n->w * n->h);
    if (n->child[0] == NULL || n->mean < tolerance)
        return 1;
    Py_ssize_t leaves = 0;
    for (int i = 0; i < 4; i++)
        if (n->child[i] != NULL)
            leaves += qt_measure(r, n->child[i], tolerance);
    return leaves;
}

static void qt_free(qt_node *n)
{
    if (n == NULL)
        return;
    qt_node *kids[4];
    memcpy(kids, n->child, sizeof kids);
    PyMem_Free(n); // expected-note {{'qt_free' needs the GIL: it calls 'PyMem_Free' here}}
    for (int i = 0; i < 4; i++)
        qt_free(kids[i]);
}

static PyObject *rasterops_segment(PyObject *module, PyObject *args)
{
    RasterObject *r;
    double tolerance;
    int depth = 6;
    (void)module;
    if (!PyArg_ParseTuple(args, "O!d|i", &Raster_Type, &r, &tolerance, &depth))
        return NULL;
    /* negative: the recursive allocating helper runs while the GIL is held */
    qt_node *root = qt_build(r, 0, 0, r->width, r->height, depth);
    if (root == NULL)
        return PyErr_NoMemory();
    Py_ssize_t leaves;
    Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
    /* negative: qt_measure recurses but never allocates */
    leaves = qt_measure(r, root, tolerance);
    qt_free(root); // expected-warning {{call to 'qt_free' needs the GIL, but the GIL is released here}}
    Py_END_ALLOW_THREADS
    return PyLong_FromSsize_t(leaves);
}

/* Averages a tuple of layers, each scaled by a weight from a list. */
static PyObject *rasterops_composite(PyObject *module, PyObject *args)
{
    RasterObject *dst;
    PyObject *layers, *weights;
    (void)module;
    if (!PyArg_ParseTuple(args, "O!O!O!", &Raster_Type, &dst, &PyTuple_Type, &layers, &PyList_Type, &weights))
        return NULL;
    double w[16];
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(layers); i++) {
        PyObject *layer = PyTuple_GET_ITEM(layers, i);
        if (i >= 16 || PyList_GET_SIZE(weights) != PyTuple_GET_SIZE(layers) ||
            !PyObject_TypeCheck(layer, &Raster_Type) || check_pair((RasterObject *)layer, dst) < 0)
            return PyErr_Occurred() ? NULL : PyErr_Format(PyExc_ValueError, "bad layers");
        if ((w[i] = PyFloat_AsDouble(PyList_GET_ITEM(weights, i))) == -1.0 && PyErr_Occurred())
            return NULL;
    }
    /* negative: field-access macros and raw scratch in a released block */
    Py_ssize_t n = dst->stride * dst->height;
    float *acc;
    Py_BEGIN_ALLOW_THREADS
    acc = PyMem_RawCalloc((size_t)n, sizeof(float));
    for (Py_ssize_t i = 0; acc != NULL && i < PyList_GET_SIZE(weights); i++) {
        const RasterObject *layer = (const RasterObject *)PyTuple_GET_ITEM(layers, i);
        for (Py_ssize_t j = 0; j < n; j++)
            acc[j] += (float)(w[i] * layer->pixels[j]);
    }
    for (Py_ssize_t j = 0; acc != NULL && j < n; j++)
        dst->pixels[j] = (uint8_t)fminf(acc[j], 255.0f);
    PyMem_RawFree(acc);
    Py_END_ALLOW_THREADS
    if (acc == NULL)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

static PyObject *rasterops_tile(PyObject *module, PyObject *args)
{
    RasterObject *r;
    PyObject *pattern;
    (void)module;
    if (!PyArg_ParseTuple(args, "O!S", &Raster_Type, &r, &pattern))
        return NULL;
    uint8_t *row = NULL;
    size_t row_len = (size_t)r->stride;
    Py_BEGIN_ALLOW_THREADS // expected-note {{the GIL is released here by 'Py_BEGIN_ALLOW_THREADS'}}
    /* negative: field-access macros need no GIL */
    const char *src = PyBytes_AS_STRING(pattern);
    Py_ssize_t len = PyBytes_GET_SIZE(pattern);
    row = ro_cache_take(row_len); // expected-warning {{call to 'ro_cache_take' needs the GIL, but the GIL is released here}}
    if (row != NULL && len > 0) {
        for (size_t i = 0; i < row_len; i++)
            row[i] = (uint8_t)src[(Py_ssize_t)i % len];
        for (int y = 0; y < r->height; y++)
            memcpy(r->pixels + (Py_ssize_t)y * r->stride, row, row_len);
    }
    Py_END_ALLOW_THREADS
    if (row == NULL)
        return PyErr_NoMemory();
    /* negative: the cache takes the row back after the GIL is retaken */
    ro_cache_give(row, row_len);
    Py_RETURN_NONE;
}

static PyMethodDef rasterops_methods[] = {
    {"blur", rasterops_blur, METH_VARARGS, "Gaussian blur src into dst."},
    {"sharpen", rasterops_sharpen, METH_VARARGS, "Unsharp mask."},
    {"apply_lut", rasterops_apply_lut, METH_VARARGS, "Map pixels through a table."},
    {"threshold", rasterops_threshold, METH_VARARGS, "Binarize; returns the histogram."},
    {"resize_rows", rasterops_resize_rows, METH_VARARGS, "Linear resample of rows."},
    {"segment", rasterops_segment, METH_VARARGS, "Count quadtree leaves."},
    {"composite", rasterops_composite, METH_VARARGS, "Weighted sum of layers."},
    {"tile", rasterops_tile, METH_VARARGS, "Fill with a repeated pattern."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject Raster_Type = {
    PyVarObject_HEAD_INIT(NULL, 0) .tp_name = "rasterops.Raster",
    .tp_basicsize = sizeof(RasterObject), .tp_dealloc = raster_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT, .tp_new = raster_new,
};

static struct PyModuleDef rasterops_module = {
    .m_base = PyModuleDef_HEAD_INIT, .m_name = "rasterops", .m_size = -1,
    .m_methods = rasterops_methods,
};

PyMODINIT_FUNC PyInit_rasterops(void)
{
    PyObject *m = PyModule_Create(&rasterops_module);
    if (m != NULL && PyModule_AddType(m, &Raster_Type) < 0)
        Py_CLEAR(m);
    return m;
}
