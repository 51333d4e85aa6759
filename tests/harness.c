#include "harness.h"
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#define TH_MAX 1024
static struct { const char *name; void (*fn)(void); } tests[TH_MAX];
static int n_tests;
static int cur_failures;
static const char *cur_name;

void th_register(const char *name, void (*fn)(void))
{
    if (n_tests < TH_MAX) {
        tests[n_tests].name = name;
        tests[n_tests].fn = fn;
        n_tests++;
    }
}

void th_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    if (cur_failures < 5) {
        fprintf(stderr, "  FAIL %s (%s:%d): ", cur_name, file, line);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    cur_failures++;
}

int th_failures(void) { return cur_failures; }

static int cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    int i, a, passed = 0, failed = 0, verbose = getenv("TH_VERBOSE") != NULL;
    /* Constructor order is link order; sort for a stable report. */
    qsort(tests, (size_t)n_tests, sizeof tests[0], cmp);
    for (i = 0; i < n_tests; i++) {
        int selected = argc < 2;
        clock_t t0;
        for (a = 1; a < argc; a++)
            if (strstr(tests[i].name, argv[a])) selected = 1;
        if (!selected) continue;
        cur_name = tests[i].name;
        cur_failures = 0;
        t0 = clock();
        tests[i].fn();
        if (cur_failures) {
            failed++;
            fprintf(stderr, "FAILED %s (%d checks)\n", tests[i].name, cur_failures);
        } else {
            passed++;
            if (verbose)
                fprintf(stderr, "ok %s (%.2fs)\n", tests[i].name,
                        (double)(clock() - t0) / CLOCKS_PER_SEC);
        }
        fflush(stderr);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
