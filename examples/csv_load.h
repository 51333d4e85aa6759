/* Minimal numeric CSV loader shared by the examples: one header row, comma
   separated, every field a number. (The library's own reader handles the
   general case; this keeps the examples readable on their own.) */
#ifndef EXAMPLES_CSV_LOAD_H
#define EXAMPLES_CSV_LOAD_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

/* Reads all rows; returns a malloc'd row-major array, sets *rows and *cols. */
static float *csv_load(const char *path, size_t *rows, size_t *cols)
{
    FILE *f = fopen(path, "r");
    char line[8192];
    float *data = NULL;
    size_t cap = 0, n = 0, c = 0;
    if (!f) return NULL;
    if (!fgets(line, sizeof line, f)) { fclose(f); return NULL; }
    for (char *p = line; *p; p++) if (*p == ',') c++;
    c++;
    while (fgets(line, sizeof line, f)) {
        char *p = line, *end;
        size_t j;
        if (line[0] == '\n' || line[0] == '\r') continue;
        if ((n + 1) * c > cap) {
            float *nd;
            cap = cap ? cap * 2 : 1024 * c;
            nd = (float *)realloc(data, cap * sizeof(float));
            if (!nd) { free(data); fclose(f); return NULL; }
            data = nd;
        }
        for (j = 0; j < c; j++) {
            data[n * c + j] = strtof(p, &end);
            p = (*end == ',') ? end + 1 : end;
        }
        n++;
    }
    fclose(f);
    *rows = n;
    *cols = c;
    return data;
}

/* Standardize columns [0, cols) of x (n x stride) with the statistics of the first n_fit rows;
   a zero standard deviation becomes 1, as in scikit-learn. */
static void standardize(float *x, size_t n, size_t stride, size_t cols, size_t n_fit)
{
    for (size_t j = 0; j < cols; j++) {
        double mean = 0.0, var = 0.0, sd;
        for (size_t i = 0; i < n_fit; i++) mean += x[i * stride + j];
        mean /= (double)n_fit;
        for (size_t i = 0; i < n_fit; i++) var += (x[i * stride + j] - mean) * (x[i * stride + j] - mean);
        sd = var > 0.0 ? sqrt(var / (double)n_fit) : 1.0;
        for (size_t i = 0; i < n; i++) x[i * stride + j] = (float)((x[i * stride + j] - mean) / sd);
    }
}
#endif
