/* Keras L1/L2 kernel penalties: l1 * sum|w| + l2 * sum w^2, part of the loss. */
#include "train/train.h"
#include <math.h>

double nni_reg_penalty(const nn_model *m)
{
    size_t i, j, k;
    double total = 0.0;
    for (i = 0; i < m->n_layers; i++) {
        const nn_layer *l = m->layers[i];
        if (l->l1 == 0.0f && l->l2 == 0.0f) continue;
        for (j = 0; j < l->n_params; j++) {
            double s1 = 0.0, s2 = 0.0;
            if (l->spec[j].role != NNI_KERNEL) continue;
            for (k = 0; k < l->spec[j].size; k++) {
                double w = l->param[j][k];
                s1 += fabs(w);
                s2 += w * w;
            }
            total += (double)l->l1 * s1 + (double)l->l2 * s2;
        }
    }
    return total;
}

void nni_reg_grad(nn_model *m)
{
    size_t i, j, k;
    for (i = 0; i < m->n_layers; i++) {
        nn_layer *l = m->layers[i];
        if (l->l1 == 0.0f && l->l2 == 0.0f) continue;
        for (j = 0; j < l->n_params; j++) {
            const float *w = l->param[j];
            float *g = l->grad[j];
            if (l->spec[j].role != NNI_KERNEL || !g) continue;
            for (k = 0; k < l->spec[j].size; k++) {
                float sgn = w[k] > 0.0f ? 1.0f : (w[k] < 0.0f ? -1.0f : 0.0f);
                g[k] += l->l1 * sgn + 2.0f * l->l2 * w[k];
            }
        }
    }
}
