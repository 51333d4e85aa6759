/* Keras metrics: accuracy (binary at 0.5 for one output unit, otherwise
   categorical or sparse categorical by the loss), mae, mse, rmse; each a
   sample-weighted mean over all rows of the epoch. */
#include "train/metrics.h"
#include <math.h>

const char *nni_metric_key(nn_metric m)
{
    switch (m) {
    case NN_METRIC_ACCURACY: return "accuracy";
    case NN_METRIC_MAE: return "mae";
    case NN_METRIC_MSE: return "mse";
    case NN_METRIC_RMSE: return "root_mean_squared_error";
    default: return NULL;
    }
}

static size_t argmax(const float *v, size_t n)
{
    size_t i, best = 0;
    for (i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return best;
}

void nni_metrics_add(nni_metric_acc *acc, nn_loss loss, const float *pred, const float *y,
                     const float *sw, size_t rows, size_t cols)
{
    size_t r, c;
    int sparse = loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY;
    for (r = 0; r < rows; r++) {
        const float *p = pred + r * cols;
        double w = sw ? sw[r] : 1.0, ae = 0.0, se = 0.0;
        int hit;
        for (c = 0; c < cols; c++) {
            float t = sparse ? ((size_t)y[r] == c ? 1.0f : 0.0f) : y[r * cols + c];
            double e = (double)p[c] - t;
            ae += fabs(e);
            se += e * e;
        }
        if (sparse)
            hit = argmax(p, cols) == (size_t)y[r];
        else if (cols == 1)
            hit = (p[0] > 0.5f ? 1.0f : 0.0f) == y[r];
        else
            hit = argmax(p, cols) == argmax(y + r * cols, cols);
        acc->rows += 1.0;
        acc->weight += w;
        acc->abs_err += w * ae / (double)cols;
        acc->sq_err += w * se / (double)cols;
        acc->correct += hit ? w : 0.0;
    }
}

float nni_metric_value(const nni_metric_acc *acc, nn_metric m)
{
    if (acc->weight <= 0.0) return NAN;
    switch (m) {
    case NN_METRIC_ACCURACY: return (float)(acc->correct / acc->weight);
    case NN_METRIC_MAE: return (float)(acc->abs_err / acc->weight);
    case NN_METRIC_MSE: return (float)(acc->sq_err / acc->weight);
    case NN_METRIC_RMSE: return (float)sqrt(acc->sq_err / acc->weight);
    default: return NAN;
    }
}
