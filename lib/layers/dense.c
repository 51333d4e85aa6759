/* Dense: out = act(in . W + b), W stored (in_dim x units) as Keras' kernel. */
#include "layers/layer.h"
#include "layers/activation.h"
#include "core/simd.h"
#include "core/error.h"
#include <string.h>

#define DB_BLK 16

static nn_status dense_build(nn_layer *l, size_t in_dim)
{
    l->in_dim = in_dim;
    l->out_dim = l->units;
    l->n_params = l->no_bias ? 1 : 2;
    l->spec[0].size = in_dim * l->units;
    l->spec[0].rows = in_dim;
    l->spec[0].cols = l->units;
    l->spec[0].trainable = 1;
    l->spec[0].role = NNI_KERNEL;
    l->spec[0].init = l->kernel_init;
    l->spec[1].size = l->units;
    l->spec[1].rows = 1;
    l->spec[1].cols = l->units;
    l->spec[1].trainable = 1;
    l->spec[1].role = NNI_BIAS;
    l->spec[1].init = l->bias_init;
    if (l->skip_dim) {
        /* linear shortcut kernel (model input x units), after kernel and bias */
        nni_param_spec *sp = &l->spec[l->n_params++];
        sp->size = l->skip_dim * l->units;
        sp->rows = l->skip_dim;
        sp->cols = l->units;
        sp->trainable = 1;
        sp->role = NNI_SHORTCUT;
        sp->init = NN_INIT_GLOROT_UNIFORM;
        /* the deep path starts silent: the model starts as a linear model and the
           deep path grows from zero (as zero-initialised residual branches) */
        l->spec[0].init = NN_INIT_ZEROS;
        if (sp->size / l->skip_dim != l->units) {
            nni_set_last_error("Dense(%zu) shortcut from %zu inputs: size overflows", l->units, l->skip_dim);
            return NN_ERR_INVALID_ARG;
        }
    }
    if (in_dim != 0 && l->spec[0].size / in_dim != l->units) {
        nni_set_last_error("Dense(%zu) on %zu inputs: kernel size overflows", l->units, in_dim);
        return NN_ERR_INVALID_ARG;
    }
    return NN_OK;
}

static size_t dense_scratch(const nn_layer *l, size_t rows)
{
    /* Pre-activations are kept for the derivative (gelu, swish need them). */
    return l->act == NN_LINEAR ? 0 : rows * l->units;
}

static void dense_forward(nn_layer *l, const nni_fwd *f)
{
    size_t r, u = l->units;
    float *z = l->act == NN_LINEAR ? f->out : f->scratch;
    /* The bias starts each output's fmaf chain (beta = 1), fusing the add. */
    if (l->no_bias) memset(z, 0, f->rows * u * sizeof(float));
    else
        for (r = 0; r < f->rows; r++) memcpy(z + r * u, l->param[1], u * sizeof(float));
    nni_gemm_run(f->gemm, 0, 0, f->rows, u, l->in_dim, 1.0f, f->in, l->in_dim, l->param[0], u, 1.0f, z, u);
    if (l->skip_dim) /* linear shortcut joins before the activation */
        nni_gemm_run(f->gemm, 0, 0, f->rows, u, l->skip_dim, 1.0f, f->model_in, l->skip_dim,
                     l->param[l->n_params - 1], u, 1.0f, z, u);
    if (l->act != NN_LINEAR) nni_act_forward(l->act, l->act_alpha, z, f->out, f->rows, u);
}

NNI_SIMD_CLONES
static void bias_grad(const float *dz, float *db, size_t rows, size_t u)
{
    size_t r, j;
    /* db[j] = sum over rows in row order from 0.0f, in column blocks held in
       a local array so the adds vectorize across columns (same order per j). */
    for (j = 0; j + DB_BLK <= u; j += DB_BLK) {
        float acc[DB_BLK];
        size_t k;
        for (k = 0; k < DB_BLK; k++) acc[k] = 0.0f;
        for (r = 0; r < rows; r++)
            for (k = 0; k < DB_BLK; k++) acc[k] += dz[r * u + j + k];
        for (k = 0; k < DB_BLK; k++) db[j + k] = acc[k];
    }
    for (; j < u; j++) {
        float acc = 0.0f;
        for (r = 0; r < rows; r++) acc += dz[r * u + j];
        db[j] = acc;
    }
}

static void dense_backward(nn_layer *l, const nni_bwd *b)
{
    size_t u = l->units;
    float *dz = b->dout;
    float *db = l->no_bias ? NULL : l->grad[1];
    if (!b->dout_is_preact && l->act != NN_LINEAR) {
        dz = b->scratch;
        nni_act_backward(l->act, l->act_alpha, b->scratch, b->out, b->dout, dz, b->rows, u);
    }
    nni_gemm_run(b->gemm, 1, 0, l->in_dim, u, b->rows, 1.0f, b->in, l->in_dim, dz, u, 0.0f, l->grad[0], u);
    if (l->skip_dim)
        nni_gemm_run(b->gemm, 1, 0, l->skip_dim, u, b->rows, 1.0f, b->model_in, l->skip_dim, dz, u, 0.0f,
                     l->grad[l->n_params - 1], u);
    if (db) bias_grad(dz, db, b->rows, u);
    if (b->din)
        nni_gemm_run(b->gemm, 0, 1, b->rows, l->in_dim, u, 1.0f, dz, u, l->param[0], u, 0.0f, b->din, l->in_dim);
}

static const nni_layer_ops dense_ops = {
    "Dense", "dense", dense_build, dense_forward, dense_backward, dense_scratch, 1,
};
const nni_layer_ops *const nni_dense_ops = &dense_ops;

nn_layer *nn_dense(size_t units, nn_activation act)
{
    nn_layer *l;
    if (units == 0) return (nn_layer *)nni_set_last_error("nn_dense: units must be > 0");
    if (nni_act_name(act) == NULL) return (nn_layer *)nni_set_last_error("nn_dense: unknown activation %d", (int)act);
    l = nni_layer_new(&dense_ops);
    if (!l) return NULL;
    l->units = units;
    l->act = act;
    return l;
}
