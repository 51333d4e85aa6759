/* The doctor allocates through the model's allocator, only before the first
   step, and leaks nothing when any of its allocations fails. */
#include "harness.h"
#include "testutil.h"
#include <stdlib.h>

enum { DMN = 60, DMIN = 3 };
static float dmx[DMN * DMIN], dmy[DMN];
static tu_counter *dm_counter;
static long dm_batch_allocs[64];
static int dm_batch_n;

static int dm_record(nn_model *m, int batch, float loss, void *user)
{
    (void)m; (void)batch; (void)loss; (void)user;
    if (dm_batch_n < 64) dm_batch_allocs[dm_batch_n++] = dm_counter->allocs;
    return 0;
}

static nn_model *dm_model(nn_allocator *a)
{
    nn_model *m = nn_model_create_with_allocator(DMIN, a);
    if (!m) return NULL;
    nn_model_set_seed(m, 3);
    nn_model_add(m, nn_dense(8, NN_RELU));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(1e-3f), NN_LOSS_MSE);
    nn_model_set_validation_split(m, 0.25f);
    nn_model_add_callback(m, nn_doctor());
    return m;
}

static void dm_data(void)
{
    size_t i;
    tu_rng r = { 5 };
    for (i = 0; i < DMN * DMIN; i++) dmx[i] = (float)tu_normal(&r);
    for (i = 0; i < DMN; i++) dmy[i] = dmx[i * DMIN] - dmx[i * DMIN + 1];
}

TEST(doctor_training_loop_allocates_nothing)
{
    tu_counter c;
    nn_allocator a;
    nn_model *m;
    int i;
    dm_data();
    tu_counter_reset(&c);
    a = tu_allocator(&c);
    m = dm_model(&a);
    nn_model_add_callback(m, nn_callback_custom(NULL, NULL, dm_record, NULL));
    dm_counter = &c;
    dm_batch_n = 0;
    CHECK_EQ(nn_model_fit(m, dmx, dmy, DMN, 4, 9), NN_OK);
    CHECK_EQ(dm_batch_n, 4 * 5);
    for (i = 1; i < dm_batch_n; i++) CHECK_EQ(dm_batch_allocs[i], dm_batch_allocs[0]);
    nn_model_free(m);
    CHECK_EQ(c.allocs, c.frees);
    CHECK_EQ(c.live_bytes, 0);
}

TEST(doctor_failing_allocation_leaks_nothing)
{
    tu_counter c;
    nn_allocator a;
    nn_model *m;
    long n, total, base;
    float loss;
    int fits;
    dm_data();
    tu_counter_reset(&c);
    a = tu_allocator(&c);
    m = dm_model(&a);
    base = c.allocs;
    CHECK_EQ(nn_model_fit(m, dmx, dmy, DMN, 2, 16), NN_OK);
    CHECK_EQ(nn_model_probe(m, dmx, dmy, DMN, 16, 5, &loss, &fits), NN_OK);
    total = c.allocs - base;
    nn_model_free(m);
    CHECK_EQ(c.allocs, c.frees);
    for (n = 1; n <= total; n++) {
        nn_status s1, s2;
        tu_counter_reset(&c);
        m = dm_model(&a);
        c.fail_at = c.allocs + n;
        s1 = nn_model_fit(m, dmx, dmy, DMN, 2, 16);
        s2 = s1 == NN_OK ? nn_model_probe(m, dmx, dmy, DMN, 16, 5, &loss, &fits) : NN_ERR_NOMEM;
        CHECK_MSG(s1 == NN_ERR_NOMEM || s2 == NN_ERR_NOMEM, "allocation %ld: failure not reported (%d, %d)", n, (int)s1, (int)s2);
        /* the model is still usable */
        CHECK_MSG(nn_model_fit(m, dmx, dmy, DMN, 2, 16) == NN_OK, "allocation %ld: fit after the failure", n);
        nn_model_free(m);
        CHECK_MSG(c.allocs == c.frees && c.live_bytes == 0, "allocation %ld: %ld allocations, %ld frees", n, c.allocs, c.frees);
    }
}
