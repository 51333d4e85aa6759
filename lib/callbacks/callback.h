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
    int (*batch_begin)(nn_callback *cb, nn_model *m, int batch);
    /* fit failed after train_begin: release what it opened (no train_end runs) */
    void (*train_abort)(nn_callback *cb, nn_model *m);
    int handles_nonfinite; /* TerminateOnNaN: fit stops cleanly on a non-finite loss */
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
    int mode_set;          /* mode given explicitly (not "auto") */
    float baseline;
    int has_baseline, start_from_epoch;
    float factor, min_lr;  /* ReduceLROnPlateau */
    int cooldown, cooldown_counter;
    float (*sched_fn)(int epoch, float lr, void *user); /* LearningRateScheduler */
    char *path;            /* ModelCheckpoint / CSVLogger, from alloc */
    int save_best_only, weights_only, append;
    void *fp;              /* CSVLogger's open FILE */
    void *save_buf;        /* ModelCheckpoint: file image, from the model's allocator at train begin */
    size_t save_cap;
    int keys_written;
    /* custom hooks */
    nn_epoch_fn on_epoch_begin, on_epoch_end;
    nn_batch_fn on_batch_end, on_batch_begin;
    nn_train_fn on_train_begin, on_train_end;
    void *user;
    /* state during fit */
    int wait, best_epoch, stopped_epoch;
    float best;
    float *best_weights;
    int have_best_weights;
};

nn_callback *nni_callback_new(const nni_cb_ops *ops);
/* Copy of path from the callback's allocator into cb->path (NULL on failure). */
char *nni_callback_set_path(nn_callback *cb, const char *path);
/* Auto mode as Keras: maximise accuracy-like monitors, minimise the rest. */
int nni_auto_mode_max(const char *monitor);

#endif
