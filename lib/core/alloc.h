/* Allocation through the model's (or the process default) allocator. */
#ifndef NNI_ALLOC_H
#define NNI_ALLOC_H
#include "nn.h"

/* Snapshot of the process-wide default allocator (malloc/free unless replaced). */
nn_allocator nni_default_allocator(void);
/* Zero-filled block of n bytes, NULL on failure or n == 0 overflow. */
void *nni_alloc(const nn_allocator *a, size_t n);
/* Zero-filled array of count elements of size bytes; NULL when count*size overflows. */
void *nni_alloc_array(const nn_allocator *a, size_t count, size_t size);
void nni_free(const nn_allocator *a, void *p);
/* Allocation-free product with overflow check: 0 on overflow. */
int nni_mul_ok(size_t a, size_t b, size_t *out);

#endif
