#include "rng.h"
#include "core/mathf.h"
#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void nni_rng_seed(nni_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    int i;
    for (i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t nni_rng_next(nni_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

float nni_rng_uniform(nni_rng *r)
{
    return (float)(nni_rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

uint64_t nni_rng_below(nni_rng *r, uint64_t n)
{
    /* Rejection keeps shuffles unbiased for any n. */
    uint64_t limit = (uint64_t)-1 - ((uint64_t)-1 % n);
    uint64_t x;
    do {
        x = nni_rng_next(r);
    } while (x >= limit);
    return x % n;
}

double nni_rng_normal(nni_rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * ((double)(nni_rng_next(r) >> 11) * (1.0 / 9007199254740992.0)) - 1.0;
        v = 2.0 * ((double)(nni_rng_next(r) >> 11) * (1.0 / 9007199254740992.0)) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * nni_dlog(s) / s);
}
