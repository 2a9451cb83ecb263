/*
 * lossyfs: a FUSE pass-through filesystem that forgets what was not fsynced (LazyFS semantics), for
 * Tidemark's power-cut tests. Build: gcc -O2 -Wall -o lossyfs lossyfs.c $(pkg-config fuse3 --cflags --libs)
 *
 *   lossyfs BACKING TRASH MOUNTPOINT [fuse options, e.g. -f]
 *
 * Every operation goes to BACKING. The filesystem keeps, per file (by backing inode), the old content of
 * every 4 KiB page written since that file's last fsync/fdatasync and the size at that sync; and a journal
 * of namespace operations (create, mkdir, unlink, rmdir, rename, link, symlink) not yet made durable by an
 * fsync of their parent directory (both parents for a rename). Unlinked and overwritten files are kept as
 * hard links in TRASH (same filesystem as BACKING) until the unlink is durable, so a cut can bring them back.
 *
 * Control: the virtual file MOUNTPOINT/.lossyfs-ctl (not listed by readdir). Write one command per write:
 *   cut                 every unsynced page gets its synced content back, every file its synced size, every
 *                       non-durable namespace operation is undone (newest first)
 *   cut-torn SEED       each unsynced page independently old, new or zero (seeded; zero only where the page
 *                       changed since the sync: bytes synced and not rewritten are never lost), files beyond
 *                       their synced size keep each page new or zero, and a random prefix of the non-durable
 *                       namespace operations survives
 *   fail-fsync GLOB     the next fsync (or fdatasync, msync, directory fsync) of a path matching GLOB (fnmatch,
 *                       paths start with '/') fails with EIO; its writes stay unsynced
 *   enospc GLOB         every write past a file's size, extending truncate, fallocate and create under a path
 *                       matching GLOB fails with ENOSPC (a full disk: blocks already reserved take overwrites)
 *   clear               no more injected faults
 * After a cut every modifying operation fails with EIO until the filesystem is mounted again: the kernel's
 * dirty pages of a killed process's mappings never arrive. Reading the control file gives the state:
 *   cut 0|1
 *   dirty-files N
 *   unsynced-pages N       pages written since their file's last sync (below the synced size)
 *   unsynced-bytes N       bytes beyond the synced sizes plus 4096 per unsynced page
 *   pending-ops N          namespace operations whose directory was not fsynced
 *   fsyncs N               fsync/fdatasync requests received (files)
 *   dir-fsyncs N
 *   file PATH SYNCED CURRENT PAGES   one line per dirty file (PATH is the last path written through)
 *   op KIND PATH                     one line per namespace operation not yet durable, oldest first
 * A write of a command returns once it is done; an unknown or failed command fails the write with EINVAL/EIO.
 *
 * Threads: libfuse's worker threads; one mutex serialises every modifying operation with the bookkeeping,
 * reads and lookups run without it.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE

#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>

#define PAGE 4096
#define CTL_NAME "/.lossyfs-ctl"
#define CTL_FH ((uint64_t)-2)
#define BUCKETS 1024

struct page
{
    uint64_t index;
    char *old;         /* PAGE bytes: the content at the last sync (zeros past its end) */
    struct page *next;
};

struct fstate
{
    ino_t ino;
    int fd;            /* O_RDWR on the backing inode, valid across renames and unlinks */
    off_t synced_size;
    size_t pages;
    struct page *buckets[BUCKETS];
    char path[PATH_MAX];
    struct fstate *next;
};

enum op_kind { OP_CREATE, OP_MKDIR, OP_UNLINK, OP_RMDIR, OP_RENAME };

struct nsop
{
    enum op_kind kind;
    char path[PATH_MAX];      /* the entry (the destination for a rename) */
    char from[PATH_MAX];      /* rename: the source */
    ino_t parent;             /* the entry's directory */
    ino_t from_parent;        /* rename: the source's directory */
    int parent_synced;
    int from_parent_synced;
    char trash[PATH_MAX];     /* unlink, rename over a file: the kept link, "" when none */
    mode_t mode;              /* rmdir: to recreate */
    struct nsop *next;        /* oldest first */
};

static char *backing;
static char *trash_dir;
static int backing_fd;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fstate *files;
static struct nsop *ops_head;
static struct nsop *ops_tail;
static int cut_done;
static long trash_seq;
static char fail_fsync_glob[PATH_MAX];
static char enospc_glob[PATH_MAX];
static long fsyncs;
static long dir_fsyncs;
static char ctl_out[1 << 20];

static const char *rel(const char *path)
{
    return path[1] == '\0' ? "." : path + 1;
}

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "lossyfs: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

