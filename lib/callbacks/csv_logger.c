/* CSVLogger (Keras): header "epoch,<keys sorted by name>", one row per epoch
   with the 0-based epoch, flushed after each row; append mode skips the
   header when the file already has content. */
#include "callbacks/callback.h"
#include "core/error.h"
#include "core/model.h"
#include <stdio.h>
#include <string.h>

static void csv_close(nn_callback *cb, nn_model *m)
{
    (void)m;
    if (cb->fp) fclose((FILE *)cb->fp);
    cb->fp = NULL;
}

static nn_status csv_train_begin(nn_callback *cb, nn_model *m)
{
#ifdef NN_NO_FILEIO
    csv_close(cb, m);
    return nni_fail(m, NN_ERR_UNSUPPORTED, "CSVLogger: libnn was built without file I/O (NN_NO_FILEIO)");
#else
    FILE *f;
    csv_close(cb, m);
    cb->keys_written = 0;
    if (cb->append) {
        f = fopen(cb->path, "rb");
        if (f) {
            cb->keys_written = fgetc(f) != EOF;
            fclose(f);
        }
    }
    f = fopen(cb->path, cb->append ? "ab" : "wb");
    if (!f) return nni_fail(m, NN_ERR_IO, "CSVLogger: cannot open %s", cb->path);
    cb->fp = f;
    return NN_OK;
#endif
}

/* Indices of the history keys in sorted order (Keras sorts logs keys). */
static size_t sorted_keys(const nn_model *m, size_t *idx)
{
    size_t i, j, n = m->hist.n_keys;
    for (i = 0; i < n; i++) idx[i] = i;
    for (i = 1; i < n; i++)
        for (j = i; j > 0 && strcmp(m->hist.keys[idx[j - 1]], m->hist.keys[idx[j]]) > 0; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    return n;
}

static int csv_epoch_end(nn_callback *cb, nn_model *m, int epoch)
{
    FILE *f = (FILE *)cb->fp;
    size_t idx[NNI_MAX_KEYS], n = sorted_keys(m, idx), k;
    int ok = 1;
    if (!f) return 0;
    if (!cb->keys_written) {
        ok = fputs("epoch", f) >= 0;
        for (k = 0; k < n; k++) ok = ok && fprintf(f, ",%s", m->hist.keys[idx[k]]) > 0;
        ok = ok && fputc('\n', f) != EOF;
        cb->keys_written = 1;
    }
    ok = ok && fprintf(f, "%d", epoch) > 0;
    for (k = 0; k < n; k++)
        ok = ok && fprintf(f, ",%.9g", (double)m->hist.values[(size_t)epoch * m->hist.n_keys + idx[k]]) > 0;
    ok = ok && fputc('\n', f) != EOF;
    ok = ok && fflush(f) == 0;
    if (!ok) {
        m->cb_status = nni_fail(m, NN_ERR_IO, "CSVLogger: cannot write %s", cb->path);
        return 1;
    }
    return 0;
}

static const nni_cb_ops csv_ops = {
    "CSVLogger", csv_train_begin, NULL, csv_epoch_end, NULL, csv_close, csv_close, NULL, csv_close, 0,
};

nn_callback *nn_csv_logger(const char *path)
{
    nn_callback *cb;
    if (!path || !*path) return (nn_callback *)nni_set_last_error("nn_csv_logger: path must not be empty");
    cb = nni_callback_new(&csv_ops);
    if (!cb) return NULL;
    if (!nni_callback_set_path(cb, path)) {
        nn_callback_free(cb);
        return (nn_callback *)nni_set_last_error("out of memory creating CSVLogger");
    }
    return cb;
}

nn_status nn_callback_set_append(nn_callback *cb, int append)
{
    if (!cb || cb->ops != &csv_ops) return NN_ERR_INVALID_ARG;
    cb->append = append != 0;
    return NN_OK;
}
