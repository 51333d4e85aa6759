/*
 * nn_dataset: CSV reading into row-major float arrays. One pass over the text
 * with amortised (doubling) growth, so time is linear in the file size.
 * Numbers are parsed by nni_parse_float below, never by strtod, so the
 * result does not depend on setlocale.
 */
#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "io/io.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_TARGETS 64
#define NAME_MAX_LEN 128
/* column roles while parsing: a feature index, (size_t)-1 - t for target t, or skipped */
#define ROLE_SKIP ((size_t)-2 - MAX_TARGETS)

struct nn_dataset {
    nn_allocator alloc;
    int sep, header, no_targets;
    size_t n_tspec;
    struct { int by_name; size_t index; char name[NAME_MAX_LEN]; } tspec[MAX_TARGETS];
    /* chosen feature columns (in this order) and skipped columns, by name: NUL-separated in
       one growing buffer each (so there is no limit on their number) */
    char *fsel, *isel;
    size_t n_fsel, len_fsel, n_isel, len_isel;
    /* results */
    size_t rows, nf, nt, missing;
    float *x, *y;
    char *names;        /* NUL-separated column names */
    size_t *fname, *tname; /* offsets into names per feature / target */
    char err[320];
};

nn_dataset *nn_dataset_create_with_allocator(const nn_allocator *a)
{
    nn_allocator al;
    nn_dataset *d;
    if (a && (!a->alloc || !a->free)) return (nn_dataset *)nni_set_last_error("nn_dataset_create: allocator lacks alloc or free");
    al = a ? *a : nni_default_allocator();
    d = (nn_dataset *)nni_alloc(&al, sizeof *d);
    if (!d) return (nn_dataset *)nni_set_last_error("nn_dataset_create: out of memory");
    d->alloc = al;
    d->header = 1;
    return d;
}

nn_dataset *nn_dataset_create(void) { return nn_dataset_create_with_allocator(NULL); }

static void clear_data(nn_dataset *d)
{
    nni_free(&d->alloc, d->x);
    nni_free(&d->alloc, d->y);
    nni_free(&d->alloc, d->names);
    nni_free(&d->alloc, d->fname);
    nni_free(&d->alloc, d->tname);
    d->x = d->y = NULL;
    d->names = NULL;
    d->fname = d->tname = NULL;
    d->rows = d->nf = d->nt = d->missing = 0;
}

void nn_dataset_free(nn_dataset *d)
{
    nn_allocator a;
    if (!d) return;
    a = d->alloc;
    clear_data(d);
    nni_free(&a, d->fsel);
    nni_free(&a, d->isel);
    nni_free(&a, d);
}

static nn_status dfail(nn_dataset *d, nn_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static nn_status dfail(nn_dataset *d, nn_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, sizeof d->err, fmt, ap);
    va_end(ap);
    nni_set_last_error("%s", d->err);
    return s;
}

nn_status nn_dataset_set_separator(nn_dataset *d, int sep)
{
    if (!d) return NN_ERR_INVALID_ARG;
    if (sep != 0 && sep != ',' && sep != ';' && sep != '\t')
        return dfail(d, NN_ERR_INVALID_ARG, "separator must be ',', ';', '\\t' or 0 (detect), got %d", sep);
    d->sep = sep;
    return NN_OK;
}

nn_status nn_dataset_set_header(nn_dataset *d, int has_header)
{
    if (!d) return NN_ERR_INVALID_ARG;
    d->header = has_header != 0;
    return NN_OK;
}

nn_status nn_dataset_set_no_targets(nn_dataset *d, int none)
{
    if (!d) return NN_ERR_INVALID_ARG;
    d->no_targets = none != 0;
    return NN_OK;
}

nn_status nn_dataset_add_target_name(nn_dataset *d, const char *name)
{
    if (!d) return NN_ERR_INVALID_ARG;
    if (!name || strlen(name) >= NAME_MAX_LEN) return dfail(d, NN_ERR_INVALID_ARG, "target name must be non-NULL and shorter than %d bytes", NAME_MAX_LEN);
    if (d->n_tspec == MAX_TARGETS) return dfail(d, NN_ERR_INVALID_ARG, "at most %d target columns", MAX_TARGETS);
    d->tspec[d->n_tspec].by_name = 1;
    strcpy(d->tspec[d->n_tspec].name, name);
    d->n_tspec++;
    return NN_OK;
}

