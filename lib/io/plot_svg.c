/* Learning curves as a dependency-free SVG: one panel for the loss and one per
   metric (and the learning rate when it changed), train and validation series,
   best epoch marked, optional log y scale. Written to "<path>.tmp" and renamed
   over path, so a failure never leaves a partial file behind. */
#include "core/alloc.h"
#include "core/error.h"
#include "core/model.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#ifdef NN_NO_FILEIO
nn_status nn_model_plot_history_ex(const nn_model *cm, const char *path, int log_scale)
{
    (void)path, (void)log_scale;
    if (!cm) return NN_ERR_INVALID_ARG;
    return nni_fail((nn_model *)cm, NN_ERR_UNSUPPORTED, "nn_model_plot_history: libnn was built without file I/O (NN_NO_FILEIO)");
}
#else

#define PW 860.0   /* picture width */
#define PH 300.0   /* height of one panel */
#define ML 78.0    /* plot area margins inside a panel */
#define MR 24.0
#define MT 40.0
#define MB 48.0

typedef struct series {
    const char *key;
    int col; /* history column */
} series;

typedef struct panel {
    const char *title;
    int train, val; /* history columns, -1 when absent */
} panel;

typedef struct axis {
    double lo, hi;     /* data range shown (log10 units when log) */
    double t0, step;   /* first tick and step (log10 units when log) */
    int log;
} axis;

/* Locale-proof number text: a decimal comma becomes a point. */
static const char *num(char *buf, size_t cap, const char *fmt, double v)
{
    char *p;
    snprintf(buf, cap, fmt, v);
    for (p = buf; *p; p++)
        if (*p == ',') *p = '.';
    return buf;
}

static double nice_step(double range, int target)
{
    double raw = range / (double)target, mag, f;
    if (!(raw > 0) || !isfinite(raw)) return 1.0;
    mag = pow(10.0, floor(log10(raw)));
    f = raw / mag;
    if (f <= 1.0) f = 1.0;
    else if (f <= 2.0) f = 2.0;
    else if (f <= 2.5) f = 2.5;
    else if (f <= 5.0) f = 5.0;
    else f = 10.0;
    return f * mag;
}

static float val_at(const nn_model *m, int col, size_t e)
{
    return m->hist.values[e * m->hist.n_keys + (size_t)col];
}

static int usable(double v, int log_scale) { return isfinite(v) && (!log_scale || v > 0.0); }

/* Y axis covering every usable value of the panel's series; 0 when there is none. */
static int y_axis(const nn_model *m, const panel *p, int log_scale, axis *ax)
{
    size_t e, n = m->hist.len;
    int k, cols[2], found = 0;
    double lo = 0, hi = 0;
    cols[0] = p->train;
    cols[1] = p->val;
    for (k = 0; k < 2; k++) {
        if (cols[k] < 0) continue;
        for (e = 0; e < n; e++) {
            double v = val_at(m, cols[k], e);
            if (!usable(v, log_scale)) continue;
            if (log_scale) v = log10(v);
            if (!found || v < lo) lo = v;
            if (!found || v > hi) hi = v;
            found = 1;
        }
    }
    if (!found) return 0;
    ax->log = log_scale;
    if (log_scale) {
        lo = floor(lo);
        hi = ceil(hi);
        if (hi <= lo) hi = lo + 1.0;
        ax->step = hi - lo > 6 ? ceil((hi - lo) / 6.0) : 1.0;
        ax->t0 = lo;
    } else {
        double pad;
        if (hi <= lo) {
            pad = fabs(hi) > 0 ? fabs(hi) * 0.1 : 1.0;
            lo -= pad;
            hi += pad;
        }
        ax->step = nice_step(hi - lo, 5);
        lo = floor(lo / ax->step) * ax->step;
        hi = ceil(hi / ax->step) * ax->step;
        if (hi <= lo) hi = lo + ax->step;
        ax->t0 = lo;
    }
    ax->lo = lo;
    ax->hi = hi;
    return 1;
}

