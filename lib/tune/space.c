/* Search-space definitions: grid enumeration, sampling, text, the space parser. */
#include "tune/tuner.h"
#include "core/mathf.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

static double pow_step(const nni_hp_def *d, size_t i)
{
    return d->log ? d->lo * nni_dpow(d->step, (double)i) : d->lo + d->step * (double)i;
}

static double eff_step(const nni_hp_def *d)
{
    if (d->kind == NNI_HP_INT && d->step == 0.0) return d->log ? 2.0 : 1.0;
    return d->step;
}

size_t nni_hp_grid_count(const nni_hp_def *d)
{
    switch (d->kind) {
    case NNI_HP_BOOL: return 2;
    case NNI_HP_CHOICE: return d->n_values;
    default: {
        nni_hp_def e = *d;
        size_t n = 0;
        e.step = eff_step(d);
        if (e.step == 0.0) return 0;
        /* tolerance for float steps: hi counts when within 1e-9 relative */
        while (n < 100000) {
            double v = pow_step(&e, n);
            if (v > d->hi + 1e-9 * fabs(d->hi)) break;
            n++;
        }
        return n;
    }
    }
}

size_t nni_hp_grid_values(const nni_hp_def *d, double *out, size_t cap)
{
    size_t n = nni_hp_grid_count(d), i;
    nni_hp_def e = *d;
    e.step = eff_step(d);
    for (i = 0; i < n && i < cap; i++) {
        if (d->kind == NNI_HP_BOOL || d->kind == NNI_HP_CHOICE) out[i] = (double)i;
        else {
            double v = pow_step(&e, i);
            if (d->kind == NNI_HP_INT) v = floor(v + 0.5);
            if (v > d->hi) v = d->hi;
            out[i] = v;
        }
    }
    return n;
}

double nni_hp_sample(const nni_hp_def *d, nni_rng *r)
{
    double u;
    switch (d->kind) {
    case NNI_HP_BOOL: return (double)nni_rng_below(r, 2);
    case NNI_HP_CHOICE: return (double)nni_rng_below(r, d->n_values);
    default: break;
    }
    if (d->step != 0.0 || (d->kind == NNI_HP_INT && !d->log)) {
        /* stepped: uniform over the grid values */
        size_t n = nni_hp_grid_count(d), i = (size_t)nni_rng_below(r, n);
        nni_hp_def e = *d;
        e.step = eff_step(d);
        u = pow_step(&e, i);
        if (d->kind == NNI_HP_INT) u = floor(u + 0.5);
        return u > d->hi ? d->hi : u;
    }
    /* 53-bit uniform in [0, 1) */
    u = (double)(nni_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
    if (d->kind == NNI_HP_INT) { /* log-uniform over [lo, hi + 1), floored */
        double v = floor(nni_dexp(nni_dlog(d->lo) + u * (nni_dlog(d->hi + 1.0) - nni_dlog(d->lo))));
        return v < d->lo ? d->lo : (v > d->hi ? d->hi : v);
    }
    if (d->log) return nni_dexp(nni_dlog(d->lo) + u * (nni_dlog(d->hi) - nni_dlog(d->lo)));
    return d->lo + u * (d->hi - d->lo);
}

void nni_hp_text(const nni_hp_def *d, double v, char *buf, size_t cap)
{
    switch (d->kind) {
    case NNI_HP_INT: snprintf(buf, cap, "%lld", (long long)v); break;
    case NNI_HP_FLOAT: snprintf(buf, cap, "%.17g", v); break;
    case NNI_HP_BOOL: snprintf(buf, cap, "%s", v != 0.0 ? "true" : "false"); break;
    case NNI_HP_CHOICE:
        if (d->strs) snprintf(buf, cap, "%s", d->strs[(size_t)v]);
        else snprintf(buf, cap, "%.17g", d->values[(size_t)v]);
        break;
    }
}

uint64_t nni_seed_mix(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t parts[4], z = 0;
    size_t i;
    parts[0] = seed;
    parts[1] = a;
    parts[2] = b;
    parts[3] = c;
    for (i = 0; i < 4; i++) {
        z += parts[i] + 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
    }
    return z;
}

/* ---- Hyperband schedule, as KerasTuner's HyperbandOracle ------------------ */

int nni_hb_brackets(int max_epochs, int factor)
{
    double e = (double)max_epochs;
    int b = 0;
    while (e >= 1.0) { /* min_epochs = 1 */
        e /= (double)factor;
        b++;
    }
    return b;
}

int nni_hb_size(int max_epochs, int factor, int bracket, int round)
{
    /* Keras Tuner's ceil(1 + log(x, base)), in integers (no libm, exact at powers of
       base): 1 + the smallest k with base^k >= x */
    double b0_end = 1.0, p = 1.0, end;
    while (p < (double)max_epochs && factor > 1) p *= (double)factor, b0_end += 1.0;
    end = b0_end / (double)(bracket + 1);
    return (int)ceil(end * nni_dpow((double)factor, (double)(bracket - round)));
}

int nni_hb_epochs(int max_epochs, int factor, int bracket, int round)
{
    return (int)ceil((double)max_epochs / nni_dpow((double)factor, (double)(bracket - round)));
}

/* ---- k-fold --------------------------------------------------------------- */

void nni_kfold_assign(size_t n, size_t k, uint64_t seed, const int *labels, size_t *perm, size_t *scratch, size_t *fold_of)
{
    nni_rng r;
    size_t i;
    nni_rng_seed(&r, seed);
    for (i = 0; i < n; i++) perm[i] = i;
    for (i = n; i > 1; i--) {
        size_t j = (size_t)nni_rng_below(&r, i), t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    if (labels) {
        /* stable bottom-up merge sort of the shuffled order by class, then deal round-robin */
        size_t w, *src = perm, *dst = scratch;
        for (w = 1; w < n; w *= 2) {
            size_t lo;
            for (lo = 0; lo < n; lo += 2 * w) {
                size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
                size_t a = lo, b = mid, o = lo;
                while (a < mid && b < hi) dst[o++] = labels[src[b]] < labels[src[a]] ? src[b++] : src[a++];
                while (a < mid) dst[o++] = src[a++];
                while (b < hi) dst[o++] = src[b++];
            }
            { size_t *t = src; src = dst; dst = t; }
        }
        if (src != perm) memcpy(perm, src, n * sizeof *perm);
        for (i = 0; i < n; i++) fold_of[perm[i]] = i % k;
    } else {
        /* contiguous chunks of the shuffled order, the first n % k one row larger (sklearn KFold) */
        size_t f, pos = 0;
        for (f = 0; f < k; f++) {
            size_t size = n / k + (f < n % k ? 1 : 0), j;
            for (j = 0; j < size; j++) fold_of[perm[pos++]] = f;
        }
    }
}
