/* Model files: round trips, exact resume, weights-only files, damaged files, atomic writes. */
#define _POSIX_C_SOURCE 200809L
#include "harness.h"
#include "io_util.h"
#include "nn.h"
#include "io/io.h"
#include "io/bytes.h"
#include "layers/registry.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#define N 64
#define IN 3
#define OUT 2

static float X[N * IN], Y[N * OUT];

static void data(void) { io_data(X, Y, N, IN, OUT, 7); }

/* Every registered layer kind, constructed through its public constructor. Adding a kind to
   the registry without adding it here fails kinds_cover_registry. */
typedef struct kind_case { const char *name; nn_layer *(*make)(void); } kind_case;
static nn_layer *mk_dense(void)
{
    nn_layer *l = nn_dense(5, NN_LEAKY_RELU);
    nn_layer_set_leaky_slope(l, 0.1f);
    nn_layer_set_kernel_regularizer(l, 1e-4f, 1e-3f);
    nn_layer_set_kernel_initializer(l, NN_INIT_HE_NORMAL);
    nn_layer_set_bias_initializer(l, NN_INIT_ONES);
    return l;
}
static nn_layer *mk_dropout(void) { return nn_dropout(0.25f); }
static nn_layer *mk_batch_norm(void)
{
    nn_layer *l = nn_batch_norm();
    nn_layer_set_momentum(l, 0.9f);
    nn_layer_set_epsilon(l, 1e-2f);
    return l;
}
static nn_layer *mk_batch_norm_plain(void)
{
    nn_layer *l = nn_batch_norm();
    nn_layer_set_center(l, 0);
    nn_layer_set_scale(l, 0);
    return l;
}
static nn_layer *mk_layer_norm(void) { return nn_layer_norm(); }
static nn_layer *mk_gaussian_noise(void) { return nn_gaussian_noise(0.3f); }
static nn_layer *mk_gaussian_dropout(void) { return nn_gaussian_dropout(0.2f); }
static nn_layer *mk_activation(void) { return nn_activation_layer(NN_TANH); }
static nn_layer *mk_dense_nobias(void)
{
    nn_layer *l = nn_dense(4, NN_GELU);
    nn_layer_set_use_bias(l, 0);
    nn_layer_set_kernel_max_norm(l, 2.0f);
    nn_layer_set_bias_regularizer(l, 1e-3f, 0.0f);
    return l;
}
static const kind_case kinds[] = {
    { "Dense", mk_dense },
    { "Dense", mk_dense_nobias },
    { "Dropout", mk_dropout },
    { "BatchNormalization", mk_batch_norm },
    { "BatchNormalization", mk_batch_norm_plain },
    { "LayerNormalization", mk_layer_norm },
    { "GaussianNoise", mk_gaussian_noise },
    { "GaussianDropout", mk_gaussian_dropout },
    { "Activation", mk_activation },
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

TEST(io_kinds_cover_registry)
{
    size_t i, j;
    for (i = 0; i < nni_layer_kind_count; i++) {
        const char *name = (*nni_layer_kinds[i].ops)->name;
        int found = 0;
        for (j = 0; j < N_KINDS; j++)
            if (strcmp(kinds[j].name, name) == 0) found = 1;
        CHECK_MSG(found, "layer kind %s has no round-trip case in tests/test_io_model.c", name);
    }
}

static nn_optimizer *mk_opt(int k)
{
    nn_optimizer *o;
    switch (k) {
    case 0: return nn_sgd(0.05f, 0.0f, 0);
    case 1: return nn_sgd(0.05f, 0.9f, 1);
    case 2:
        o = nn_adam(0.01f);
        nn_optimizer_set_amsgrad(o, 1);
        nn_optimizer_set_clipnorm(o, 1.0f);
        return o;
    case 3: return nn_adamw(0.01f, 0.01f);
    case 4:
        o = nn_rmsprop(0.01f);
        nn_optimizer_set_centered(o, 1);
        nn_optimizer_set_momentum(o, 0.5f);
        return o;
    default:
        o = nn_adagrad(0.05f);
        nn_optimizer_set_initial_accumulator(o, 0.2f);
        nn_optimizer_set_clipvalue(o, 0.5f);
        return o;
    }
}
#define N_OPTS 6

static nn_model *make_model(int kind, int opt, uint64_t seed)
{
    nn_model *m = nn_model_create(IN);
    nn_model_set_seed(m, seed);
    nn_model_add(m, nn_dense(6, NN_TANH));
    nn_model_add(m, kinds[kind].make());
    nn_model_add(m, nn_dense(OUT, NN_LINEAR));
    nn_model_add_metric(m, NN_METRIC_MAE);
    nn_model_add_metric(m, NN_METRIC_RMSE);
    nn_model_set_validation_split(m, 0.25f);
    nn_model_compile(m, mk_opt(opt), opt == 3 ? NN_LOSS_HUBER : NN_LOSS_MSE);
    nn_model_set_huber_delta(m, 0.7f);
    return m;
}

static int same_predictions(nn_model *a, nn_model *b)
{
    float pa[N * OUT], pb[N * OUT];
    if (nn_model_predict(a, X, N, pa) != NN_OK || nn_model_predict(b, X, N, pb) != NN_OK) return 0;
    return memcmp(pa, pb, sizeof pa) == 0;
}

TEST(io_roundtrip_every_kind_and_optimizer)
{
    size_t k;
    int o;
    data();
    for (k = 0; k < N_KINDS; k++)
        for (o = 0; o < N_OPTS; o++) {
            nn_model *a = make_model((int)k, o, 11), *b;
            size_t len, len2;
            unsigned char *buf, *buf2;
            CHECK(nn_model_fit(a, X, Y, N, 3, 8) == NN_OK);
            buf = io_save(a, &len);
            CHECK(buf != NULL);
            b = nn_model_load_buffer(buf, len);
            CHECK_MSG(b != NULL, "%s/%d: %s", kinds[k].name, o, nn_last_error());
            if (!b) {
                free(buf);
                nn_model_free(a);
                continue;
            }
            CHECK(nn_last_load_status() == NN_OK);
            CHECK(same_predictions(a, b));
            CHECK_EQ(nn_model_param_count(a), nn_model_param_count(b));
            CHECK_EQ(nn_model_layer_count(b), 3);
            CHECK(nn_model_learning_rate(a) == nn_model_learning_rate(b));
            /* canonical: saving the loaded model gives the same bytes */
            buf2 = io_save(b, &len2);
            CHECK(buf2 && len2 == len && memcmp(buf, buf2, len) == 0);
            free(buf2);
            /* training continues identically */
            CHECK(nn_model_fit(a, X, Y, N, 2, 8) == NN_OK);
            CHECK(nn_model_fit(b, X, Y, N, 2, 8) == NN_OK);
            CHECK_MSG(same_predictions(a, b), "%s with optimizer %d diverged after resuming", kinds[k].name, o);
            CHECK(nn_model_history(a, "val_loss", 1) == nn_model_history(b, "val_loss", 1));
            free(buf);
            nn_model_free(a);
            nn_model_free(b);
        }
}

TEST(io_resume_equals_uninterrupted)
{
    const char *path = "build/test_io_resume.nn";
    nn_model *a, *b, *c;
    int o;
    data();
    for (o = 0; o < N_OPTS; o++) {
        a = make_model(1, o, 99);
        b = make_model(1, o, 99);
        CHECK(nn_model_fit(a, X, Y, N, 10, 7) == NN_OK);
        CHECK(nn_model_fit(b, X, Y, N, 5, 7) == NN_OK);
        CHECK(nn_model_save(b, path) == NN_OK);
        c = nn_model_load(path);
        CHECK_MSG(c != NULL, "%s", nn_last_error());
        if (c) {
            CHECK(nn_model_fit(c, X, Y, N, 5, 7) == NN_OK);
            CHECK_MSG(same_predictions(a, c), "optimizer %d: save at 5 + 5 epochs differs from 10 epochs", o);
            CHECK(nn_model_history(a, "loss", 9) == nn_model_history(c, "loss", 4));
        }
        nn_model_free(a);
        nn_model_free(b);
        nn_model_free(c);
    }
    remove(path);
}

TEST(io_uncompiled_and_validation_data)
{
    nn_model *a = nn_model_create(4), *b;
    size_t len;
    unsigned char *buf;
    nn_model_add(a, nn_dense(3, NN_RELU));
    buf = io_save(a, &len);
    b = nn_model_load_buffer(buf, len);
    CHECK(b != NULL);
    CHECK_EQ(nn_model_layer_count(b), 1);
    CHECK_EQ(nn_model_output_dim(b), 3);
    CHECK_EQ(nn_model_input_dim(b), 4);
    free(buf);
    nn_model_free(a);
    nn_model_free(b);

    data();
    a = make_model(0, 2, 5);
    nn_model_set_validation_data(a, X, Y, 10);
    nn_model_set_shuffle(a, 0);
    buf = io_save(a, &len);
    b = nn_model_load_buffer(buf, len);
    CHECK(b != NULL);
    if (b) {
        CHECK(nn_model_fit(a, X, Y, N, 2, 16) == NN_OK);
        CHECK(nn_model_fit(b, X, Y, N, 2, 16) == NN_OK);
        CHECK(nn_model_history(a, "val_loss", 1) == nn_model_history(b, "val_loss", 1));
        CHECK(same_predictions(a, b));
    }
    free(buf);
    nn_model_free(a);
    nn_model_free(b);
}

TEST(io_weights_only)
{
    nn_model *a, *b, *c;
    unsigned char *buf;
    size_t len;
    data();
    a = make_model(0, 2, 3);
    nn_model_fit(a, X, Y, N, 2, 8);
    CHECK(nn_model_save_weights_buffer(a, NULL, 0, &len) == NN_OK);
    buf = (unsigned char *)malloc(len);
    CHECK(nn_model_save_weights_buffer(a, buf, len, &len) == NN_OK);
    b = make_model(0, 4, 1234); /* same architecture, other weights and optimizer */
    CHECK(!same_predictions(a, b));
    CHECK(nn_model_load_weights_buffer(b, buf, len) == NN_OK);
    CHECK(same_predictions(a, b));
    /* uncompiled target gets built */
    c = nn_model_create(IN);
    nn_model_add(c, nn_dense(6, NN_TANH));
    nn_model_add(c, mk_dense());
    nn_model_add(c, nn_dense(OUT, NN_LINEAR));
    CHECK(nn_model_load_weights_buffer(c, buf, len) == NN_OK);
    CHECK(same_predictions(a, c));
    nn_model_free(c);
    /* mismatches */
    c = nn_model_create(IN);
    nn_model_add(c, nn_dense(7, NN_TANH));
    nn_model_add(c, mk_dense());
    nn_model_add(c, nn_dense(OUT, NN_LINEAR));
    CHECK(nn_model_load_weights_buffer(c, buf, len) == NN_ERR_SHAPE);
    CHECK_STR_CONTAINS(nn_model_error(c), "layer 0");
    nn_model_free(c);
    c = nn_model_create(IN + 1);
    nn_model_add(c, nn_dense(6, NN_TANH));
    CHECK(nn_model_load_weights_buffer(c, buf, len) == NN_ERR_SHAPE);
    CHECK_STR_CONTAINS(nn_model_error(c), "inputs");
    nn_model_free(c);
    c = nn_model_create(IN);
    nn_model_add(c, nn_dense(6, NN_TANH));
    nn_model_add(c, nn_dropout(0.1f));
    nn_model_add(c, nn_dense(OUT, NN_LINEAR));
    CHECK(nn_model_load_weights_buffer(c, buf, len) == NN_ERR_SHAPE);
    CHECK_STR_CONTAINS(nn_model_error(c), "Dropout");
    nn_model_free(c);
    /* a weights-only file also loads as an (uncompiled) model */
    c = nn_model_load_buffer(buf, len);
    CHECK(c != NULL);
    if (c) CHECK(same_predictions(a, c));
    nn_model_free(c);
    /* file variant */
    CHECK(nn_model_save_weights(a, "build/test_io_w.nn") == NN_OK);
    c = make_model(0, 0, 77);
    CHECK(nn_model_load_weights(c, "build/test_io_w.nn") == NN_OK);
    CHECK(same_predictions(a, c));
    CHECK(nn_model_load_weights(c, "build/does/not/exist.nn") == NN_ERR_IO);
    nn_model_free(c);
    remove("build/test_io_w.nn");
    free(buf);
    nn_model_free(a);
    nn_model_free(b);
}

/* A small valid file: 2 inputs, Dense(2) + Dropout, SGD. */
static unsigned char *small_file(size_t *len)
{
    nn_model *m = nn_model_create(2);
    unsigned char *b;
    nn_model_set_seed(m, 1);
    nn_model_add(m, nn_dense(2, NN_RELU));
    nn_model_add(m, nn_dropout(0.5f));
    nn_model_compile(m, nn_sgd(0.1f, 0.0f, 0), NN_LOSS_MSE);
    b = io_save(m, len);
    nn_model_free(m);
    return b;
}

static nn_model *load_exact(const unsigned char *src, size_t len)
{
    /* an exactly sized heap copy, so ASan sees any read past the end */
    unsigned char *c = (unsigned char *)malloc(len ? len : 1);
    nn_model *m;
    memcpy(c, src, len);
    m = nn_model_load_buffer(c, len);
    free(c);
    return m;
}

TEST(io_truncated_at_every_offset)
{
    size_t len, k;
    unsigned char *b = small_file(&len);
    nn_model *m;
    CHECK(b != NULL && len < 2048);
    m = load_exact(b, len);
    CHECK(m != NULL);
    nn_model_free(m);
    for (k = 1; k < len; k++) {
        m = load_exact(b, k);
        CHECK_MSG(m == NULL, "truncation to %zu bytes was accepted", k);
        CHECK(nn_last_load_status() == NN_ERR_FORMAT);
        if (k == 4 || k == 30 || k == len - 1) CHECK_STR_CONTAINS(nn_last_error(), "truncated at offset");
        nn_model_free(m);
    }
    free(b);
}

TEST(io_every_bit_flip_rejected)
{
    size_t len, k;
    int bit;
    unsigned char *b = small_file(&len);
    for (k = 0; k < len; k++)
        for (bit = 0; bit < 8; bit++) {
            nn_model *m;
            b[k] ^= (unsigned char)(1u << bit);
            m = load_exact(b, len);
            CHECK_MSG(m == NULL, "flipping bit %d of byte %zu was accepted", bit, k);
            if (m == NULL) CHECK(nn_last_load_status() == NN_ERR_FORMAT);
            nn_model_free(m);
            b[k] ^= (unsigned char)(1u << bit);
        }
    free(b);
}

static void put_u64(unsigned char *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

TEST(io_crafted_damage_rejected)
{
    size_t len, at;
    unsigned char *b = small_file(&len), *c;
    nn_model *m;
    /* wrong magic */
    c = (unsigned char *)malloc(len);
    memcpy(c, b, len);
    c[1] = 'X';
    CHECK(load_exact(c, len) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "wrong magic");
    /* newer major version */
    memcpy(c, b, len);
    c[8] = 2;
    CHECK(load_exact(c, len) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "version 2.0");
    /* bad checksum */
    memcpy(c, b, len);
    c[len - 10] ^= 0x40;
    CHECK(load_exact(c, len) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "checksum");
    /* trailing bytes */
    CHECK(nn_model_load_buffer(b, len - 1) == NULL);
    /* oversized input width, with a valid checksum */
    memcpy(c, b, len);
    put_u64(c + 40, (uint64_t)1 << 62);
    io_fix_crc(c, len);
    CHECK(load_exact(c, len) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "impossible width");
    memcpy(c, b, len);
    put_u64(c + 40, UINT64_MAX);
    io_fix_crc(c, len);
    CHECK(load_exact(c, len) == NULL);
    CHECK(nn_last_load_status() == NN_ERR_FORMAT);
    /* oversized units */
    memcpy(c, b, len);
    at = io_find(c, len, "units");
    CHECK(at != (size_t)-1);
    put_u64(c + at + 5 + 1 + 4, (uint64_t)1 << 40);
    io_fix_crc(c, len);
    CHECK(load_exact(c, len) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "impossible width");
    /* an all-zero generator state (found by fuzz_load_model: predict then hung
       drawing initial weights from a generator stuck at zero) */
    memcpy(c, b, len);
    {
        static const char *names[] = { "rng_s0", "rng_s1", "rng_s2", "rng_s3" };
        int k;
        for (k = 0; k < 4; k++) {
            at = io_find(c, len, names[k]);
            CHECK(at != (size_t)-1);
            if (at != (size_t)-1) put_u64(c + at + 6 + 1 + 4, 0);
        }
    }
    io_fix_crc(c, len);
    CHECK(load_exact(c, len) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "random generator state");
    /* weight count that overflows */
    memcpy(c, b, len);
    at = io_find(c, len, "WGHT");
    put_u64(c + at + 16, UINT64_MAX / 2);
    io_fix_crc(c, len);
    CHECK(load_exact(c, len) == NULL);
    CHECK(nn_last_load_status() == NN_ERR_FORMAT);
    /* section length beyond the end */
    memcpy(c, b, len);
    put_u64(c + at + 8, UINT64_MAX);
    io_fix_crc(c, len);
    CHECK(load_exact(c, len) == NULL);
    CHECK(nn_last_load_status() == NN_ERR_FORMAT);
    /* unknown layer kind */
    memcpy(c, b, len);
    at = io_find(c, len, "Dense");
    c[at + 1] = 'u';
    io_fix_crc(c, len);
    CHECK(load_exact(c, len) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "unknown layer kind \"Dunse\"");
    /* impossible dropout rate */
    memcpy(c, b, len);
    at = io_find(c + io_find(c, len, "Dropout"), len - io_find(c, len, "Dropout"), "rate") + io_find(c, len, "Dropout");
    c[at + 4 + 1 + 4 + 3] = 0x7F; /* 0x7Fxxxxxx: a huge float */
    io_fix_crc(c, len);
    CHECK(load_exact(c, len) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "Dropout");
    free(c);
    /* empty and NULL */
    CHECK(nn_model_load_buffer(b, 0) == NULL);
    CHECK(nn_model_load_buffer(NULL, 10) == NULL);
    CHECK(nn_model_load("build/no/such/file.nn") == NULL);
    CHECK(nn_last_load_status() == NN_ERR_IO);
    m = load_exact(b, len);
    CHECK(m != NULL);
    nn_model_free(m);
    free(b);
}

/* Found by fuzz_load_model: a hidden Dense layer stored with a huge linear-shortcut width made
   predict size (and zero) a weight tensor of terabytes. Only the Dense output layer may carry
   the shortcut, from exactly the model's inputs. */
TEST(io_linear_shortcut_width_is_checked)
{
    nn_model *m = nn_model_create(3), *l;
    size_t len, at, want;
    unsigned char *b;
    nn_model_add(m, nn_dense(4, NN_RELU));
    nn_model_add(m, nn_dense(2, NN_LINEAR));
    CHECK_EQ(nn_model_set_linear_shortcut(m, 1), NN_OK);
    CHECK_EQ(nn_model_compile(m, nn_sgd(0.1f, 0, 0), NN_LOSS_MSE), NN_OK);
    b = io_save(m, &len);
    CHECK(b != NULL);
    if (!b) goto out;
    l = nn_model_load_buffer(b, len); /* the genuine shortcut loads */
    CHECK(l != NULL && nn_model_linear_shortcut(l) == 1);
    nn_model_free(l);
    /* the hidden layer's field (the first occurrence) set to 2^36 inputs */
    at = io_find(b, len, "linear_shortcut_inputs");
    CHECK(at != (size_t)-1);
    if (at == (size_t)-1) goto out;
    want = at + strlen("linear_shortcut_inputs") + 1 + 4;
    put_u64(b + want, (uint64_t)1 << 36);
    io_fix_crc(b, len);
    CHECK(nn_model_load_buffer(b, len) == NULL);
    CHECK_EQ(nn_last_load_status(), NN_ERR_FORMAT);
    CHECK_STR_CONTAINS(nn_last_error(), "layer 0 (Dense) has a linear shortcut from 68719476736 inputs");
    /* the output layer with a width other than the model's inputs */
    put_u64(b + want, 0);
    at = io_find(b + want, len - want, "linear_shortcut_inputs") + want;
    put_u64(b + at + strlen("linear_shortcut_inputs") + 1 + 4, 5);
    io_fix_crc(b, len);
    CHECK(nn_model_load_buffer(b, len) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "layer 1 (Dense) has a linear shortcut from 5 inputs");
out:
    free(b);
    nn_model_free(m);
}

TEST(io_newer_minor_with_unknown_sections)
{
    size_t len, len2, content;
    unsigned char *b = small_file(&len), *c;
    nn_model *m;
    static const unsigned char opt_sec[] = { 'X', 'T', 'R', 'A', 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3 };
    static const unsigned char req_sec[] = { 'X', 'T', 'R', 'A', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    len2 = len + sizeof opt_sec;
    c = (unsigned char *)malloc(len2);
    memcpy(c, b, len - 4);
    memcpy(c + len - 4, opt_sec, sizeof opt_sec);
    c[10] = 7; /* minor 7 */
    content = len2 - 24 - 4;
    put_u64(c + 16, content);
    io_fix_crc(c, len2);
    m = load_exact(c, len2);
    CHECK_MSG(m != NULL, "%s", nn_last_error());
    nn_model_free(m);
    memcpy(c + len - 4, req_sec, sizeof req_sec);
    len2 = len + sizeof req_sec;
    put_u64(c + 16, len2 - 28);
    io_fix_crc(c, len2);
    CHECK(load_exact(c, len2) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "unknown required section \"XTRA\"");
    free(c);
    free(b);
}

/* Allocator failing after `budget` allocations; counts live blocks. */
typedef struct fail_alloc { int budget, live; } fail_alloc;
static void *fa_alloc(void *u, size_t n)
{
    fail_alloc *f = (fail_alloc *)u;
    void *p;
    if (f->budget-- <= 0) return NULL;
    p = malloc(n);
    if (p) f->live++;
    return p;
}
static void fa_free(void *u, void *p)
{
    fail_alloc *f = (fail_alloc *)u;
    if (p) {
        f->live--;
        free(p);
    }
}

TEST(io_load_with_failing_allocator)
{
    size_t len;
    unsigned char *b;
    nn_model *a = make_model(1, 2, 8), *m = NULL;
    int k;
    data();
    nn_model_set_input_scaler(a, nn_standard_scaler());
    nn_model_fit(a, X, Y, N, 1, 16);
    b = io_save(a, &len);
    CHECK(nn_model_save(a, "build/test_io_alloc.nn") == NN_OK);
    for (k = 0; k < 200 && !m; k++) {
        fail_alloc f = { k, 0 };
        nn_allocator al = { fa_alloc, fa_free, NULL };
        al.user = &f;
        m = nn_model_load_buffer_with_allocator(b, len, &al);
        if (!m) {
            CHECK(nn_last_load_status() == NN_ERR_NOMEM);
            CHECK_EQ(f.live, 0);
        } else {
            CHECK(same_predictions(a, m));
            nn_model_free(m);
            CHECK_EQ(f.live, 0);
        }
    }
    CHECK(m != NULL);
    m = NULL;
    for (k = 0; k < 200 && !m; k++) {
        fail_alloc f = { k, 0 };
        nn_allocator al = { fa_alloc, fa_free, NULL };
        al.user = &f;
        m = nn_model_load_with_allocator("build/test_io_alloc.nn", &al);
        if (m) nn_model_free(m);
        CHECK_EQ(f.live, 0);
    }
    CHECK(m != NULL);
    remove("build/test_io_alloc.nn");
    free(b);
    nn_model_free(a);
}

TEST(io_save_buffer_errors)
{
    nn_model *a = make_model(0, 0, 1);
    unsigned char small[16];
    size_t need = 0;
    CHECK(nn_model_save_buffer(a, small, sizeof small, &need) == NN_ERR_INVALID_ARG);
    CHECK(need > sizeof small);
    CHECK_STR_CONTAINS(nn_model_error(a), "needed");
    CHECK(nn_model_save_buffer(NULL, NULL, 0, &need) == NN_ERR_INVALID_ARG);
    CHECK(nn_model_save(a, "build/no/such/dir/m.nn") == NN_ERR_IO);
    nn_model_free(a);
}

/* ---- atomic writes ---- */

static int count_temps(const char *dir, const char *stem)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, stem, strlen(stem)) == 0 && strstr(e->d_name, ".tmp")) n++;
    closedir(d);
    return n;
}

