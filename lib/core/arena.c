/* nn_arena_init: a bump allocator over caller memory, for firmware (no malloc).
   Layout of buf: [header, 64 bytes][block][block]..., each block = 16-byte size
   header + payload rounded up to 16. Freeing the top block pops it. */
#include "core/alloc.h"
#include "core/model.h"
#include "gemm/gemm.h"
#include "optim/optimizer.h"
#include <stdint.h>
#include <string.h>

#define ARENA_MAGIC 0x6E6E4152u /* "nnAR" */
#define ARENA_ALIGN 16u
#define ARENA_HEAD 64u

typedef struct arena {
    uint32_t magic;
    unsigned char *base, *top, *end; /* blocks live in [base, end) */
    size_t peak;                     /* high-water mark of top - start of buf */
    unsigned char *buf;
} arena;

static size_t round16(size_t n) { return (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1); }

static void *arena_alloc(void *user, size_t size)
{
    arena *a = (arena *)user;
    size_t need;
    unsigned char *p;
    if (size > (size_t)(a->end - a->top)) return NULL;
    need = round16(size) + ARENA_ALIGN;
    if (need > (size_t)(a->end - a->top)) return NULL;
    p = a->top;
    memcpy(p, &need, sizeof need);
    a->top += need;
    if ((size_t)(a->top - a->buf) > a->peak) a->peak = (size_t)(a->top - a->buf);
    return p + ARENA_ALIGN;
}

static void arena_free(void *user, void *ptr)
{
    arena *a = (arena *)user;
    unsigned char *p = (unsigned char *)ptr;
    size_t need;
    if (!p) return;
    memcpy(&need, p - ARENA_ALIGN, sizeof need);
    if (p - ARENA_ALIGN + need == a->top) a->top = p - ARENA_ALIGN; /* the most recent block */
}

nn_status nn_arena_init(void *buf, size_t size, nn_allocator *out)
{
    unsigned char *b = (unsigned char *)buf, *start;
    size_t skip;
    arena *a;
    if (!buf || !out) return NN_ERR_INVALID_ARG;
    skip = (size_t)((ARENA_ALIGN - ((uintptr_t)b % ARENA_ALIGN)) % ARENA_ALIGN);
    if (size < skip + ARENA_HEAD + ARENA_ALIGN) return NN_ERR_INVALID_ARG;
    start = b + skip;
    a = (arena *)(void *)start;
    a->magic = ARENA_MAGIC;
    a->buf = b;
    a->base = a->top = start + ARENA_HEAD;
    a->end = a->base + ((size - skip - ARENA_HEAD) & ~(size_t)(ARENA_ALIGN - 1));
    a->peak = (size_t)(a->top - b);
    out->alloc = arena_alloc;
    out->free = arena_free;
    out->user = a;
    return NN_OK;
}

size_t nn_arena_used(const nn_allocator *al)
{
    const arena *a;
    if (!al || al->alloc != arena_alloc || !al->user) return 0;
    a = (const arena *)al->user;
    return a->magic == ARENA_MAGIC ? a->peak : 0;
}

/* ---- nn_model_memory_required: mirrors nni_model_build, nni_workspace_reserve,
   nn_model_compile and nn_model_fit's batch buffers, allocation by allocation. ---- */

static size_t cost(size_t bytes) { return round16(bytes ? bytes : 1) + ARENA_ALIGN; }

static size_t max_width(const nn_model *m)
{
    size_t i, w = m->in_dim;
    for (i = 0; i < m->n_layers; i++)
        if (m->layers[i]->out_dim > w) w = m->layers[i]->out_dim;
    return w;
}

/* bytes of nni_workspace_reserve(rows); the gemm's packing space grows in g */
static size_t workspace_cost(const nn_model *m, nni_gemm *g, size_t rows)
{
    size_t i, mw = max_width(m), out = m->n_layers ? m->layers[m->n_layers - 1]->out_dim : m->in_dim;
    size_t total = 2 * cost(m->n_layers * sizeof(float *)), gm, gf;
    for (i = 0; i < m->n_layers; i++) {
        const nn_layer *l = m->layers[i];
        size_t sc = l->ops->scratch_floats ? l->ops->scratch_floats(l, rows) : 0;
        total += cost(rows * l->out_dim * sizeof(float));
        if (sc) total += cost(sc * sizeof(float));
    }
    total += 2 * cost(rows * mw * sizeof(float)) + cost(rows * m->in_dim * sizeof(float)) +
             2 * cost(rows * out * sizeof(float));
    gm = rows > mw ? rows : mw;
    gf = nni_gemm_reserve_floats(g, gm, mw, gm);
    if (gf) {
        total += cost(gf * sizeof(float));
        g->work_floats = gf;
    }
    if (gm > g->res_m) g->res_m = gm;
    if (mw > g->res_n) g->res_n = mw;
    if (gm > g->res_k) g->res_k = gm;
    return total;
}

size_t nn_model_memory_required(const nn_model *m, size_t batch_size)
{
    size_t i, j, total = 0, trainable = 0, n_tensors = 0, bytes = 0, rows;
    nni_gemm g;
    if (!m || m->n_layers == 0) return 0;
    for (i = 0; i < m->n_layers; i++)
        for (j = 0; j < m->layers[i]->n_params; j++) {
            total += m->layers[i]->spec[j].size;
            if (m->layers[i]->spec[j].trainable) trainable += m->layers[i]->spec[j].size, n_tensors++;
        }
    g = m->gemm;
    rows = m->ws.rows;
    if (!m->built) {
        bytes += cost(total * sizeof(float)) + cost(trainable * sizeof(float)) +
                 cost((n_tensors + 1) * sizeof(size_t));
        bytes += workspace_cost(m, &g, 32); /* NNI_DEFAULT_ROWS */
        rows = 32;
    }
    /* optimizer state: the compiled optimizer's slots, else 2 (Adam, SGD/RMSprop with momentum) */
    {
        size_t slots = m->opt ? m->opt->ops->slots(m->opt) : 2;
        if (slots) bytes += cost(slots * trainable * sizeof(float));
    }
    if (batch_size > rows) bytes += workspace_cost(m, &g, batch_size);
    return bytes;
}
