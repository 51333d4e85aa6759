/* Baselines the doctor compares a fit against, all computed from the
   training rows: a constant predictor (column means or class priors), ridge
   least squares (normal equations solved by Cholesky in double) and the
   identity map for autoencoders. Losses use the model's loss definition. */
#include "doctor/doctor.h"
#include "core/alloc.h"
#include "core/mathf.h"
#include <math.h>
#include <string.h>

#define NNI_LINEAR_MAX_DIM 512   /* skip the least-squares baseline above this many features */
#define NNI_RIDGE_LAMBDA 1e-3    /* times n, on standardized features */

int nni_doctor_kind(const nn_model *m)
{
    switch (m->loss) {
    case NN_LOSS_BINARY_CROSSENTROPY:
    case NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS:
    case NN_LOSS_CATEGORICAL_CROSSENTROPY:
    case NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
        return NNI_KIND_CLASSIFICATION;
    default:
        break;
    }
    return nni_output_dim(m) == m->in_dim && m->in_dim >= 2 ? NNI_KIND_AUTOENCODER : NNI_KIND_REGRESSION;
}

static double reg_elem(const nn_model *m, double e)
{
    double a = fabs(e), d = (double)m->huber_delta;
    switch (m->loss) {
    case NN_LOSS_MAE: return a;
    case NN_LOSS_HUBER: return a <= d ? 0.5 * e * e : d * (a - 0.5 * d);
    default: return e * e;
    }
}

/* Class frequencies (cols entries) of n target rows; for sparse CCE y holds indices. */
static void class_freq(const nn_model *m, const float *y, size_t n, size_t cols, double *f)
{
    size_t i, k;
    for (k = 0; k < cols; k++) f[k] = 0.0;
    if (n == 0) return;
    for (i = 0; i < n; i++) {
        if (m->loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) {
            size_t c = (size_t)y[i];
            if (c < cols) f[c] += 1.0;
        } else {
            for (k = 0; k < cols; k++) f[k] += (double)y[i * cols + k];
        }
    }
    for (k = 0; k < cols; k++) f[k] /= (double)n;
}

static double clipp(double p)
{
    const double eps = 1e-7;
    return p < eps ? eps : (p > 1.0 - eps ? 1.0 - eps : p);
}

static int label_of(const nn_model *m, const float *y, size_t i, size_t cols)
{
    size_t k, best = 0;
    if (m->loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) return (int)y[i];
    for (k = 1; k < cols; k++)
        if (y[i * cols + k] > y[i * cols + best]) best = k;
    return (int)best;
}

static nn_status classification(nn_model *m, const float *y, size_t n, const float *vy, size_t vn, nni_baselines *b)
{
    size_t cols = nni_output_dim(m), k, i;
    double *pt = (double *)nni_alloc_array(&m->alloc, 2 * cols, sizeof(double)), *pe;
    int binary = m->loss == NN_LOSS_BINARY_CROSSENTROPY || m->loss == NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS;
    if (!pt) return NN_ERR_NOMEM;
    pe = pt + cols;
    class_freq(m, y, n, cols, pt);
    class_freq(m, vy, vn, cols, pe);
    b->const_train = b->const_eval = 0.0;
    if (binary) {
        double acc = 0.0;
        for (k = 0; k < cols; k++) {
            double p = clipp(pt[k]);
            b->const_train -= pt[k] * nni_dlog(p) + (1.0 - pt[k]) * nni_dlog(1.0 - p);
            b->const_eval -= pe[k] * nni_dlog(p) + (1.0 - pe[k]) * nni_dlog(1.0 - p);
            acc += pt[k] >= 0.5 ? pe[k] : 1.0 - pe[k];
        }
        b->const_train /= (double)cols;
        b->const_eval /= (double)cols;
        b->majority_acc_eval = acc / (double)cols;
        b->majority_class = cols == 1 ? (pt[0] >= 0.5) : -1;
    } else {
        size_t maj = 0, hit = 0;
        for (k = 0; k < cols; k++) {
            double p = clipp(pt[k]);
            b->const_train -= pt[k] * nni_dlog(p);
            b->const_eval -= pe[k] * nni_dlog(p);
            if (pt[k] > pt[maj]) maj = k;
        }
        for (i = 0; i < vn; i++) hit += label_of(m, vy, i, cols) == (int)maj;
        b->majority_acc_eval = vn ? (double)hit / (double)vn : 0.0;
        b->majority_class = (int)maj;
    }
    nni_free(&m->alloc, pt);
    return NN_OK;
}

/* Cholesky factorization in place (lower triangle); 0 when not positive definite. */
static int cholesky(double *a, size_t d)
{
    size_t i, j, k;
    for (j = 0; j < d; j++) {
        double s = a[j * d + j];
        for (k = 0; k < j; k++) s -= a[j * d + k] * a[j * d + k];
        if (!(s > 0.0)) return 0;
        a[j * d + j] = sqrt(s);
        for (i = j + 1; i < d; i++) {
            double t = a[i * d + j];
            for (k = 0; k < j; k++) t -= a[i * d + k] * a[j * d + k];
            a[i * d + j] = t / a[j * d + j];
        }
    }
    return 1;
}

static void chol_solve(const double *l, size_t d, double *b)
{
    size_t i, k;
    for (i = 0; i < d; i++) {
        double s = b[i];
        for (k = 0; k < i; k++) s -= l[i * d + k] * b[k];
        b[i] = s / l[i * d + i];
    }
    for (i = d; i-- > 0;) {
        double s = b[i];
        for (k = i + 1; k < d; k++) s -= l[k * d + i] * b[k];
        b[i] = s / l[i * d + i];
    }
}

