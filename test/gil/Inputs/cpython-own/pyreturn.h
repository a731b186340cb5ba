/* Copied into a copy of CPython's include directory, below cpython/: an
   inline function of CPython's own headers, taken as documented and not
   analysed, whatever it does. */
static inline int _PyTest_ReleaseEarly(int busy) {
  Py_BEGIN_ALLOW_THREADS
  if (busy)
    return 0;
  Py_END_ALLOW_THREADS
  return 1;
}
