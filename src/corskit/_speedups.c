/* Optional C versions of the ASGI adapter's two per-request loops (corskit/_loops.py).
 *
 * Pure translation, no CORS logic: finding the Origin request header, and appending a
 * decision's precomputed headers to the app's http.response.start message. Each handles
 * only the exact common shape (a list of 2-tuples or 2-lists, bytes names, a dict message)
 * and hands everything else, unchanged, to the Python implementation in corskit/_loops.py,
 * which stays the reference: tests/core/test_speedups.py checks that both give the same
 * answer, and CORSKIT_NO_EXTENSIONS=1 makes corskit ignore this module.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <string.h>

static PyObject *str_type;       /* "type" */
static PyObject *str_headers;    /* "headers" */
static PyObject *str_start;      /* "http.response.start" */
static PyObject *several;        /* corskit._loops.SEVERAL: "more than one, or unusual: ask Python" */
static PyObject *watched;        /* corskit._loops.WATCHED (tuple of lower-case bytes) */
static PyObject *fallback;       /* corskit._loops.send_with_cors_py(bound, message) */

/* The name of one header pair, or NULL (no exception) if it is not a 2-tuple or 2-list. */
static inline PyObject *
pair_name(PyObject *item)
{
    if (PyTuple_CheckExact(item) && PyTuple_GET_SIZE(item) == 2) {
        return PyTuple_GET_ITEM(item, 0);
    }
    if (PyList_CheckExact(item) && PyList_GET_SIZE(item) == 2) {
        return PyList_GET_ITEM(item, 0);
    }
    return NULL;
}

static inline PyObject *
pair_value(PyObject *item)
{
    return PyTuple_CheckExact(item) ? PyTuple_GET_ITEM(item, 1) : PyList_GET_ITEM(item, 1);
}

/* find_origin(raw) -> the Origin value, None without one, or `several` when the request
 * has more than one Origin or the headers are not the usual list of bytes pairs. */
static int
ready(void)
{
    if (several == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "corskit._speedups: setup() was not called");
        return 0;
    }
    return 1;
}

static PyObject *
find_origin(PyObject *module, PyObject *raw)
{
    if (!ready()) {
        return NULL;
    }
    if (!PyList_CheckExact(raw)) {
        return Py_NewRef(several);
    }
    PyObject *origin = NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(raw); i++) {
        PyObject *item = PyList_GET_ITEM(raw, i);
        PyObject *name = pair_name(item);
        if (name == NULL || !PyBytes_CheckExact(name)) {
            return Py_NewRef(several);
        }
        if (PyBytes_GET_SIZE(name) == 6 && memcmp(PyBytes_AS_STRING(name), "origin", 6) == 0) {
            if (origin != NULL) {
                return Py_NewRef(several);
            }
            origin = pair_value(item);
        }
    }
    return Py_NewRef(origin != NULL ? origin : Py_None);
}

/* Whether a header name (bytes) is, ignoring ASCII case, one of the `watched` names.
 * HTTP field names are case-insensitive: an app's "vAry" is a Vary header. */
static int
is_watched(PyObject *name)
{
    Py_ssize_t size = PyBytes_GET_SIZE(name);
    const unsigned char *text = (const unsigned char *)PyBytes_AS_STRING(name);
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(watched); k++) {
        PyObject *known = PyTuple_GET_ITEM(watched, k);
        if (PyBytes_GET_SIZE(known) != size) {
            continue;
        }
        const unsigned char *lower = (const unsigned char *)PyBytes_AS_STRING(known);
        Py_ssize_t i = 0;
        while (i < size) {
            unsigned char c = text[i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lower[i]) {
                break;
            }
            i++;
        }
        if (i == size) {
            return 1;
        }
    }
    return 0;
}

/* SendFilter(send, tail): the send an app gets (see corskit._loops.send_with_cors_py). */
static PyTypeObject SendFilterType;

typedef struct {
    PyObject_HEAD
    PyObject *send;
    PyObject *tail; /* tuple of (name, value) tuples */
    vectorcallfunc vectorcall;
} SendFilter;

static PyObject *
slow(SendFilter *self, PyObject *message)
{
    PyObject *bound = PyTuple_Pack(2, self->send, self->tail);
    if (bound == NULL) {
        return NULL;
    }
    PyObject *result = PyObject_CallFunctionObjArgs(fallback, bound, message, NULL);
    Py_DECREF(bound);
    return result;
}

