/* Attached scalers inside fit / evaluate / predict. */
#ifndef NNI_PREP_H
#define NNI_PREP_H
#include "core/model.h"

typedef struct nni_prep {
    float *x, *y, *vx, *vy; /* transformed copies (NULL when not needed) */
} nni_prep;

/* Before fit: fit unfitted scalers on the first n_train rows, then replace *x, *y (n rows) and
   *vx, *vy (nv rows, may point into x/y for a validation split) by transformed copies.
   Allocates the copies (freed by nni_prep_end); on failure nothing stays allocated. */
nn_status nni_prep_fit_begin(nn_model *m, const float **x, const float **y, size_t n, size_t n_train,
                             const float **vx, const float **vy, size_t nv, nni_prep *p);
/* Before evaluate: transformed copies of x and y (scalers must be fitted). */
nn_status nni_prep_eval_begin(nn_model *m, const float **x, const float **y, size_t n, nni_prep *p);
void nni_prep_end(nn_model *m, nni_prep *p);

#endif