static double px_x(size_t e, size_t n)
{
    double w = PW - ML - MR;
    return n > 1 ? ML + w * (double)e / (double)(n - 1) : ML + w / 2.0;
}

static double px_y(const axis *ax, double v, double top)
{
    double h = PH - MT - MB;
    if (ax->log) v = log10(v);
    return top + MT + h * (1.0 - (v - ax->lo) / (ax->hi - ax->lo));
}

static void polyline(FILE *f, const nn_model *m, int col, const axis *ax, double top,
                     const char *cls, const char *style)
{
    char a[32], b[32];
    size_t e, n = m->hist.len;
    int open = 0, pts = 0;
    for (e = 0; e < n; e++) {
        double v = val_at(m, col, e);
        if (!usable(v, ax->log)) {
            if (open) fputs("\"/>\n", f);
            open = 0;
            continue;
        }
        if (!open) fprintf(f, "<polyline class=\"%s\" fill=\"none\" %s points=\"", cls, style);
        fprintf(f, "%s%s,%s", open ? " " : "", num(a, sizeof a, "%.2f", px_x(e, n)),
                num(b, sizeof b, "%.2f", px_y(ax, v, top)));
        open = 1;
        pts++;
    }
    if (open) fputs("\"/>\n", f);
    /* a single epoch draws no line: show the point */
    if (pts == 1 || n == 1)
        for (e = 0; e < n; e++) {
            double v = val_at(m, col, e);
            if (usable(v, ax->log))
                fprintf(f, "<circle class=\"%s\" cx=\"%s\" cy=\"%s\" r=\"3\" %s/>\n", cls,
                        num(a, sizeof a, "%.2f", px_x(e, n)), num(b, sizeof b, "%.2f", px_y(ax, v, top)), style);
        }
}

/* Number of plotted points of the panel inside the legend box at (lx, ly), 224 wide, lh high. */
static size_t covered(const nn_model *m, const panel *p, const axis *ax, double top, double lx, double ly, double lh)
{
    size_t e, c = 0, n = m->hist.len;
    int k, cols[2];
    cols[0] = p->train;
    cols[1] = p->val;
    for (k = 0; k < 2; k++) {
        if (cols[k] < 0) continue;
        for (e = 0; e < n; e++) {
            double v = val_at(m, cols[k], e), x, y;
            if (!usable(v, ax->log)) continue;
            x = px_x(e, n);
            y = px_y(ax, v, top);
            if (x >= lx - 4 && x <= lx + 228 && y >= ly - 4 && y <= ly + lh + 4) c++;
        }
    }
    return c;
}

