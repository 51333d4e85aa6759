/* Keras activation definitions and their derivatives. */
#include "layers/activation.h"
#include "core/mathf.h"
#include "core/simd.h"
#include <math.h>
#include <stdint.h>
#include <string.h>

/* Elementwise loops over n floats in blocks of VBLK through a local array:
   GCC's -O2 vectorizer (very-cheap cost model) takes these fixed-count,
   alias-free inner loops, where it would leave the plain loop scalar (and
   branchy: a mispredicted branch per ReLU element). Each element's arithmetic
   is exactly the scalar expression, and dst may equal any source. EXPR is
   written in terms of the index i. */
#define VBLK 16
#define ELEMENTWISE(n, dst, EXPR)                                            \
    do {                                                                     \
        size_t i0_ = 0, k_, n_ = (n);                                        \
        for (; i0_ + VBLK <= n_; i0_ += VBLK) {                              \
            float t_[VBLK];                                                  \
            for (k_ = 0; k_ < VBLK; k_++) {                                  \
                size_t i = i0_ + k_;                                         \
                t_[k_] = (EXPR);                                             \
            }                                                                \
            for (k_ = 0; k_ < VBLK; k_++) (dst)[i0_ + k_] = t_[k_];          \
        }                                                                    \
        for (; i0_ < n_; i0_++) {                                            \
            size_t i = i0_;                                                  \
            (dst)[i] = (EXPR);                                               \
        }                                                                    \
    } while (0)

/* c ? a : b as a bit mask over both (already computed) operands: the same
   bits, but with no branch or conditional load, so the loop vectorizes. */
static inline float sel(int c, float a, float b)
{
    uint32_t ua, ub, m = 0u - (uint32_t)(c != 0);
    memcpy(&ua, &a, sizeof ua);
    memcpy(&ub, &b, sizeof ub);
    ua = (ua & m) | (ub & ~m);
    memcpy(&a, &ua, sizeof a);
    return a;
}

#define SELU_ALPHA 1.67326324235437728481f
#define SELU_SCALE 1.05070098735548049342f

static float sigmoidf(float x)
{
    /* Split by sign so exp never overflows. */
    if (x >= 0.0f) return 1.0f / (1.0f + nni_expf(-x));
    {
        float e = nni_expf(x);
        return e / (1.0f + e);
    }
}

static float softplusf(float x)
{
    /* log(1 + e^x) = max(x, 0) + log1p(e^-|x|), stable for large |x|. */
    return (x > 0.0f ? x : 0.0f) + nni_log1pf(nni_expf(-fabsf(x)));
}

const char *nni_act_name(nn_activation a)
{
    switch (a) {
    case NN_LINEAR: return "linear";
    case NN_RELU: return "relu";
    case NN_LEAKY_RELU: return "leaky_relu";
    case NN_ELU: return "elu";
    case NN_SELU: return "selu";
    case NN_SIGMOID: return "sigmoid";
    case NN_TANH: return "tanh";
    case NN_SOFTMAX: return "softmax";
    case NN_SOFTPLUS: return "softplus";
    case NN_GELU: return "gelu";
    case NN_SWISH: return "swish";
    default: return NULL;
    }
}

static void softmax_rows(const float *z, float *y, size_t rows, size_t cols)
{
    size_t r, c;
    for (r = 0; r < rows; r++) {
        const float *zr = z + r * cols;
        float *yr = y + r * cols;
        float mx = zr[0], sum = 0.0f;
        for (c = 1; c < cols; c++)
            if (zr[c] > mx) mx = zr[c];
        for (c = 0; c < cols; c++) {
            yr[c] = nni_expf(zr[c] - mx);
            sum += yr[c];
        }
        for (c = 0; c < cols; c++) yr[c] /= sum;
    }
}

