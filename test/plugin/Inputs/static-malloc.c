/* A user function that happens to be called malloc, with internal linkage:
 * it is not the C library's, and its calls stay (test: rewrite-untouched.c).
 */
typedef unsigned long size_t;

static char arena[256];
static size_t used;

static void *malloc(size_t n) {
  void *p = arena + used;
  used += n;
  return p;
}

void *user_code(void) {
  return malloc(16);
  // CHECK: return malloc(16);
}
