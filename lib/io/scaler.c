/* StandardScaler, MinMaxScaler and SimpleImputer with scikit-learn semantics. */
#include "io/scaler.h"
#include "core/alloc.h"
#include "core/error.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static nn_scaler *scaler_new(nni_scaler_kind kind, const char *who)
{
    nn_allocator a = nni_default_allocator();
    nn_scaler *s = (nn_scaler *)nni_alloc(&a, sizeof *s);
    if (!s) return (nn_scaler *)nni_set_last_error("%s: out of memory", who);
    s->alloc = a;
    s->kind = kind;
    s->lo = 0.0f;
    s->hi = 1.0f;
    return s;
}

nn_scaler *nn_standard_scaler(void) { return scaler_new(NNI_SCALER_STANDARD, "nn_standard_scaler"); }

nn_scaler *nn_minmax_scaler(float lo, float hi)
{
    nn_scaler *s;
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return (nn_scaler *)nni_set_last_error("nn_minmax_scaler: feature_range (%g, %g) must be finite with lo < hi", (double)lo, (double)hi);
    s = scaler_new(NNI_SCALER_MINMAX, "nn_minmax_scaler");
    if (s) {
        s->lo = lo;
        s->hi = hi;
    }
    return s;
}

nn_scaler *nn_imputer(nn_impute_strategy strategy, float fill_value)
{
    nn_scaler *s;
    if ((int)strategy < 0 || (int)strategy > (int)NN_IMPUTE_KNN)
        return (nn_scaler *)nni_set_last_error("nn_imputer: unknown strategy %d", (int)strategy);
    if (!isfinite(fill_value)) return (nn_scaler *)nni_set_last_error("nn_imputer: fill_value must be finite");
    s = scaler_new(NNI_SCALER_IMPUTER, "nn_imputer");
    if (s) {
        s->strategy = (int)strategy;
        s->fill = fill_value;
        s->neighbors = 5;
    }
    return s;
}

nn_status nn_imputer_set_neighbors(nn_scaler *s, int k)
{
    if (!s || s->kind != NNI_SCALER_IMPUTER || s->strategy != NN_IMPUTE_KNN) {
        nni_set_last_error("nn_imputer_set_neighbors: needs an nn_imputer(NN_IMPUTE_KNN, ...)");
        return NN_ERR_INVALID_ARG;
    }
    if (k < 1 || k > NN_IMPUTER_MAX_NEIGHBORS) {
        nni_set_last_error("nn_imputer_set_neighbors: k = %d is not in 1..%d", k, NN_IMPUTER_MAX_NEIGHBORS);
        return NN_ERR_INVALID_ARG;
    }
    s->neighbors = k;
    return NN_OK;
}

nn_status nn_scaler_set_impute_mean(nn_scaler *s, int on)
{
    if (!s || s->kind != NNI_SCALER_STANDARD) {
        nni_set_last_error("nn_scaler_set_impute_mean: needs an nn_standard_scaler() (impute before a MinMaxScaler "
                           "with nn_imputer)");
        return NN_ERR_INVALID_ARG;
    }
    if (s->fitted) {
        nni_set_last_error("nn_scaler_set_impute_mean: the scaler is already fitted; set it before fit");
        return NN_ERR_STATE;
    }
    s->impute_mean = on != 0;
    return NN_OK;
}

void nn_scaler_free(nn_scaler *s)
{
    nn_allocator a;
    if (!s) return;
    a = s->alloc;
    nni_free(&a, s->a);
    nni_free(&a, s->b);
    nni_free(&a, s->rows);
    nni_free(&a, s);
}

static int cmp_float(const void *p, const void *q)
{
    float a = *(const float *)p, b = *(const float *)q;
    return (a > b) - (a < b);
}

