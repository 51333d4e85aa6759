/* Checkpoint files written by ModelCheckpoint. One internal entry point so the
   format can be switched to the full model file without touching callbacks. */
#ifndef NNI_CHECKPOINT_H
#define NNI_CHECKPOINT_H
#include "nn.h"

/* Write the model (or with weights_only its weights) to path atomically: a
   temporary file next to path is written, flushed, closed and renamed over it.
   On failure no temporary file remains, an existing file at path is untouched,
   the model's message says why, and NN_ERR_IO (or NN_ERR_NOMEM) is returned. */
nn_status nni_checkpoint_write(nn_model *m, const char *path, int weights_only);

/* Bytes a checkpoint of m takes now (0 on failure). */
size_t nni_checkpoint_size(const nn_model *m, int weights_only);

/* Same as nni_checkpoint_write, serialized into buf[0, cap) (reserved before training, so a
   checkpoint during fit allocates nothing); falls back to nni_checkpoint_write when the image
   does not fit. */
nn_status nni_checkpoint_write_buf(nn_model *m, const char *path, int weights_only, void *buf, size_t cap);

#endif
