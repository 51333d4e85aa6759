/* Preprocessing objects (StandardScaler, MinMaxScaler, SimpleImputer). */
#ifndef NNI_SCALER_H
#define NNI_SCALER_H
#include "nn.h"
#include "io/bytes.h"

typedef enum nni_scaler_kind {
    NNI_SCALER_STANDARD = 1,
    NNI_SCALER_MINMAX = 2,
    NNI_SCALER_IMPUTER = 3
} nni_scaler_kind;

struct nn_scaler {
    nn_allocator alloc;
    nni_scaler_kind kind;
    int strategy;     /* imputer: nn_impute_strategy */
    float fill;       /* imputer: constant, and the value for columns never observed */
    float lo, hi;     /* MinMaxScaler feature_range */
    size_t dim;       /* columns, 0 until fitted */
    int fitted;
    int neighbors;    /* KNN imputer: k */
    int impute_mean;  /* standard: NaN -> the column mean before scaling (stored in the file's
                         strategy slot, which is 0 for scalers written before it existed) */
    size_t n_rows;    /* KNN imputer: stored training rows (n_rows x dim, NaN = missing) */
    float *rows;
    float *a, *b;     /* standard: mean, scale; minmax: data_min, data_max; imputer: fill values, unused */
};

/* Transform n rows in place (allocates nothing): x holds a copy of src (the untouched input,
   which the KNN imputer reads for its distances; the other kinds ignore it). */
void nni_scaler_apply(const nn_scaler *s, const float *src, float *x, size_t n);
void nni_scaler_unapply(const nn_scaler *s, float *x, size_t n);
void nni_scaler_write(nni_wr *w, const nn_scaler *s);
/* Read a scaler written by nni_scaler_write; NULL with r->err set (format) or
   with r->failed clear on out of memory (*nomem set). */
nn_scaler *nni_scaler_read(nni_rd *r, const nn_allocator *a, int *nomem);
/* A copy with a's memory, through the file encoding (so it copies exactly what a saved model
   keeps); NULL on out of memory (*nomem set). */
nn_scaler *nni_scaler_copy(const nn_scaler *s, const nn_allocator *a, int *nomem);

#endif
