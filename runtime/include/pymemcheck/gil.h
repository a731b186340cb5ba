/*
 * pymemcheck/gil.h: annotations for the plugin's GIL analysis.
 *
 * The analysis reads what the GIL state is from the code it can see.  These
 * say what it cannot see: a function defined in another file or library, a
 * callback whose caller is foreign code.  Put one before a declaration:
 *
 *     PYMEMCHECK_NEEDS_GIL void *cache_alloc(size_t n);
 *     PYMEMCHECK_WITHOUT_GIL static void on_event(void *arg);
 *
 * PYMEMCHECK_NEEDS_GIL     calling it needs the GIL (an attached thread
 *                          state), like PyMem_Malloc
 * PYMEMCHECK_WITHOUT_GIL   it runs without the GIL: its body is checked as
 *                          a thread start routine's is
 * PYMEMCHECK_RELEASES_GIL  it returns with the GIL released
 * PYMEMCHECK_ACQUIRES_GIL  it returns with the GIL held
 *
 * They expand to nothing for compilers other than clang, and change no
 * generated code with clang (an `annotate` attribute is only read back).
 */
#ifndef PYMEMCHECK_GIL_H
#define PYMEMCHECK_GIL_H

#if defined(__clang__)
#define PYMEMCHECK_GIL_ANNOTATION_(what) __attribute__((annotate("pymemcheck::" what)))
#else
#define PYMEMCHECK_GIL_ANNOTATION_(what)
#endif

#define PYMEMCHECK_NEEDS_GIL PYMEMCHECK_GIL_ANNOTATION_("needs_gil")
#define PYMEMCHECK_WITHOUT_GIL PYMEMCHECK_GIL_ANNOTATION_("without_gil")
#define PYMEMCHECK_RELEASES_GIL PYMEMCHECK_GIL_ANNOTATION_("releases_gil")
#define PYMEMCHECK_ACQUIRES_GIL PYMEMCHECK_GIL_ANNOTATION_("acquires_gil")

#endif /* PYMEMCHECK_GIL_H */
