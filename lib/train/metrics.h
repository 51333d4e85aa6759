/* Streaming metric accumulation over an epoch or an evaluation. */
#ifndef NNI_METRICS_H
#define NNI_METRICS_H
#include "nn.h"

typedef struct nni_metric_acc {
    double loss;    /* sum of weighted batch losses x rows */
    double rows;    /* rows seen */
    double weight;  /* sum of sample weights */
    double abs_err, sq_err, correct;
} nni_metric_acc;

/* Keras history key of a metric ("accuracy", "mae", "mse", "root_mean_squared_error"). */
const char *nni_metric_key(nn_metric m);
/* Add rows of predictions/targets to the accumulator. */
void nni_metrics_add(nni_metric_acc *acc, nn_loss loss, const float *pred, const float *y,
                     const float *sw, size_t rows, size_t cols);
/* Final value of a metric from the accumulator. */
float nni_metric_value(const nni_metric_acc *acc, nn_metric m);

#endif
