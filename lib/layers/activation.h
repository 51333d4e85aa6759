/* Activation functions fused into layers, forward and derivative. */
#ifndef NNI_ACTIVATION_H
#define NNI_ACTIVATION_H
#include "nn.h"

/* y = act(z) over rows x cols (row-wise for softmax). y may equal z. */
void nni_act_forward(nn_activation a, float alpha, const float *z, float *y, size_t rows,
                     size_t cols);
/* dz = dL/dz from dy = dL/dy, given z and y = act(z). dz may equal dy or z. */
void nni_act_backward(nn_activation a, float alpha, const float *z, const float *y,
                      const float *dy, float *dz, size_t rows, size_t cols);
/* Keras name of the activation ("relu"), or NULL if the value is not valid. */
const char *nni_act_name(nn_activation a);

#endif
