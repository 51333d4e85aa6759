/* ModelCheckpoint (Keras 3): save at every epoch end, or with save_best_only
   only when monitor strictly improves on the best so far (mode auto: max for
   accuracy-like names). Writes go through nni_checkpoint_write (atomic). */
#include "callbacks/callback.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/model.h"
#include "io/checkpoint.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Replace "{epoch}" / "{epoch:0Nd}" with the 1-based epoch. 0 if it does not fit. */
static int format_path(const char *pat, int epoch, char *out, size_t cap)
{
    size_t o = 0;
    while (*pat) {
        if (strncmp(pat, "{epoch", 6) == 0 && (pat[6] == '}' || pat[6] == ':')) {
            const char *end = strchr(pat, '}');
            int width = 0, n;
            if (!end) return 0;
            if (pat[6] == ':') {
                const char *q = pat + 7;
                if (*q == '0') q++;
                width = atoi(q);
                if (width < 0 || width > 20) width = 0;
            }
            n = snprintf(out + o, cap - o, "%0*d", width, epoch + 1);
            if (n < 0 || (size_t)n >= cap - o) return 0;
            o += (size_t)n;
            pat = end + 1;
            continue;
        }
        if (o + 1 >= cap) return 0;
        out[o++] = *pat++;
    }
    out[o] = '\0';
    return 1;
}

static void ck_release(nn_callback *cb, nn_model *m)
{
    nni_free(&m->alloc, cb->save_buf);
    cb->save_buf = NULL;
    cb->save_cap = 0;
}

/* The file image is reserved here, before the first step: an out-of-memory failure then
   happens before training starts (model unchanged), never after an epoch has updated it. */
static nn_status ck_train_begin(nn_callback *cb, nn_model *m)
{
    size_t need = nni_checkpoint_size(m, cb->weights_only);
    cb->best = cb->mode_max ? -INFINITY : INFINITY;
    if (need > cb->save_cap) {
        void *b = nni_alloc(&m->alloc, need);
        if (!b) return nni_fail(m, NN_ERR_NOMEM, "ModelCheckpoint: out of memory for a %zu-byte file image", need);
        ck_release(cb, m);
        cb->save_buf = b;
        cb->save_cap = need;
    }
    return NN_OK;
}

static int ck_epoch_end(nn_callback *cb, nn_model *m, int epoch)
{
    char path[4096];
    nn_status s;
    if (cb->save_best_only) {
        float current = nn_model_history(m, cb->monitor, (size_t)epoch);
        if (isnan(current)) return 0; /* Keras warns and skips */
        if (!(cb->mode_max ? current > cb->best : current < cb->best)) {
            if (m->verbose) nni_log(m, "\nEpoch %d: %s did not improve from %.5f\n", epoch + 1, cb->monitor, (double)cb->best);
            return 0;
        }
        if (m->verbose) nni_log(m, "\nEpoch %d: %s improved from %.5f to %.5f, saving model to %s\n", epoch + 1, cb->monitor, (double)cb->best, (double)current, cb->path);
        cb->best = current;
    }
    if (!format_path(cb->path, epoch, path, sizeof path)) {
        m->cb_status = nni_fail(m, NN_ERR_IO, "ModelCheckpoint: cannot format path %s", cb->path);
        return 1;
    }
    s = nni_checkpoint_write_buf(m, path, cb->weights_only, cb->save_buf, cb->save_cap);
    if (s != NN_OK) {
        m->cb_status = s;
        return 1;
    }
    return 0;
}

static const nni_cb_ops ck_ops = {
    "ModelCheckpoint", ck_train_begin, NULL, ck_epoch_end, NULL, ck_release, ck_release, NULL, ck_release, 0,
};

nn_callback *nn_model_checkpoint(const char *path, const char *monitor, int save_best_only)
{
    nn_callback *cb;
    if (!path || !*path) return (nn_callback *)nni_set_last_error("nn_model_checkpoint: path must not be empty");
    if (!monitor) monitor = "val_loss";
    if (strlen(monitor) >= sizeof cb->monitor) return (nn_callback *)nni_set_last_error("nn_model_checkpoint: monitor name too long");
    cb = nni_callback_new(&ck_ops);
    if (!cb) return NULL;
    if (!nni_callback_set_path(cb, path)) {
        nn_callback_free(cb);
        return (nn_callback *)nni_set_last_error("out of memory creating ModelCheckpoint");
    }
    strcpy(cb->monitor, monitor);
    cb->save_best_only = save_best_only != 0;
    cb->mode_max = nni_auto_mode_max(monitor);
    return cb;
}

nn_status nn_callback_set_save_weights_only(nn_callback *cb, int weights_only)
{
    if (!cb || cb->ops != &ck_ops) return NN_ERR_INVALID_ARG;
    cb->weights_only = weights_only != 0;
    return NN_OK;
}