nn_status nn_dataset_add_target_index(nn_dataset *d, size_t col)
{
    if (!d) return NN_ERR_INVALID_ARG;
    if (d->n_tspec == MAX_TARGETS) return dfail(d, NN_ERR_INVALID_ARG, "at most %d target columns", MAX_TARGETS);
    d->tspec[d->n_tspec].by_name = 0;
    d->tspec[d->n_tspec].index = col;
    d->n_tspec++;
    return NN_OK;
}

/* Append name to a NUL-separated list. */
static nn_status add_name(nn_dataset *d, char **list, size_t *n, size_t *len, const char *name, const char *who)
{
    size_t l;
    char *nb;
    if (!d) return NN_ERR_INVALID_ARG;
    if (!name || !name[0]) return dfail(d, NN_ERR_INVALID_ARG, "%s: the column name is NULL or empty", who);
    l = strlen(name) + 1;
    if (l > (size_t)-1 / 2 - *len) return dfail(d, NN_ERR_INVALID_ARG, "%s: name too long", who);
    nb = (char *)nni_alloc(&d->alloc, *len + l);
    if (!nb) return dfail(d, NN_ERR_NOMEM, "%s: out of memory", who);
    if (*len) memcpy(nb, *list, *len);
    memcpy(nb + *len, name, l);
    nni_free(&d->alloc, *list);
    *list = nb;
    *len += l;
    (*n)++;
    return NN_OK;
}

nn_status nn_dataset_add_feature_name(nn_dataset *d, const char *name)
{
    return d ? add_name(d, &d->fsel, &d->n_fsel, &d->len_fsel, name, "nn_dataset_add_feature_name") : NN_ERR_INVALID_ARG;
}

nn_status nn_dataset_add_ignore_name(nn_dataset *d, const char *name)
{
    return d ? add_name(d, &d->isel, &d->n_isel, &d->len_isel, name, "nn_dataset_add_ignore_name") : NN_ERR_INVALID_ARG;
}

/* ---- numbers ---- */

static int lower_eq(const char *s, size_t n, const char *word)
{
    size_t i;
    if (strlen(word) != n) return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != word[i]) return 0;
    }
    return 1;
}

/* Decimal text -> float without the C library's locale: sign, digits, optional '.', digits,
   optional exponent; "inf"/"infinity". The first 19 significant digits are kept exactly and
   scaled by exact powers of ten (correctly rounded to double when the value has at most 15-16
   digits and |exponent| <= 22), then rounded to float. Returns 0 for malformed or out-of-range
   text. */
int nni_parse_float(const char *s, size_t n, float *out)
{
    static const double p10[23] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    size_t i = 0;
    int neg = 0, digits = 0, sig = 0;
    long exp10 = 0, e = 0;
    uint64_t mant = 0;
    double v;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (lower_eq(s + i, n - i, "inf") || lower_eq(s + i, n - i, "infinity")) {
        *out = neg ? -INFINITY : INFINITY;
        return 1;
    }
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (sig < 19) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
            if (mant) sig++;
        } else exp10++;
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
            if (sig < 19) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                if (mant) sig++;
                exp10--;
            }
        }
    }
    if (digits == 0) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0, ed = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ed++)
            if (e < 100000) e = e * 10 + (s[i] - '0');
        if (ed == 0) return 0;
        exp10 += eneg ? -e : e;
    }
    if (i != n) return 0;
    if (mant == 0) {
        *out = neg ? -0.0f : 0.0f;
        return 1;
    }
    if (exp10 > 60) return 0; /* beyond float range whatever the digits */
    if (exp10 < -80) {
        *out = neg ? -0.0f : 0.0f;
        return 1;
    }
    v = (double)mant;
    while (exp10 > 22) {
        v *= 1e22;
        exp10 -= 22;
    }
    while (exp10 < -22) {
        v /= 1e22;
        exp10 += 22;
    }
    v = exp10 >= 0 ? v * p10[exp10] : v / p10[-exp10];
    if (v > 3.4028235677973366e38) return 0;
    *out = (float)(neg ? -v : v);
    return 1;
}

static int is_missing(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    return n == 0 || lower_eq(s, n, "na") || lower_eq(s, n, "nan") || lower_eq(s, n, "n/a") || (n == 1 && s[0] == '?');
}

/* ---- tokenizer ---- */

