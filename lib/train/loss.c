/* Per-row losses averaged over the last axis (Keras), summed over rows.
   Crossentropies on probabilities clip to [1e-7, 1 - 1e-7] as Keras does;
   fused with softmax/sigmoid they are computed from logits, as Keras does
   when the output layer's logits are available. */
#include "train/loss.h"
#include "core/mathf.h"
#include <math.h>

#define EPS 1e-7f

int nni_loss_fuses(nn_loss loss, nn_activation act)
{
    if (act == NN_SOFTMAX)
        return loss == NN_LOSS_CATEGORICAL_CROSSENTROPY || loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    if (act == NN_SIGMOID) return loss == NN_LOSS_BINARY_CROSSENTROPY;
    return 0;
}

static float sigmoidf(float x)
{
    if (x >= 0.0f) return 1.0f / (1.0f + nni_expf(-x));
    {
        float e = nni_expf(x);
        return e / (1.0f + e);
    }
}

static float target_of(const nni_loss_args *a, size_t r, size_t c)
{
    if (a->loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY) return (size_t)a->y[r] == c ? 1.0f : 0.0f;
    return a->y[r * a->cols + c];
}

/* Crossentropy of one row from logits; writes (softmax*sum(t) - t) * scale. */
static double cce_logits_row(const nni_loss_args *a, size_t r, float scale)
{
    const float *z = a->logits + r * a->cols;
    size_t c, cols = a->cols;
    float mx = z[0], tsum = 0.0f;
    double sum = 0.0, lse, l = 0.0;
    for (c = 1; c < cols; c++)
        if (z[c] > mx) mx = z[c];
    for (c = 0; c < cols; c++) sum += (double)nni_expf(z[c] - mx); /* z - mx <= 0: float exp is exact enough */
    lse = (double)mx + nni_dlog(sum);
    for (c = 0; c < cols; c++) {
        float t = target_of(a, r, c);
        tsum += t;
        if (t != 0.0f) l -= (double)t * ((double)z[c] - lse);
    }
    if (a->grad) {
        float *g = a->grad + r * cols;
        for (c = 0; c < cols; c++) g[c] = (a->pred[r * cols + c] * tsum - target_of(a, r, c)) * scale;
    }
    return l;
}

/* Crossentropy of one row from probabilities (normalised, clipped as Keras). */
static double cce_probs_row(const nni_loss_args *a, size_t r, float scale)
{
    const float *p = a->pred + r * a->cols;
    size_t c, cols = a->cols;
    float s = 0.0f, dot = 0.0f;
    double l = 0.0;
    for (c = 0; c < cols; c++) s += p[c];
    for (c = 0; c < cols; c++) {
        float q = p[c] / s, t = target_of(a, r, c);
        float qc = q < EPS ? EPS : (q > 1.0f - EPS ? 1.0f - EPS : q);
        if (t != 0.0f) l -= (double)t * nni_dlog((double)qc);
        /* d/dq of -t nni_dlog(clip(q)); zero where the clip is active */
        if (a->grad) {
            float dq = (q > EPS && q < 1.0f - EPS) ? -t / q : 0.0f;
            a->grad[r * cols + c] = dq;
            dot += dq * p[c];
        }
    }
    if (a->grad) {
        float *g = a->grad + r * cols;
        for (c = 0; c < cols; c++) g[c] = (g[c] / s - dot / (s * s)) * scale;
    }
    return l;
}

double nni_loss_sum(const nni_loss_args *a)
{
    size_t r, c, cols = a->cols;
    double total = 0.0;
    float inv_rows = 1.0f / (float)a->rows;
    for (r = 0; r < a->rows; r++) {
        float w = a->sw ? a->sw[r] : 1.0f;
        double l = 0.0;
        /* gradient scale of the batch mean of the per-row mean over cols */
        float gs = w * inv_rows / (float)cols;
        const float *p = a->pred + r * cols;
        float *g = a->grad ? a->grad + r * cols : NULL;
        switch (a->loss) {
        case NN_LOSS_MSE:
            for (c = 0; c < cols; c++) {
                float e = p[c] - target_of(a, r, c);
                l += (double)e * e;
                if (g) g[c] = 2.0f * e * gs;
            }
            l /= (double)cols;
            break;
        case NN_LOSS_MAE:
            for (c = 0; c < cols; c++) {
                float e = p[c] - target_of(a, r, c);
                l += fabs((double)e);
                if (g) g[c] = (e > 0.0f ? 1.0f : e < 0.0f ? -1.0f : 0.0f) * gs;
            }
            l /= (double)cols;
            break;
        case NN_LOSS_HUBER: {
            float d = a->huber_delta;
            for (c = 0; c < cols; c++) {
                float e = p[c] - target_of(a, r, c), ae = fabsf(e);
                if (ae <= d) {
                    l += 0.5 * (double)e * e;
                    if (g) g[c] = e * gs;
                } else {
                    l += (double)d * ((double)ae - 0.5 * d);
                    if (g) g[c] = (e > 0.0f ? d : -d) * gs;
                }
            }
            l /= (double)cols;
            break;
        }
        case NN_LOSS_BINARY_CROSSENTROPY:
        case NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS:
            for (c = 0; c < cols; c++) {
                float t = target_of(a, r, c);
                if (a->loss == NN_LOSS_BINARY_CROSSENTROPY_FROM_LOGITS || a->logits) {
                    /* stable: max(z,0) - z t + nni_dlog(1 + e^-|z|) */
                    float z = a->logits ? a->logits[r * cols + c] : p[c];
                    l += (z > 0.0f ? (double)z : 0.0) - (double)z * t + nni_dlog1p(nni_dexp(-fabs((double)z)));
                    if (g) g[c] = (sigmoidf(z) - t) * gs;
                } else {
                    float q = p[c] < EPS ? EPS : (p[c] > 1.0f - EPS ? 1.0f - EPS : p[c]);
                    l -= (double)t * nni_dlog((double)q) + (1.0 - (double)t) * nni_dlog(1.0 - (double)q);
                    if (g) g[c] = (p[c] > EPS && p[c] < 1.0f - EPS) ? (-t / q + (1.0f - t) / (1.0f - q)) * gs : 0.0f;
                }
            }
            l /= (double)cols;
            break;
        case NN_LOSS_CATEGORICAL_CROSSENTROPY:
        case NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY:
            /* summed over classes, not averaged (Keras) */
            l = a->logits ? cce_logits_row(a, r, w * inv_rows) : cce_probs_row(a, r, w * inv_rows);
            break;
        default:
            break;
        }
        total += (double)w * l;
    }
    return total;
}
