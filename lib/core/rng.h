/* The model's random generator: xoshiro256** seeded through splitmix64.
   Implemented here (not rand()) so streams are identical on every platform. */
#ifndef NNI_RNG_H
#define NNI_RNG_H
#include <stdint.h>

typedef struct nni_rng { uint64_t s[4]; } nni_rng;

void nni_rng_seed(nni_rng *r, uint64_t seed);
uint64_t nni_rng_next(nni_rng *r);
/* Uniform in [0, 1) with 24 random bits (exactly representable floats). */
float nni_rng_uniform(nni_rng *r);
/* Uniform integer in [0, n), unbiased. */
uint64_t nni_rng_below(nni_rng *r, uint64_t n);
/* Standard normal (Marsaglia polar method, double internally). */
double nni_rng_normal(nni_rng *r);

#endif
