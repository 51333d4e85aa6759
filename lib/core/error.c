#include "error.h"
#include "model.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static NNI_THREAD_LOCAL char tl_error[512];

const char *nn_status_string(nn_status s)
{
    switch (s) {
    case NN_OK: return "ok";
    case NN_ERR_INVALID_ARG: return "invalid argument";
    case NN_ERR_NOMEM: return "out of memory";
    case NN_ERR_SHAPE: return "shape mismatch";
    case NN_ERR_STATE: return "invalid state for this call";
    case NN_ERR_IO: return "input/output error";
    case NN_ERR_FORMAT: return "invalid format";
    case NN_ERR_NONFINITE: return "non-finite value";
    case NN_ERR_UNSUPPORTED: return "unsupported feature";
    default: return "unknown status";
    }
}

const char *nn_last_error(void) { return tl_error; }

void *nni_set_last_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tl_error, sizeof tl_error, fmt, ap);
    va_end(ap);
    return NULL;
}

nn_status nni_fail(nn_model *m, nn_status s, const char *fmt, ...)
{
    va_list ap;
    char *dst = m ? m->err : tl_error;
    size_t cap = m ? sizeof m->err : sizeof tl_error;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
    if (m) snprintf(tl_error, sizeof tl_error, "%s", m->err);
    return s;
}

void nni_clear_error(nn_model *m)
{
    if (m) m->err[0] = '\0';
}

const char *nn_model_error(const nn_model *m)
{
    if (m == NULL) return "model is NULL";
    return m->err;
}
