/* Keras L1/L2/L1L2 penalties on kernels and biases: l1 * sum|w| + l2 * sum w^2,
   part of the reported loss (not of metrics); and the MaxNorm kernel
   constraint applied after each optimizer update. */
#include "train/train.h"
#include <math.h>

static int reg_of(const nn_layer *l, nni_param_role role, float *l1, float *l2)
{
    if (role == NNI_KERNEL) {
        *l1 = l->l1;
        *l2 = l->l2;
    } else if (role == NNI_BIAS) {
        *l1 = l->bias_l1;
        *l2 = l->bias_l2;
    } else {
        return 0;
    }
    return *l1 != 0.0f || *l2 != 0.0f;
}

double nni_reg_penalty(const nn_model *m)
{
    size_t i, j, k;
    double total = 0.0;
    for (i = 0; i < m->n_layers; i++) {
        const nn_layer *l = m->layers[i];
        for (j = 0; j < l->n_params; j++) {
            double s1 = 0.0, s2 = 0.0;
            float l1, l2;
            if (!reg_of(l, l->spec[j].role, &l1, &l2)) continue;
            for (k = 0; k < l->spec[j].size; k++) {
                double w = l->param[j][k];
                s1 += fabs(w);
                s2 += w * w;
            }
            total += (double)l1 * s1 + (double)l2 * s2;
        }
    }
    return total;
}

void nni_reg_grad(nn_model *m)
{
    size_t i, j, k;
    for (i = 0; i < m->n_layers; i++) {
        nn_layer *l = m->layers[i];
        for (j = 0; j < l->n_params; j++) {
            const float *w = l->param[j];
            float *g = l->grad[j], l1, l2;
            if (!g || !reg_of(l, l->spec[j].role, &l1, &l2)) continue;
            for (k = 0; k < l->spec[j].size; k++) {
                float sgn = w[k] > 0.0f ? 1.0f : (w[k] < 0.0f ? -1.0f : 0.0f);
                g[k] += l1 * sgn + 2.0f * l2 * w[k];
            }
        }
    }
}

void nni_apply_constraints(nn_model *m)
{
    size_t i, j, r, c;
    for (i = 0; i < m->n_layers; i++) {
        nn_layer *l = m->layers[i];
        if (l->max_norm <= 0.0f) continue;
        for (j = 0; j < l->n_params; j++) {
            float *w = l->param[j];
            size_t rows = l->spec[j].rows, cols = l->spec[j].cols;
            if (l->spec[j].role != NNI_KERNEL) continue;
            /* Keras MaxNorm(axis=0): w *= clip(norm, 0, max) / (1e-7 + norm) per unit */
            for (c = 0; c < cols; c++) {
                double ss = 0.0;
                float norm, desired, s;
                for (r = 0; r < rows; r++) ss += (double)w[r * cols + c] * w[r * cols + c];
                norm = (float)sqrt(ss);
                desired = norm > l->max_norm ? l->max_norm : norm;
                s = desired / (1e-7f + norm);
                for (r = 0; r < rows; r++) w[r * cols + c] *= s;
            }
        }
    }
}
