/* libFuzzer, structure-aware: the input bytes describe a small model (layers of every kind with
   sizes, activations and hyper-parameters, valid or not), an optimizer with its setters, a loss
   (also invalid ones), metrics, callbacks, scalers, training options and a data set that may hold
   NaN, Inf and huge values; the harness builds it and runs compile, fit, evaluate, predict,
   save/load, clone and get/set weights. Every call must return a status (nothing may crash, trip
   a sanitizer or hang), and everything allocated (also through the default allocator, which can
   be made to fail at an input-chosen allocation) must be freed again. */
#include "fuzz_util.h"
#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_IN = 6, MAX_ROWS = 24, MAX_UNITS = 12 };

static int stop_cb(nn_model *m, int epoch, void *user)
{
    (void)m;
    return epoch >= (int)(size_t)user;
}

static float sched_fn(int epoch, float lr, void *user)
{
    (void)user;
    return epoch == 2 ? -1.0f : lr * 0.5f;
}

static nn_layer *make_layer(fz_in *in, int *act_io)
{
    unsigned k = fz_u8(in) % 8, act = fz_u8(in) % 13; /* 11, 12: invalid activations */
    size_t units = fz_u8(in) % (MAX_UNITS + 2);        /* 0 and > MAX_UNITS occur */
    nn_layer *l = NULL;
    *act_io = (int)act;
    switch (k) {
    case 0: case 1: l = nn_dense(units, (nn_activation)act); break;
    case 2: l = nn_dropout(fz_float(in)); break;
    case 3: l = nn_batch_norm(); break;
    case 4: l = nn_layer_norm(); break;
    case 5: l = nn_gaussian_noise(fz_float(in)); break;
    case 6: l = nn_gaussian_dropout(fz_float(in)); break;
    default: l = nn_activation_layer((nn_activation)act); break;
    }
    if (l) {
        unsigned setters = fz_u8(in);
        if (setters & 1) nn_layer_set_kernel_initializer(l, (nn_initializer)(fz_u8(in) % 9));
        if (setters & 2) nn_layer_set_bias_initializer(l, (nn_initializer)(fz_u8(in) % 9));
        if (setters & 4) nn_layer_set_kernel_regularizer(l, fz_float(in), fz_float(in));
        if (setters & 8) nn_layer_set_bias_regularizer(l, fz_float(in), fz_float(in));
        if (setters & 16) nn_layer_set_leaky_slope(l, fz_float(in));
        if (setters & 32) nn_layer_set_use_bias(l, (int)(fz_u8(in) & 1));
        if (setters & 64) nn_layer_set_kernel_max_norm(l, fz_float(in));
        if (setters & 128) {
            nn_layer_set_momentum(l, fz_float(in));
            nn_layer_set_epsilon(l, fz_float(in));
            nn_layer_set_center(l, (int)(fz_u8(in) & 1));
            nn_layer_set_scale(l, (int)(fz_u8(in) & 1));
        }
    }
    return l;
}

static nn_optimizer *make_opt(fz_in *in)
{
    unsigned k = fz_u8(in) % 6, setters;
    float lr = fz_float(in);
    nn_optimizer *o = NULL;
    switch (k) {
    case 0: o = nn_sgd(lr, fz_float(in), (int)(fz_u8(in) & 1)); break;
    case 1: o = nn_adam(lr); break;
    case 2: o = nn_adamw(lr, fz_float(in)); break;
    case 3: o = nn_rmsprop(lr); break;
    case 4: o = nn_adagrad(lr); break;
    default: return NULL; /* compile with a NULL optimizer */
    }
    if (!o) return NULL;
    setters = fz_u8(in);
    if (setters & 1) { nn_optimizer_set_beta1(o, fz_float(in)); nn_optimizer_set_beta2(o, fz_float(in)); }
    if (setters & 2) nn_optimizer_set_epsilon(o, fz_float(in));
    if (setters & 4) { nn_optimizer_set_amsgrad(o, 1); nn_optimizer_set_centered(o, 1); }
    if (setters & 8) { nn_optimizer_set_rho(o, fz_float(in)); nn_optimizer_set_momentum(o, fz_float(in)); }
    if (setters & 16) { nn_optimizer_set_initial_accumulator(o, fz_float(in)); nn_optimizer_set_weight_decay(o, fz_float(in)); }
    if (setters & 32) nn_optimizer_set_clipnorm(o, fz_float(in));
    if (setters & 64) { nn_optimizer_set_global_clipnorm(o, fz_float(in)); nn_optimizer_set_clipvalue(o, fz_float(in)); }
    if (setters & 128) {
        nn_schedule *s = NULL;
        switch (fz_u8(in) % 4) {
        case 0: s = nn_schedule_exponential_decay(fz_float(in), (int64_t)fz_u8(in) - 2, fz_float(in), 1); break;
        case 1: s = nn_schedule_inverse_time_decay(fz_float(in), (int64_t)fz_u8(in), fz_float(in), 0); break;
        case 2: s = nn_schedule_cosine_decay(fz_float(in), (int64_t)fz_u8(in) - 1, fz_float(in)); if (s) nn_schedule_set_warmup(s, (int64_t)fz_u8(in), fz_float(in)); break;
        default: {
            int64_t b[2] = { (int64_t)fz_u8(in), (int64_t)fz_u8(in) };
            float v[3] = { fz_float(in), fz_float(in), fz_float(in) };
            s = nn_schedule_piecewise_constant(b, v, 2);
            break;
        }
        }
        if (s && (fz_u8(in) & 1)) nn_schedule_set_per_epoch(s, 1);
        nn_optimizer_set_schedule(o, s);
    }
    return o;
}

