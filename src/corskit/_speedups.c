/* Optional C versions of the ASGI adapter's per-request loops (corskit/_loops.py).
 *
 * Pure translation, no CORS logic: finding the Origin request header (and, on OPTIONS,
 * a preflight's three request headers), and appending a
 * decision's precomputed headers to the app's http.response.start message. Each handles
 * only the exact common shape (a list of 2-tuples or 2-lists, bytes names, a dict message)
 * and hands everything else, unchanged, to the Python implementation in corskit/_loops.py,
 * which stays the reference: tests/core/test_speedups.py checks that both give the same
 * answer, and CORSKIT_NO_EXTENSIONS=1 makes corskit ignore this module.
 *
 * Built against the stable ABI (setup.py defines Py_LIMITED_API as 0x030A0000): one
 * binary, corskit/_speedups.abi3.so, serves CPython 3.10 and every later version. So only
 * functions of the limited API are used (no PyList_GET_ITEM-style macros). The send filter
 * is one small object per request (a heap type made by PyType_FromSpec) that CPython calls
 * through the vectorcall protocol, without building an argument tuple: see SendFilter.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <structmember.h> /* PyMemberDef, T_PYSSIZET: part of the limited API */

static PyObject *str_type;       /* "type" */
static PyObject *str_headers;    /* "headers" */
static PyObject *str_start;      /* "http.response.start" */
static PyObject *several;        /* corskit._loops.SEVERAL: "more than one, or unusual: ask Python" */
static PyObject *watched;        /* corskit._loops.WATCHED (tuple of lower-case bytes) */
static PyObject *fallback;       /* corskit._loops.send_with_cors_py(bound, message) */
static PyObject *fields_py;      /* corskit._loops.preflight_fields_py(raw) */

static int
ready(void)
{
    if (several == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "corskit._speedups: setup() was not called");
        return 0;
    }
    return 1;
}

/* The length of an exact tuple, list or bytes object: its ob_size, a member of the stable
 * ABI (PyVarObject), read without a call into the interpreter. */
#define LENGTH(o) Py_SIZE(o)

/* The name of one header pair (borrowed), or NULL (no exception) if the pair is not a
 * 2-tuple or a 2-list. */
static PyObject *
name_of(PyObject *item)
{
    if (PyTuple_CheckExact(item)) {
        return LENGTH(item) == 2 ? PyTuple_GetItem(item, 0) : NULL;
    }
    if (PyList_CheckExact(item)) {
        return LENGTH(item) == 2 ? PyList_GetItem(item, 0) : NULL;
    }
    return NULL;
}

/* The value of a pair name_of() accepted (borrowed). */
static PyObject *
value_of(PyObject *item)
{
    return PyTuple_CheckExact(item) ? PyTuple_GetItem(item, 1) : PyList_GetItem(item, 1);
}

/* find_origin(raw) -> the Origin value, None without one, or `several` when the request
 * has more than one Origin or the headers are not the usual list of bytes pairs. */
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
    Py_ssize_t n = LENGTH(raw); /* nothing below runs Python code: the list cannot change */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GetItem(raw, i);
        PyObject *name = name_of(item);
        if (name == NULL || !PyBytes_CheckExact(name)) {
            return Py_NewRef(several);
        }
        if (LENGTH(name) == 6 && memcmp(PyBytes_AsString(name), "origin", 6) == 0) {
            if (origin != NULL) {
                return Py_NewRef(several);
            }
            origin = value_of(item);
        }
    }
    return Py_NewRef(origin != NULL ? origin : Py_None);
}

/* The three request headers of a CORS preflight (Fetch: CORS-preflight request). */
static const char ACRM[] = "access-control-request-method";
static const char ACRH[] = "access-control-request-headers";
static const char ACRPN[] = "access-control-request-private-network";
#define IS(name, size, text) ((size) == (Py_ssize_t)sizeof(text) - 1 && memcmp((name), (text), (size)) == 0)

/* The Access-Control-Request-Headers values of raw, in order, as a new list of `count`
 * items; NULL without an exception when raw no longer looks as it did (then Python decides). */
static PyObject *
header_lines(PyObject *raw, Py_ssize_t n, Py_ssize_t count)
{
    /* The allocation may run the garbage collector, and so finalizers that could change
     * raw: its items are read again below, each checked. */
    PyObject *lines = PyList_New(count);
    if (lines == NULL) {
        return NULL;
    }
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n && LENGTH(raw) == n; i++) {
        PyObject *item = PyList_GetItem(raw, i);
        PyObject *name = name_of(item);
        if (name == NULL || !PyBytes_CheckExact(name)) {
            break;
        }
        if (IS(PyBytes_AsString(name), LENGTH(name), ACRH)) {
            if (k == count) {
                break;
            }
            PyList_SetItem(lines, k++, Py_NewRef(value_of(item))); /* steals */
        }
    }
    if (k != count || LENGTH(raw) != n) {
        Py_DECREF(lines);
        return NULL;
    }
    return lines;
}