static int file_equals(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "rb");
    unsigned char tmp[4096];
    size_t n;
    if (!f) return 0;
    n = fread(tmp, 1, sizeof tmp, f);
    fclose(f);
    return n == len && memcmp(tmp, buf, len) == 0;
}

TEST(io_atomic_write_failure_keeps_old_file)
{
    const char *dir = "build/test_io_atomic";
    const char *path = "build/test_io_atomic/model.nn";
    static char big[200000];
    struct rlimit old, lim;
    void (*prev)(int);
    nn_status s;
    mkdir(dir, 0777);
    CHECK(nni_write_file_atomic(path, "old contents", 12) == NN_OK);
    CHECK(file_equals(path, "old contents", 12));
    /* a write that fails midway: the file size limit stops it after 64 KiB */
    memset(big, 'x', sizeof big);
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 65536;
    prev = signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
    s = nni_write_file_atomic(path, big, sizeof big);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    CHECK(s == NN_ERR_IO);
    CHECK_STR_CONTAINS(nn_last_error(), "unchanged");
    CHECK(file_equals(path, "old contents", 12));
    CHECK_EQ(count_temps(dir, "model.nn"), 0);
    /* rename fails (the target is a non-empty directory): nothing left behind */
    mkdir("build/test_io_atomic/sub.nn", 0777);
    CHECK(nni_write_file_atomic("build/test_io_atomic/sub.nn/x", "x", 1) == NN_OK);
    CHECK(nni_write_file_atomic("build/test_io_atomic/sub.nn", "new", 3) == NN_ERR_IO);
    CHECK_EQ(count_temps(dir, "sub.nn"), 0);
    /* missing directory */
    CHECK(nni_write_file_atomic("build/test_io_atomic/none/m.nn", "x", 1) == NN_ERR_IO);
    /* success replaces */
    CHECK(nni_write_file_atomic(path, "new", 3) == NN_OK);
    CHECK(file_equals(path, "new", 3));
    CHECK_EQ(count_temps(dir, "model.nn"), 0);
    remove("build/test_io_atomic/sub.nn/x");
    rmdir("build/test_io_atomic/sub.nn");
    remove(path);
    rmdir(dir);
}