static void draw_panel(FILE *f, const nn_model *m, const panel *p, int log_scale, double top,
                       size_t best, int best_col)
{
    char a[32], b[32], c[32], d[32];
    size_t n = m->hist.len, e, xstep;
    double x0 = ML, x1 = PW - MR, y0 = top + MT, y1 = top + PH - MB, t;
    axis ax;
    int i;

    fprintf(f, "<g class=\"panel\" id=\"panel-%s\">\n", p->title);
    fprintf(f, "<text x=\"%s\" y=\"%s\" font-size=\"15\" font-weight=\"bold\">%s%s</text>\n",
            num(a, sizeof a, "%.1f", x0), num(b, sizeof b, "%.1f", top + 24.0), p->title,
            log_scale ? " (log scale)" : "");
    if (!y_axis(m, p, log_scale, &ax)) {
        fprintf(f, "<text x=\"%s\" y=\"%s\" fill=\"#888\">no finite%s values to plot</text>\n</g>\n",
                num(a, sizeof a, "%.1f", x0 + 20), num(b, sizeof b, "%.1f", (y0 + y1) / 2),
                log_scale ? " positive" : "");
        return;
    }
    /* frame and y grid with tick labels */
    fprintf(f, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"#fff\" stroke=\"#444\"/>\n",
            num(a, sizeof a, "%.1f", x0), num(b, sizeof b, "%.1f", y0), num(c, sizeof c, "%.1f", x1 - x0),
            num(d, sizeof d, "%.1f", y1 - y0));
    for (i = 0, t = ax.t0; t <= ax.hi + ax.step * 1e-6 && i < 40; i++, t = ax.t0 + ax.step * i) {
        double v = ax.log ? pow(10.0, t) : t, y;
        char lab[32];
        if (fabs(t) < ax.step * 1e-9) t = 0.0, v = ax.log ? 1.0 : 0.0;
        y = px_y(&ax, v, top);
        num(lab, sizeof lab, ax.log ? "%.0e" : "%g", v);
        fprintf(f, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#e3e3e3\"/>\n",
                num(a, sizeof a, "%.1f", x0), num(b, sizeof b, "%.2f", y), num(c, sizeof c, "%.1f", x1),
                num(d, sizeof d, "%.2f", y));
        fprintf(f, "<text x=\"%s\" y=\"%s\" font-size=\"12\" text-anchor=\"end\">%s</text>\n",
                num(a, sizeof a, "%.1f", x0 - 6), num(b, sizeof b, "%.2f", y + 4), lab);
    }
    /* x ticks: epochs are 1-based as Keras prints them */
    xstep = (size_t)nice_step((double)(n > 1 ? n - 1 : 1), 8);
    if (xstep < 1) xstep = 1;
    for (e = 0; e < n; e = e == 0 && xstep > 1 ? xstep - 1 : e + xstep) {
        double x = px_x(e, n);
        fprintf(f, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#444\"/>\n",
                num(a, sizeof a, "%.2f", x), num(b, sizeof b, "%.1f", y1), num(c, sizeof c, "%.2f", x),
                num(d, sizeof d, "%.1f", y1 + 5));
        fprintf(f, "<text x=\"%s\" y=\"%s\" font-size=\"12\" text-anchor=\"middle\">%zu</text>\n",
                num(a, sizeof a, "%.2f", x), num(b, sizeof b, "%.1f", y1 + 19), e + 1);
    }
    fprintf(f, "<text x=\"%s\" y=\"%s\" font-size=\"13\" text-anchor=\"middle\">epoch</text>\n",
            num(a, sizeof a, "%.1f", (x0 + x1) / 2), num(b, sizeof b, "%.1f", y1 + 38));
    fprintf(f, "<text transform=\"translate(16,%s) rotate(-90)\" font-size=\"13\" text-anchor=\"middle\">%s</text>\n",
            num(a, sizeof a, "%.1f", (y0 + y1) / 2), p->title);

    /* best epoch: vertical line in every panel, marker on the monitored curve */
    {
        double bx = px_x(best, n);
        fprintf(f, "<line class=\"best-epoch\" x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#2ca02c\" "
                   "stroke-dasharray=\"2,3\" stroke-width=\"1.5\"/>\n",
                num(a, sizeof a, "%.2f", bx), num(b, sizeof b, "%.1f", y0), num(c, sizeof c, "%.2f", bx),
                num(d, sizeof d, "%.1f", y1));
    }
    if (p->train >= 0) polyline(f, m, p->train, &ax, top, "train", "stroke=\"#1f77b4\" stroke-width=\"2\"");
    if (p->val >= 0)
        polyline(f, m, p->val, &ax, top, "validation",
                 "stroke=\"#ff7f0e\" stroke-width=\"2\" stroke-dasharray=\"7,4\"");
    /* legend, top right; the best-epoch entry when this panel shows the monitored series */
    {
        double lx = x1 - 232, ly = y0 + 8, bv = 0, lh;
        int has_best = 0, rows, r = 0;
        if (best_col == p->train || best_col == p->val) {
            bv = val_at(m, best_col, best);
            has_best = usable(bv, ax.log);
        }
        rows = (p->train >= 0) + (p->val >= 0) + has_best;
        lh = 8.0 + 18.0 * rows;
        /* top right unless the curves pass there more often than through the bottom right */
        if (covered(m, p, &ax, top, lx, y0 + 8, lh) > covered(m, p, &ax, top, lx, y1 - 8 - lh, lh)) ly = y1 - 8 - lh;
        if (has_best)
            fprintf(f, "<circle class=\"best-epoch-marker\" cx=\"%s\" cy=\"%s\" r=\"5.5\" fill=\"none\" "
                       "stroke=\"#2ca02c\" stroke-width=\"2.5\"/>\n",
                    num(a, sizeof a, "%.2f", px_x(best, n)), num(b, sizeof b, "%.2f", px_y(&ax, bv, top)));
        fprintf(f, "<rect x=\"%s\" y=\"%s\" width=\"224\" height=\"%d\" fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n",
                num(a, sizeof a, "%.1f", lx), num(b, sizeof b, "%.1f", ly), 8 + 18 * rows);
        if (p->train >= 0) {
            double yy = ly + 14 + 18 * r++;
            fprintf(f, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n",
                    num(a, sizeof a, "%.1f", lx + 8), num(b, sizeof b, "%.1f", yy), num(c, sizeof c, "%.1f", lx + 36),
                    num(d, sizeof d, "%.1f", yy));
            fprintf(f, "<text x=\"%s\" y=\"%s\" font-size=\"12\">%s</text>\n",
                    num(a, sizeof a, "%.1f", lx + 42), num(b, sizeof b, "%.1f", yy + 4), m->hist.keys[p->train]);
        }
        if (p->val >= 0) {
            double yy = ly + 14 + 18 * r++;
            fprintf(f, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#ff7f0e\" stroke-width=\"2\" stroke-dasharray=\"7,4\"/>\n",
                    num(a, sizeof a, "%.1f", lx + 8), num(b, sizeof b, "%.1f", yy), num(c, sizeof c, "%.1f", lx + 36),
                    num(d, sizeof d, "%.1f", yy));
            fprintf(f, "<text x=\"%s\" y=\"%s\" font-size=\"12\">%s</text>\n",
                    num(a, sizeof a, "%.1f", lx + 42), num(b, sizeof b, "%.1f", yy + 4), m->hist.keys[p->val]);
        }
        if (has_best) {
            double yy = ly + 14 + 18 * r++;
            char lab[32];
            fprintf(f, "<circle cx=\"%s\" cy=\"%s\" r=\"5\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2.5\"/>\n",
                    num(a, sizeof a, "%.1f", lx + 22), num(b, sizeof b, "%.1f", yy));
            fprintf(f, "<text class=\"best-epoch-label\" x=\"%s\" y=\"%s\" font-size=\"12\">best epoch %zu: %s</text>\n",
                    num(a, sizeof a, "%.1f", lx + 42), num(b, sizeof b, "%.1f", yy + 4), best + 1,
                    num(lab, sizeof lab, "%.4g", bv));
        }
    }
    fputs("</g>\n", f);
}