/* preflight_fields(raw) -> (method, header lines, private network) or None: see
 * corskit._loops.preflight_fields_py, which answers for any other shape of raw. */
static PyObject *
preflight_fields(PyObject *module, PyObject *raw)
{
    if (!ready()) {
        return NULL;
    }
    if (!PyList_CheckExact(raw)) {
        return PyObject_CallFunctionObjArgs(fields_py, raw, NULL);
    }
    PyObject *method = NULL, *private_network = Py_None; /* borrowed: no Python code runs */
    Py_ssize_t n = LENGTH(raw), count = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyList_GetItem(raw, i);
        PyObject *name = name_of(item);
        if (name == NULL || !PyBytes_CheckExact(name)) {
            return PyObject_CallFunctionObjArgs(fields_py, raw, NULL);
        }
        Py_ssize_t size = LENGTH(name);
        if (size < (Py_ssize_t)sizeof(ACRM) - 1) { /* the shortest of the three: most names */
            continue;
        }
        const char *text = PyBytes_AsString(name);
        if (IS(text, size, ACRM)) {
            method = value_of(item); /* the last one, as in Python */
        }
        else if (IS(text, size, ACRH)) {
            count++;
        }
        else if (IS(text, size, ACRPN)) {
            private_network = value_of(item);
        }
    }
    if (method == NULL || method == Py_None) { /* a None value counts as absent, as in Python */
        Py_RETURN_NONE;
    }
    Py_INCREF(method);
    Py_INCREF(private_network);
    PyObject *lines = header_lines(raw, n, count);
    PyObject *result = NULL;
    if (lines != NULL) {
        result = PyTuple_Pack(3, method, lines, private_network);
        Py_DECREF(lines);
    }
    else if (!PyErr_Occurred()) {
        result = PyObject_CallFunctionObjArgs(fields_py, raw, NULL);
    }
    Py_DECREF(method);
    Py_DECREF(private_network);
    return result;
}

/* The watched names, read once by setup(): their lower-case texts and their
 * lengths. The per-header test below then makes no call into the interpreter, and a name
 * whose length is none of theirs (most response headers) costs one comparison each. */
#define MAX_WATCHED 8
static Py_ssize_t n_watched;
static Py_ssize_t watched_size[MAX_WATCHED];
static const char *watched_text[MAX_WATCHED]; /* owned by the bytes in `watched` */

/* Whether a header name (bytes) is, ignoring ASCII case, one of the `watched` names.
 * HTTP field names are case-insensitive: an app's "vAry" is a Vary header. */
