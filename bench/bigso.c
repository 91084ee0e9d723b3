/* A real CPython extension module padded with a large read-only data array,
 * for the benchmark's "one 40 MB native .so" case (see bench/bench.py).
 *
 * The padding is a file of pseudo-random bytes that the assembler embeds with
 * .incbin, so gcc does not have to parse a 40 MB initializer. Build:
 *
 *   gcc -shared -fPIC -O2 -I<Python include> -DPAD_FILE='"pad.bin"' \
 *       -o _big<EXT_SUFFIX> bigso.c
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifndef PAD_FILE
#error "define PAD_FILE as a string literal naming the padding file"
#endif

__asm__(".section .rodata\n"
        ".balign 64\n"
        ".hidden bigso_pad_start\n"
        ".globl bigso_pad_start\n"
        "bigso_pad_start:\n"
        ".incbin \"" PAD_FILE "\"\n"
        ".hidden bigso_pad_end\n"
        ".globl bigso_pad_end\n"
        "bigso_pad_end:\n"
        ".previous\n");

extern const unsigned char bigso_pad_start[];
extern const unsigned char bigso_pad_end[];

/* size() -> the padding's length in bytes, without touching its pages. */
static PyObject *bigso_size(PyObject *self, PyObject *unused) {
  return PyLong_FromSsize_t((Py_ssize_t)(bigso_pad_end - bigso_pad_start));
}

/* byte(i) -> the padding's byte at offset i (touches one page). */
static PyObject *bigso_byte(PyObject *self, PyObject *arg) {
  Py_ssize_t i = PyLong_AsSsize_t(arg);
  if (i == -1 && PyErr_Occurred()) {
    return NULL;
  }
  if (i < 0 || i >= (Py_ssize_t)(bigso_pad_end - bigso_pad_start)) {
    PyErr_SetString(PyExc_IndexError, "offset out of range");
    return NULL;
  }
  return PyLong_FromLong(bigso_pad_start[i]);
}

static PyMethodDef bigso_methods[] = {
    {"size", bigso_size, METH_NOARGS, "The padding's length in bytes."},
    {"byte", bigso_byte, METH_O, "The padding's byte at an offset."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef bigso_module = {
    PyModuleDef_HEAD_INIT, "_big", "An extension padded with a large array.", -1,
    bigso_methods,
};

PyMODINIT_FUNC PyInit__big(void) { return PyModule_Create(&bigso_module); }
