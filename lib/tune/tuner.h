/* Hyper-parameter search: the space, the trial table, results files. Internal. */
#ifndef NNI_TUNER_H
#define NNI_TUNER_H
#include "nn.h"
#include "core/rng.h"

#define NNI_MAX_HP 32
#define NNI_HP_NAME 48
#define NNI_HP_STR 64

typedef enum nni_hp_kind { NNI_HP_INT = 0, NNI_HP_FLOAT = 1, NNI_HP_CHOICE = 2, NNI_HP_BOOL = 3 } nni_hp_kind;

typedef struct nni_hp_def {
    char name[NNI_HP_NAME];
    nni_hp_kind kind;
    double lo, hi, step;  /* INT/FLOAT; step 0 = default / continuous */
    int log;
    size_t n_values;      /* CHOICE */
    double *values;       /* numeric choices (owned) or NULL */
    char (*strs)[NNI_HP_STR]; /* string choices (owned) or NULL */
} nni_hp_def;

/* Values: INT and FLOAT the number, CHOICE the index, BOOL 0/1. */
struct nn_hparams {
    const nni_hp_def *defs;
    size_t n;
    double v[NNI_MAX_HP];
    size_t trial_id;
    uint64_t seed;
};

/* Grid values of definition d into out (cap entries); returns the count, 0 when d cannot be
   enumerated (continuous float) and SIZE_MAX-ish counts are clipped at cap. */
size_t nni_hp_grid_values(const nni_hp_def *d, double *out, size_t cap);
/* Number of grid values (0 = not enumerable). */
size_t nni_hp_grid_count(const nni_hp_def *d);
/* One random value of d. */
double nni_hp_sample(const nni_hp_def *d, nni_rng *r);
/* Text of a value (as in results files). */
void nni_hp_text(const nni_hp_def *d, double v, char *buf, size_t cap);
/* Seed mixing: splitmix64 of a combination of the parts. */
uint64_t nni_seed_mix(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

/* Hyperband (KerasTuner's oracle): number of brackets, models and epochs of a round. */
int nni_hb_brackets(int max_epochs, int factor);
int nni_hb_size(int max_epochs, int factor, int bracket, int round);
int nni_hb_epochs(int max_epochs, int factor, int bracket, int round);

/* k folds of n rows: fold_of[i] in [0, k). Seeded shuffle; with labels (NULL = none) classes
   are dealt round-robin so every fold gets its share (scratch: n entries, used with labels). */
void nni_kfold_assign(size_t n, size_t k, uint64_t seed, const int *labels, size_t *perm, size_t *scratch, size_t *fold_of);

/* Re-initialise a built model's weights and optimizer state as if it had been built with
   this seed; an unbuilt model just gets the seed. */
void nni_model_reseed(nn_model *m, uint64_t seed);

#endif