typedef struct csv_cur {
    const char *p;
    size_t len, pos, line;
    char *buf; /* the current field, unquoted */
    size_t blen, bcap;
    const nn_allocator *alloc;
} csv_cur;

static int push(csv_cur *c, char ch)
{
    if (c->blen + 1 >= c->bcap) {
        size_t ncap = c->bcap ? c->bcap * 2 : 256;
        char *nb = (char *)nni_alloc(c->alloc, ncap);
        if (!nb) return 0;
        if (c->blen) memcpy(nb, c->buf, c->blen);
        nni_free(c->alloc, c->buf);
        c->buf = nb;
        c->bcap = ncap;
    }
    c->buf[c->blen++] = ch;
    c->buf[c->blen] = '\0';
    return 1;
}

enum { F_SEP = 1, F_EOL = 2, F_ERR_QUOTE = -1, F_ERR_AFTER = -2, F_NOMEM = -3 };

/* One field into c->buf; returns F_SEP or F_EOL (also at end of text) or an error. */
static int next_field(csv_cur *c, int sep)
{
    c->blen = 0;
    if (c->bcap) c->buf[0] = '\0';
    while (c->pos < c->len && c->p[c->pos] == ' ' && sep != ' ') c->pos++;
    if (c->pos < c->len && c->p[c->pos] == '"') {
        c->pos++;
        for (;;) {
            char ch;
            if (c->pos >= c->len) return F_ERR_QUOTE;
            ch = c->p[c->pos++];
            if (ch == '"') {
                if (c->pos < c->len && c->p[c->pos] == '"') {
                    c->pos++;
                    if (!push(c, '"')) return F_NOMEM;
                    continue;
                }
                break;
            }
            if (ch == '\n') c->line++;
            if (!push(c, ch)) return F_NOMEM;
        }
        while (c->pos < c->len && c->p[c->pos] == ' ') c->pos++;
        if (c->pos < c->len && c->p[c->pos] != sep && c->p[c->pos] != '\n' && c->p[c->pos] != '\r') return F_ERR_AFTER;
    } else {
        while (c->pos < c->len && c->p[c->pos] != sep && c->p[c->pos] != '\n' && c->p[c->pos] != '\r')
            if (!push(c, c->p[c->pos++])) return F_NOMEM;
    }
    if (c->pos >= c->len) return F_EOL;
    if (c->p[c->pos] == sep) {
        c->pos++;
        return F_SEP;
    }
    if (c->p[c->pos] == '\r') c->pos++;
    if (c->pos < c->len && c->p[c->pos] == '\n') c->pos++;
    c->line++;
    return F_EOL;
}

/* Skip empty lines; 0 at end of text. */
static int skip_empty(csv_cur *c)
{
    while (c->pos < c->len && (c->p[c->pos] == '\n' || c->p[c->pos] == '\r')) {
        if (c->p[c->pos] == '\r' && c->pos + 1 < c->len && c->p[c->pos + 1] == '\n') c->pos++;
        c->pos++;
        c->line++;
    }
    return c->pos < c->len;
}

static int detect_sep(const char *p, size_t len)
{
    size_t i, cnt[3] = { 0, 0, 0 };
    int q = 0;
    while (len && (*p == '\n' || *p == '\r')) {
        p++;
        len--;
    }
    for (i = 0; i < len; i++) {
        char ch = p[i];
        if (ch == '"') q = !q;
        else if (!q && (ch == '\n' || ch == '\r')) break;
        else if (!q && ch == ',') cnt[0]++;
        else if (!q && ch == ';') cnt[1]++;
        else if (!q && ch == '\t') cnt[2]++;
    }
    if (cnt[1] > cnt[0] && cnt[1] >= cnt[2]) return ';';
    if (cnt[2] > cnt[0] && cnt[2] > cnt[1]) return '\t';
    return ',';
}

static nn_status field_error(nn_dataset *d, csv_cur *c, int r, size_t col)
{
    if (r == F_NOMEM) return dfail(d, NN_ERR_NOMEM, "out of memory reading the CSV");
    if (r == F_ERR_QUOTE) return dfail(d, NN_ERR_FORMAT, "line %zu, column %zu: unterminated quoted field", c->line, col + 1);
    return dfail(d, NN_ERR_FORMAT, "line %zu, column %zu: unexpected character after a closing quote", c->line, col + 1);
}

