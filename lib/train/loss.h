/* Losses with Keras' definitions and reductions. */
#ifndef NNI_LOSS_H
#define NNI_LOSS_H
#include "nn.h"

typedef struct nni_loss_args {
    nn_loss loss;
    float huber_delta;
    const float *pred;   /* rows x cols model outputs */
    const float *logits; /* pre-activation of the output layer when fused, else NULL */
    const float *y;      /* rows x cols targets, or rows class indices (sparse) */
    const float *sw;     /* per-row sample weights or NULL */
    size_t rows, cols;
    float *grad;         /* NULL, or rows x cols: dL/dpred (dL/dlogits when fused) of the
                            batch mean loss, i.e. already divided by rows */
} nni_loss_args;

/* Sum over rows of (weight x per-row loss); divide by rows for Keras' batch loss. */
double nni_loss_sum(const nni_loss_args *a);
/* Whether the loss and this output activation use the fused, stable gradient. */
int nni_loss_fuses(nn_loss loss, nn_activation out_act);

#endif
