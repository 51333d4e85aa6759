/* NNI_SIMD_CLONES: for streaming elementwise passes (optimizer updates,
   activations, bias gradients) that the compiler vectorizes. On x86-64 glibc
   with GCC they are also compiled for AVX-512 and AVX2 and the best is picked
   at load time (ifunc); elsewhere, or with -DNN_NO_CLONES, only the baseline
   build exists. Every clone performs the same IEEE operations in the same
   order (no contraction: -ffp-contract=off), so all give the same bits. */
#ifndef NNI_SIMD_H
#define NNI_SIMD_H
#include <stddef.h>
#include <stdint.h> /* defines __GLIBC__ through the C library's headers */

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 6 && defined(__x86_64__) && \
    defined(__linux__) && defined(__GLIBC__) && !defined(NN_NO_CLONES)
#define NNI_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NNI_SIMD_CLONES
#endif

#endif