static int find_key(const nn_model *m, const char *key)
{
    size_t i;
    for (i = 0; i < m->hist.n_keys; i++)
        if (strcmp(m->hist.keys[i], key) == 0) return (int)i;
    return -1;
}

static int varies(const nn_model *m, int col)
{
    size_t e;
    for (e = 1; e < m->hist.len; e++)
        if (val_at(m, col, e) != val_at(m, col, 0)) return 1;
    return 0;
}

nn_status nn_model_plot_history_ex(const nn_model *cm, const char *path, int log_scale)
{
    nn_model *m = (nn_model *)cm; /* only the error message is written */
    panel panels[NNI_MAX_KEYS];
    size_t np = 0, i, n, best = 0, plen;
    int best_col, lr;
    char *tmp;
    FILE *f;
    int bad;

    if (!m) {
        nni_set_last_error("nn_model_plot_history: model is NULL");
        return NN_ERR_INVALID_ARG;
    }
    if (!path || !*path) return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_plot_history: path is NULL or empty");
    if (log_scale != 0 && log_scale != 1)
        return nni_fail(m, NN_ERR_INVALID_ARG, "nn_model_plot_history: log_scale is %d, expected 0 or 1", log_scale);
    n = m->hist.len;
    if (n == 0) return nni_fail(m, NN_ERR_STATE, "nn_model_plot_history: no history yet (call nn_model_fit first)");

    for (i = 0; i < m->hist.n_keys; i++) {
        const char *k = m->hist.keys[i];
        char vk[sizeof m->hist.keys[0] + 8];
        if (strncmp(k, "val_", 4) == 0 || strcmp(k, "learning_rate") == 0) continue;
        snprintf(vk, sizeof vk, "val_%s", k);
        panels[np].title = k;
        panels[np].train = (int)i;
        panels[np].val = find_key(m, vk);
        np++;
    }
    lr = find_key(m, "learning_rate");
    if (lr >= 0 && varies(m, lr)) {
        panels[np].title = "learning_rate";
        panels[np].train = lr;
        panels[np].val = -1;
        np++;
    }
    /* best epoch: min val_loss, else min loss (first occurrence, as EarlyStopping) */
    best_col = find_key(m, "val_loss");
    if (best_col < 0) best_col = find_key(m, "loss");
    {
        int found = 0;
        for (i = 0; i < n; i++) {
            float v = val_at(m, best_col, i);
            if (isfinite(v) && (!found || v < val_at(m, best_col, best))) best = i, found = 1;
        }
    }

    plen = strlen(path);
    tmp = (char *)nni_alloc(&m->alloc, plen + 5);
    if (!tmp) return nni_fail(m, NN_ERR_NOMEM, "nn_model_plot_history: out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    f = fopen(tmp, "w");
    if (!f) {
        nni_free(&m->alloc, tmp);
        return nni_fail(m, NN_ERR_IO, "nn_model_plot_history: cannot open %s for writing", path);
    }
    {
        char a[32], b[32];
        double height = PH * (double)np + 36.0;
        fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%s\" viewBox=\"0 0 %d %s\" "
                   "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
                   "<title>libnn learning curves</title>\n"
                   "<rect width=\"100%%\" height=\"100%%\" fill=\"#fafafa\"/>\n",
                (int)PW, num(a, sizeof a, "%.0f", height), (int)PW, num(b, sizeof b, "%.0f", height));
        fprintf(f, "<text x=\"%d\" y=\"24\" font-size=\"17\" text-anchor=\"middle\">Learning curves, %zu epoch%s"
                   " (best epoch %zu by %s)</text>\n",
                (int)(PW / 2), n, n == 1 ? "" : "s", best + 1, m->hist.keys[best_col]);
        for (i = 0; i < np; i++)
            draw_panel(f, m, &panels[i], panels[i].train == lr ? 1 : log_scale, 30.0 + PH * (double)i, best, best_col);
        fputs("</svg>\n", f);
    }
    bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (!bad) {
        if (rename(tmp, path) != 0) {
#ifdef _WIN32
            remove(path);
            bad = rename(tmp, path) != 0;
#else
            bad = 1;
#endif
        }
    }
    if (bad) {
        remove(tmp);
        nni_free(&m->alloc, tmp);
        return nni_fail(m, NN_ERR_IO, "nn_model_plot_history: writing %s failed", path);
    }
    nni_free(&m->alloc, tmp);
    nni_clear_error(m);
    return NN_OK;
}

#endif /* NN_NO_FILEIO */

nn_status nn_model_plot_history(const nn_model *m, const char *path)
{
    return nn_model_plot_history_ex(m, path, 0);
}