static int matches(const char *glob, const char *path)
{
    return glob[0] != '\0' && fnmatch(glob, path, 0) == 0;
}

static ino_t ino_of_parent(const char *path)
{
    char copy[PATH_MAX];
    snprintf(copy, sizeof copy, "%s", path);
    char *slash = strrchr(copy, '/');
    if (slash == copy)
    {
        copy[1] = '\0';
    }
    else if (slash != NULL)
    {
        *slash = '\0';
    }
    struct stat st;
    if (fstatat(backing_fd, rel(copy), &st, AT_SYMLINK_NOFOLLOW) != 0)
    {
        return 0;
    }
    return st.st_ino;
}

static struct fstate *find_state(ino_t ino)
{
    for (struct fstate *s = files; s != NULL; s = s->next)
    {
        if (s->ino == ino)
        {
            return s;
        }
    }
    return NULL;
}

/* The state of the file open as fd, created (synced size = current size) on its first change since a sync. */
static struct fstate *state_for(int fd, const char *path)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
    {
        return NULL;
    }
    struct fstate *s = find_state(st.st_ino);
    if (s == NULL)
    {
        s = calloc(1, sizeof *s);
        if (s == NULL)
        {
            return NULL;
        }
        char self[64];
        snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
        s->fd = open(self, O_RDWR);
        if (s->fd < 0)
        {
            free(s);
            return NULL;
        }
        s->ino = st.st_ino;
        s->synced_size = st.st_size;
        s->next = files;
        files = s;
    }
    if (path != NULL)
    {
        snprintf(s->path, sizeof s->path, "%s", path);
    }
    return s;
}

static int saved(struct fstate *s, uint64_t index)
{
    for (struct page *p = s->buckets[index % BUCKETS]; p != NULL; p = p->next)
    {
        if (p->index == index)
        {
            return 1;
        }
    }
    return 0;
}

/* Keeps the synced content of page index, if the page holds synced bytes and is not kept yet. */
static int save_page(struct fstate *s, uint64_t index)
{
    if ((off_t)(index * PAGE) >= s->synced_size || saved(s, index))
    {
        return 0;
    }
    struct page *p = calloc(1, sizeof *p);
    char *old = calloc(1, PAGE);
    if (p == NULL || old == NULL)
    {
        free(p);
        free(old);
        return -ENOMEM;
    }
    ssize_t n = pread(s->fd, old, PAGE, (off_t)(index * PAGE));
    if (n < 0)
    {
        free(p);
        free(old);
        return -errno;
    }
    p->index = index;
    p->old = old;
    p->next = s->buckets[index % BUCKETS];
    s->buckets[index % BUCKETS] = p;
    s->pages++;
    return 0;
}

static int save_range(struct fstate *s, off_t from, off_t to)
{
    if (to > s->synced_size)
    {
        to = s->synced_size;
    }
    off_t pos = from;
    while (pos < to)
    {
        /* holes hold nothing to keep: a restore re-extends the file with zeros */
        off_t data = lseek(s->fd, pos, SEEK_DATA);
        if (data < 0 || data >= to)
        {
            return 0;
        }
        off_t hole = lseek(s->fd, data, SEEK_HOLE);
        if (hole < 0 || hole > to)
        {
            hole = to;
        }
        for (uint64_t i = (uint64_t)data / PAGE; (off_t)(i * PAGE) < hole; i++)
        {
            int rc = save_page(s, i);
            if (rc != 0)
            {
                return rc;
            }
        }
        pos = hole;
    }
    return 0;
}

static void drop_state(struct fstate *s)
{
    for (int b = 0; b < BUCKETS; b++)
    {
        struct page *p = s->buckets[b];
        while (p != NULL)
        {
            struct page *next = p->next;
            free(p->old);
            free(p);
            p = next;
        }
    }
    for (struct fstate **link = &files; *link != NULL; link = &(*link)->next)
    {
        if (*link == s)
        {
            *link = s->next;
            break;
        }
    }
    close(s->fd);
    free(s);
}

static void append_op(struct nsop *op)
{
    op->next = NULL;
    if (ops_tail == NULL)
    {
        ops_head = op;
    }
    else
    {
        ops_tail->next = op;
    }
    ops_tail = op;
}

static struct nsop *new_op(enum op_kind kind, const char *path)
{
    struct nsop *op = calloc(1, sizeof *op);
    if (op != NULL)
    {
        op->kind = kind;
        snprintf(op->path, sizeof op->path, "%s", path);
        op->parent = ino_of_parent(path);
        op->from_parent_synced = 1;
    }
    return op;
}

