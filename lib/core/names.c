/* Column names of a model's inputs and outputs (scikit-learn's feature_names_in_). They travel
   in the model file so that a tool can pick CSV columns by name: a file whose columns come in
   another order then still feeds each weight the feature it was trained on. */
#include "core/model.h"
#include "core/alloc.h"
#include "core/error.h"
#include <string.h>

#define NNI_NAME_MAX 65535 /* a str16 in the file */

/* One allocation holding n pointers followed by the strings they point to. */
nn_status nni_names_copy(nn_model *m, const char *what, const char *const *names, size_t n, char ***out)
{
    size_t i, bytes = 0, len;
    char **p, *s;
    *out = NULL;
    if (!nni_mul_ok(n, sizeof(char *), &bytes)) return nni_fail(m, NN_ERR_NOMEM, "%s: %zu names overflow", what, n);
    for (i = 0; i < n; i++) {
        if (!names[i] || !names[i][0]) return nni_fail(m, NN_ERR_INVALID_ARG, "%s: name %zu is NULL or empty", what, i);
        len = strlen(names[i]);
        if (len > NNI_NAME_MAX)
            return nni_fail(m, NN_ERR_INVALID_ARG, "%s: name %zu is %zu bytes long (at most %d)", what, i, len, NNI_NAME_MAX);
        if (bytes > (size_t)-1 - len - 1) return nni_fail(m, NN_ERR_NOMEM, "%s: names overflow", what);
        bytes += len + 1;
    }
    p = (char **)nni_alloc(&m->alloc, bytes);
    if (!p) return nni_fail(m, NN_ERR_NOMEM, "%s: out of memory copying %zu names", what, n);
    s = (char *)(p + n);
    for (i = 0; i < n; i++) {
        len = strlen(names[i]) + 1;
        memcpy(s, names[i], len);
        p[i] = s;
        s += len;
    }
    *out = p;
    return NN_OK;
}

static nn_status set_names(nn_model *m, int outputs, const char *const *names, size_t n)
{
    const char *what = outputs ? "nn_model_set_output_names" : "nn_model_set_feature_names";
    char ***slot = outputs ? &m->out_names : &m->feat_names;
    size_t *count = outputs ? &m->n_out_names : &m->n_feat_names, want;
    char **copy;
    nn_status s;
    if (!names) {
        nni_free(&m->alloc, *slot);
        *slot = NULL;
        *count = 0;
        return NN_OK;
    }
    if (outputs && m->n_layers == 0)
        return nni_fail(m, NN_ERR_STATE, "%s: add the layers first (the output width is not known yet)", what);
    want = outputs ? nni_output_dim(m) : m->in_dim;
    if (n != want)
        return nni_fail(m, NN_ERR_SHAPE, "%s: %zu names for %zu %s", what, n, want, outputs ? "outputs" : "input features");
    if ((s = nni_names_copy(m, what, names, n, &copy)) != NN_OK) return s;
    nni_free(&m->alloc, *slot);
    *slot = copy;
    *count = n;
    nni_clear_error(m);
    return NN_OK;
}

nn_status nn_model_set_feature_names(nn_model *m, const char *const *names, size_t n)
{
    if (!m) return NN_ERR_INVALID_ARG;
    return set_names(m, 0, names, n);
}

nn_status nn_model_set_output_names(nn_model *m, const char *const *names, size_t n)
{
    if (!m) return NN_ERR_INVALID_ARG;
    return set_names(m, 1, names, n);
}

const char *nn_model_feature_name(const nn_model *m, size_t i)
{
    return (m && i < m->n_feat_names) ? m->feat_names[i] : NULL;
}

const char *nn_model_output_name(const nn_model *m, size_t i)
{
    /* a layer added after the names were set may have changed the width: then none apply */
    return (m && i < m->n_out_names && m->n_out_names == nni_output_dim(m)) ? m->out_names[i] : NULL;
}
