/*
 * Layer-kind registry and the generic configuration fields, used by the model
 * file reader and writer (lib/io). Adding a layer kind = one line in
 * nni_layer_kinds (lib/layers/registry.c); adding a configuration field to
 * struct nn_layer = one line in nni_layer_fields. Fields are stored by name, so
 * files stay readable when fields are appended.
 */
#ifndef NNI_REGISTRY_H
#define NNI_REGISTRY_H
#include "layers/layer.h"
#include "optim/optimizer.h"
#include <stddef.h>

/* Type of a serialized field (also its code in the file). */
typedef enum nni_field_type {
    NNI_FT_SIZE = 1, /* size_t, stored as u64 */
    NNI_FT_U64 = 2,  /* uint64_t */
    NNI_FT_I64 = 3,  /* int64_t */
    NNI_FT_INT = 4,  /* int or an int-sized enum, stored as i32 */
    NNI_FT_F32 = 5   /* float, stored as its IEEE-754 bits */
} nni_field_type;

typedef struct nni_field {
    const char *name; /* at most 255 bytes */
    nni_field_type type;
    size_t offset;    /* offsetof in the owning struct */
} nni_field;

/* A layer kind: its ops (ops->name is the kind stored in files) and an optional
   check of a configuration read from a file, run before build; it writes a
   reason into err and returns non-zero when the configuration is invalid. */
typedef struct nni_layer_kind {
    const nni_layer_ops *const *ops;
    int (*check)(const nn_layer *cfg, char *err, size_t cap);
} nni_layer_kind;

typedef struct nni_opt_kind {
    const nni_opt_ops *const *ops;
} nni_opt_kind;

extern const nni_layer_ops *const nni_dense_ops;
extern const nni_layer_ops *const nni_dropout_ops;
extern const nni_layer_ops *const nni_batch_norm_ops;
extern const nni_layer_ops *const nni_layer_norm_ops;
extern const nni_layer_ops *const nni_gaussian_noise_ops;
extern const nni_layer_ops *const nni_gaussian_dropout_ops;
extern const nni_layer_ops *const nni_activation_ops;
extern const nni_opt_ops *const nni_sgd_ops;
extern const nni_opt_ops *const nni_adam_ops;
extern const nni_opt_ops *const nni_adamw_ops;
extern const nni_opt_ops *const nni_rmsprop_ops;
extern const nni_opt_ops *const nni_adagrad_ops;

extern const nni_layer_kind nni_layer_kinds[];
extern const size_t nni_layer_kind_count;
extern const nni_field nni_layer_fields[];
extern const size_t nni_layer_field_count;
extern const nni_opt_kind nni_opt_kinds[];
extern const size_t nni_opt_kind_count;
extern const nni_field nni_opt_fields[];
extern const size_t nni_opt_field_count;

/* Kind by name, NULL when unknown. */
const nni_layer_kind *nni_layer_kind_find(const char *name);
const nni_opt_ops *nni_opt_kind_find(const char *name);
/* Checks every kind shares (valid enums, finite non-negative penalties, ...). */
int nni_layer_check_common(const nn_layer *cfg, char *err, size_t cap);

#endif