/* Links the backing file at path into the trash; the link's name goes to out. */
static int keep_in_trash(const char *path, char *out)
{
    snprintf(out, PATH_MAX, "%s/%ld", trash_dir, ++trash_seq);
    char src[PATH_MAX * 2];
    snprintf(src, sizeof src, "%s%s", backing, path);
    if (link(src, out) != 0)
    {
        int e = errno;
        out[0] = '\0';
        return -e;
    }
    return 0;
}

static void free_op(struct nsop *op)
{
    if (op->trash[0] != '\0')
    {
        unlink(op->trash);
    }
    free(op);
}

/* An fsync of the directory with inode dir makes every operation on its entries durable. */
static void dir_synced(ino_t dir)
{
    for (struct nsop *op = ops_head; op != NULL; op = op->next)
    {
        if (op->parent == dir)
        {
            op->parent_synced = 1;
        }
        if (op->kind == OP_RENAME && op->from_parent == dir)
        {
            op->from_parent_synced = 1;
        }
    }
    struct nsop **link = &ops_head;
    ops_tail = NULL;
    while (*link != NULL)
    {
        struct nsop *op = *link;
        if (op->parent_synced && op->from_parent_synced)
        {
            *link = op->next;
            free_op(op);
        }
        else
        {
            ops_tail = op;
            link = &op->next;
        }
    }
}

static int frozen(void)
{
    return cut_done ? -EIO : 0;
}

/* ---------- the cut ---------- */

static uint64_t rng;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int restore_file(struct fstate *s, int torn)
{
    static const char zeros[PAGE];
    struct stat st;
    if (fstat(s->fd, &st) != 0)
    {
        return -errno;
    }
    off_t current = st.st_size;
    if (!torn)
    {
        for (int b = 0; b < BUCKETS; b++)
        {
            for (struct page *p = s->buckets[b]; p != NULL; p = p->next)
            {
                off_t at = (off_t)(p->index * PAGE);
                size_t len = s->synced_size - at < PAGE ? (size_t)(s->synced_size - at) : PAGE;
                if (pwrite(s->fd, p->old, len, at) != (ssize_t)len)
                {
                    return -EIO;
                }
            }
        }
        return ftruncate(s->fd, s->synced_size) == 0 ? 0 : -errno;
    }
    off_t size = current > s->synced_size ? current : s->synced_size;
    if (ftruncate(s->fd, size) != 0)
    {
        return -errno;
    }
    /* pages in a deterministic order: by index, bucket by bucket is not, so sort through a scan */
    uint64_t limit = (uint64_t)(s->synced_size + PAGE - 1) / PAGE;
    if (s->pages > 0)
    {
        uint64_t *indexes = malloc(s->pages * sizeof *indexes);
        struct page **all = malloc(s->pages * sizeof *all);
        if (indexes == NULL || all == NULL)
        {
            free(indexes);
            free(all);
            return -ENOMEM;
        }
        size_t n = 0;
        for (int b = 0; b < BUCKETS; b++)
        {
            for (struct page *p = s->buckets[b]; p != NULL; p = p->next)
            {
                all[n++] = p;
            }
        }
        /* insertion sort by index: the number of unsynced pages is small */
        for (size_t i = 1; i < n; i++)
        {
            struct page *x = all[i];
            size_t j = i;
            while (j > 0 && all[j - 1]->index > x->index)
            {
                all[j] = all[j - 1];
                j--;
            }
            all[j] = x;
        }
        for (size_t i = 0; i < n; i++)
        {
            struct page *p = all[i];
            off_t at = (off_t)(p->index * PAGE);
            uint64_t choice = next_random() % 3;
            if (choice == 0)
            {
                /* the synced content, and past the synced size (the file keeps its larger size) zeros */
                size_t len = s->synced_size - at < PAGE ? (size_t)(s->synced_size - at) : PAGE;
                pwrite(s->fd, p->old, len, at);
                size_t whole = size - at < PAGE ? (size_t)(size - at) : PAGE;
                if (whole > len)
                {
                    pwrite(s->fd, zeros, whole - len, at + (off_t)len);
                }
            }
            else if (choice == 1)
            {
                /* zeros where the page changed since the sync: bytes synced and not rewritten are never lost */
                char now[PAGE];
                size_t len = size - at < PAGE ? (size_t)(size - at) : PAGE;
                size_t synced = s->synced_size - at < PAGE ? (size_t)(s->synced_size - at) : PAGE;
                ssize_t n = pread(s->fd, now, len, at);
                if (n < 0)
                {
                    n = 0;
                }
                memset(now + n, 0, len - (size_t)n);
                for (size_t b = 0; b < len; b++)
                {
                    if (b >= synced || now[b] != p->old[b])
                    {
                        now[b] = 0;
                    }
                }
                pwrite(s->fd, now, len, at);
            }
        }
        free(indexes);
        free(all);
    }
    /* beyond the synced size: each written page new or zero */
    for (uint64_t i = limit; (off_t)(i * PAGE) < current; i++)
    {
        off_t at = (off_t)(i * PAGE);
        off_t data = lseek(s->fd, at, SEEK_DATA);
        if (data < 0)
        {
            break;
        }
        if (data >= at + PAGE)
        {
            i = (uint64_t)data / PAGE - 1;
            continue;
        }
        if (next_random() % 2 == 0)
        {
            size_t len = current - at < PAGE ? (size_t)(current - at) : PAGE;
            pwrite(s->fd, zeros, len, at);
        }
    }
    return 0;
}

