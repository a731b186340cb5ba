/* A program with three allocation sites whose figures rank differently by
 * each column of the HTML report (test/tools/html-report.test):
 *
 *   site        live bytes  live blocks  peak bytes  calls
 *   big         1000        1            1000        1
 *   small       500         5            600         50
 *   burst       200         1            8200        11
 *
 * and a misuse (a block freed by the wrong family) reported on stderr.
 * Compiled with the plugin's trace rewrite; the report is written at exit.
 * The escaping test (html-escape.test) adds sites with -DESCAPES. */
#include "pymemcheck/pymem.h"

#include <stdlib.h>

int main(void)
{
    char *big = PyMem_Malloc(1000); /* site big */
    void *small[50];
    for (int i = 0; i < 50; i++) {
        small[i] = PyObject_Malloc(100); /* site small */
        if (i >= 5 && i % 5 == 0) {
            for (int j = i - 5; j < i; j++)
                PyObject_Free(small[j]);
        }
    }
    void *burst[11];
    for (int i = 0; i < 11; i++)
        burst[i] = malloc(i < 10 ? 800 : 200); /* site burst */
    for (int i = 0; i < 10; i++)
        free(burst[i]);
    PyObject_Free(PyMem_Malloc(8)); /* site misuse: the wrong family */
#ifdef ESCAPES
    /* A source line with markup in it: </td></script><b>bold</b> & "q" */
    void *marked = PyMem_RawMalloc(64); /* <script>alert(1)</script> &amp; */
#line 7 "odd <name>&\"dir\"/x.c"
    void *renamed = PyMem_RawMalloc(32);
#endif
    return big == NULL;
}