static int
is_watched(PyObject *name)
{
    Py_ssize_t size = LENGTH(name);
    for (Py_ssize_t k = 0; k < n_watched; k++) {
        if (watched_size[k] != size) {
            continue;
        }
        const unsigned char *text = (const unsigned char *)PyBytes_AsString(name);
        const unsigned char *lower = (const unsigned char *)watched_text[k];
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

/* The app's list of headers with the tail appended, as a new list; NULL with an exception,
 * or NULL without one when the list changed under us (then Python decides). */
static PyObject *
with_tail(PyObject *headers, Py_ssize_t n, PyObject *tail)
{
    Py_ssize_t extra = PyTuple_Size(tail);
    /* The allocation may run the garbage collector, and so finalizers that could change
     * the app's list: hold it, and check its size again. */
    Py_INCREF(headers);
    PyObject *out = PyList_New(n + extra);
    if (out == NULL || PyList_Size(headers) != n) {
        Py_XDECREF(out);
        Py_DECREF(headers);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyList_SetItem(out, i, Py_NewRef(PyList_GetItem(headers, i))); /* steals */
    }
    Py_DECREF(headers);
    for (Py_ssize_t i = 0; i < extra; i++) {
        PyList_SetItem(out, n + i, Py_NewRef(PyTuple_GetItem(tail, i)));
    }
    return out;
}

/* The send an app gets: one small object per request holding the server's send and the
 * decision's tail (a tuple), called with the message. */
/* The send an app gets is called twice per request (start and body): through the vectorcall
 * protocol (PEP 590), the interpreter passes the message without building an argument
 * tuple. The limited API declares the protocol's names from 3.12 (Py_TPFLAGS_HAVE_VECTORCALL,
 * vectorcallfunc); the flag's value and the "__vectorcalloffset__" member of
 * PyType_FromSpec are the same in every CPython since 3.9, so they are spelled out here for
 * the 3.10 build. tp_call serves any caller that does not use the protocol. */
#define HAVE_VECTORCALL (1UL << 11)
#define ARGS_MASK (~((size_t)1 << (8 * sizeof(size_t) - 1))) /* PY_VECTORCALL_ARGUMENTS_OFFSET */
typedef PyObject *(*vectorcall_fn)(PyObject *, PyObject *const *, size_t, PyObject *);

typedef struct {
    PyObject_HEAD
    PyObject *send;
    PyObject *tail;
    vectorcall_fn vectorcall;
} Filter;

static PyObject *filter_type; /* the heap type of Filter, made by PyInit__speedups */

/* The Python reference, for every message shape the C path hands over. */
static PyObject *
to_python(Filter *f, PyObject *message)
{
    PyObject *bound = PyTuple_Pack(2, f->send, f->tail);
    if (bound == NULL) {
        return NULL;
    }
    PyObject *result = PyObject_CallFunctionObjArgs(fallback, bound, message, NULL);
    Py_DECREF(bound);
    return result;
}

/* The last "type" strings seen equal to "http.response.start" and not: an app's literals
 * are the same objects from one response to the next, so a pointer comparison usually
 * answers (strong references, replaced when another string comes). */
static PyObject *seen_start;
static PyObject *seen_other;

/* Whether an exact str is "http.response.start": 1 or 0, -1 with an exception. */
static int
is_start(PyObject *type)
{
    if (type == str_start || type == seen_start) {
        return 1;
    }
    if (type == seen_other) {
        return 0;
    }
    int start = PyObject_RichCompareBool(type, str_start, Py_EQ);
    if (start < 0) {
        return -1;
    }
    PyObject **slot = start ? &seen_start : &seen_other;
    PyObject *old = *slot;
    *slot = Py_NewRef(type);
    Py_XDECREF(old); /* a str: its release runs no Python code */
    return start;
}

/* See corskit._loops.send_with_cors_py, the reference. */
static PyObject *
send_with_cors(Filter *f, PyObject *message)
{
    if (!PyDict_CheckExact(message)) {
        return to_python(f, message);
    }
    /* A walk over the entries finds "type" (and "headers", read only on a start message)
     * when the keys are the interned names (a dict display in the app's code, the usual
     * case): cheaper than two lookups. A name not found so is looked up (an equal string
     * that is another object). */
    PyObject *key, *value, *type = NULL, *headers = NULL; /* borrowed: no Python code runs */
    Py_ssize_t pos = 0;
    while (type == NULL && PyDict_Next(message, &pos, &key, &value)) {
        if (key == str_type) {
            type = value;
        }
        else if (key == str_headers) {
            headers = value;
        }
    }
    if (type == NULL && (type = PyDict_GetItemWithError(message, str_type)) == NULL && PyErr_Occurred()) {
        return NULL;
    }
    if (type == NULL || !PyUnicode_CheckExact(type)) {
        return to_python(f, message);
    }
    int start = is_start(type);
    if (start <= 0) {
        return start < 0 ? NULL : PyObject_CallFunctionObjArgs(f->send, message, NULL);
    }
    while (headers == NULL && PyDict_Next(message, &pos, &key, &value)) {
        headers = key == str_headers ? value : NULL; /* the entries after "type" */
    }
    if (headers == NULL) {
        headers = PyDict_GetItemWithError(message, str_headers);
    }
    if (headers == NULL || !PyList_CheckExact(headers)) {
        return PyErr_Occurred() ? NULL : to_python(f, message);
    }
    Py_ssize_t n = LENGTH(headers);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *name = name_of(PyList_GetItem(headers, i));
        /* Not the usual pair, or the app set Vary or a CORS header: Python merges. */
        if (name == NULL || !PyBytes_CheckExact(name) || is_watched(name)) {
            return to_python(f, message);
        }
    }
    PyObject *out = with_tail(headers, n, f->tail); /* a new list: an app may reuse its own */
    if (out == NULL) {
        return PyErr_Occurred() ? NULL : to_python(f, message);
    }
    /* A new message too: the app's own dict is never written to (it may reuse it). */
    PyObject *copy = PyDict_Copy(message);
    if (copy == NULL || PyDict_SetItem(copy, str_headers, out) < 0) {
        Py_XDECREF(copy);
        Py_DECREF(out);
        return NULL;
    }
    Py_DECREF(out);
    PyObject *result = PyObject_CallFunctionObjArgs(f->send, copy, NULL);
    Py_DECREF(copy);
    return result;
}

static PyObject *
filter_call(PyObject *self, PyObject *args, PyObject *kwargs)
{
    if ((kwargs != NULL && PyDict_Size(kwargs) != 0) || PyTuple_Size(args) != 1) {
        PyErr_SetString(PyExc_TypeError, "send() takes one message");
        return NULL;
    }
    return send_with_cors((Filter *)self, PyTuple_GetItem(args, 0));
}

static PyObject *
filter_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if ((nargsf & ARGS_MASK) != 1 || (kwnames != NULL && PyTuple_Size(kwnames) != 0)) {
        PyErr_SetString(PyExc_TypeError, "send() takes one message");
        return NULL;
    }
    return send_with_cors((Filter *)self, args[0]);
}
static PyMemberDef filter_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(Filter, vectorcall), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static int
filter_traverse(PyObject *self, visitproc visit, void *arg)
{
    Filter *f = (Filter *)self;
    Py_VISIT(f->send);
    Py_VISIT(f->tail);
    Py_VISIT(Py_TYPE(self)); /* a heap type: its instances hold it */
    return 0;
}

