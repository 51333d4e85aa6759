/* Callbacks: a table of hooks; each kind is one file. Hooks return non-zero
   to stop training. They run in the order the callbacks were added. */
#ifndef NNI_CALLBACK_H
#define NNI_CALLBACK_H
#include "nn.h"

typedef struct nni_cb_ops {
    const char *name;
    nn_status (*train_begin)(nn_callback *cb, nn_model *m);  /* may allocate (before step 1) */
    int (*epoch_begin)(nn_callback *cb, nn_model *m, int epoch);
    int (*epoch_end)(nn_callback *cb, nn_model *m, int epoch);
    int (*batch_end)(nn_callback *cb, nn_model *m, int batch, float loss);
    void (*train_end)(nn_callback *cb, nn_model *m);
    void (*destroy)(nn_callback *cb, nn_model *m); /* free what train_begin took */
} nni_cb_ops;

struct nn_callback {
    const nni_cb_ops *ops;
    nn_allocator alloc;
    /* configuration */
    char monitor[64];
    float min_delta;
    int patience;
    int restore_best;
    int mode_max;
    /* custom hooks */
    nn_epoch_fn on_epoch_begin, on_epoch_end;
    nn_batch_fn on_batch_end;
    void *user;
    /* state during fit */
    int wait, best_epoch, stopped_epoch;
    float best;
    float *best_weights;
    int have_best_weights;
};

nn_callback *nni_callback_new(const nni_cb_ops *ops);

#endif