nn_status nn_scaler_fit(nn_scaler *s, const float *x, size_t n, size_t cols)
{
    float *a, *b, *tmp = NULL, *rows = NULL;
    size_t i, j, total;
    int knn;
    if (!s || !x || n == 0 || cols == 0) {
        nni_set_last_error("nn_scaler_fit: scaler and x must not be NULL, n and cols > 0");
        return NN_ERR_INVALID_ARG;
    }
    if (!nni_mul_ok(n, cols, &total)) {
        nni_set_last_error("nn_scaler_fit: %zu x %zu overflows", n, cols);
        return NN_ERR_INVALID_ARG;
    }
    for (i = 0; i < total; i++)
        if (isinf(x[i])) {
            nni_set_last_error("nn_scaler_fit: x[%zu][%zu] is Inf", i / cols, i % cols);
            return NN_ERR_NONFINITE;
        }
    knn = s->kind == NNI_SCALER_IMPUTER && s->strategy == NN_IMPUTE_KNN;
    a = (float *)nni_alloc_array(&s->alloc, cols, sizeof(float));
    b = (float *)nni_alloc_array(&s->alloc, cols, sizeof(float));
    if (s->kind == NNI_SCALER_IMPUTER && s->strategy == NN_IMPUTE_MEDIAN) tmp = (float *)nni_alloc_array(&s->alloc, n, sizeof(float));
    if (knn) rows = (float *)nni_alloc_array(&s->alloc, total, sizeof(float));
    if (!a || !b || (s->kind == NNI_SCALER_IMPUTER && s->strategy == NN_IMPUTE_MEDIAN && !tmp) || (knn && !rows)) {
        nni_free(&s->alloc, a);
        nni_free(&s->alloc, b);
        nni_free(&s->alloc, tmp);
        nni_free(&s->alloc, rows);
        nni_set_last_error("nn_scaler_fit: out of memory");
        return NN_ERR_NOMEM;
    }
    for (j = 0; j < cols; j++) {
        double sum = 0.0, ss = 0.0, mean, lo = INFINITY, hi = -INFINITY;
        size_t cnt = 0;
        for (i = 0; i < n; i++) {
            float v = x[i * cols + j];
            if (isnan(v)) continue;
            sum += v;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
            if (tmp) tmp[cnt] = v;
            cnt++;
        }
        mean = cnt ? sum / (double)cnt : 0.0;
        switch (s->kind) {
        case NNI_SCALER_STANDARD:
            for (i = 0; i < n; i++) {
                float v = x[i * cols + j];
                if (!isnan(v)) ss += ((double)v - mean) * ((double)v - mean);
            }
            a[j] = (float)mean;
            /* scikit-learn: a zero standard deviation becomes 1. Imputing first (as
               Pipeline([SimpleImputer(), StandardScaler()])) puts the mean in the missing
               cells: they add nothing to ss but count in the divisor. */
            b[j] = (cnt == 0 || lo == hi) ? 1.0f : (float)sqrt(ss / (double)(s->impute_mean ? n : cnt));
            if (b[j] == 0.0f) b[j] = 1.0f;
            break;
        case NNI_SCALER_MINMAX:
            a[j] = cnt ? (float)lo : 0.0f;
            b[j] = cnt ? (float)hi : 1.0f;
            break;
        case NNI_SCALER_IMPUTER:
        default:
            if (cnt == 0 || s->strategy == NN_IMPUTE_CONSTANT) a[j] = s->fill;
            /* !tmp never holds here (the median strategy allocated it above); stated for -fanalyzer */
            else if (s->strategy == NN_IMPUTE_MEAN || s->strategy == NN_IMPUTE_KNN || !tmp) a[j] = (float)mean;
            else {
                qsort(tmp, cnt, sizeof(float), cmp_float);
                a[j] = cnt % 2 ? tmp[cnt / 2] : (float)(((double)tmp[cnt / 2 - 1] + (double)tmp[cnt / 2]) / 2.0);
            }
            b[j] = 0.0f;
            break;
        }
    }
    nni_free(&s->alloc, tmp);
    nni_free(&s->alloc, s->a);
    nni_free(&s->alloc, s->b);
    nni_free(&s->alloc, s->rows);
    if (rows) memcpy(rows, x, total * sizeof(float));
    s->rows = rows;
    s->n_rows = knn ? n : 0;
    s->a = a;
    s->b = b;
    s->dim = cols;
    s->fitted = 1;
    return NN_OK;
}

static double minmax_scale(const nn_scaler *s, size_t j)
{
    double range = (double)s->b[j] - (double)s->a[j];
    if (range == 0.0) range = 1.0; /* scikit-learn's handling of a constant column */
    return ((double)s->hi - (double)s->lo) / range;
}

/* KNNImputer for one row: distances use orig (the row as given, NaN = missing), fills go to
   row (a copy of orig), as scikit-learn does. The k-entry table lives on the stack. */
