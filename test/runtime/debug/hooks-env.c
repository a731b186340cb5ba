// Which PYTHONMALLOC values install the debug hooks, and over what.  The
// program asks PyMem_SetupDebugHooks() to install them and sees whether
// that changed anything (it is a no-op per domain when the hooks are
// already on top); then every domain's blocks carry their API id, and
// _PyObject_DebugMallocStats() sees through the hooks to pymalloc.

/* RUN: %cc %s -o %t %libpymemcheck
 * RUN: env PYTHONMALLOC=debug %t | FileCheck %s --check-prefixes=CHECK,AT-START,PYMALLOC
 * RUN: env PYTHONMALLOC=pymalloc_debug %t | FileCheck %s --check-prefixes=CHECK,AT-START,PYMALLOC
 * RUN: env PYTHONMALLOC=malloc_debug %t | FileCheck %s --check-prefixes=CHECK,AT-START,MALLOC
 * RUN: %t | FileCheck %s --check-prefixes=CHECK,BY-SETUP,PYMALLOC
 * RUN: env PYTHONMALLOC=pymalloc %t | FileCheck %s --check-prefixes=CHECK,BY-SETUP,PYMALLOC
 * RUN: env PYTHONMALLOC=malloc %t | FileCheck %s --check-prefixes=CHECK,BY-SETUP,MALLOC
 */

// AT-START:RAW: debug hooks already on
// AT-START-NEXT:MEM: debug hooks already on
// AT-START-NEXT:OBJ: debug hooks already on
// BY-SETUP:RAW: debug hooks added by PyMem_SetupDebugHooks
// BY-SETUP-NEXT:MEM: debug hooks added by PyMem_SetupDebugHooks
// BY-SETUP-NEXT:OBJ: debug hooks added by PyMem_SetupDebugHooks
// CHECK-NEXT:ids: r m o
// PYMALLOC-NEXT:pymalloc statistics: printed
// MALLOC-NEXT:pymalloc statistics: not printed
#include <pymemcheck/pymem.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    static const char *const names[] = {"RAW", "MEM", "OBJ"};
    PyMemAllocatorEx before[3], after[3];
    for (int d = 0; d < 3; d++)
        PyMem_GetAllocator((PyMemAllocatorDomain)d, &before[d]);
    PyMem_SetupDebugHooks();
    for (int d = 0; d < 3; d++) {
        PyMem_GetAllocator((PyMemAllocatorDomain)d, &after[d]);
        printf("%s: debug hooks %s\n", names[d],
               memcmp(&before[d], &after[d], sizeof before[d]) == 0
                   ? "already on"
                   : "added by PyMem_SetupDebugHooks");
    }

    unsigned char *r = PyMem_RawMalloc(16), *m = PyMem_Malloc(16), *o = PyObject_Malloc(16);
    printf("ids: %c %c %c\n", r[-8], m[-8], o[-8]);
    PyMem_RawFree(r);
    PyMem_Free(m);
    PyObject_Free(o);

    FILE *devnull = fopen("/dev/null", "w");
    if (devnull == NULL)
        return 1;
    printf("pymalloc statistics: %s\n",
           _PyObject_DebugMallocStats(devnull) ? "printed" : "not printed");
    fclose(devnull);
    return 0;
}
