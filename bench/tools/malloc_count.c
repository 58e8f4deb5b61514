/* Counts calls to malloc, calloc, realloc and aligned allocations in a process (LD_PRELOAD),
 * for bench/profile: allocations per request. The count is written to stderr as
 * "malloc_calls=N" when the process gets SIGUSR2 (paygate does not use that signal).
 * Build: cc -O2 -shared -fPIC -o malloc_count.so malloc_count.c -ldl
 * Not part of paygate; a measuring tool only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_ulong calls;
static void* (*real_malloc)(size_t);
static void* (*real_calloc)(size_t, size_t);
static void* (*real_realloc)(void*, size_t);
static int (*real_posix_memalign)(void**, size_t, size_t);
static void* (*real_aligned_alloc)(size_t, size_t);

/* dlsym may call calloc before real_calloc is known: serve it from a static arena. */
static char bootstrap[4096];
static size_t bootstrap_used;

static void report(int sig) {
  (void)sig;
  char line[64];
  int n = snprintf(line, sizeof line, "malloc_calls=%lu\n", atomic_load(&calls));
  if (n > 0) (void)write(2, line, (size_t)n);
}

__attribute__((constructor)) static void init(void) {
  real_malloc = dlsym(RTLD_NEXT, "malloc");
  real_calloc = dlsym(RTLD_NEXT, "calloc");
  real_realloc = dlsym(RTLD_NEXT, "realloc");
  real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
  real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
  signal(SIGUSR2, report);
}

void* malloc(size_t n) {
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  if (!real_malloc) real_malloc = dlsym(RTLD_NEXT, "malloc");
  return real_malloc(n);
}

void* calloc(size_t a, size_t b) {
  if (!real_calloc) {
    size_t n = (a * b + 15) & ~(size_t)15;
    if (bootstrap_used + n > sizeof bootstrap) return NULL;
    void* p = bootstrap + bootstrap_used;
    bootstrap_used += n;
    memset(p, 0, n);
    return p;
  }
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  return real_calloc(a, b);
}

void* realloc(void* p, size_t n) {
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  return real_realloc(p, n);
}

int posix_memalign(void** out, size_t align, size_t n) {
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  return real_posix_memalign(out, align, n);
}

void* aligned_alloc(size_t align, size_t n) {
  atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
  return real_aligned_alloc(align, n);
}

void free(void* p) {
  static void (*real_free)(void*);
  if ((char*)p >= bootstrap && (char*)p < bootstrap + sizeof bootstrap) return;
  if (!real_free) real_free = dlsym(RTLD_NEXT, "free");
  real_free(p);
}
