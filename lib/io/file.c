/* Atomic file replacement and whole-file reads. */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "io/io.h"
#include "core/alloc.h"
#include "core/error.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#if !defined(_WIN32) && !defined(NN_NO_FILEIO)
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>
#define NNI_POSIX_IO 1
#endif

#ifdef NN_NO_FILEIO
/* Built without file I/O (firmware): the path-based API reports NN_ERR_UNSUPPORTED; the
   buffer twins (nn_model_save_buffer, nn_model_load_buffer, ...) work as usual. */
nn_status nni_write_file_atomic(const char *path, const void *buf, size_t len)
{
    (void)buf, (void)len;
    nni_set_last_error("cannot write \"%s\": libnn was built without file I/O (NN_NO_FILEIO)", path ? path : "");
    return NN_ERR_UNSUPPORTED;
}

nn_status nni_read_file(const char *path, const nn_allocator *a, unsigned char **out, size_t *len)
{
    (void)a;
    *out = NULL;
    *len = 0;
    nni_set_last_error("cannot read \"%s\": libnn was built without file I/O (NN_NO_FILEIO)", path ? path : "");
    return NN_ERR_UNSUPPORTED;
}
#else
#define NNI_PATH_MAX 4096

/* Temporary name next to path: "<path>.tmp<pid>.<hex>" (the pid lets a later writer recognise
   the leftover of a process that was killed while writing). */
static int temp_name(char *out, size_t cap, const char *path, unsigned long salt)
{
#ifdef NNI_POSIX_IO
    int n = snprintf(out, cap, "%s.tmp%ld.%lx", path, (long)getpid(), salt);
#else
    int n = snprintf(out, cap, "%s.tmp0.%lx", path, salt);
#endif
    return n > 0 && (size_t)n < cap;
}

#ifdef NNI_POSIX_IO
/* The directory part of path ("." without one); 0 when it does not fit. */
static int dir_of(const char *path, char dir[NNI_PATH_MAX])
{
    const char *slash = strrchr(path, '/');
    size_t n;
    if (!slash) {
        strcpy(dir, ".");
        return 1;
    }
    n = slash == path ? 1 : (size_t)(slash - path); /* "/x" lives in "/" */
    if (n >= NNI_PATH_MAX) return 0;
    memcpy(dir, path, n);
    dir[n] = '\0';
    return 1;
}

/* Remove "<path>.tmp<pid>.<hex>" files left by writers that no longer exist (killed mid-write),
   so repeated crashes leave at most the one file that was being written. Temporary files of
   this process (another thread may be writing) and of live processes are kept. Best effort. */
static void remove_stale_temps(const char *path)
{
    char dir[NNI_PATH_MAX], full[NNI_PATH_MAX + 300];
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    size_t blen = strlen(base);
    DIR *d;
    struct dirent *e;
    if (!dir_of(path, dir)) return;
    d = opendir(dir);
    if (!d) return;
    while ((e = readdir(d)) != NULL) {
        const char *p = e->d_name;
        char *end;
        long pid;
        if (strncmp(p, base, blen) != 0 || strncmp(p + blen, ".tmp", 4) != 0) continue;
        p += blen + 4;
        if (*p < '0' || *p > '9') continue;
        pid = strtol(p, &end, 10);
        if (*end != '.' || pid <= 0 || pid == (long)getpid()) continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive, or not ours to judge */
        if (snprintf(full, sizeof full, "%s/%s", dir, e->d_name) < (int)sizeof full) (void)remove(full);
    }
    closedir(d);
}
#endif

#ifdef NNI_POSIX_IO
static void sync_dir(const char *path)
{
    char dir[NNI_PATH_MAX];
    int fd;
    if (!dir_of(path, dir)) return;
    fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: not all file systems support it */
        close(fd);
    }
}
#endif

