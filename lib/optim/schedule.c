/* Learning-rate schedules (keras.optimizers.schedules): a pure function of the
   step. Attached to an optimizer they set its learning rate before every
   update from the optimizer's iteration count (0 for the first update), as
   Keras' LearningRateSchedule does, or from the epoch index in per-epoch mode. */
#include "optim/optimizer.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/mathf.h"
#include <math.h>
#include <string.h>

#define NNI_MAX_PIECES 32

typedef enum sched_kind { S_EXP = 0, S_PIECEWISE = 1, S_COSINE = 2, S_INVTIME = 3 } sched_kind;

struct nn_schedule {
    nn_allocator alloc;
    sched_kind kind;
    double initial, rate, alpha, warmup_target;
    int64_t decay_steps, warmup_steps;
    int staircase, has_warmup, per_epoch;
    size_t n_bounds;
    int64_t bounds[NNI_MAX_PIECES];
    float values[NNI_MAX_PIECES + 1];
};

static nn_schedule *sched_new(sched_kind k, float initial)
{
    nn_allocator a = nni_default_allocator();
    nn_schedule *s;
    if (!isfinite(initial) || initial < 0.0f) return (nn_schedule *)nni_set_last_error("schedule: initial learning rate must be finite and >= 0, got %g", (double)initial);
    s = (nn_schedule *)nni_alloc(&a, sizeof *s);
    if (!s) return (nn_schedule *)nni_set_last_error("out of memory creating a schedule");
    s->alloc = a;
    s->kind = k;
    s->initial = initial;
    return s;
}

nn_schedule *nn_schedule_exponential_decay(float initial_lr, int64_t decay_steps, float decay_rate, int staircase)
{
    nn_schedule *s;
    if (decay_steps <= 0 || !isfinite(decay_rate) || decay_rate <= 0.0f)
        return (nn_schedule *)nni_set_last_error("nn_schedule_exponential_decay: decay_steps and decay_rate must be > 0");
    s = sched_new(S_EXP, initial_lr);
    if (!s) return NULL;
    s->decay_steps = decay_steps;
    s->rate = decay_rate;
    s->staircase = staircase != 0;
    return s;
}

nn_schedule *nn_schedule_inverse_time_decay(float initial_lr, int64_t decay_steps, float decay_rate, int staircase)
{
    nn_schedule *s;
    if (decay_steps <= 0 || !isfinite(decay_rate) || decay_rate < 0.0f)
        return (nn_schedule *)nni_set_last_error("nn_schedule_inverse_time_decay: decay_steps must be > 0 and decay_rate >= 0");
    s = sched_new(S_INVTIME, initial_lr);
    if (!s) return NULL;
    s->decay_steps = decay_steps;
    s->rate = decay_rate;
    s->staircase = staircase != 0;
    return s;
}

nn_schedule *nn_schedule_piecewise_constant(const int64_t *boundaries, const float *values, size_t n_boundaries)
{
    nn_schedule *s;
    size_t i;
    if (!boundaries || !values || n_boundaries == 0 || n_boundaries > NNI_MAX_PIECES)
        return (nn_schedule *)nni_set_last_error("nn_schedule_piecewise_constant: need 1..%d boundaries and n+1 values", NNI_MAX_PIECES);
    for (i = 0; i <= n_boundaries; i++)
        if (!isfinite(values[i]) || values[i] < 0.0f) return (nn_schedule *)nni_set_last_error("nn_schedule_piecewise_constant: values[%zu] must be finite and >= 0", i);
    for (i = 1; i < n_boundaries; i++)
        if (boundaries[i] <= boundaries[i - 1]) return (nn_schedule *)nni_set_last_error("nn_schedule_piecewise_constant: boundaries must increase");
    s = sched_new(S_PIECEWISE, values[0]);
    if (!s) return NULL;
    s->n_bounds = n_boundaries;
    memcpy(s->bounds, boundaries, n_boundaries * sizeof *boundaries);
    memcpy(s->values, values, (n_boundaries + 1) * sizeof *values);
    return s;
}

