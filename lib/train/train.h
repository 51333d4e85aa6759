/* Shared pieces of fit, evaluate and predict. */
#ifndef NNI_TRAIN_H
#define NNI_TRAIN_H
#include "core/model.h"
#include "train/metrics.h"

/* Inference-mode pass over n rows in workspace-sized chunks: adds the weighted loss
   sum and weighted metrics to acc and, when uacc is not NULL, unweighted metrics to
   uacc. Allocates nothing. */
void nni_eval_pass(nn_model *m, const float *x, const float *y, const float *sw, size_t n,
                   nni_metric_acc *acc, nni_metric_acc *uacc);
/* Regularization penalty of the current weights (Keras adds it to the loss). */
double nni_reg_penalty(const nn_model *m);
/* Add the penalty's gradient to the gradient store. */
void nni_reg_grad(nn_model *m);
/* Kernel constraints (MaxNorm), applied after every optimizer update. */
void nni_apply_constraints(nn_model *m);
/* Logits of the output layer when the loss is fused with its activation, else NULL. */
const float *nni_fused_logits(const nn_model *m);
/* Monotonic seconds, for progress output only (never affects results). */
double nni_now(void);

#endif
