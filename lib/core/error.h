/* Status strings, per-model messages and the thread-local constructor error. */
#ifndef NNI_ERROR_H
#define NNI_ERROR_H
#include "nn.h"

/* Thread-local storage; plain static in single-threaded builds (-DNN_NO_THREADS: firmware,
   where bare-metal toolchains have no TLS runtime). */
#ifdef NN_NO_THREADS
#define NNI_THREAD_LOCAL
#else
#define NNI_THREAD_LOCAL _Thread_local
#endif

#if defined(__GNUC__)
#define NNI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define NNI_PRINTF(a, b)
#endif

/* Record why a constructor failed (thread-local), returns NULL for tail calls. */
void *nni_set_last_error(const char *fmt, ...) NNI_PRINTF(1, 2);
/* Record a model failure message and return s. Also mirrored thread-locally. */
nn_status nni_fail(nn_model *m, nn_status s, const char *fmt, ...) NNI_PRINTF(3, 4);
/* Clear the model's message at the start of a successful call path. */
void nni_clear_error(nn_model *m);

#endif