static double linear_loss(const nn_model *m, const double *mu, const double *sd, const double *ym, const double *w,
                          const float *x, const float *y, size_t n, size_t d, size_t t, double *mae)
{
    size_t i, j, c;
    double sum = 0.0, sa = 0.0;
    for (i = 0; i < n; i++)
        for (c = 0; c < t; c++) {
            double p = ym[c], e;
            for (j = 0; j < d; j++) p += ((double)x[i * d + j] - mu[j]) / sd[j] * w[c * d + j];
            e = p - (double)y[i * t + c];
            sum += reg_elem(m, e);
            sa += fabs(e);
        }
    if (mae) *mae = sa / (double)(n * t);
    return sum / (double)(n * t);
}

static nn_status regression(nn_model *m, const float *x, const float *y, size_t n, const float *vx, const float *vy,
                            size_t vn, nni_baselines *b)
{
    size_t d = m->in_dim, t = nni_output_dim(m), i, j, k, c;
    double *buf, *mu, *sd, *ym, *g, *w;
    size_t need = 2 * d + t + d * d + d * t;
    /* constant predictor: the training means */
    b->const_train = b->const_eval = 0.0;
    buf = (double *)nni_alloc_array(&m->alloc, d <= NNI_LINEAR_MAX_DIM ? need : t, sizeof(double));
    if (!buf) return NN_ERR_NOMEM;
    ym = buf;
    for (i = 0; i < n; i++)
        for (c = 0; c < t; c++) ym[c] += (double)y[i * t + c];
    for (c = 0; c < t; c++) ym[c] /= (double)n;
    for (i = 0; i < n; i++)
        for (c = 0; c < t; c++) b->const_train += reg_elem(m, ym[c] - (double)y[i * t + c]);
    for (i = 0; i < vn; i++)
        for (c = 0; c < t; c++) b->const_eval += reg_elem(m, ym[c] - (double)vy[i * t + c]);
    b->const_train /= (double)(n * t);
    b->const_eval /= (double)(vn * t);
    if (b->kind == NNI_KIND_AUTOENCODER) {
        double st = 0.0, se = 0.0;
        for (i = 0; i < n * d; i++) st += reg_elem(m, (double)x[i] - (double)y[i]);
        for (i = 0; i < vn * d; i++) se += reg_elem(m, (double)vx[i] - (double)vy[i]);
        b->identity_train = st / (double)(n * d);
        b->identity_eval = se / (double)(vn * d);
        b->have_identity = 1;
    }
    if (d > NNI_LINEAR_MAX_DIM || b->kind == NNI_KIND_AUTOENCODER) {
        nni_free(&m->alloc, buf);
        return NN_OK;
    }
    mu = ym + t;
    sd = mu + d;
    g = sd + d;
    w = g + d * d;
    nni_column_moments(x, n, d, mu, sd);
    for (j = 0; j < d; j++)
        if (!(sd[j] > 0.0)) sd[j] = 1.0;
    /* normal equations on standardized, centred features: (Z'Z + lambda n I) w = Z'(y - mean) */
    for (i = 0; i < n; i++) {
        const float *xr = x + i * d;
        for (j = 0; j < d; j++) {
            double zj = ((double)xr[j] - mu[j]) / sd[j];
            for (k = 0; k <= j; k++) g[j * d + k] += zj * (((double)xr[k] - mu[k]) / sd[k]);
            for (c = 0; c < t; c++) w[c * d + j] += zj * ((double)y[i * t + c] - ym[c]);
        }
    }
    for (j = 0; j < d; j++) {
        for (k = 0; k < j; k++) g[k * d + j] = g[j * d + k];
        g[j * d + j] += NNI_RIDGE_LAMBDA * (double)n;
    }
    if (cholesky(g, d)) {
        for (c = 0; c < t; c++) chol_solve(g, d, w + c * d);
        b->linear_train = linear_loss(m, mu, sd, ym, w, x, y, n, d, t, NULL);
        b->linear_eval = linear_loss(m, mu, sd, ym, w, vx, vy, vn, d, t, &b->linear_mae_eval);
        b->have_linear = 1;
    }
    nni_free(&m->alloc, buf);
    return NN_OK;
}

void nni_column_moments(const float *x, size_t n, size_t d, double *mu, double *sd)
{
    size_t i, j;
    for (j = 0; j < d; j++) mu[j] = sd[j] = 0.0;
    for (i = 0; i < n; i++)
        for (j = 0; j < d; j++) mu[j] += (double)x[i * d + j];
    for (j = 0; j < d; j++) mu[j] /= (double)n;
    for (i = 0; i < n; i++)
        for (j = 0; j < d; j++) {
            double z = (double)x[i * d + j] - mu[j];
            sd[j] += z * z;
        }
    for (j = 0; j < d; j++) sd[j] = sqrt(sd[j] / (double)n);
}

nn_status nni_baselines_compute(nn_model *m, const float *x, const float *y, size_t n,
                                const float *vx, const float *vy, size_t vn, nni_baselines *b)
{
    memset(b, 0, sizeof *b);
    b->kind = nni_doctor_kind(m);
    b->majority_class = -1;
    if (vn == 0) {
        vx = x;
        vy = y;
        vn = n;
    }
    if (b->kind == NNI_KIND_CLASSIFICATION) return classification(m, y, n, vy, vn, b);
    return regression(m, x, y, n, vx, vy, vn, b);
}