static void run(fz_in *in, const nn_allocator *a)
{
    size_t in_dim = fz_u8(in) % (MAX_IN + 1); /* 0 occurs */
    size_t n_layers = fz_u8(in) % 5, i, rows, out_dim, tdim, np;
    unsigned loss = fz_u8(in) % 9, flags, nm, ncb;
    int act = 0, epochs, batch;
    nn_model *m = (fz_u8(in) & 1) ? nn_model_create_with_allocator(in_dim, a) : nn_model_create(in_dim);
    float x[MAX_ROWS * MAX_UNITS * 2], y[MAX_ROWS * MAX_UNITS * 2], out[MAX_ROWS * MAX_UNITS * 2], l;
    float *w = NULL;
    memset(x, 0, sizeof x);
    memset(y, 0, sizeof y);
    if (!m) return;
    nn_model_set_seed(m, fz_u8(in));
    for (i = 0; i < n_layers; i++) nn_model_add(m, make_layer(in, &act));
    flags = fz_u8(in);
    if (flags & 1) (void)nn_model_predict_one(m, x, out); /* predict before compile builds the model */
    (void)nn_model_compile(m, make_opt(in), (nn_loss)loss);
    nm = fz_u8(in);
    for (i = 0; i < 4; i++)
        if (nm & (1u << i)) nn_model_add_metric(m, (nn_metric)i);
    if (nm & 16) nn_model_add_weighted_metric(m, (nn_metric)(fz_u8(in) % 5));
    if (nm & 32) nn_model_set_huber_delta(m, fz_float(in));
    if (nm & 64) nn_model_set_threads(m, (int)(fz_u8(in) % 4));
    ncb = fz_u8(in);
    if (ncb & 1) nn_model_add_callback(m, nn_early_stopping((ncb & 64) ? "val_loss" : "loss", fz_float(in), (int)(fz_u8(in) % 3), 1));
    if (ncb & 2) nn_model_add_callback(m, nn_reduce_lr_on_plateau((ncb & 128) ? "accuracy" : "loss", fz_float(in), (int)(fz_u8(in) % 3), fz_float(in)));
    if (ncb & 4) nn_model_add_callback(m, nn_terminate_on_nan());
    if (ncb & 8) nn_model_add_callback(m, nn_callback_custom(NULL, stop_cb, NULL, (void *)(size_t)(fz_u8(in) % 4)));
    if (ncb & 16) nn_model_add_callback(m, nn_lr_scheduler(sched_fn, NULL));
    if (ncb & 32) {
        nn_callback *cb = nn_early_stopping("nonexistent_metric", 0.0f, 0, 0);
        nn_callback_set_mode(cb, (fz_u8(in) & 1) ? "max" : "bogus");
        nn_callback_set_baseline(cb, fz_float(in));
        nn_callback_set_start_from_epoch(cb, (int)fz_u8(in) - 1);
        nn_model_add_callback(m, cb);
    }
    /* data: rows x in_dim features and rows x target width, hostile values included */
    out_dim = nn_model_output_dim(m);
    tdim = loss == NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY ? 1 : out_dim;
    if (tdim > MAX_UNITS * 2 || in_dim * 2 > MAX_UNITS * 2) tdim = 0;
    rows = fz_u8(in) % (MAX_ROWS + 1);
    for (i = 0; i < rows * in_dim && i < sizeof x / sizeof x[0]; i++) x[i] = fz_float(in);
    for (i = 0; i < rows * tdim && i < sizeof y / sizeof y[0]; i++)
        y[i] = (fz_u8(in) & 3) ? (float)(fz_u8(in) % 4) : fz_float(in); /* mostly small class-like labels */
    if (rows * in_dim > sizeof x / sizeof x[0] || rows * tdim > sizeof y / sizeof y[0]) rows = 0;
    flags = fz_u8(in);
    if (flags & 1) nn_model_set_validation_split(m, fz_float(in));
    if (flags & 2) nn_model_set_validation_data(m, x, y, rows / 2);
    if (flags & 4) nn_model_set_shuffle(m, 0);
    if (flags & 8) {
        float cw[3] = { fz_float(in), fz_float(in), fz_float(in) };
        nn_model_set_class_weights(m, cw, 1 + fz_u8(in) % 3);
    }
    if (flags & 16) {
        unsigned k = fz_u8(in);
        nn_scaler *s = (k & 1) ? nn_standard_scaler() : nn_minmax_scaler(fz_float(in), fz_float(in));
        if (k & 2) nn_scaler_set_impute_mean(s, 1); /* refused for minmax (and NULL) */
        nn_model_set_input_scaler(m, s);
    }
    {
        /* column names: sometimes one too many or too few, sometimes an empty one */
        static const char *const names[MAX_IN + MAX_UNITS * 2 + 2] = { "a", "b", "c", "d", "e", "f", "g", "h" };
        const char *pick[sizeof names / sizeof names[0]];
        unsigned k = fz_u8(in);
        size_t cnt = (k & 4) ? in_dim + 1 - (k & 8 ? 2 : 0) : in_dim, j;
        for (j = 0; j < sizeof pick / sizeof pick[0]; j++) pick[j] = (k & 16) && j == 1 ? "" : names[j % 8];
        if ((k & 1) && cnt < sizeof pick / sizeof pick[0]) nn_model_set_feature_names(m, pick, cnt);
        if ((k & 2) && out_dim < sizeof pick / sizeof pick[0]) nn_model_set_output_names(m, pick, out_dim);
    }
    if (flags & 32) nn_model_set_target_scaler(m, nn_imputer((nn_impute_strategy)(fz_u8(in) % 4), fz_float(in)));
    epochs = (int)(fz_u8(in) % 4) - (flags & 64 ? 1 : 0);
    batch = (int)(fz_u8(in) % 12) - (flags & 128 ? 1 : 0);
    if (fz_u8(in) & 1) {
        float sw[MAX_ROWS];
        for (i = 0; i < rows; i++) sw[i] = (fz_u8(in) & 7) ? 1.0f : fz_float(in);
        (void)nn_model_fit_weighted(m, x, y, sw, rows, epochs, batch);
    } else {
        (void)nn_model_fit(m, x, y, rows, epochs, batch);
    }
    (void)nn_model_history(m, "loss", 0);
    (void)nn_model_evaluate(m, x, y, rows, &l);
    if (rows * out_dim <= sizeof out / sizeof out[0]) (void)nn_model_predict(m, x, rows, out);
    flags = fz_u8(in);
    if (flags & 1) {
        size_t need = 0;
        if (nn_model_save_buffer(m, NULL, 0, &need) == NN_OK && need && need < (1u << 20)) {
            unsigned char *b = (unsigned char *)malloc(need);
            nn_model *m2;
            if (!b) abort();
            if (nn_model_save_buffer(m, b, need, NULL) == NN_OK) {
                m2 = nn_model_load_buffer_with_allocator(b, need, a);
                if (m2) {
                    (void)nn_model_fit(m2, x, y, rows, 1, batch);
                    (void)nn_model_load_weights_buffer(m2, b, need);
                }
                nn_model_free(m2);
            }
            free(b);
        }
    }
    if (flags & 2) {
        nn_model *c = nn_model_clone(m);
        if (c) (void)nn_model_predict(c, x, rows < 2 ? rows : 2, out);
        nn_model_free(c);
    }
    np = nn_model_param_count(m);
    if ((flags & 4) && np < 100000) {
        w = (float *)malloc((np + 1) * sizeof *w);
        if (!w) abort();
        if (nn_model_get_weights(m, w, np, NULL) == NN_OK) {
            if (np) w[0] = fz_float(in);
            (void)nn_model_set_weights(m, w, np);
        }
        free(w);
    }
    nn_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_alloc c;
    nn_allocator a = fz_allocator(&c);
    fz_in in;
    unsigned mode;
    if (size < 2) return 0;
    mode = data[0] | (unsigned)data[1] << 8;
    in.p = data + 2;
    in.n = size - 2;
    if (mode & 1) {
        c.fail_at = (long)(mode >> 2) + 1;
        c.persistent = (mode & 2) != 0;
    }
    nn_set_default_allocator(&a);
    run(&in, &a);
    nn_set_default_allocator(NULL);
    fz_check_balanced(&c);
    return 0;
}