static void remove_tree(const char *path)
{
    char cmd[PATH_MAX * 2 + 32];
    struct stat st;
    if (lstat(path, &st) != 0)
    {
        return;
    }
    if (!S_ISDIR(st.st_mode))
    {
        unlink(path);
        return;
    }
    DIR *d = opendir(path);
    if (d != NULL)
    {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
        {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            {
                continue;
            }
            snprintf(cmd, sizeof cmd, "%s/%s", path, e->d_name);
            remove_tree(cmd);
        }
        closedir(d);
    }
    rmdir(path);
}

static void undo(struct nsop *op)
{
    char path[PATH_MAX * 2];
    char from[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s%s", backing, op->path);
    snprintf(from, sizeof from, "%s%s", backing, op->from);
    switch (op->kind)
    {
        case OP_CREATE:
        case OP_MKDIR:
            remove_tree(path);
            break;
        case OP_UNLINK:
            if (op->trash[0] != '\0' && rename(op->trash, path) == 0)
            {
                op->trash[0] = '\0';
            }
            break;
        case OP_RMDIR:
            mkdir(path, op->mode);
            break;
        case OP_RENAME:
            if (rename(path, from) != 0)
            {
                say("cannot undo rename %s -> %s: %s", op->from, op->path, strerror(errno));
            }
            if (op->trash[0] != '\0' && rename(op->trash, path) == 0)
            {
                op->trash[0] = '\0';
            }
            break;
    }
}

static int do_cut(int torn, uint64_t seed)
{
    int rc = 0;
    rng = seed * 0x9E3779B97F4A7C15ULL + 0x2545F4914F6CDD1DULL;
    if (rng == 0)
    {
        rng = 1;
    }
    /* files in inode order, for a torn cut that depends on the seed only */
    size_t count = 0;
    for (struct fstate *s = files; s != NULL; s = s->next)
    {
        count++;
    }
    struct fstate **sorted = calloc(count + 1, sizeof *sorted);
    size_t n = 0;
    for (struct fstate *s = files; s != NULL; s = s->next)
    {
        sorted[n++] = s;
    }
    for (size_t i = 1; i < n; i++)
    {
        struct fstate *x = sorted[i];
        size_t j = i;
        while (j > 0 && sorted[j - 1]->ino > x->ino)
        {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = x;
    }
    for (size_t i = 0; i < n; i++)
    {
        int r = restore_file(sorted[i], torn);
        if (r != 0)
        {
            say("cannot restore %s: %s", sorted[i]->path, strerror(-r));
            rc = -EIO;
        }
    }
    for (size_t i = 0; i < n; i++)
    {
        drop_state(sorted[i]);
    }
    free(sorted);
    /* namespace: keep a prefix (none for a clean cut), undo the rest newest first */
    size_t pending = 0;
    for (struct nsop *op = ops_head; op != NULL; op = op->next)
    {
        pending++;
    }
    size_t keep = torn ? (size_t)(next_random() % (pending + 1)) : 0;
    struct nsop **list = calloc(pending + 1, sizeof *list);
    n = 0;
    for (struct nsop *op = ops_head; op != NULL; op = op->next)
    {
        list[n++] = op;
    }
    for (size_t i = n; i > keep; i--)
    {
        undo(list[i - 1]);
    }
    for (size_t i = 0; i < n; i++)
    {
        free_op(list[i]);
    }
    free(list);
    ops_head = NULL;
    ops_tail = NULL;
    cut_done = 1;
    sync();
    say("cut (%s, seed %llu): %zu files restored, %zu namespace operations undone", torn ? "torn" : "clean",
        (unsigned long long)seed, count, pending - keep);
    return rc;
}

static int control(const char *buf, size_t size)
{
    char cmd[PATH_MAX - 64];
    if (size >= sizeof cmd)
    {
        return -EINVAL;
    }
    memcpy(cmd, buf, size);
    cmd[size] = '\0';
    while (size > 0 && (cmd[size - 1] == '\n' || cmd[size - 1] == '\r' || cmd[size - 1] == ' '))
    {
        cmd[--size] = '\0';
    }
    if (strcmp(cmd, "cut") == 0)
    {
        return do_cut(0, 0);
    }
    if (strncmp(cmd, "cut-torn ", 9) == 0)
    {
        char *end;
        unsigned long long seed = strtoull(cmd + 9, &end, 10);
        if (*end != '\0')
        {
            return -EINVAL;
        }
        return do_cut(1, seed);
    }
    if (strncmp(cmd, "fail-fsync ", 11) == 0)
    {
        snprintf(fail_fsync_glob, sizeof fail_fsync_glob, "%s", cmd + 11);
        return 0;
    }
    if (strncmp(cmd, "enospc ", 7) == 0)
    {
        snprintf(enospc_glob, sizeof enospc_glob, "%s", cmd + 7);
        return 0;
    }
    if (strcmp(cmd, "clear") == 0)
    {
        fail_fsync_glob[0] = '\0';
        enospc_glob[0] = '\0';
        return 0;
    }
    return -EINVAL;
}

static size_t render_status(void)
{
    size_t pages = 0;
    long long bytes = 0;
    int dirty = 0;
    size_t pending = 0;
    for (struct nsop *op = ops_head; op != NULL; op = op->next)
    {
        pending++;
    }
    size_t len = 0;
    char lines[sizeof ctl_out / 2];
    size_t lines_len = 0;
    lines[0] = '\0';
    for (struct fstate *s = files; s != NULL; s = s->next)
    {
        struct stat st;
        off_t current = fstat(s->fd, &st) == 0 ? st.st_size : s->synced_size;
        dirty++;
        pages += s->pages;
        bytes += (long long)s->pages * PAGE + (current > s->synced_size ? current - s->synced_size : 0);
        if (lines_len < sizeof lines - PATH_MAX - 100)
        {
            lines_len += snprintf(lines + lines_len, sizeof lines - lines_len, "file %s %lld %lld %zu\n", s->path,
                (long long)s->synced_size, (long long)current, s->pages);
        }
    }
    static const char *kinds[] = { "create", "mkdir", "unlink", "rmdir", "rename" };
    for (struct nsop *op = ops_head; op != NULL; op = op->next)
    {
        if (lines_len < sizeof lines - 2 * PATH_MAX - 100)
        {
            lines_len += snprintf(lines + lines_len, sizeof lines - lines_len, "op %s %s%s%s\n", kinds[op->kind],
                op->kind == OP_RENAME ? op->from : "", op->kind == OP_RENAME ? " -> " : "", op->path);
        }
    }
    len = snprintf(ctl_out, sizeof ctl_out,
        "cut %d\ndirty-files %d\nunsynced-pages %zu\nunsynced-bytes %lld\npending-ops %zu\nfsyncs %ld\ndir-fsyncs %ld\n%s",
        cut_done, dirty, pages, bytes, pending, fsyncs, dir_fsyncs, lines);
    return len;
}

/* ---------- operations ---------- */

static void *lfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    (void)conn;
    cfg->use_ino = 1;
    cfg->entry_timeout = 0;
    cfg->attr_timeout = 0;
    cfg->negative_timeout = 0;
    return NULL;
}

static int lfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    if (strcmp(path, CTL_NAME) == 0)
    {
        memset(st, 0, sizeof *st);
        st->st_mode = S_IFREG | 0600;
        st->st_nlink = 1;
        return 0;
    }
    int rc = fi != NULL && fi->fh != CTL_FH ? fstat((int)fi->fh, st) : fstatat(backing_fd, rel(path), st, AT_SYMLINK_NOFOLLOW);
    return rc == 0 ? 0 : -errno;
}

