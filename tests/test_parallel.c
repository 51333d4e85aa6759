/* Several models trained at once in their own threads (one model per thread, as the API allows),
   some with threaded GEMM: every thread's result equals the same training run alone, and
   nn_last_error() stays per thread. Run under ThreadSanitizer by make test-tsan. */
#include "harness.h"
#include "nn.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { PN = 96, PIN = 32, PT = 4 };

typedef struct job {
    int id;
    float w[8192];
    size_t nw;
    float loss;
    nn_status st;
    int err_ok;
} job;

static float px[PN * PIN], py[PN];

static void pdata(void)
{
    size_t i;
    uint32_t s = 77;
    for (i = 0; i < PN * PIN; i++) {
        s = s * 1664525u + 1013904223u;
        px[i] = (float)(s >> 8) / 16777216.0f * 2.0f - 1.0f;
    }
    for (i = 0; i < PN; i++) py[i] = (float)((px[i * PIN] + px[i * PIN + 1] > 0) + (px[i * PIN + 2] > 0.5f));
}

static int count_epochs(nn_model *m, int e, void *u) { (void)m; (void)e; ++*(int *)u; return 0; }

static void train_job(job *j)
{
    int epochs_seen = 0;
    nn_model *m = nn_model_create(PIN);
    nn_model_set_seed(m, 100 + (uint64_t)j->id);
    nn_model_add(m, nn_dense(64, NN_RELU));
    nn_model_add(m, nn_dropout(0.1f));
    nn_model_add(m, nn_dense(48, NN_TANH));
    nn_model_add(m, nn_dense(3, NN_SOFTMAX));
    nn_model_compile(m, j->id % 2 ? nn_adam(0.01f) : nn_sgd(0.05f, 0.9f, 0), NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
    nn_model_add_metric(m, NN_METRIC_ACCURACY);
    nn_model_set_validation_split(m, 0.2f);
    nn_model_add_callback(m, nn_callback_custom(NULL, count_epochs, NULL, &epochs_seen));
    if (j->id % 2 == 0) nn_model_set_threads(m, 2); /* threaded GEMM inside a thread */
    j->st = nn_model_fit(m, px, py, PN, 3, 64);
    nn_model_get_weights(m, j->w, sizeof j->w / sizeof j->w[0], &j->nw);
    j->loss = nn_model_history(m, "loss", 2);
    /* per-thread error text */
    j->err_ok = nn_dense(0, NN_RELU) == NULL && strstr(nn_last_error(), "units") != NULL && epochs_seen == 3;
    nn_model_free(m);
}

static void *thread_main(void *arg)
{
    train_job((job *)arg);
    return NULL;
}

TEST(parallel_models_in_threads_match_sequential)
{
    job *seq = calloc(PT, sizeof *seq), *par = calloc(PT, sizeof *par);
    pthread_t th[PT];
    int i;
    pdata();
    for (i = 0; i < PT; i++) {
        seq[i].id = par[i].id = i;
        train_job(&seq[i]);
    }
    for (i = 0; i < PT; i++) CHECK_EQ(pthread_create(&th[i], NULL, thread_main, &par[i]), 0);
    for (i = 0; i < PT; i++) pthread_join(th[i], NULL);
    for (i = 0; i < PT; i++) {
        CHECK_EQ(par[i].st, NN_OK);
        CHECK(par[i].err_ok);
        CHECK_EQ(par[i].nw, seq[i].nw);
        CHECK_MSG(memcmp(par[i].w, seq[i].w, seq[i].nw * sizeof(float)) == 0, "thread %d: weights differ from the sequential run", i);
        CHECK(par[i].loss == seq[i].loss);
    }
    free(seq);
    free(par);
}