static void knn_impute_row(const nn_scaler *s, const float *orig, float *row)
{
    /* zeroed only so -fanalyzer sees every entry read is written (entries < have always are) */
    struct { double dist; float val; } best[NN_IMPUTER_MAX_NEIGHBORS] = { { 0.0, 0.0f } };
    size_t d = s->dim, i, j, c, k = (size_t)s->neighbors;
    for (j = 0; j < d; j++) {
        size_t have = 0, q;
        double sum = 0.0;
        if (!isnan(orig[j])) continue;
        for (i = 0; i < s->n_rows; i++) {
            const float *t = s->rows + i * d;
            double ss = 0.0, dist;
            size_t present = 0;
            if (isnan(t[j])) continue; /* not a donor for column j */
            for (c = 0; c < d; c++) {
                if (isnan(orig[c]) || isnan(t[c])) continue;
                ss += ((double)orig[c] - (double)t[c]) * ((double)orig[c] - (double)t[c]);
                present++;
            }
            if (present == 0) continue; /* nan distance: no common coordinate */
            dist = sqrt((double)d / (double)present * ss);
            /* insertion into the sorted table; ties keep the earlier training row */
            if (have < k) q = have++;
            else if (dist < best[k - 1].dist) q = k - 1;
            else continue;
            while (q > 0 && best[q - 1].dist > dist) {
                best[q] = best[q - 1];
                q--;
            }
            best[q].dist = dist;
            best[q].val = t[j];
        }
        if (have == 0) {
            row[j] = s->a[j]; /* no usable neighbour: the column mean (or fill_value) */
            continue;
        }
        for (q = 0; q < have; q++) sum += best[q].val;
        row[j] = (float)(sum / (double)have);
    }
}

void nni_scaler_apply(const nn_scaler *s, const float *src, float *x, size_t n)
{
    size_t i, j, d = s->dim;
    if (s->kind == NNI_SCALER_IMPUTER && s->strategy == NN_IMPUTE_KNN) {
        for (i = 0; i < n; i++) knn_impute_row(s, src + i * d, x + i * d);
        return;
    }
    (void)src;
    for (j = 0; j < d; j++) {
        switch (s->kind) {
        case NNI_SCALER_STANDARD:
            for (i = 0; i < n; i++) {
                double v = isnan(x[i * d + j]) && s->impute_mean ? (double)s->a[j] : (double)x[i * d + j];
                x[i * d + j] = (float)((v - (double)s->a[j]) / (double)s->b[j]);
            }
            break;
        case NNI_SCALER_MINMAX: {
            double sc = minmax_scale(s, j), mn = (double)s->lo - (double)s->a[j] * sc;
            for (i = 0; i < n; i++) x[i * d + j] = (float)((double)x[i * d + j] * sc + mn);
            break;
        }
        case NNI_SCALER_IMPUTER:
        default:
            for (i = 0; i < n; i++)
                if (isnan(x[i * d + j])) x[i * d + j] = s->a[j];
            break;
        }
    }
}

void nni_scaler_unapply(const nn_scaler *s, float *x, size_t n)
{
    size_t i, j, d = s->dim;
    for (j = 0; j < d; j++) {
        switch (s->kind) {
        case NNI_SCALER_STANDARD:
            for (i = 0; i < n; i++) x[i * d + j] = (float)((double)x[i * d + j] * (double)s->b[j] + (double)s->a[j]);
            break;
        case NNI_SCALER_MINMAX: {
            double sc = minmax_scale(s, j), mn = (double)s->lo - (double)s->a[j] * sc;
            for (i = 0; i < n; i++) x[i * d + j] = (float)(((double)x[i * d + j] - mn) / sc);
            break;
        }
        case NNI_SCALER_IMPUTER:
        default:
            break;
        }
    }
}

static nn_status check_use(const nn_scaler *s, const float *x, size_t n, const float *out, const char *who)
{
    if (!s || !x || !out || n == 0) {
        nni_set_last_error("%s: scaler, x and out must not be NULL and n > 0", who);
        return NN_ERR_INVALID_ARG;
    }
    if (!s->fitted) {
        nni_set_last_error("%s: the scaler is not fitted; call nn_scaler_fit first", who);
        return NN_ERR_STATE;
    }
    if (n > (size_t)-1 / sizeof(float) / s->dim) {
        nni_set_last_error("%s: %zu rows overflow", who, n);
        return NN_ERR_INVALID_ARG;
    }
    return NN_OK;
}

