/* Memory: every byte through the model's allocator, nothing allocated in the
   training loop or at inference once built, and allocation failure at every
   point leaves no leak and a usable, unchanged model. */
#include "harness.h"
#include "testutil.h"
#include "core/model.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MN = 64, MIN = 3 };
static float mx[MN * MIN], my[MN], mvx[8 * MIN], mvy[8];

static void mem_data(void)
{
    size_t i;
    tu_rng r = { 17 };
    for (i = 0; i < MN * MIN; i++) mx[i] = (float)tu_normal(&r);
    for (i = 0; i < MN; i++) my[i] = mx[i * MIN] + mx[i * MIN + 1] > 0 ? 1.0f : 0.0f;
    for (i = 0; i < 8 * MIN; i++) mvx[i] = (float)tu_normal(&r);
    for (i = 0; i < 8; i++) mvy[i] = (float)(i % 2);
}

TEST(mem_every_byte_through_model_allocator)
{
    tu_counter dc, mc;
    nn_allocator da, ma;
    nn_model *m;
    float out[MN * 2], l;
    long d_after_ctors;
    mem_data();
    tu_counter_reset(&dc);
    tu_counter_reset(&mc);
    da = tu_allocator(&dc);
    ma = tu_allocator(&mc);
    nn_set_default_allocator(&da);
    m = nn_model_create_with_allocator(MIN, &ma);
    CHECK_EQ(dc.allocs, 0);
    CHECK_EQ(mc.allocs, 1);
    nn_model_set_seed(m, 1);
    nn_model_add(m, nn_dense(16, NN_RELU));
    nn_model_add(m, nn_dropout(0.1f));
    nn_model_add(m, nn_dense(2, NN_SOFTMAX));
    nn_model_compile(m, nn_adam(0.01f), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    nn_model_add_callback(m, nn_early_stopping("val_loss", 0, 2, 1));
    d_after_ctors = dc.allocs;
    CHECK_EQ(d_after_ctors, 5); /* three layers, one optimizer, one callback */
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    nn_model_set_validation_split(m, 0.25f);
    CHECK_EQ(nn_model_fit(m, mx, my, MN, 3, 8), NN_OK);
    CHECK_EQ(nn_model_predict(m, mx, MN, out), NN_OK);
    CHECK_EQ(nn_model_evaluate(m, mx, my, MN, &l), NN_OK);
    CHECK_EQ(nn_model_set_validation_data(m, mvx, mvy, 8), NN_OK);
    CHECK_EQ(nn_model_fit(m, mx, my, MN, 2, 64), NN_OK);
    /* all of the model's own allocations went through its allocator */
    CHECK_EQ(dc.allocs, d_after_ctors);
    CHECK(mc.allocs > 10);
    nn_model_free(m);
    CHECK_EQ(mc.allocs, mc.frees);
    CHECK_EQ(mc.live_bytes, 0);
    CHECK_EQ(dc.allocs, dc.frees);
    CHECK_EQ(dc.live_bytes, 0);
    nn_set_default_allocator(NULL);
}

static tu_counter *g_batch_counter;
static long g_batch_allocs[64];
static int g_batch_n;

static int record_allocs(nn_model *m, int batch, float loss, void *user)
{
    (void)m;
    (void)batch;
    (void)loss;
    (void)user;
    if (g_batch_n < 64) g_batch_allocs[g_batch_n++] = g_batch_counter->allocs;
    return 0;
}

static long allocs_for_fit(int epochs, int with_es)
{
    tu_counter c;
    nn_allocator a;
    nn_model *m;
    long before, used;
    int i;
    tu_counter_reset(&c);
    a = tu_allocator(&c);
    m = nn_model_create_with_allocator(MIN, &a);
    nn_model_set_seed(m, 2);
    nn_model_add(m, nn_dense(8, NN_TANH));
    nn_model_add(m, nn_dropout(0.2f));
    nn_model_add(m, nn_dense(1, NN_SIGMOID));
    nn_model_compile(m, nn_rmsprop(0.01f), NN_LOSS_BINARY_CROSSENTROPY);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    nn_model_set_validation_split(m, 0.25f);
    if (with_es) nn_model_add_callback(m, nn_early_stopping("val_loss", 0, 100, 1));
    nn_model_add_callback(m, nn_callback_custom(NULL, NULL, record_allocs, NULL));
    g_batch_counter = &c;
    g_batch_n = 0;
    before = c.allocs;
    CHECK_EQ(nn_model_fit(m, mx, my, MN, epochs, 10), NN_OK);
    used = c.allocs - before;
    /* no allocation between the first and the last step */
    CHECK_EQ(g_batch_n, epochs * 5);
    for (i = 1; i < g_batch_n; i++) CHECK_EQ(g_batch_allocs[i], g_batch_allocs[0]);
    CHECK_EQ(g_batch_allocs[0], c.allocs);
    nn_model_free(m);
    CHECK_EQ(c.allocs, c.frees);
    CHECK_EQ(c.live_bytes, 0);
    return used;
}

TEST(mem_training_loop_allocates_nothing)
{
    mem_data();
    CHECK_EQ(allocs_for_fit(1, 0), allocs_for_fit(5, 0));
    CHECK_EQ(allocs_for_fit(1, 1), allocs_for_fit(6, 1));
}

TEST(mem_inference_allocates_nothing_once_built)
{
    tu_counter c;
    nn_allocator a;
    nn_model *m;
    float out[MN * 2], l;
    long n;
    mem_data();
    tu_counter_reset(&c);
    a = tu_allocator(&c);
    m = nn_model_create_with_allocator(MIN, &a);
    nn_model_add(m, nn_dense(8, NN_RELU));
    nn_model_add(m, nn_dense(2, NN_SOFTMAX));
    /* predict builds an uncompiled model once, then allocates nothing */
    CHECK_EQ(nn_model_predict_one(m, mx, out), NN_OK);
    n = c.allocs;
    CHECK_EQ(nn_model_predict(m, mx, MN, out), NN_OK); /* more rows than the workspace: chunked */
    CHECK_EQ(c.allocs, n);
    CHECK_EQ(nn_model_compile(m, nn_sgd(0.1f, 0, 0), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY), NN_OK);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    n = c.allocs;
    CHECK_EQ(nn_model_predict(m, mx, MN, out), NN_OK);
    CHECK_EQ(nn_model_predict_one(m, mx + MIN, out), NN_OK);
    CHECK_EQ(nn_model_evaluate(m, mx, my, MN, &l), NN_OK);
    CHECK_EQ(nn_model_evaluate(m, mx, my, 1, &l), NN_OK);
    CHECK_EQ(c.allocs, n);
    nn_model_free(m);
    CHECK_EQ(c.allocs, c.frees);
}

TEST(mem_chunked_predict_matches_single_rows)
{
    float out[MN * 2], one[2];
    size_t i;
    nn_model *m = nn_model_create(MIN);
    mem_data();
    nn_model_set_seed(m, 4);
    nn_model_add(m, nn_dense(8, NN_ELU));
    nn_model_add(m, nn_dense(2, NN_LINEAR));
    CHECK_EQ(nn_model_predict(m, mx, MN, out), NN_OK);
    for (i = 0; i < MN; i++) {
        CHECK_EQ(nn_model_predict_one(m, mx + i * MIN, one), NN_OK);
        CHECK(memcmp(one, out + 2 * i, sizeof one) == 0);
    }
    nn_model_free(m);
}

/* ---- allocation failure at every point ----------------------------------- */

typedef struct script_result {
    int failures_seen;   /* calls that reported NN_ERR_NOMEM (or NULL) */
    int completed;
    float params[64];
    size_t n_params;
    float hist_loss, pred[4];
} script_result;

/* mode 0: stop at the first failure and free; mode 1: retry the failed call
   once with the failure cleared (transient) and go on. */
#define STEP(call_ok, is_nomem)                                                    \
    do {                                                                           \
        if (!(call_ok)) {                                                          \
            CHECK_MSG(is_nomem, "step %d: not an out-of-memory failure (%s)", step, \
                      m ? nn_model_error(m) : nn_last_error());                    \
            res->failures_seen++;                                                  \
            if (mode == 0) goto done;                                              \
            c->fail_at = 0;                                                        \
            goto retry;                                                            \
        }                                                                          \
    } while (0)

static int is_nomem_msg(const char *s) { return strstr(s, "out of memory") != NULL; }

static void run_script(tu_counter *c, int mode, script_result *res)
{
    nn_allocator a = tu_allocator(c);
    nn_model *m = NULL;
    int step = 0;
    memset(res, 0, sizeof *res);
    nn_set_default_allocator(&a);
    for (step = 0; step < 13; step++) {
        nn_status s = NN_OK;
        void *obj = NULL;
    retry:
        switch (step) {
        case 0:
            m = nn_model_create_with_allocator(MIN, &a);
            STEP(m != NULL, is_nomem_msg(nn_last_error()));
            nn_model_set_seed(m, 11);
            break;
        case 1: case 2: case 3:
            obj = step == 1 ? nn_dense(8, NN_RELU) : step == 2 ? nn_dropout(0.25f) : nn_dense(2, NN_SOFTMAX);
            STEP(obj != NULL, is_nomem_msg(nn_last_error()));
            s = nn_model_add(m, (nn_layer *)obj);
            STEP(s == NN_OK, s == NN_ERR_NOMEM && is_nomem_msg(nn_model_error(m)));
            break;
        case 4:
            obj = nn_adam(0.02f);
            STEP(obj != NULL, is_nomem_msg(nn_last_error()));
            s = nn_model_compile(m, (nn_optimizer *)obj, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
            STEP(s == NN_OK, s == NN_ERR_NOMEM && is_nomem_msg(nn_model_error(m)));
            nn_model_add_metric(m, NN_METRIC_ACCURACY);
            break;
        case 5: case 6:
            obj = step == 5 ? nn_early_stopping("val_loss", 0.0f, 5, 1) : nn_callback_custom(NULL, NULL, NULL, NULL);
            STEP(obj != NULL, is_nomem_msg(nn_last_error()));
            s = nn_model_add_callback(m, (nn_callback *)obj);
            STEP(s == NN_OK, s == NN_ERR_NOMEM && is_nomem_msg(nn_model_error(m)));
            break;
        case 7:
            s = nn_model_set_validation_data(m, mvx, mvy, 8);
            STEP(s == NN_OK, s == NN_ERR_NOMEM && is_nomem_msg(nn_model_error(m)));
            break;
        case 8:
            s = nn_model_fit(m, mx, my, MN, 3, 8);
            STEP(s == NN_OK, s == NN_ERR_NOMEM && is_nomem_msg(nn_model_error(m)));
            break;
        case 9: {
            float out[MN * 2];
            s = nn_model_predict(m, mx, MN, out);
            STEP(s == NN_OK, s == NN_ERR_NOMEM);
            break;
        }
        case 10: {
            float l;
            s = nn_model_evaluate(m, mx, my, MN, &l);
            STEP(s == NN_OK, s == NN_ERR_NOMEM);
            break;
        }
        case 11: /* larger batches than ever: the workspace grows */
            s = nn_model_fit(m, mx, my, MN, 2, 64);
            STEP(s == NN_OK, s == NN_ERR_NOMEM && is_nomem_msg(nn_model_error(m)));
            break;
        case 12:
            s = nn_model_predict(m, mx, 2, res->pred);
            STEP(s == NN_OK, s == NN_ERR_NOMEM);
            break;
        default: break;
        }
    }
    res->completed = 1;
    res->n_params = m->n_params;
    if (m->n_params <= 64) memcpy(res->params, m->params, m->n_params * sizeof(float));
    res->hist_loss = nn_model_history(m, "loss", 1);
done:
    nn_model_free(m);
    nn_set_default_allocator(NULL);
}

TEST(mem_failing_allocation_at_every_point)
{
    script_result ref, got;
    tu_counter c;
    long n, total;
    mem_data();
    tu_counter_reset(&c);
    run_script(&c, 1, &ref);
    CHECK(ref.completed && ref.failures_seen == 0);
    CHECK_EQ(c.allocs, c.frees);
    CHECK(ref.n_params == 3 * 8 + 8 + 8 * 2 + 2);
    total = c.allocs;
    CHECK(total > 20);
    for (n = 1; n <= total; n++) {
        /* a single transient failure: the call reports it, the retry works and
           the end result is bit-identical to a run that never failed */
        tu_counter_reset(&c);
        c.fail_at = n;
        run_script(&c, 1, &got);
        CHECK_MSG(got.completed && got.failures_seen == 1, "allocation %ld: failure not reported or not recovered", n);
        CHECK_MSG(c.allocs == c.frees && c.live_bytes == 0, "allocation %ld: %ld allocations, %ld frees", n, c.allocs, c.frees);
        CHECK_MSG(got.n_params == ref.n_params && memcmp(got.params, ref.params, ref.n_params * sizeof(float)) == 0 &&
                      memcmp(got.pred, ref.pred, sizeof ref.pred) == 0 && got.hist_loss == ref.hist_loss,
                  "allocation %ld: the model changed after a failed call", n);
        /* a failure that ends the program's attempt: nothing leaks */
        tu_counter_reset(&c);
        c.fail_at = n;
        run_script(&c, 0, &got);
        CHECK_MSG(!got.completed && got.failures_seen == 1, "allocation %ld: failure not reported", n);
        CHECK_MSG(c.allocs == c.frees && c.live_bytes == 0, "allocation %ld (abort): %ld allocations, %ld frees", n, c.allocs, c.frees);
    }
    /* one past the last allocation: nothing fails */
    tu_counter_reset(&c);
    c.fail_at = total + 1;
    run_script(&c, 0, &got);
    CHECK(got.completed && got.failures_seen == 0);
}

TEST(mem_persistent_failure_every_call_nomem)
{
    tu_counter c;
    nn_allocator a;
    nn_model *m;
    float out[MN], l;
    mem_data();
    tu_counter_reset(&c);
    a = tu_allocator(&c);
    /* constructors fail with NULL and say why */
    c.fail_all = 1;
    nn_set_default_allocator(&a);
    CHECK(nn_model_create(3) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "out of memory");
    CHECK(nn_dense(3, NN_RELU) == NULL);
    CHECK_STR_CONTAINS(nn_last_error(), "out of memory creating a Dense layer");
    CHECK(nn_adam(0.1f) == NULL);
    CHECK(nn_early_stopping("loss", 0, 1, 0) == NULL);
    CHECK(nn_callback_custom(NULL, NULL, NULL, NULL) == NULL);
    c.fail_all = 0;
    /* a model whose allocator gives out after the layers are in */
    m = nn_model_create_with_allocator(MIN, &a);
    nn_model_add(m, nn_dense(4, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    c.fail_all = 1;
    CHECK_EQ(nn_model_predict(m, mx, 1, out), NN_ERR_NOMEM);
    /* the optimizer's constructor fails; compile reports the NULL and why */
    CHECK_EQ(nn_model_compile(m, nn_sgd(0.1f, 0.9f, 0), NN_LOSS_MSE), NN_ERR_INVALID_ARG);
    CHECK_STR_CONTAINS(nn_model_error(m), "out of memory creating SGD");
    c.fail_all = 0;
    {
        nn_optimizer *o = nn_sgd(0.1f, 0.9f, 0);
        c.fail_all = 1; /* the optimizer exists, its state cannot be allocated */
        CHECK_EQ(nn_model_compile(m, o, NN_LOSS_MSE), NN_ERR_NOMEM);
        CHECK_STR_CONTAINS(nn_model_error(m), "out of memory");
        CHECK(isnan(nn_model_learning_rate(m)));
        c.fail_all = 0;
    }
    CHECK_EQ(nn_model_compile(m, nn_sgd(0.1f, 0.9f, 0), NN_LOSS_MSE), NN_OK);
    c.fail_all = 1;
    CHECK_EQ(nn_model_fit(m, mx, my, MN, 1, 8), NN_ERR_NOMEM);
    CHECK_STR_CONTAINS(nn_model_error(m), "out of memory");
    CHECK_EQ(nn_model_history_len(m), 0);
    CHECK_EQ(nn_model_set_validation_data(m, mvx, mvy, 8), NN_ERR_NOMEM);
    CHECK_EQ(nn_model_add_callback(m, NULL), NN_ERR_INVALID_ARG);
    /* inference on the built model needs no memory */
    CHECK_EQ(nn_model_predict(m, mx, MN, out), NN_OK);
    CHECK_EQ(nn_model_evaluate(m, mx, my, MN, &l), NN_OK);
    c.fail_all = 0;
    CHECK_EQ(nn_model_fit(m, mx, my, MN, 2, 8), NN_OK);
    CHECK_EQ(nn_model_history_len(m), 2);
    nn_model_free(m);
    nn_set_default_allocator(NULL);
    CHECK_EQ(c.allocs, c.frees);
    CHECK_EQ(c.live_bytes, 0);
}
