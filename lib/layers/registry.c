/* The layer-kind and optimizer-kind registries and their serialized fields. */
#include "layers/registry.h"
#include "layers/activation.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Enum fields are read and written as int. */
typedef char nni_enum_is_int_[(sizeof(nn_activation) == sizeof(int) && sizeof(nn_initializer) == sizeof(int)) ? 1 : -1];

static int dense_check(const nn_layer *l, char *err, size_t cap)
{
    if (l->units == 0) {
        snprintf(err, cap, "Dense with 0 units");
        return 1;
    }
    return 0;
}

static int dropout_check(const nn_layer *l, char *err, size_t cap)
{
    if (!(l->rate >= 0.0f && l->rate < 1.0f)) {
        snprintf(err, cap, "Dropout rate %g outside [0, 1)", (double)l->rate);
        return 1;
    }
    return 0;
}

static int norm_check(const nn_layer *l, char *err, size_t cap)
{
    if (!(l->momentum >= 0.0f && l->momentum <= 1.0f) || !(l->epsilon > 0.0f) || !isfinite(l->epsilon)) {
        snprintf(err, cap, "normalization momentum %g or epsilon %g out of range", (double)l->momentum, (double)l->epsilon);
        return 1;
    }
    return 0;
}

static int noise_check(const nn_layer *l, char *err, size_t cap)
{
    if (!(l->stddev >= 0.0f) || !isfinite(l->stddev)) {
        snprintf(err, cap, "GaussianNoise stddev %g is not finite and >= 0", (double)l->stddev);
        return 1;
    }
    return 0;
}

/* ---- one line per layer kind ---- */
const nni_layer_kind nni_layer_kinds[] = {
    { &nni_dense_ops, dense_check },
    { &nni_dropout_ops, dropout_check },
    { &nni_batch_norm_ops, norm_check },
    { &nni_layer_norm_ops, norm_check },
    { &nni_gaussian_noise_ops, noise_check },
    { &nni_gaussian_dropout_ops, dropout_check },
    { &nni_activation_ops, NULL },
};
const size_t nni_layer_kind_count = sizeof nni_layer_kinds / sizeof nni_layer_kinds[0];

/* ---- one line per configuration field of struct nn_layer ---- */
const nni_field nni_layer_fields[] = {
    { "units", NNI_FT_SIZE, offsetof(nn_layer, units) },
    { "activation", NNI_FT_INT, offsetof(nn_layer, act) },
    { "activation_alpha", NNI_FT_F32, offsetof(nn_layer, act_alpha) },
    { "rate", NNI_FT_F32, offsetof(nn_layer, rate) },
    { "kernel_initializer", NNI_FT_INT, offsetof(nn_layer, kernel_init) },
    { "bias_initializer", NNI_FT_INT, offsetof(nn_layer, bias_init) },
    { "kernel_l1", NNI_FT_F32, offsetof(nn_layer, l1) },
    { "kernel_l2", NNI_FT_F32, offsetof(nn_layer, l2) },
    { "bias_l1", NNI_FT_F32, offsetof(nn_layer, bias_l1) },
    { "bias_l2", NNI_FT_F32, offsetof(nn_layer, bias_l2) },
    { "no_bias", NNI_FT_INT, offsetof(nn_layer, no_bias) },
    { "kernel_max_norm", NNI_FT_F32, offsetof(nn_layer, max_norm) },
    { "momentum", NNI_FT_F32, offsetof(nn_layer, momentum) },
    { "epsilon", NNI_FT_F32, offsetof(nn_layer, epsilon) },
    { "no_center", NNI_FT_INT, offsetof(nn_layer, no_center) },
    { "no_scale", NNI_FT_INT, offsetof(nn_layer, no_scale) },
    { "stddev", NNI_FT_F32, offsetof(nn_layer, stddev) },
    { "linear_shortcut_inputs", NNI_FT_SIZE, offsetof(nn_layer, skip_dim) },
};
const size_t nni_layer_field_count = sizeof nni_layer_fields / sizeof nni_layer_fields[0];

/* ---- one line per optimizer kind ---- */
const nni_opt_kind nni_opt_kinds[] = {
    { &nni_sgd_ops }, { &nni_adam_ops }, { &nni_adamw_ops }, { &nni_rmsprop_ops }, { &nni_adagrad_ops },
};
const size_t nni_opt_kind_count = sizeof nni_opt_kinds / sizeof nni_opt_kinds[0];

/* ---- one line per hyper-parameter of struct nn_optimizer ---- */
const nni_field nni_opt_fields[] = {
    { "learning_rate", NNI_FT_F32, offsetof(nn_optimizer, lr) },
    { "beta_1", NNI_FT_F32, offsetof(nn_optimizer, beta1) },
    { "beta_2", NNI_FT_F32, offsetof(nn_optimizer, beta2) },
    { "epsilon", NNI_FT_F32, offsetof(nn_optimizer, epsilon) },
    { "momentum", NNI_FT_F32, offsetof(nn_optimizer, momentum) },
    { "rho", NNI_FT_F32, offsetof(nn_optimizer, rho) },
    { "weight_decay", NNI_FT_F32, offsetof(nn_optimizer, weight_decay) },
    { "initial_accumulator_value", NNI_FT_F32, offsetof(nn_optimizer, initial_accumulator) },
    { "nesterov", NNI_FT_INT, offsetof(nn_optimizer, nesterov) },
    { "amsgrad", NNI_FT_INT, offsetof(nn_optimizer, amsgrad) },
    { "centered", NNI_FT_INT, offsetof(nn_optimizer, centered) },
    { "clipnorm", NNI_FT_F32, offsetof(nn_optimizer, clipnorm) },
    { "global_clipnorm", NNI_FT_F32, offsetof(nn_optimizer, global_clipnorm) },
    { "clipvalue", NNI_FT_F32, offsetof(nn_optimizer, clipvalue) },
    { "iterations", NNI_FT_I64, offsetof(nn_optimizer, iterations) },
};
const size_t nni_opt_field_count = sizeof nni_opt_fields / sizeof nni_opt_fields[0];

const nni_layer_kind *nni_layer_kind_find(const char *name)
{
    size_t i;
    for (i = 0; i < nni_layer_kind_count; i++)
        if (strcmp((*nni_layer_kinds[i].ops)->name, name) == 0) return &nni_layer_kinds[i];
    return NULL;
}

const nni_opt_ops *nni_opt_kind_find(const char *name)
{
    size_t i;
    for (i = 0; i < nni_opt_kind_count; i++)
        if (strcmp((*nni_opt_kinds[i].ops)->name, name) == 0) return *nni_opt_kinds[i].ops;
    return NULL;
}

static int init_ok(nn_initializer i) { return (int)i >= 0 && (int)i <= (int)NN_INIT_ONES; }

int nni_layer_check_common(const nn_layer *l, char *err, size_t cap)
{
    if (nni_act_name(l->act) == NULL) {
        snprintf(err, cap, "unknown activation %d", (int)l->act);
        return 1;
    }
    if (!init_ok(l->kernel_init) || !init_ok(l->bias_init)) {
        snprintf(err, cap, "unknown initializer %d/%d", (int)l->kernel_init, (int)l->bias_init);
        return 1;
    }
    if (!isfinite(l->act_alpha) || !isfinite(l->rate) || !(l->l1 >= 0.0f) || !(l->l2 >= 0.0f) ||
        !isfinite(l->l1) || !isfinite(l->l2)) {
        snprintf(err, cap, "non-finite or negative configuration value");
        return 1;
    }
    return 0;
}