nn_status nn_scaler_transform(const nn_scaler *s, const float *x, size_t n, float *out)
{
    nn_status st = check_use(s, x, n, out, "nn_scaler_transform");
    if (st != NN_OK) return st;
    if (s->kind == NNI_SCALER_IMPUTER && s->strategy == NN_IMPUTE_KNN && out == x) {
        /* in place: one row is copied so that the distances see the row as given */
        nn_allocator a = s->alloc;
        float *row = (float *)nni_alloc_array(&a, s->dim, sizeof(float));
        size_t i;
        if (!row) {
            nni_set_last_error("nn_scaler_transform: out of memory for one row");
            return NN_ERR_NOMEM;
        }
        for (i = 0; i < n; i++) {
            memcpy(row, x + i * s->dim, s->dim * sizeof(float));
            nni_scaler_apply(s, row, out + i * s->dim, 1);
        }
        nni_free(&a, row);
        return NN_OK;
    }
    if (out != x) {
        /* out must not overlap x partially */
        memmove(out, x, n * s->dim * sizeof(float));
    }
    nni_scaler_apply(s, x, out, n);
    return NN_OK;
}

nn_status nn_scaler_inverse_transform(const nn_scaler *s, const float *x, size_t n, float *out)
{
    nn_status st = check_use(s, x, n, out, "nn_scaler_inverse_transform");
    if (st != NN_OK) return st;
    if (out != x) memmove(out, x, n * s->dim * sizeof(float));
    nni_scaler_unapply(s, out, n);
    return NN_OK;
}

size_t nn_scaler_dim(const nn_scaler *s) { return s ? s->dim : 0; }

float nn_scaler_stat(const nn_scaler *s, const char *name, size_t col)
{
    if (!s || !name || !s->fitted || col >= s->dim) return NAN;
    switch (s->kind) {
    case NNI_SCALER_STANDARD:
        if (strcmp(name, "mean") == 0) return s->a[col];
        if (strcmp(name, "scale") == 0) return s->b[col];
        break;
    case NNI_SCALER_MINMAX:
        if (strcmp(name, "data_min") == 0) return s->a[col];
        if (strcmp(name, "data_max") == 0) return s->b[col];
        break;
    case NNI_SCALER_IMPUTER:
    default:
        if (strcmp(name, "fill") == 0) return s->a[col];
        break;
    }
    return NAN;
}

/* ---- serialization (see docs/file-format.md, section PREP) ---- */

static const char *kind_name(nni_scaler_kind k)
{
    return k == NNI_SCALER_STANDARD ? "StandardScaler" : k == NNI_SCALER_MINMAX ? "MinMaxScaler" : "SimpleImputer";
}

void nni_scaler_write(nni_wr *w, const nn_scaler *s)
{
    nni_wr_str16(w, kind_name(s->kind));
    nni_wr_u32(w, (uint32_t)(s->kind == NNI_SCALER_IMPUTER ? s->strategy : s->impute_mean));
    nni_wr_f32(w, s->fill);
    nni_wr_f32(w, s->lo);
    nni_wr_f32(w, s->hi);
    nni_wr_u8(w, (unsigned)s->fitted);
    nni_wr_u64(w, s->fitted ? (uint64_t)s->dim : 0);
    if (s->fitted) {
        nni_wr_f32s(w, s->a, s->dim);
        nni_wr_f32s(w, s->b, s->dim);
    }
    if (s->kind == NNI_SCALER_IMPUTER && s->strategy == NN_IMPUTE_KNN) {
        /* appended for KNNImputer (older files never have strategy 3) */
        nni_wr_u32(w, (uint32_t)s->neighbors);
        nni_wr_u64(w, s->fitted ? (uint64_t)s->n_rows : 0);
        if (s->fitted) nni_wr_f32s(w, s->rows, s->n_rows * s->dim);
    }
}

