/* Storage of the doctor's findings in the model and the public query API. */
#include "doctor/doctor.h"
#include "core/alloc.h"
#include "core/error.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

nn_status nni_findings_reset(nn_model *m)
{
    if (!m->findings) {
        m->findings = (struct nni_findings *)nni_alloc(&m->alloc, sizeof *m->findings);
        if (!m->findings) return NN_ERR_NOMEM;
    }
    m->findings->n = 0;
    return NN_OK;
}

static void append(char *dst, size_t cap, size_t *pos, const char *src)
{
    size_t n = strlen(src);
    if (*pos + n >= cap) n = cap - 1 - *pos;
    memcpy(dst + *pos, src, n);
    *pos += n;
    dst[*pos] = '\0';
}

static void compose(nni_finding *f)
{
    size_t pos = 0;
    f->message[0] = '\0';
    append(f->message, sizeof f->message, &pos, f->evidence);
    if (f->suggestion[0]) {
        append(f->message, sizeof f->message, &pos, "; fix: ");
        append(f->message, sizeof f->message, &pos, f->suggestion);
    }
}

void nni_finding_add(nn_model *m, const char *code, int severity, int epoch, const char *suggestion,
                     const char *fmt, ...)
{
    struct nni_findings *fs = m->findings;
    char ev[512];
    size_t i;
    va_list ap;
    if (!fs) return;
    va_start(ap, fmt);
    vsnprintf(ev, sizeof ev, fmt, ap);
    va_end(ap);
    for (i = 0; i < fs->n; i++) {
        nni_finding *f = &fs->f[i];
        if (strcmp(f->code, code) == 0) {
            size_t len = strlen(f->evidence);
            if (len + 3 + strlen(ev) < sizeof f->evidence) {
                append(f->evidence, sizeof f->evidence, &len, "; ");
                append(f->evidence, sizeof f->evidence, &len, ev);
            }
            if (severity > f->severity) f->severity = severity;
            if (f->epoch < 0) f->epoch = epoch;
            compose(f);
            return;
        }
    }
    if (fs->n == NNI_MAX_FINDINGS) return;
    {
        nni_finding *f = &fs->f[fs->n++];
        snprintf(f->code, sizeof f->code, "%s", code);
        f->severity = severity;
        f->epoch = epoch;
        memcpy(f->evidence, ev, sizeof ev);
        snprintf(f->suggestion, sizeof f->suggestion, "%s", suggestion ? suggestion : "");
        compose(f);
    }
}

int nni_finding_has(const nn_model *m, const char *code)
{
    size_t i;
    if (!m->findings) return 0;
    for (i = 0; i < m->findings->n; i++)
        if (strcmp(m->findings->f[i].code, code) == 0) return 1;
    return 0;
}

void nni_findings_log(const nn_model *m)
{
    size_t i, n = m->findings ? m->findings->n : 0, warn = 0;
    for (i = 0; i < n; i++) warn += m->findings->f[i].severity > 0;
    if (n == 0) {
        nni_log(m, "Doctor: no findings\n");
        return;
    }
    nni_log(m, "Doctor: %zu finding%s (%zu warning%s)\n", n, n == 1 ? "" : "s", warn, warn == 1 ? "" : "s");
    for (i = 0; i < n; i++) {
        const nni_finding *f = &m->findings->f[i];
        nni_log(m, "  [%s] %s: %s\n", f->severity ? "warning" : "info", f->code, f->message);
    }
}

static const nni_finding *get(const nn_model *m, size_t i)
{
    if (!m || !m->findings || i >= m->findings->n) return NULL;
    return &m->findings->f[i];
}

size_t nn_model_finding_count(const nn_model *m)
{
    return m && m->findings ? m->findings->n : 0;
}

const char *nn_model_finding_code(const nn_model *m, size_t i)
{
    const nni_finding *f = get(m, i);
    return f ? f->code : NULL;
}

const char *nn_model_finding_message(const nn_model *m, size_t i)
{
    const nni_finding *f = get(m, i);
    return f ? f->message : NULL;
}

const char *nn_model_finding_suggestion(const nn_model *m, size_t i)
{
    const nni_finding *f = get(m, i);
    return f ? f->suggestion : NULL;
}

int nn_model_finding_severity(const nn_model *m, size_t i)
{
    const nni_finding *f = get(m, i);
    return f ? f->severity : -1;
}

int nn_model_finding_epoch(const nn_model *m, size_t i)
{
    const nni_finding *f = get(m, i);
    return f ? f->epoch : -1;
}