static int
filter_clear(PyObject *self)
{
    Filter *f = (Filter *)self;
    Py_CLEAR(f->send);
    Py_CLEAR(f->tail);
    return 0;
}

static void
filter_dealloc(PyObject *self)
{
    PyObject *type = (PyObject *)Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    filter_clear(self);
    PyObject_GC_Del(self);
    Py_DECREF(type);
}

static PyType_Slot filter_slots[] = {
    {Py_tp_call, filter_call},
    {Py_tp_members, filter_members},
    {Py_tp_traverse, filter_traverse},
    {Py_tp_clear, filter_clear},
    {Py_tp_dealloc, filter_dealloc},
    {Py_tp_doc, "The ASGI send corskit gives the app."},
    {0, NULL},
};

static PyType_Spec filter_spec = {
    "corskit._speedups.SendFilter", sizeof(Filter), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | HAVE_VECTORCALL, filter_slots,
};

/* send_filter(send, tail): the send an app gets. */
static PyObject *
send_filter(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (!ready()) {
        return NULL;
    }
    if (nargs != 2 || !PyTuple_CheckExact(args[1])) {
        PyErr_SetString(PyExc_TypeError, "send_filter(send, tail: tuple)");
        return NULL;
    }
    Filter *f = PyObject_GC_New(Filter, (PyTypeObject *)filter_type);
    if (f == NULL) {
        return NULL;
    }
    f->send = Py_NewRef(args[0]);
    f->tail = Py_NewRef(args[1]);
    f->vectorcall = filter_vectorcall;
    PyObject_GC_Track(f);
    return (PyObject *)f;
}

/* setup(several, watched, fallback, fields_fallback): called once by corskit._loops. */
static PyObject *
setup(PyObject *module, PyObject *args)
{
    PyObject *s, *w, *f, *p;
    if (!PyArg_ParseTuple(args, "OO!OO:setup", &s, &PyTuple_Type, &w, &f, &p)) {
        return NULL;
    }
    Py_ssize_t count = PyTuple_Size(w);
    if (count > MAX_WATCHED) {
        PyErr_SetString(PyExc_ValueError, "setup(): too many watched names");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!PyBytes_CheckExact(PyTuple_GetItem(w, i))) {
            PyErr_SetString(PyExc_TypeError, "setup(): watched names must be bytes");
            return NULL;
        }
    }
    PyObject *old[4] = {several, watched, fallback, fields_py};
    several = Py_NewRef(s);
    watched = Py_NewRef(w);
    fallback = Py_NewRef(f);
    fields_py = Py_NewRef(p);
    n_watched = count; /* the texts live as long as `watched`, which holds them */
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *known = PyTuple_GetItem(watched, i);
        watched_size[i] = PyBytes_Size(known);
        watched_text[i] = PyBytes_AsString(known);
    }
    for (int i = 0; i < 4; i++) {
        Py_XDECREF(old[i]);
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"find_origin", find_origin, METH_O, "The Origin value, None, or the 'ask Python' marker."},
    {"send_filter", (PyCFunction)(void (*)(void))send_filter, METH_FASTCALL, "send_filter(send, tail)"},
    {"preflight_fields", preflight_fields, METH_O, "A preflight's fields, or None."},
    {"setup", setup, METH_VARARGS, "setup(several, watched, fallback, fields_fallback)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "corskit._speedups", "C versions of the per-request loops of corskit._loops.", -1, methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    str_type = PyUnicode_InternFromString("type");
    str_headers = PyUnicode_InternFromString("headers");
    str_start = PyUnicode_InternFromString("http.response.start");
    if (str_type == NULL || str_headers == NULL || str_start == NULL) {
        return NULL;
    }
    filter_type = PyType_FromSpec(&filter_spec);
    if (filter_type == NULL) {
        return NULL;
    }
    return PyModule_Create(&module_def);
}