nn_scaler *nni_scaler_read(nni_rd *r, const nn_allocator *al, int *nomem)
{
    char kind[32];
    nn_scaler *s;
    size_t at = r->pos, dim;
    nni_scaler_kind k;
    unsigned strategy, fitted;
    float fill, lo, hi;
    *nomem = 0;
    if (!nni_rd_str16(r, kind, sizeof kind, "scaler kind")) return NULL;
    if (strcmp(kind, "StandardScaler") == 0) k = NNI_SCALER_STANDARD;
    else if (strcmp(kind, "MinMaxScaler") == 0) k = NNI_SCALER_MINMAX;
    else if (strcmp(kind, "SimpleImputer") == 0) k = NNI_SCALER_IMPUTER;
    else {
        nni_rd_fail(r, "unknown scaler kind \"%s\" at offset %zu", kind, at);
        return NULL;
    }
    strategy = nni_rd_u32(r);
    fill = nni_rd_f32(r);
    lo = nni_rd_f32(r);
    hi = nni_rd_f32(r);
    fitted = nni_rd_u8(r);
    at = r->pos;
    dim = nni_rd_size(r, "scaler width");
    if (r->failed) return NULL;
    if (strategy > (k == NNI_SCALER_IMPUTER ? (unsigned)NN_IMPUTE_KNN : k == NNI_SCALER_STANDARD ? 1u : 0u) ||
        fitted > 1 || !isfinite(fill) || !isfinite(lo) || !isfinite(hi) || (k == NNI_SCALER_MINMAX && !(lo < hi))) {
        nni_rd_fail(r, "invalid %s settings before offset %zu", kind, at);
        return NULL;
    }
    if ((fitted && dim == 0) || (!fitted && dim != 0) || dim > nni_rd_left(r) / 8) {
        nni_rd_fail(r, "impossible %s width %zu at offset %zu (%zu bytes left)", kind, dim, at, nni_rd_left(r));
        return NULL;
    }
    s = (nn_scaler *)nni_alloc(al, sizeof *s);
    if (!s) {
        *nomem = 1;
        return NULL;
    }
    s->alloc = *al;
    s->kind = k;
    if (k == NNI_SCALER_IMPUTER) s->strategy = (int)strategy;
    else s->impute_mean = (int)strategy;
    s->fill = fill;
    s->lo = lo;
    s->hi = hi;
    if (fitted) {
        size_t j;
        s->a = (float *)nni_alloc_array(al, dim, sizeof(float));
        s->b = (float *)nni_alloc_array(al, dim, sizeof(float));
        if (!s->a || !s->b) {
            nn_scaler_free(s);
            *nomem = 1;
            return NULL;
        }
        nni_rd_f32s(r, s->a, dim, "scaler statistics");
        nni_rd_f32s(r, s->b, dim, "scaler statistics");
        for (j = 0; j < dim && !r->failed; j++)
            if (!isfinite(s->a[j]) || !isfinite(s->b[j]) || (k == NNI_SCALER_STANDARD && s->b[j] == 0.0f))
                nni_rd_fail(r, "%s statistic of column %zu is not usable (before offset %zu)", kind, j, r->pos);
        if (r->failed) {
            nn_scaler_free(s);
            return NULL;
        }
        s->dim = dim;
        s->fitted = 1;
    }
    if (k == NNI_SCALER_IMPUTER && strategy == (unsigned)NN_IMPUTE_KNN) {
        unsigned nb;
        size_t rows, total, i;
        at = r->pos;
        nb = nni_rd_u32(r);
        rows = nni_rd_size(r, "KNN imputer rows");
        if (!r->failed && (nb < 1 || nb > NN_IMPUTER_MAX_NEIGHBORS || (s->fitted && rows == 0) || (!s->fitted && rows != 0) ||
                           (dim && rows > nni_rd_left(r) / 4 / dim)))
            nni_rd_fail(r, "invalid KNN imputer (k %u, %zu rows) at offset %zu", nb, rows, at);
        if (r->failed) {
            nn_scaler_free(s);
            return NULL;
        }
        s->neighbors = (int)nb;
        if (s->fitted) {
            total = rows * dim;
            s->rows = (float *)nni_alloc_array(al, total, sizeof(float));
            if (!s->rows) {
                nn_scaler_free(s);
                *nomem = 1;
                return NULL;
            }
            nni_rd_f32s(r, s->rows, total, "KNN imputer rows");
            for (i = 0; i < total && !r->failed; i++)
                if (isinf(s->rows[i])) nni_rd_fail(r, "KNN imputer row %zu is infinite (before offset %zu)", i / dim, r->pos);
            if (r->failed) {
                nn_scaler_free(s);
                return NULL;
            }
            s->n_rows = rows;
        }
    }
    return s;
}

nn_scaler *nni_scaler_copy(const nn_scaler *s, const nn_allocator *a, int *nomem)
{
    nni_wr w = { NULL, 0, 0 };
    nni_rd r;
    nn_scaler *c;
    *nomem = 1;
    nni_scaler_write(&w, s); /* measures */
    memset(&r, 0, sizeof r);
    w.buf = (uint8_t *)nni_alloc(a, w.pos);
    if (!w.buf) return NULL;
    w.cap = w.pos;
    w.pos = 0;
    nni_scaler_write(&w, s);
    r.buf = w.buf;
    r.len = w.pos;
    c = nni_scaler_read(&r, a, nomem);
    nni_free(a, w.buf);
    return c;
}
