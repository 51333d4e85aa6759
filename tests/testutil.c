#include "testutil.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef union tu_hdr { size_t size; max_align_t align; } tu_hdr;

static void *tu_alloc(void *user, size_t size)
{
    tu_counter *c = (tu_counter *)user;
    tu_hdr *h;
    if (c->fail_all || (c->fail_at > 0 && c->allocs + c->failed + 1 == c->fail_at)) {
        c->failed++;
        return NULL;
    }
    h = (tu_hdr *)malloc(sizeof(tu_hdr) + size);
    if (!h) return NULL;
    h->size = size;
    c->allocs++;
    c->live_bytes += (long long)size;
    c->total_bytes += (long long)size;
    return h + 1;
}

static void tu_free(void *user, void *p)
{
    tu_counter *c = (tu_counter *)user;
    tu_hdr *h;
    if (!p) return;
    h = (tu_hdr *)p - 1;
    c->frees++;
    c->live_bytes -= (long long)h->size;
    free(h);
}

nn_allocator tu_allocator(tu_counter *c)
{
    nn_allocator a;
    a.alloc = tu_alloc;
    a.free = tu_free;
    a.user = c;
    return a;
}

void tu_counter_reset(tu_counter *c) { memset(c, 0, sizeof *c); }

static uint64_t tu_next(tu_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double tu_uniform(tu_rng *r) { return (double)(tu_next(r) >> 11) * (1.0 / 9007199254740992.0); }
double tu_range(tu_rng *r, double lo, double hi) { return lo + (hi - lo) * tu_uniform(r); }

double tu_normal(tu_rng *r)
{
    double u1 = tu_uniform(r), u2 = tu_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static double sig(double x) { return 1.0 / (1.0 + exp(-x)); }

void tu_act_ref(nn_activation a, double alpha, const double *z, double *y, size_t rows, size_t cols)
{
    size_t i, n = rows * cols, r, c;
    const double selu_a = 1.6732632423543772848170429916717, selu_s = 1.0507009873554804934193349852946;
    if (a == NN_SOFTMAX) {
        for (r = 0; r < rows; r++) {
            double mx = z[r * cols], s = 0.0;
            for (c = 1; c < cols; c++) mx = z[r * cols + c] > mx ? z[r * cols + c] : mx;
            for (c = 0; c < cols; c++) s += exp(z[r * cols + c] - mx);
            for (c = 0; c < cols; c++) y[r * cols + c] = exp(z[r * cols + c] - mx) / s;
        }
        return;
    }
    for (i = 0; i < n; i++) {
        double x = z[i];
        switch (a) {
        case NN_LINEAR: y[i] = x; break;
        case NN_RELU: y[i] = x > 0 ? x : 0; break;
        case NN_LEAKY_RELU: y[i] = x >= 0 ? x : alpha * x; break;
        case NN_ELU: y[i] = x > 0 ? x : exp(x) - 1.0; break;
        case NN_SELU: y[i] = selu_s * (x > 0 ? x : selu_a * (exp(x) - 1.0)); break;
        case NN_SIGMOID: y[i] = sig(x); break;
        case NN_TANH: y[i] = tanh(x); break;
        case NN_SOFTPLUS: y[i] = log1p(exp(x)); break;
        case NN_GELU: y[i] = 0.5 * x * (1.0 + erf(x / sqrt(2.0))); break;
        case NN_SWISH: y[i] = x * sig(x); break;
        default: y[i] = NAN; break;
        }
    }
}

void tu_log_sink(void *user, const char *text)
{
    tu_log *l = (tu_log *)user;
    size_t n = strlen(text);
    if (l->len + n + 1 > sizeof l->buf) n = sizeof l->buf - l->len - 1;
    memcpy(l->buf + l->len, text, n);
    l->len += n;
    l->buf[l->len] = '\0';
}
