/* Internal file helpers shared by the model files, CSV reading and callbacks. */
#ifndef NNI_IO_H
#define NNI_IO_H
#include "nn.h"
#include <stddef.h>

/* Replace path with buf[0, len) atomically: write a temporary file in the same
   directory, flush and fsync it, rename it over path (and fsync the directory
   where possible). On any failure path is untouched, the temporary file is
   removed and NN_ERR_IO (or NN_ERR_INVALID_ARG) is returned with the reason
   in nn_last_error(). Allocates nothing. */
nn_status nni_write_file_atomic(const char *path, const void *buf, size_t len);

/* Read a whole file into a block from a (freed by the caller with nni_free).
   NN_ERR_IO / NN_ERR_NOMEM with the reason in nn_last_error(). */
nn_status nni_read_file(const char *path, const nn_allocator *a, unsigned char **out, size_t *len);

/* Locale-independent decimal text -> float (see csv.c); 0 when malformed or out of range. */
int nni_parse_float(const char *s, size_t n, float *out);

#endif