nn_status nni_write_file_atomic(const char *path, const void *buf, size_t len)
{
    char tmp[NNI_PATH_MAX + 32];
    FILE *f = NULL;
    int attempt, err = 0;
    unsigned long salt;
    if (!path || !*path || (!buf && len)) {
        nni_set_last_error("write: path and buffer must not be NULL");
        return NN_ERR_INVALID_ARG;
    }
    if (strlen(path) >= NNI_PATH_MAX) {
        nni_set_last_error("write: path is longer than %d bytes", NNI_PATH_MAX - 1);
        return NN_ERR_INVALID_ARG;
    }
#ifdef NNI_POSIX_IO
    remove_stale_temps(path);
#endif
    salt = (unsigned long)time(NULL) ^ (unsigned long)(size_t)&tmp ^ (unsigned long)clock();
#ifdef NNI_POSIX_IO
    salt ^= (unsigned long)getpid() << 16;
#endif
    for (attempt = 0; attempt < 64 && !f; attempt++) {
        salt = salt * 6364136223846793005ul + 1442695040888963407ul;
        temp_name(tmp, sizeof tmp, path, (salt >> 16) & 0xFFFFFFul);
#ifdef NNI_POSIX_IO
        {
            int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
            if (fd < 0) {
                err = errno;
                if (err == EEXIST) continue;
                break;
            }
            f = fdopen(fd, "wb");
            if (!f) {
                err = errno;
                close(fd);
                remove(tmp);
                break;
            }
        }
#else
        f = fopen(tmp, "wbx"); /* C11 exclusive create */
        if (!f) err = errno;
#endif
    }
    if (!f) {
        nni_set_last_error("cannot create a temporary file next to \"%s\": %s", path, strerror(err ? err : EIO));
        return NN_ERR_IO;
    }
    errno = 0;
    if ((len && fwrite(buf, 1, len, f) != len) || fflush(f) != 0) {
        err = errno ? errno : EIO;
        fclose(f);
        remove(tmp);
        nni_set_last_error("writing \"%s\" failed: %s (the previous file is unchanged)", path, strerror(err));
        return NN_ERR_IO;
    }
#ifdef NNI_POSIX_IO
    if (fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS) {
        err = errno;
        fclose(f);
        remove(tmp);
        nni_set_last_error("syncing \"%s\" failed: %s (the previous file is unchanged)", path, strerror(err));
        return NN_ERR_IO;
    }
#endif
    if (fclose(f) != 0) {
        err = errno ? errno : EIO;
        remove(tmp);
        nni_set_last_error("closing \"%s\" failed: %s (the previous file is unchanged)", path, strerror(err));
        return NN_ERR_IO;
    }
    if (rename(tmp, path) != 0) {
        err = errno ? errno : EIO;
        remove(tmp);
        nni_set_last_error("renaming the temporary file onto \"%s\" failed: %s (the previous file is unchanged)", path, strerror(err));
        return NN_ERR_IO;
    }
#ifdef NNI_POSIX_IO
    sync_dir(path);
#endif
    return NN_OK;
}

nn_status nni_read_file(const char *path, const nn_allocator *a, unsigned char **out, size_t *len)
{
    FILE *f;
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;
    *out = NULL;
    *len = 0;
    if (!path) {
        nni_set_last_error("read: path is NULL");
        return NN_ERR_INVALID_ARG;
    }
    f = fopen(path, "rb");
    if (!f) {
        nni_set_last_error("cannot open \"%s\": %s", path, strerror(errno));
        return NN_ERR_IO;
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            unsigned char *nb;
            if (ncap < cap) {
                nni_free(a, buf);
                fclose(f);
                nni_set_last_error("\"%s\" is too large", path);
                return NN_ERR_NOMEM;
            }
            nb = (unsigned char *)a->alloc(a->user, ncap);
            if (!nb) {
                nni_free(a, buf);
                fclose(f);
                nni_set_last_error("out of memory reading \"%s\" (%zu bytes)", path, ncap);
                return NN_ERR_NOMEM;
            }
            if (n) memcpy(nb, buf, n);
            nni_free(a, buf);
            buf = nb;
            cap = ncap;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        nni_free(a, buf);
        fclose(f);
        nni_set_last_error("error reading \"%s\"", path);
        return NN_ERR_IO;
    }
    fclose(f);
    *out = buf;
    *len = n;
    return NN_OK;
}
#endif /* NN_NO_FILEIO */