static int lfs_readlink(const char *path, char *buf, size_t size)
{
    ssize_t n = readlinkat(backing_fd, rel(path), buf, size - 1);
    if (n < 0)
    {
        return -errno;
    }
    buf[n] = '\0';
    return 0;
}

static int lfs_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t offset, struct fuse_file_info *fi,
    enum fuse_readdir_flags flags)
{
    (void)offset;
    (void)fi;
    (void)flags;
    int fd = openat(backing_fd, rel(path), O_RDONLY | O_DIRECTORY);
    if (fd < 0)
    {
        return -errno;
    }
    DIR *d = fdopendir(fd);
    if (d == NULL)
    {
        int e = errno;
        close(fd);
        return -e;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
    {
        struct stat st;
        memset(&st, 0, sizeof st);
        st.st_ino = e->d_ino;
        st.st_mode = (mode_t)e->d_type << 12;
        if (filler(buf, e->d_name, &st, 0, 0))
        {
            break;
        }
    }
    closedir(d);
    return 0;
}

static int lfs_mkdir(const char *path, mode_t mode)
{
    pthread_mutex_lock(&lock);
    int rc = frozen();
    if (rc == 0 && matches(enospc_glob, path))
    {
        rc = -ENOSPC;
    }
    if (rc == 0)
    {
        rc = mkdirat(backing_fd, rel(path), mode) == 0 ? 0 : -errno;
        if (rc == 0)
        {
            struct nsop *op = new_op(OP_MKDIR, path);
            if (op != NULL)
            {
                append_op(op);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int lfs_unlink(const char *path)
{
    pthread_mutex_lock(&lock);
    int rc = frozen();
    if (rc == 0)
    {
        struct nsop *op = new_op(OP_UNLINK, path);
        if (op != NULL)
        {
            keep_in_trash(path, op->trash);
        }
        rc = unlinkat(backing_fd, rel(path), 0) == 0 ? 0 : -errno;
        if (op != NULL)
        {
            if (rc == 0)
            {
                append_op(op);
            }
            else
            {
                free_op(op);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int lfs_rmdir(const char *path)
{
    pthread_mutex_lock(&lock);
    int rc = frozen();
    if (rc == 0)
    {
        struct stat st;
        mode_t mode = fstatat(backing_fd, rel(path), &st, 0) == 0 ? st.st_mode & 07777 : 0755;
        struct nsop *op = new_op(OP_RMDIR, path);
        rc = unlinkat(backing_fd, rel(path), AT_REMOVEDIR) == 0 ? 0 : -errno;
        if (op != NULL)
        {
            op->mode = mode;
            if (rc == 0)
            {
                append_op(op);
            }
            else
            {
                free_op(op);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int lfs_symlink(const char *target, const char *path)
{
    pthread_mutex_lock(&lock);
    int rc = frozen();
    if (rc == 0)
    {
        rc = symlinkat(target, backing_fd, rel(path)) == 0 ? 0 : -errno;
        if (rc == 0)
        {
            struct nsop *op = new_op(OP_CREATE, path);
            if (op != NULL)
            {
                append_op(op);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int lfs_rename(const char *from, const char *to, unsigned int flags)
{
    if (flags != 0)
    {
        return -EINVAL;
    }
    pthread_mutex_lock(&lock);
    int rc = frozen();
    if (rc == 0)
    {
        struct nsop *op = new_op(OP_RENAME, to);
        if (op != NULL)
        {
            snprintf(op->from, sizeof op->from, "%s", from);
            op->from_parent = ino_of_parent(from);
            op->from_parent_synced = 0;
            struct stat st;
            if (fstatat(backing_fd, rel(to), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
            {
                keep_in_trash(to, op->trash);
            }
        }
        rc = renameat(backing_fd, rel(from), backing_fd, rel(to)) == 0 ? 0 : -errno;
        if (op != NULL)
        {
            if (rc == 0)
            {
                append_op(op);
            }
            else
            {
                free_op(op);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int lfs_link(const char *from, const char *to)
{
    pthread_mutex_lock(&lock);
    int rc = frozen();
    if (rc == 0)
    {
        rc = linkat(backing_fd, rel(from), backing_fd, rel(to), 0) == 0 ? 0 : -errno;
        if (rc == 0)
        {
            struct nsop *op = new_op(OP_CREATE, to);
            if (op != NULL)
            {
                /* undone by unlinking the new name only: the content keeps its other names */
                append_op(op);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int lfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    if (cut_done)
    {
        return -EIO;
    }
    int rc = fi != NULL ? fchmod((int)fi->fh, mode) : fchmodat(backing_fd, rel(path), mode, 0);
    return rc == 0 ? 0 : -errno;
}

static int lfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
    if (cut_done)
    {
        return -EIO;
    }
    int rc = fi != NULL ? fchown((int)fi->fh, uid, gid) : fchownat(backing_fd, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW);
    return rc == 0 ? 0 : -errno;
}

/* Changes the size of the file open as fd, keeping the synced pages it drops. Lock held. */
static int resize(int fd, const char *path, off_t size)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
    {
        return -errno;
    }
    if (size > st.st_size && matches(enospc_glob, path))
    {
        return -ENOSPC;
    }
    struct fstate *s = state_for(fd, path);
    if (s == NULL)
    {
        return -EIO;
    }
    if (size < st.st_size)
    {
        int rc = save_range(s, (size / PAGE) * PAGE, st.st_size);
        if (rc != 0)
        {
            return rc;
        }
    }
    return ftruncate(fd, size) == 0 ? 0 : -errno;
}

static int lfs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&lock);
    int rc = frozen();
    if (rc == 0)
    {
        if (fi != NULL && fi->fh != CTL_FH)
        {
            rc = resize((int)fi->fh, path, size);
        }
        else if (strcmp(path, CTL_NAME) == 0)
        {
            rc = 0;
        }
        else
        {
            int fd = openat(backing_fd, rel(path), O_RDWR);
            if (fd < 0)
            {
                rc = -errno;
            }
            else
            {
                rc = resize(fd, path, size);
                close(fd);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int lfs_utimens(const char *path, const struct timespec ts[2], struct fuse_file_info *fi)
{
    if (strcmp(path, CTL_NAME) == 0)
    {
        return 0;
    }
    int rc = fi != NULL && fi->fh != CTL_FH ? futimens((int)fi->fh, ts) : utimensat(backing_fd, rel(path), ts, AT_SYMLINK_NOFOLLOW);
    return rc == 0 ? 0 : -errno;
}

static int lfs_open(const char *path, struct fuse_file_info *fi)
{
    if (strcmp(path, CTL_NAME) == 0)
    {
        fi->fh = CTL_FH;
        fi->direct_io = 1;
        return 0;
    }
    int flags = fi->flags & ~O_TRUNC;
    if ((fi->flags & O_ACCMODE) != O_RDONLY && cut_done)
    {
        return -EIO;
    }
    int fd = openat(backing_fd, rel(path), flags);
    if (fd < 0)
    {
        return -errno;
    }
    if (fi->flags & O_TRUNC)
    {
        pthread_mutex_lock(&lock);
        int rc = cut_done ? -EIO : resize(fd, path, 0);
        pthread_mutex_unlock(&lock);
        if (rc != 0)
        {
            close(fd);
            return rc;
        }
    }
    fi->fh = (uint64_t)fd;
    return 0;
}

static int lfs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&lock);
    int rc = frozen();
    if (rc == 0 && matches(enospc_glob, path))
    {
        rc = -ENOSPC;
    }
    if (rc == 0)
    {
        struct stat st;
        int existed = fstatat(backing_fd, rel(path), &st, AT_SYMLINK_NOFOLLOW) == 0;
        int fd = openat(backing_fd, rel(path), (fi->flags & ~O_TRUNC) | O_CREAT, mode);
        if (fd < 0)
        {
            rc = -errno;
        }
        else
        {
            fi->fh = (uint64_t)fd;
            if (!existed)
            {
                struct nsop *op = new_op(OP_CREATE, path);
                if (op != NULL)
                {
                    append_op(op);
                }
            }
            else if (fi->flags & O_TRUNC)
            {
                rc = resize(fd, path, 0);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int lfs_read(const char *path, char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
    (void)path;
    if (fi->fh == CTL_FH)
    {
        pthread_mutex_lock(&lock);
        size_t len = render_status();
        pthread_mutex_unlock(&lock);
        if (offset >= (off_t)len)
        {
            return 0;
        }
        size_t n = len - offset < size ? len - offset : size;
        memcpy(buf, ctl_out + offset, n);
        return (int)n;
    }
    ssize_t n = pread((int)fi->fh, buf, size, offset);
    return n < 0 ? -errno : (int)n;
}

static int lfs_write(const char *path, const char *buf, size_t size, off_t offset, struct fuse_file_info *fi)
{
    pthread_mutex_lock(&lock);
    int rc;
    if (fi->fh == CTL_FH)
    {
        rc = control(buf, size);
        pthread_mutex_unlock(&lock);
        return rc == 0 ? (int)size : rc;
    }
    rc = frozen();
    if (rc == 0 && matches(enospc_glob, path))
    {
        // a full disk refuses the writes that need new blocks (past the file's size); blocks already reserved
        // (posix_fallocate, or written before) take overwrites, as on ext4 or XFS
        struct stat st;
        if (fstat((int)fi->fh, &st) != 0 || offset + (off_t)size > st.st_size)
        {
            rc = -ENOSPC;
        }
    }
    struct fstate *s = NULL;
    if (rc == 0)
    {
        s = state_for((int)fi->fh, path);
        if (s == NULL)
        {
            rc = -EIO;
        }
    }
    if (rc == 0 && size > 0)
    {
        for (uint64_t i = (uint64_t)offset / PAGE; (off_t)(i * PAGE) < offset + (off_t)size && rc == 0; i++)
        {
            rc = save_page(s, i);
        }
    }
    if (rc == 0)
    {
        ssize_t n = pwrite((int)fi->fh, buf, size, offset);
        rc = n < 0 ? -errno : (int)n;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int lfs_statfs(const char *path, struct statvfs *st)
{
    (void)path;
    return fstatvfs(backing_fd, st) == 0 ? 0 : -errno;
}

static int lfs_flush(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    (void)fi;
    return 0;
}

static int lfs_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    if (fi->fh != CTL_FH)
    {
        close((int)fi->fh);
    }
    return 0;
}

static int lfs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)datasync;
    if (fi->fh == CTL_FH)
    {
        return 0;
    }
    pthread_mutex_lock(&lock);
    int rc = frozen();
    fsyncs++;
    if (rc == 0 && matches(fail_fsync_glob, path))
    {
        fail_fsync_glob[0] = '\0';
        say("injected EIO on fsync of %s", path);
        rc = -EIO;
    }
    if (rc == 0)
    {
        rc = fdatasync((int)fi->fh) == 0 ? 0 : -errno;
    }
    if (rc == 0)
    {
        struct stat st;
        if (fstat((int)fi->fh, &st) == 0)
        {
            struct fstate *s = find_state(st.st_ino);
            if (s != NULL)
            {
                drop_state(s);
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int lfs_opendir(const char *path, struct fuse_file_info *fi)
{
    int fd = openat(backing_fd, rel(path), O_RDONLY | O_DIRECTORY);
    if (fd < 0)
    {
        return -errno;
    }
    fi->fh = (uint64_t)fd;
    return 0;
}

static int lfs_releasedir(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    close((int)fi->fh);
    return 0;
}

static int lfs_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)datasync;
    pthread_mutex_lock(&lock);
    int rc = frozen();
    dir_fsyncs++;
    if (rc == 0 && matches(fail_fsync_glob, path))
    {
        fail_fsync_glob[0] = '\0';
        say("injected EIO on fsync of directory %s", path);
        rc = -EIO;
    }
    if (rc == 0)
    {
        struct stat st;
        rc = fstat((int)fi->fh, &st) == 0 ? 0 : -errno;
        if (rc == 0)
        {
            fsync((int)fi->fh);
            dir_synced(st.st_ino);
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int lfs_fallocate(const char *path, int mode, off_t offset, off_t length, struct fuse_file_info *fi)
{
    if (mode != 0)
    {
        return -EOPNOTSUPP;
    }
    pthread_mutex_lock(&lock);
    int rc = frozen();
    if (rc == 0 && matches(enospc_glob, path))
    {
        rc = -ENOSPC;
    }
    if (rc == 0 && state_for((int)fi->fh, path) == NULL)
    {
        rc = -EIO;
    }
    if (rc == 0)
    {
        rc = -posix_fallocate((int)fi->fh, offset, length);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static const struct fuse_operations ops = {
    .init = lfs_init,
    .getattr = lfs_getattr,
    .readlink = lfs_readlink,
    .readdir = lfs_readdir,
    .mkdir = lfs_mkdir,
    .unlink = lfs_unlink,
    .rmdir = lfs_rmdir,
    .symlink = lfs_symlink,
    .rename = lfs_rename,
    .link = lfs_link,
    .chmod = lfs_chmod,
    .chown = lfs_chown,
    .truncate = lfs_truncate,
    .utimens = lfs_utimens,
    .open = lfs_open,
    .create = lfs_create,
    .read = lfs_read,
    .write = lfs_write,
    .statfs = lfs_statfs,
    .flush = lfs_flush,
    .release = lfs_release,
    .fsync = lfs_fsync,
    .opendir = lfs_opendir,
    .releasedir = lfs_releasedir,
    .fsyncdir = lfs_fsyncdir,
    .fallocate = lfs_fallocate,
};

int main(int argc, char *argv[])
{
    if (argc < 4)
    {
        fprintf(stderr, "usage: lossyfs BACKING TRASH MOUNTPOINT [fuse options]\n");
        return 2;
    }
    backing = realpath(argv[1], NULL);
    trash_dir = realpath(argv[2], NULL);
    if (backing == NULL || trash_dir == NULL)
    {
        fprintf(stderr, "lossyfs: backing %s or trash %s does not exist\n", argv[1], argv[2]);
        return 2;
    }
    backing_fd = open(backing, O_RDONLY | O_DIRECTORY);
    if (backing_fd < 0)
    {
        perror("lossyfs: backing");
        return 2;
    }
    /* what a previous mount left in the trash was made durable or restored; nothing else refers to it */
    remove_tree(trash_dir);
    mkdir(trash_dir, 0700);
    char **fargs = calloc(argc, sizeof *fargs);
    fargs[0] = argv[0];
    for (int i = 3; i < argc; i++)
    {
        fargs[i - 2] = argv[i];
    }
    umask(0);
    return fuse_main(argc - 2, fargs, &ops, NULL);
}
