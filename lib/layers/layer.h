/*
 * A layer is a table of functions over a small common struct. Adding a layer
 * kind means one new file defining an nni_layer_ops and one constructor.
 * Parameters live in the model's flat store; the model hands each layer
 * pointers into it after build, so optimizers see one contiguous array.
 */
#ifndef NNI_LAYER_H
#define NNI_LAYER_H
#include "nn.h"
#include "core/rng.h"
#include "gemm/gemm.h"

#define NNI_MAX_PARAMS 4

typedef enum nni_param_role {
    NNI_KERNEL = 0,
    NNI_BIAS = 1,
    NNI_GAMMA = 2,
    NNI_BETA = 3,
    NNI_MOVING = 4, /* non-trainable state, e.g. BatchNorm moving statistics */
    NNI_SHORTCUT = 5 /* kernel of the linear shortcut from the model input (output Dense) */
} nni_param_role;

typedef struct nni_param_spec {
    size_t size;        /* floats */
    size_t rows, cols;  /* shape for summaries and fan computation */
    int trainable;
    nni_param_role role;
    nn_initializer init;
} nni_param_spec;

typedef struct nni_fwd {
    size_t rows;
    int training;
    const float *in;  /* rows x in_dim */
    float *out;       /* rows x out_dim */
    float *scratch;   /* ops->scratch_floats(l, rows) floats, kept until backward */
    const nni_gemm *gemm;
    nni_rng *rng;
    const float *model_in;  /* rows x model input width: the linear shortcut's input */
} nni_fwd;

typedef struct nni_bwd {
    size_t rows;
    const float *in, *out;
    float *scratch;      /* the same scratch forward used */
    float *dout;         /* dL/d(out), or dL/d(pre-activation) if dout_is_preact; may be clobbered */
    float *din;          /* dL/d(in) to fill, NULL for the first layer */
    int dout_is_preact;  /* loss gradient already fused with this layer's activation */
    const nni_gemm *gemm;
    const float *model_in;  /* rows x model input width (linear shortcut) */
} nni_bwd;

typedef struct nni_layer_ops {
    const char *name;       /* Keras class name, e.g. "Dense" */
    const char *base_name;  /* Keras default layer name stem, e.g. "dense" */
    /* Learn the input width; set out_dim and the param specs. */
    nn_status (*build)(nn_layer *l, size_t in_dim);
    void (*forward)(nn_layer *l, const nni_fwd *f);
    void (*backward)(nn_layer *l, const nni_bwd *b);
    size_t (*scratch_floats)(const nn_layer *l, size_t rows);
    /* Non-zero if the layer applies l->act itself and keeps the pre-activation
       in scratch, so a loss can hand it dL/d(pre-activation) directly. */
    int fuses_activation;
} nni_layer_ops;

struct nn_layer {
    const nni_layer_ops *ops;
    nn_allocator alloc;   /* what allocated this struct */
    size_t in_dim, out_dim;
    /* configuration (a field per Keras argument the layer kinds use) */
    size_t units;
    nn_activation act;
    float act_alpha;      /* leaky_relu slope */
    float rate;           /* dropout rate */
    nn_initializer kernel_init, bias_init;
    float l1, l2;         /* kernel regularizer */
    float bias_l1, bias_l2; /* bias regularizer */
    int no_bias;          /* Dense use_bias=False */
    float max_norm;       /* kernel MaxNorm constraint (0 = none) */
    float momentum, epsilon; /* BatchNormalization / LayerNormalization */
    int no_center, no_scale; /* center=False / scale=False */
    float stddev;         /* GaussianNoise */
    size_t skip_dim;      /* Dense output layer: width of the linear shortcut input (0 = none) */
    /* parameters, pointing into the model's flat store once built */
    size_t n_params;
    nni_param_spec spec[NNI_MAX_PARAMS];
    float *param[NNI_MAX_PARAMS];
    float *grad[NNI_MAX_PARAMS];
};

/* A zeroed layer of the given kind from the default allocator; NULL + nn_last_error on failure. */
nn_layer *nni_layer_new(const nni_layer_ops *ops);
/* Re-run build with the known input width after a setter changed the parameter list;
   NN_ERR_STATE once the model's weights exist. */
nn_status nni_layer_rebuild(nn_layer *l);
/* Same as nni_layer_new, from the given allocator (used by the model loader). */
nn_layer *nni_layer_new_with(const nni_layer_ops *ops, const nn_allocator *alloc);
/* Fill a parameter tensor according to its initializer (Keras definitions). */
void nni_init_param(const nni_param_spec *s, float *p, nni_rng *rng);

#endif
