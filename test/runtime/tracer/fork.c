// fork() while other threads allocate and free through the tracer: the
// child gets consistent tables and free locks (the tracer holds its locks
// across fork), records its own blocks and reports them; the parent goes
// on.  The first forks race with the threads' first allocations: fork
// handlers registered lazily (pymalloc's, at a thread's first allocation)
// were missed by a fork in progress and left the child a lock held, about
// one run in 40.  A child that hangs is stopped by an alarm, and the test
// fails instead of stalling the suite.
//
// RUN: %cc -D_DEFAULT_SOURCE -I%S/Inputs %s -o %t %libpymemcheck
// RUN: env PYMEMCHECK=report=none %t | FileCheck %s --match-full-lines

#include "tracer_test.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

static atomic_bool done;

static void *churn(void *arg)
{
    (void)arg;
    while (!atomic_load(&done)) {
        void *p = _PyObject_MallocTrace("churn.c", 1, 48);
        void *q = pymemcheck_malloc_trace("churn.c", 2, 100);
        _PyObject_FreeTrace("churn.c", 3, p);
        pymemcheck_free_trace("churn.c", 4, q);
    }
    return NULL;
}

int main(void)
{
    EXPECT(pymemcheck_trace_start() == 0);
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, churn, NULL);
    for (int round = 0; round < 20; round++) {
        fflush(stdout);
        pid_t pid = fork();
        EXPECT(pid >= 0);
        if (pid == 0) {
            alarm(20);
            for (int i = 0; i < 100; i++)
                _PyMem_MallocTrace("child.c", 1, 10);
            pymemcheck_site_stats s = site_stats("child.c", 1, "PyMem_Malloc");
            _exit(s.live_blocks == 100 ? 0 : 1);
        }
        int status;
        EXPECT(waitpid(pid, &status, 0) == pid);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            printf("round %d: the child hung\n", round);
        EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    atomic_store(&done, true);
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    pymemcheck_site_stats s = site_stats("churn.c", 1, "PyObject_Malloc");
    printf("parent: churn live=%zu allocs==frees: %s\n", s.live_blocks,
           s.allocs == s.frees ? "yes" : "no");
    // CHECK: parent: churn live=0 allocs==frees: yes
    return 0;
}
