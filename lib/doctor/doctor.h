/* The training doctor: a callback that watches a fit and records findings in
   the model (m->findings), plus the capacity probe. fit calls the three
   nni_doctor_* hooks below only when a doctor is attached. */
#ifndef NNI_DOCTOR_H
#define NNI_DOCTOR_H
#include "nn.h"
#include "core/model.h"

#define NNI_MAX_FINDINGS 32

typedef struct nni_finding {
    char code[32];
    int severity; /* 0 info, 1 warning */
    int epoch;    /* 0-based, -1 for data/configuration */
    char evidence[512];
    char suggestion[256];
    char message[800]; /* evidence + "; fix: " + suggestion */
} nni_finding;

struct nni_findings {
    size_t n;
    nni_finding f[NNI_MAX_FINDINGS];
};

/* Make m->findings exist and empty it. */
nn_status nni_findings_reset(nn_model *m);
/* Record a finding (m->findings must exist). A second finding with the same code merges its
   evidence into the first (keeping the higher severity). Never allocates. */
void nni_finding_add(nn_model *m, const char *code, int severity, int epoch, const char *suggestion,
                     const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
/* Whether a finding with this code was recorded. */
int nni_finding_has(const nn_model *m, const char *code);
/* Log every finding through the model's sink (caller checks verbose). */
void nni_findings_log(const nn_model *m);

/* The first doctor attached to m, or NULL. */
nn_callback *nni_doctor_of(const nn_model *m);
/* After the training forward pass of a batch of rows (activations in m->ws.act). */
void nni_doctor_after_forward(nn_callback *doc, nn_model *m, size_t rows);
/* After backward (gradients of the batch in m->grads, before clipping and the update). */
void nni_doctor_after_backward(nn_callback *doc, nn_model *m, int batch, size_t n_batches);
/* The batch loss became non-finite; fit is about to fail. */
void nni_doctor_nonfinite(nn_callback *doc, nn_model *m, int epoch, int batch, double loss);

/* Baselines (baseline.c). Loss of a constant predictor, of ridge least squares and of the
   identity map, computed on training rows and evaluated on eval rows. */
typedef struct nni_baselines {
    int kind;               /* NNI_KIND_* */
    double const_train;     /* constant predictor (mean / class priors) on training rows */
    double const_eval;
    int have_linear;
    double linear_train, linear_eval;       /* in the model's loss */
    double linear_mae_eval;
    int have_identity;
    double identity_eval, identity_train;
    double majority_acc_eval; /* classification: accuracy of always the majority class */
    int majority_class;
} nni_baselines;

enum { NNI_KIND_REGRESSION = 0, NNI_KIND_CLASSIFICATION = 1, NNI_KIND_AUTOENCODER = 2 };

int nni_doctor_kind(const nn_model *m);
/* Compute the baselines for m (compiled) on (x, y, n) and eval rows (vx, vy, vn; vn 0 = the
   training rows). Allocates temporary memory through m->alloc. */
/* Column means and population standard deviations of x (n x d), in double. */
void nni_column_moments(const float *x, size_t n, size_t d, double *mu, double *sd);
nn_status nni_baselines_compute(nn_model *m, const float *x, const float *y, size_t n,
                                const float *vx, const float *vy, size_t vn, nni_baselines *b);

#endif