static PyObject *
filter_call(SendFilter *self, PyObject *message)
{
    if (!PyDict_CheckExact(message)) {
        return slow(self, message);
    }
    PyObject *type = PyDict_GetItemWithError(message, str_type); /* borrowed */
    if (type == NULL || !PyUnicode_CheckExact(type)) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        return slow(self, message);
    }
    if (type != str_start) {
        int start = PyUnicode_Compare(type, str_start);
        if (start == -1 && PyErr_Occurred()) {
            return NULL;
        }
        if (start != 0) {
            return PyObject_CallOneArg(self->send, message);
        }
    }
    PyObject *headers = PyDict_GetItemWithError(message, str_headers); /* borrowed */
    if (headers == NULL || !PyList_CheckExact(headers)) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        return slow(self, message);
    }
    Py_ssize_t n = PyList_GET_SIZE(headers);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *name = pair_name(PyList_GET_ITEM(headers, i));
        if (name == NULL || !PyBytes_CheckExact(name)) {
            return slow(self, message);
        }
        if (is_watched(name)) { /* the app set Vary or a CORS header: Python merges */
            return slow(self, message);
        }
    }
    Py_ssize_t extra = PyTuple_GET_SIZE(self->tail);
    /* The allocation below may run the garbage collector, and so finalizers that could
     * replace message["headers"] or change the list: hold it, and check its size again. */
    Py_INCREF(headers);
    PyObject *out = PyList_New(n + extra); /* a new list: an app may reuse its own */
    if (out == NULL || PyList_GET_SIZE(headers) != n) {
        Py_XDECREF(out);
        Py_DECREF(headers);
        return out == NULL ? NULL : slow(self, message);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyList_SET_ITEM(out, i, Py_NewRef(PyList_GET_ITEM(headers, i)));
    }
    Py_DECREF(headers);
    for (Py_ssize_t i = 0; i < extra; i++) {
        PyList_SET_ITEM(out, n + i, Py_NewRef(PyTuple_GET_ITEM(self->tail, i)));
    }
    /* A new message too: the app's own dict is never written to (it may reuse it). */
    PyObject *copy = PyDict_Copy(message);
    if (copy == NULL || PyDict_SetItem(copy, str_headers, out) < 0) {
        Py_XDECREF(copy);
        Py_DECREF(out);
        return NULL;
    }
    Py_DECREF(out);
    PyObject *result = PyObject_CallOneArg(self->send, copy);
    Py_DECREF(copy);
    return result;
}

static PyObject *
filter_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (PyVectorcall_NARGS(nargsf) != 1 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "send() takes exactly one argument (the message)");
        return NULL;
    }
    return filter_call((SendFilter *)callable, args[0]);
}

/* A new filter over send and tail (a tuple; the callers check both). */
static PyObject *
new_filter(PyObject *send, PyObject *tail)
{
    SendFilter *self = PyObject_GC_New(SendFilter, &SendFilterType);
    if (self == NULL) {
        return NULL;
    }
    self->send = Py_NewRef(send);
    self->tail = Py_NewRef(tail);
    self->vectorcall = filter_vectorcall;
    PyObject_GC_Track((PyObject *)self);
    return (PyObject *)self;
}

/* SendFilter(send, tail): the type's constructor (the type cannot be subclassed). */
static PyObject *
filter_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    PyObject *send, *tail;
    if (kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) {
        PyErr_SetString(PyExc_TypeError, "SendFilter takes no keyword arguments");
        return NULL;
    }
    if (!ready() || !PyArg_ParseTuple(args, "OO!:SendFilter", &send, &PyTuple_Type, &tail)) {
        return NULL;
    }
    return new_filter(send, tail);
}

/* send_filter(send, tail): what the hot path calls (no argument parsing). */
static PyObject *
make_filter(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!ready()) {
        return NULL;
    }
    if (nargs != 2 || !PyTuple_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "send_filter(send, tail: tuple)");
        return NULL;
    }
    return new_filter(args[0], args[1]);
}

static int
filter_traverse(SendFilter *self, visitproc visit, void *arg)
{
    Py_VISIT(self->send);
    Py_VISIT(self->tail);
    return 0;
}

static int
filter_clear(SendFilter *self)
{
    Py_CLEAR(self->send);
    Py_CLEAR(self->tail);
    return 0;
}

static void
filter_dealloc(SendFilter *self)
{
    PyObject_GC_UnTrack(self);
    filter_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject SendFilterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "corskit._speedups.SendFilter",
    .tp_basicsize = sizeof(SendFilter),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "SendFilter(send, tail): the ASGI send corskit gives the app.",
    .tp_new = filter_new,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(SendFilter, vectorcall),
    .tp_traverse = (traverseproc)filter_traverse,
    .tp_clear = (inquiry)filter_clear,
    .tp_dealloc = (destructor)filter_dealloc,
};

/* setup(several, watched, fallback): called once by corskit._loops. */
static PyObject *
setup(PyObject *module, PyObject *args)
{
    PyObject *s, *w, *f;
    if (!PyArg_ParseTuple(args, "OO!O:setup", &s, &PyTuple_Type, &w, &f)) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(w); i++) {
        if (!PyBytes_CheckExact(PyTuple_GET_ITEM(w, i))) {
            PyErr_SetString(PyExc_TypeError, "setup(): watched names must be bytes");
            return NULL;
        }
    }
    Py_XSETREF(several, Py_NewRef(s));
    Py_XSETREF(watched, Py_NewRef(w));
    Py_XSETREF(fallback, Py_NewRef(f));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"find_origin", (PyCFunction)find_origin, METH_O, "The Origin value, None, or the 'ask Python' marker."},
    {"send_filter", (PyCFunction)(void (*)(void))make_filter, METH_FASTCALL, "SendFilter(send, tail), fast."},
    {"setup", setup, METH_VARARGS, "setup(several, watched, fallback)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "corskit._speedups", "C versions of the per-request loops of corskit._loops.", -1, methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&SendFilterType) < 0) {
        return NULL;
    }
    str_type = PyUnicode_InternFromString("type");
    str_headers = PyUnicode_InternFromString("headers");
    str_start = PyUnicode_InternFromString("http.response.start");
    if (str_type == NULL || str_headers == NULL || str_start == NULL) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(m, "SendFilter", (PyObject *)&SendFilterType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