static int grow(const nn_allocator *a, float **arr, size_t used, size_t need, size_t *cap)
{
    size_t ncap;
    float *nb;
    if (need <= *cap) return 1;
    ncap = *cap ? *cap : 1024;
    while (ncap < need) {
        if (ncap > (size_t)-1 / 2 / sizeof(float)) return 0;
        ncap *= 2;
    }
    nb = (float *)nni_alloc_array(a, ncap, sizeof(float));
    if (!nb) return 0;
    if (used) memcpy(nb, *arr, used * sizeof(float));
    nni_free(a, *arr);
    *arr = nb;
    *cap = ncap;
    return 1;
}

/* Index of the column called name, or ncols. */
static size_t find_col(const char *names, const size_t *off, size_t ncols, const char *name)
{
    size_t col;
    for (col = 0; col < ncols && strcmp(names + off[col], name) != 0; col++) {}
    return col;
}

static nn_status parse(nn_dataset *d, const char *text, size_t len)
{
    csv_cur c;
    int sep = d->sep ? d->sep : detect_sep(text, len), r = F_SEP;
    size_t ncols = 0, i, j, name_len = 0, name_cap = 0, xcap = 0, ycap = 0, rows = 0, nf = 0, nt = 0;
    size_t *off = NULL, *role = NULL; /* role: feature index, or (size_t)-1 - target index */
    char *names = NULL;
    float *row = NULL, *x = NULL, *y = NULL;
    nn_status s = NN_OK;
    int first_is_data = !d->header;
    memset(&c, 0, sizeof c);
    c.p = text;
    c.len = len;
    c.line = 1;
    c.alloc = &d->alloc;
    if (!skip_empty(&c)) return dfail(d, NN_ERR_FORMAT, "line 1: the CSV has no rows");
    /* first record: names (header) or just the column count */
    {
        size_t p0 = c.pos, l0 = c.line;
        while (r == F_SEP) {
            size_t n;
            r = next_field(&c, sep);
            if (r < 0) {
                s = field_error(d, &c, r, ncols);
                goto done;
            }
            n = first_is_data ? 0 : c.blen;
            if (!first_is_data && n == 0) {
                char tmp[32];
                snprintf(tmp, sizeof tmp, "%zu", ncols);
                n = strlen(tmp);
            }
            if (!names || name_len + n + 24 > name_cap) { /* !names: for -fanalyzer (name_cap is 0 then) */
                size_t nc = (name_cap + n + 24) * 2;
                char *nb = (char *)nni_alloc(&d->alloc, nc);
                if (!nb) {
                    s = dfail(d, NN_ERR_NOMEM, "out of memory for the column names");
                    goto done;
                }
                if (name_len) memcpy(nb, names, name_len);
                nni_free(&d->alloc, names);
                names = nb;
                name_cap = nc;
            }
            {
                size_t *no = (size_t *)nni_alloc_array(&d->alloc, ncols + 1, sizeof(size_t));
                if (!no) {
                    s = dfail(d, NN_ERR_NOMEM, "out of memory for the column names");
                    goto done;
                }
                if (ncols) memcpy(no, off, ncols * sizeof(size_t));
                nni_free(&d->alloc, off);
                off = no;
            }
            off[ncols] = name_len;
            if (!first_is_data && c.blen) memcpy(names + name_len, c.buf, c.blen);
            else n = (size_t)snprintf(names + name_len, 24, "%zu", ncols);
            name_len += n;
            names[name_len++] = '\0';
            ncols++;
        }
        if (first_is_data) {
            c.pos = p0; /* read it again as data */
            c.line = l0;
        }
    }
    /* roles */
    role = (size_t *)nni_alloc_array(&d->alloc, ncols, sizeof(size_t));
    if (!role) {
        s = dfail(d, NN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (j = 0; j < ncols; j++) role[j] = 0;
    if (!d->no_targets) {
        if (d->n_tspec == 0) {
            role[ncols - 1] = (size_t)-1;
            nt = 1;
        }
        for (i = 0; i < d->n_tspec; i++) {
            size_t col = d->tspec[i].index;
            if (d->tspec[i].by_name) {
                col = find_col(names, off, ncols, d->tspec[i].name);
                if (col == ncols) {
                    s = dfail(d, NN_ERR_FORMAT, "line 1: target column \"%s\" is not in the header", d->tspec[i].name);
                    goto done;
                }
            } else if (col >= ncols) {
                s = dfail(d, NN_ERR_INVALID_ARG, "target column index %zu, but the CSV has %zu columns", col, ncols);
                goto done;
            }
            if (role[col] != 0) {
                s = dfail(d, NN_ERR_INVALID_ARG, "column %zu (\"%s\") is chosen as a target twice", col, names + off[col]);
                goto done;
            }
            role[col] = (size_t)-1 - nt++;
        }
    }
    {
        /* chosen features (1-based while assigning), then skipped columns */
        const char *nm = d->fsel;
        size_t col;
        for (i = 0; i < d->n_fsel; i++, nm += strlen(nm) + 1) {
            col = find_col(names, off, ncols, nm);
            if (col == ncols) {
                s = dfail(d, NN_ERR_FORMAT, "line 1: feature column \"%s\" is not in the header", nm);
                goto done;
            }
            if (role[col] != 0) {
                s = dfail(d, NN_ERR_INVALID_ARG, "column %zu (\"%s\") is chosen twice (as a feature%s)", col, nm,
                          role[col] >= (size_t)-1 - MAX_TARGETS ? " and a target" : "");
                goto done;
            }
            role[col] = ++nf;
        }
        if (d->n_fsel)
            for (j = 0; j < ncols; j++)
                if (role[j] == 0) role[j] = ROLE_SKIP;
        for (i = 0, nm = d->isel; i < d->n_isel; i++, nm += strlen(nm) + 1) {
            col = find_col(names, off, ncols, nm);
            if (col == ncols) {
                s = dfail(d, NN_ERR_FORMAT, "line 1: ignored column \"%s\" is not in the header", nm);
                goto done;
            }
            if (role[col] != 0 && role[col] != ROLE_SKIP) {
                s = dfail(d, NN_ERR_INVALID_ARG, "column %zu (\"%s\") is both ignored and chosen as a %s", col, nm,
                          role[col] >= (size_t)-1 - MAX_TARGETS ? "target" : "feature");
                goto done;
            }
            role[col] = ROLE_SKIP;
        }
    }
    for (j = 0; j < ncols; j++)
        if (role[j] == 0) role[j] = nf++ + 1; /* 1-based while assigning */
    for (j = 0; j < ncols; j++)
        if (role[j] < ROLE_SKIP) role[j]--;
    row = (float *)nni_alloc_array(&d->alloc, ncols, sizeof(float));
    if (!row) {
        s = dfail(d, NN_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* data records */
    while (skip_empty(&c)) {
        size_t col = 0, line = c.line;
        r = F_SEP;
        while (r == F_SEP) {
            r = next_field(&c, sep);
            if (r < 0) {
                s = field_error(d, &c, r, col);
                goto done;
            }
            if (col >= ncols) {
                s = dfail(d, NN_ERR_FORMAT, "line %zu: more than the %zu fields of the first line", line, ncols);
                goto done;
            }
            if (role[col] == ROLE_SKIP) { /* not read: it may hold text */
                col++;
                continue;
            }
            if (is_missing(c.buf ? c.buf : "", c.blen)) {
                row[col] = NAN;
                d->missing++;
            } else if (!nni_parse_float(c.buf, c.blen, &row[col])) {
                s = dfail(d, NN_ERR_FORMAT, "line %zu, column %zu (\"%s\"): cannot read \"%.40s\" as a number", line, col + 1,
                          names + off[col], c.buf);
                goto done;
            }
            col++;
        }
        if (col != ncols) {
            s = dfail(d, NN_ERR_FORMAT, "line %zu: %zu fields, but the first line has %zu", line, col, ncols);
            goto done;
        }
        if (!grow(&d->alloc, &x, rows * nf, (rows + 1) * nf, &xcap) || !grow(&d->alloc, &y, rows * nt, (rows + 1) * nt, &ycap)) {
            s = dfail(d, NN_ERR_NOMEM, "out of memory at line %zu", line);
            goto done;
        }
        for (j = 0; j < ncols; j++) {
            if (role[j] == ROLE_SKIP) continue;
            if (role[j] >= (size_t)-1 - MAX_TARGETS) y[rows * nt + ((size_t)-1 - role[j])] = row[j];
            else x[rows * nf + role[j]] = row[j];
        }
        rows++;
    }
    if (rows == 0) {
        s = dfail(d, NN_ERR_FORMAT, "line %zu: the CSV has a header but no data rows", c.line);
        goto done;
    }
    d->fname = (size_t *)nni_alloc_array(&d->alloc, nf ? nf : 1, sizeof(size_t));
    d->tname = (size_t *)nni_alloc_array(&d->alloc, nt ? nt : 1, sizeof(size_t));
    if (!d->fname || !d->tname) {
        s = dfail(d, NN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (j = 0; j < ncols; j++) {
        if (role[j] == ROLE_SKIP) continue;
        if (role[j] >= (size_t)-1 - MAX_TARGETS) d->tname[(size_t)-1 - role[j]] = off[j];
        else d->fname[role[j]] = off[j];
    }
    if (!x) x = (float *)nni_alloc(&d->alloc, sizeof(float));
    if (!y) y = (float *)nni_alloc(&d->alloc, sizeof(float));
    if (!x || !y) {
        s = dfail(d, NN_ERR_NOMEM, "out of memory");
        goto done;
    }
    d->x = x;
    d->y = y;
    d->names = names;
    d->rows = rows;
    d->nf = nf;
    d->nt = nt;
    x = y = NULL;
    names = NULL;
    d->err[0] = '\0';
done:
    nni_free(&d->alloc, c.buf);
    nni_free(&d->alloc, off);
    nni_free(&d->alloc, role);
    nni_free(&d->alloc, row);
    nni_free(&d->alloc, x);
    nni_free(&d->alloc, y);
    nni_free(&d->alloc, names);
    if (s != NN_OK) clear_data(d);
    return s;
}

nn_status nn_dataset_parse_csv(nn_dataset *d, const char *text, size_t len)
{
    if (!d) return NN_ERR_INVALID_ARG;
    if (!text && len) return dfail(d, NN_ERR_INVALID_ARG, "nn_dataset_parse_csv: text is NULL");
    clear_data(d);
    return parse(d, text ? text : "", len);
}

nn_status nn_dataset_read_csv(nn_dataset *d, const char *path)
{
    unsigned char *buf;
    size_t len;
    nn_status s;
    if (!d) return NN_ERR_INVALID_ARG;
    s = nni_read_file(path, &d->alloc, &buf, &len);
    if (s != NN_OK) return dfail(d, s, "%s", nn_last_error());
    clear_data(d);
    s = parse(d, (const char *)buf, len);
    if (s != NN_OK) {
        char msg[320];
        snprintf(msg, sizeof msg, "%s", d->err);
        dfail(d, s, "%.60s: %s", path, msg);
    }
    nni_free(&d->alloc, buf);
    return s;
}

const char *nn_dataset_error(const nn_dataset *d) { return d ? d->err : "dataset is NULL"; }
size_t nn_dataset_rows(const nn_dataset *d) { return d ? d->rows : 0; }
size_t nn_dataset_feature_count(const nn_dataset *d) { return d ? d->nf : 0; }
size_t nn_dataset_target_count(const nn_dataset *d) { return d ? d->nt : 0; }
const float *nn_dataset_x(const nn_dataset *d) { return d && d->rows ? d->x : NULL; }
const float *nn_dataset_y(const nn_dataset *d) { return d && d->rows ? d->y : NULL; }
size_t nn_dataset_missing_count(const nn_dataset *d) { return d ? d->missing : 0; }

const char *nn_dataset_feature_name(const nn_dataset *d, size_t i)
{
    return d && d->names && i < d->nf ? d->names + d->fname[i] : NULL;
}

const char *nn_dataset_target_name(const nn_dataset *d, size_t i)
{
    return d && d->names && i < d->nt ? d->names + d->tname[i] : NULL;
}

nn_dataset *nn_dataset_subset(const nn_dataset *d, const size_t *idx, size_t n)
{
    nn_dataset *o;
    size_t i, nl = 0, j;
    if (!d || !d->rows || (!idx && n)) return (nn_dataset *)nni_set_last_error("nn_dataset_subset: empty data set or NULL indices");
    for (i = 0; i < n; i++)
        if (idx[i] >= d->rows) return (nn_dataset *)nni_set_last_error("nn_dataset_subset: index %zu is not below %zu rows", idx[i], d->rows);
    o = nn_dataset_create_with_allocator(&d->alloc);
    if (!o) return NULL;
    o->sep = d->sep;
    o->header = d->header;
    o->no_targets = d->no_targets;
    for (j = 0; j < d->nf; j++) nl += strlen(d->names + d->fname[j]) + 1;
    for (j = 0; j < d->nt; j++) nl += strlen(d->names + d->tname[j]) + 1;
    o->x = (float *)nni_alloc_array(&d->alloc, n * d->nf + 1, sizeof(float));
    o->y = (float *)nni_alloc_array(&d->alloc, n * d->nt + 1, sizeof(float));
    o->names = (char *)nni_alloc(&d->alloc, nl + 1);
    o->fname = (size_t *)nni_alloc_array(&d->alloc, d->nf + 1, sizeof(size_t));
    o->tname = (size_t *)nni_alloc_array(&d->alloc, d->nt + 1, sizeof(size_t));
    if (!o->x || !o->y || !o->names || !o->fname || !o->tname) {
        nn_dataset_free(o);
        return (nn_dataset *)nni_set_last_error("nn_dataset_subset: out of memory");
    }
    nl = 0;
    for (j = 0; j < d->nf; j++) {
        o->fname[j] = nl;
        strcpy(o->names + nl, d->names + d->fname[j]);
        nl += strlen(o->names + nl) + 1;
    }
    for (j = 0; j < d->nt; j++) {
        o->tname[j] = nl;
        strcpy(o->names + nl, d->names + d->tname[j]);
        nl += strlen(o->names + nl) + 1;
    }
    for (i = 0; i < n; i++) {
        if (d->nf) memcpy(o->x + i * d->nf, d->x + idx[i] * d->nf, d->nf * sizeof(float));
        if (d->nt) memcpy(o->y + i * d->nt, d->y + idx[i] * d->nt, d->nt * sizeof(float));
        for (j = 0; j < d->nf; j++) o->missing += isnan(o->x[i * d->nf + j]) != 0;
        for (j = 0; j < d->nt; j++) o->missing += isnan(o->y[i * d->nt + j]) != 0;
    }
    o->rows = n;
    o->nf = d->nf;
    o->nt = d->nt;
    return o;
}

/* ---- splitting ---- */

static void permute(size_t *idx, size_t n, uint64_t seed)
{
    nni_rng r;
    size_t i;
    nni_rng_seed(&r, seed);
    for (i = 0; i < n; i++) idx[i] = i;
    for (i = n; i > 1; i--) {
        size_t j = (size_t)nni_rng_below(&r, i), t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

nn_status nn_split_indices(size_t n, float val_fraction, float test_fraction, uint64_t seed, size_t *idx,
                           size_t *n_train, size_t *n_val, size_t *n_test)
{
    size_t nv, nte;
    if (!idx || !n_train || !n_val || !n_test || n == 0 || !(val_fraction >= 0.0f) || !(test_fraction >= 0.0f) ||
        !(val_fraction + test_fraction < 1.0f)) {
        nni_set_last_error("nn_split_indices: need n > 0, non-NULL outputs and fractions >= 0 summing below 1");
        return NN_ERR_INVALID_ARG;
    }
    nv = (size_t)floor((double)n * (double)val_fraction);
    nte = (size_t)floor((double)n * (double)test_fraction);
    if (nv + nte >= n) {
        nni_set_last_error("nn_split_indices: no training rows left of %zu", n);
        return NN_ERR_INVALID_ARG;
    }
    permute(idx, n, seed);
    *n_train = n - nv - nte;
    *n_val = nv;
    *n_test = nte;
    return NN_OK;
}

nn_status nn_kfold_indices(size_t n, size_t k, size_t fold, int shuffle, uint64_t seed, size_t *train_idx, size_t *n_train,
                           size_t *val_idx, size_t *n_val)
{
    size_t i, start = 0, size = 0, f, nt = 0;
    if (!train_idx || !val_idx || !n_train || !n_val || k < 2 || k > n || fold >= k) {
        nni_set_last_error("nn_kfold_indices: need 2 <= k <= n, fold < k and non-NULL outputs");
        return NN_ERR_INVALID_ARG;
    }
    /* the permutation goes into val_idx first (n entries), then is split */
    if (shuffle) permute(val_idx, n, seed);
    else
        for (i = 0; i < n; i++) val_idx[i] = i;
    for (f = 0; f <= fold; f++) {
        start += size;
        size = n / k + (f < n % k ? 1 : 0);
    }
    for (i = 0; i < n; i++)
        if (i < start || i >= start + size) train_idx[nt++] = val_idx[i];
    memmove(val_idx, val_idx + start, size * sizeof(size_t));
    *n_train = nt;
    *n_val = size;
    return NN_OK;
}