NNI_SIMD_CLONES
void nni_act_forward(nn_activation a, float alpha, const float *z, float *y, size_t rows, size_t cols)
{
    size_t i, n = rows * cols;
    switch (a) {
    case NN_SOFTMAX:
        softmax_rows(z, y, rows, cols);
        return;
    case NN_LINEAR:
        if (y != z) ELEMENTWISE(n, y, z[i]);
        return;
    case NN_RELU:
        ELEMENTWISE(n, y, z[i] > 0.0f ? z[i] : 0.0f);
        return;
    case NN_LEAKY_RELU:
        ELEMENTWISE(n, y, sel(z[i] >= 0.0f, z[i], alpha * z[i]));
        return;
    case NN_ELU:
        for (i = 0; i < n; i++) y[i] = z[i] > 0.0f ? z[i] : nni_expm1f(z[i]);
        return;
    case NN_SELU:
        for (i = 0; i < n; i++) y[i] = SELU_SCALE * (z[i] > 0.0f ? z[i] : SELU_ALPHA * nni_expm1f(z[i]));
        return;
    case NN_SIGMOID:
        /* sigmoidf without its sign branch (random signs mispredict): the same
           expf argument -|z| and the same quotient as either branch */
        for (i = 0; i < n; i++) {
            float e = nni_expf(-fabsf(z[i]));
            y[i] = sel(z[i] >= 0.0f, 1.0f / (1.0f + e), e / (1.0f + e));
        }
        return;
    case NN_TANH:
        for (i = 0; i < n; i++) y[i] = nni_tanhf(z[i]);
        return;
    case NN_SOFTPLUS:
        for (i = 0; i < n; i++) y[i] = softplusf(z[i]);
        return;
    case NN_GELU:
        for (i = 0; i < n; i++) y[i] = 0.5f * z[i] * (1.0f + nni_erff(z[i] * 0.70710678118654752f));
        return;
    case NN_SWISH:
        for (i = 0; i < n; i++) y[i] = z[i] * sigmoidf(z[i]);
        return;
    default:
        return;
    }
}

NNI_SIMD_CLONES
void nni_act_backward(nn_activation a, float alpha, const float *z, const float *y,
                      const float *dy, float *dz, size_t rows, size_t cols)
{
    size_t i, n = rows * cols, r, c;
    switch (a) {
    case NN_SOFTMAX:
        for (r = 0; r < rows; r++) {
            const float *yr = y + r * cols, *dyr = dy + r * cols;
            float *dzr = dz + r * cols, dot = 0.0f;
            for (c = 0; c < cols; c++) dot += yr[c] * dyr[c];
            for (c = 0; c < cols; c++) dzr[c] = yr[c] * (dyr[c] - dot);
        }
        return;
    case NN_LINEAR:
        if (dz != dy) ELEMENTWISE(n, dz, dy[i]);
        return;
    case NN_RELU:
        ELEMENTWISE(n, dz, sel(z[i] > 0.0f, dy[i], 0.0f));
        return;
    case NN_LEAKY_RELU:
        ELEMENTWISE(n, dz, sel(z[i] >= 0.0f, dy[i], alpha * dy[i]));
        return;
    case NN_ELU:
        ELEMENTWISE(n, dz, sel(z[i] > 0.0f, dy[i], dy[i] * (y[i] + 1.0f)));
        return;
    case NN_SELU:
        ELEMENTWISE(n, dz, sel(z[i] > 0.0f, SELU_SCALE * dy[i], dy[i] * (y[i] + SELU_SCALE * SELU_ALPHA)));
        return;
    case NN_SIGMOID:
        ELEMENTWISE(n, dz, dy[i] * y[i] * (1.0f - y[i]));
        return;
    case NN_TANH:
        ELEMENTWISE(n, dz, dy[i] * (1.0f - y[i] * y[i]));
        return;
    case NN_SOFTPLUS:
        for (i = 0; i < n; i++) dz[i] = dy[i] * sigmoidf(z[i]);
        return;
    case NN_GELU:
        for (i = 0; i < n; i++) {
            float x = z[i];
            float cdf = 0.5f * (1.0f + nni_erff(x * 0.70710678118654752f));
            float pdf = 0.39894228040143268f * nni_expf(-0.5f * x * x);
            dz[i] = dy[i] * (cdf + x * pdf);
        }
        return;
    case NN_SWISH:
        for (i = 0; i < n; i++) {
            float s = sigmoidf(z[i]);
            dz[i] = dy[i] * (s + z[i] * s * (1.0f - s));
        }
        return;
    default:
        return;
    }
}
