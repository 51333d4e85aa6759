/* ModelCheckpoint's writer: the full model file or the weights-only file,
   both written atomically by the model-file code (temp file + rename). */
#include "io/checkpoint.h"
#include "core/error.h"
#include "core/model.h"
#include "io/io.h"
#include <stdio.h>

nn_status nni_checkpoint_write(nn_model *m, const char *path, int weights_only)
{
    nn_status s = weights_only ? nn_model_save_weights(m, path) : nn_model_save(m, path);
    if (s != NN_OK) return nni_fail(m, s == NN_ERR_NOMEM ? s : NN_ERR_IO, "checkpoint %s: %s", path, nn_last_error());
    return NN_OK;
}

size_t nni_checkpoint_size(const nn_model *m, int weights_only)
{
    size_t need = 0;
    nn_status s = weights_only ? nn_model_save_weights_buffer(m, NULL, 0, &need) : nn_model_save_buffer(m, NULL, 0, &need);
    return s == NN_OK ? need : 0;
}

nn_status nni_checkpoint_write_buf(nn_model *m, const char *path, int weights_only, void *buf, size_t cap)
{
    size_t need = nni_checkpoint_size(m, weights_only);
    nn_status s;
    if (!buf || need == 0 || need > cap) return nni_checkpoint_write(m, path, weights_only);
    s = weights_only ? nn_model_save_weights_buffer(m, buf, cap, &need) : nn_model_save_buffer(m, buf, cap, &need);
    if (s == NN_OK) s = nni_write_file_atomic(path, buf, need);
    if (s != NN_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", nn_last_error());
        return nni_fail(m, s == NN_ERR_NOMEM ? s : NN_ERR_IO, "checkpoint %s: %s", path, msg);
    }
    return NN_OK;
}