nn_schedule *nn_schedule_cosine_decay(float initial_lr, int64_t decay_steps, float alpha)
{
    nn_schedule *s;
    if (decay_steps <= 0 || !isfinite(alpha))
        return (nn_schedule *)nni_set_last_error("nn_schedule_cosine_decay: decay_steps must be > 0 and alpha finite");
    s = sched_new(S_COSINE, initial_lr);
    if (!s) return NULL;
    s->decay_steps = decay_steps;
    s->alpha = alpha;
    return s;
}

nn_status nn_schedule_set_warmup(nn_schedule *s, int64_t warmup_steps, float warmup_target)
{
    if (!s || s->kind != S_COSINE || warmup_steps < 0 || !isfinite(warmup_target) || warmup_target < 0.0f)
        return NN_ERR_INVALID_ARG;
    s->warmup_steps = warmup_steps;
    s->warmup_target = warmup_target;
    s->has_warmup = 1;
    return NN_OK;
}

nn_status nn_schedule_set_per_epoch(nn_schedule *s, int per_epoch)
{
    if (!s) return NN_ERR_INVALID_ARG;
    s->per_epoch = per_epoch != 0;
    return NN_OK;
}

int nni_schedule_per_epoch(const nn_schedule *s) { return s->per_epoch; }

static double cosine(double step, double decay_steps, double from, double alpha)
{
    double frac = step / decay_steps;
    double decayed = (1.0 - alpha) * 0.5 * (1.0 + nni_dcos(3.14159265358979323846 * frac)) + alpha;
    return from * decayed;
}

float nn_schedule_value(const nn_schedule *s, int64_t step)
{
    double p, st = (double)(step < 0 ? 0 : step);
    size_t i;
    if (!s) return NAN;
    switch (s->kind) {
    case S_EXP:
        p = st / (double)s->decay_steps;
        if (s->staircase) p = floor(p);
        return (float)(s->initial * nni_dpow(s->rate, p));
    case S_INVTIME:
        p = st / (double)s->decay_steps;
        if (s->staircase) p = floor(p);
        return (float)(s->initial / (1.0 + s->rate * p));
    case S_PIECEWISE:
        for (i = 0; i < s->n_bounds; i++)
            if (step <= s->bounds[i]) return s->values[i];
        return s->values[s->n_bounds];
    case S_COSINE:
        if (!s->has_warmup) {
            if (st > (double)s->decay_steps) st = (double)s->decay_steps;
            return (float)cosine(st, (double)s->decay_steps, s->initial, s->alpha);
        }
        if (st > (double)(s->decay_steps + s->warmup_steps)) st = (double)(s->decay_steps + s->warmup_steps);
        if (st < (double)s->warmup_steps)
            return (float)((s->warmup_target - s->initial) * (st / (double)s->warmup_steps) + s->initial);
        return (float)cosine(st - (double)s->warmup_steps, (double)s->decay_steps, s->warmup_target, s->alpha);
    default:
        return NAN;
    }
}

void nn_schedule_free(nn_schedule *s)
{
    if (s) nni_free(&s->alloc, s);
}

nn_schedule *nni_schedule_copy(const nn_schedule *s)
{
    nn_allocator a = nni_default_allocator();
    nn_schedule *c = (nn_schedule *)nni_alloc(&a, sizeof *c);
    if (!c) return NULL;
    *c = *s;
    c->alloc = a;
    return c;
}

nn_status nn_optimizer_set_schedule(nn_optimizer *o, nn_schedule *s)
{
    if (!o) {
        nn_schedule_free(s);
        return NN_ERR_INVALID_ARG;
    }
    nn_schedule_free(o->schedule);
    o->schedule = s;
    if (s) o->lr = nn_schedule_value(s, s->per_epoch ? 0 : o->iterations);
    return NN_OK;
}
