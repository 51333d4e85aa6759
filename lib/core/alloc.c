#include "alloc.h"
#include <stdlib.h>
#include <string.h>

static void *std_alloc(void *user, size_t size) { (void)user; return malloc(size); }
static void std_free(void *user, void *p) { (void)user; free(p); }

/* The one piece of process-wide configuration the API allows: set once at
   start-up before other calls (sqlite3_config style), so it needs no lock. */
static nn_allocator g_default = { std_alloc, std_free, NULL };

nn_status nn_set_default_allocator(const nn_allocator *a)
{
    if (a == NULL) {
        g_default.alloc = std_alloc;
        g_default.free = std_free;
        g_default.user = NULL;
        return NN_OK;
    }
    if (a->alloc == NULL || a->free == NULL) return NN_ERR_INVALID_ARG;
    g_default = *a;
    return NN_OK;
}

nn_allocator nni_default_allocator(void) { return g_default; }

void *nni_alloc(const nn_allocator *a, size_t n)
{
    void *p;
    if (n == 0) n = 1;
    p = a->alloc(a->user, n);
    if (p) memset(p, 0, n);
    return p;
}

int nni_mul_ok(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > (size_t)-1 / a) return 0;
    *out = a * b;
    return 1;
}

void *nni_alloc_array(const nn_allocator *a, size_t count, size_t size)
{
    size_t n;
    if (!nni_mul_ok(count, size, &n)) return NULL;
    return nni_alloc(a, n);
}

void nni_free(const nn_allocator *a, void *p)
{
    if (p) a->free(a->user, p);
}
