/* ModelCheckpoint's writer: the full model file or the weights-only file,
   both written atomically by the model-file code (temp file + rename). */
#include "io/checkpoint.h"
#include "core/error.h"
#include "core/model.h"

nn_status nni_checkpoint_write(nn_model *m, const char *path, int weights_only)
{
    nn_status s = weights_only ? nn_model_save_weights(m, path) : nn_model_save(m, path);
    if (s != NN_OK) return nni_fail(m, s == NN_ERR_NOMEM ? s : NN_ERR_IO, "checkpoint %s: %s", path, nn_last_error());
    return NN_OK;
}
