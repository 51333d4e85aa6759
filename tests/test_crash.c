/* Crash safety of ModelCheckpoint: a training process is SIGKILLed at random times while it saves
   a checkpoint every epoch (tiny epochs, so kills land inside writes). After every kill the file
   on disk must load with nn_model_load and hold the weights of a completed epoch (recorded by a
   custom callback that runs before the checkpoint, in a side file), and at most one temporary
   file (the one being written when the process died) may be left next to it. */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "harness.h"
#include "nn.h"
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { CR_IN = 3, CR_N = 8, CR_W = 64, CR_ITER = 50 };

static int g_side = -1;

static int record_epoch(nn_model *m, int epoch, void *user)
{
    float w[CR_W];
    size_t n = 0;
    (void)epoch;
    (void)user;
    if (nn_model_get_weights(m, w, CR_W, &n) == NN_OK && write(g_side, w, n * sizeof(float)) < 0) return 1;
    return 0;
}

static nn_model *crash_model(void)
{
    nn_model *m = nn_model_create(CR_IN);
    nn_model_set_seed(m, 5);
    nn_model_add(m, nn_dense(4, NN_TANH));
    nn_model_add(m, nn_dense(1, NN_LINEAR));
    nn_model_compile(m, nn_adam(0.01f), NN_LOSS_MSE);
    return m;
}

static void child(const char *ck, const char *side)
{
    float x[CR_N * CR_IN], y[CR_N];
    size_t i;
    nn_model *m = crash_model();
    for (i = 0; i < CR_N * CR_IN; i++) x[i] = (float)(i % 7) * 0.3f - 1.0f;
    for (i = 0; i < CR_N; i++) y[i] = x[i * CR_IN] - x[i * CR_IN + 1];
    g_side = open(side, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (g_side < 0) _exit(3);
    nn_model_add_callback(m, nn_callback_custom(NULL, record_epoch, NULL, NULL)); /* before the checkpoint */
    nn_model_add_callback(m, nn_model_checkpoint(ck, "loss", 0));
    nn_model_fit(m, x, y, CR_N, 200000, 4);
    _exit(0);
}

static int count_temps(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp")) n++;
    closedir(d);
    return n;
}

TEST(crash_sigkill_during_checkpoint_writes)
{
    char dir[64], ck[128], side[128];
    float prev[CR_W], w[CR_W], *rec = NULL;
    size_t nw = 0, prev_n = 0;
    int it, loaded = 0, max_temps = 0;
    unsigned seed = 12345;
    snprintf(dir, sizeof dir, "/tmp/nn_crash_XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    snprintf(ck, sizeof ck, "%s/ck.nn", dir);
    snprintf(side, sizeof side, "%s/epochs.bin", dir);
    fflush(NULL);
    for (it = 0; it < CR_ITER && th_failures() == 0; it++) {
        pid_t pid = fork();
        struct timespec ts;
        struct stat st;
        long nrec, r;
        FILE *f;
        int status, temps, match = 0;
        nn_model *m;
        if (pid == 0) child(ck, side);
        CHECK(pid > 0);
        if (pid < 0) break;
        seed = seed * 1103515245u + 12345u;
        ts.tv_sec = 0;
        ts.tv_nsec = (long)(2 + (seed >> 16) % 40) * 1000000L; /* 2..41 ms */
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        temps = count_temps(dir);
        if (temps > max_temps) max_temps = temps;
        CHECK_MSG(temps <= 1, "iteration %d: %d temporary files next to the checkpoint", it, temps);
        if (stat(ck, &st) != 0) continue; /* killed before the first save ever */
        m = nn_model_load(ck);
        CHECK_MSG(m != NULL, "iteration %d: the checkpoint does not load: %s", it, nn_last_error());
        if (!m) break;
        loaded++;
        CHECK_EQ(nn_model_get_weights(m, w, CR_W, &nw), NN_OK);
        nn_model_free(m);
        /* one of this process's completed epochs, or (killed before its first save) the last one */
        f = fopen(side, "rb");
        CHECK(f != NULL);
        if (!f) break;
        fseek(f, 0, SEEK_END);
        nrec = ftell(f) / (long)(nw * sizeof(float));
        fseek(f, 0, SEEK_SET);
        rec = (float *)realloc(rec, (size_t)(nrec + 1) * nw * sizeof(float));
        nrec = (long)fread(rec, nw * sizeof(float), (size_t)nrec, f);
        fclose(f);
        for (r = nrec - 1; r >= 0 && !match; r--) match = memcmp(rec + (size_t)r * nw, w, nw * sizeof(float)) == 0;
        if (!match && prev_n == nw) match = memcmp(prev, w, nw * sizeof(float)) == 0;
        CHECK_MSG(match, "iteration %d: the checkpoint holds weights of no completed epoch (%ld recorded)", it, nrec);
        memcpy(prev, w, nw * sizeof(float));
        prev_n = nw;
    }
    CHECK(loaded >= CR_ITER / 2);
    if (getenv("TH_VERBOSE")) fprintf(stderr, "crash: %d kills, %d checkpoints verified, at most %d temp files\n", it, loaded, max_temps);
    free(rec);
    {
        DIR *d = opendir(dir);
        struct dirent *e;
        char p[400];
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            remove(p);
        }
        if (d) closedir(d);
        rmdir(dir);
    }
}
