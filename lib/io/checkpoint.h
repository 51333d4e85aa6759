/* Checkpoint files written by ModelCheckpoint. One internal entry point so the
   format can be switched to the full model file without touching callbacks. */
#ifndef NNI_CHECKPOINT_H
#define NNI_CHECKPOINT_H
#include "nn.h"

/* Write the model to path atomically: a temporary file "<path>.tmp" in the same
   directory is written, flushed, closed and renamed over path. On failure the
   temporary file is removed, an existing file at path is untouched, the model's
   message says why, and NN_ERR_IO is returned. weights_only selects the weights
   format (the only one for now). */
nn_status nni_checkpoint_write(nn_model *m, const char *path, int weights_only);

#endif
