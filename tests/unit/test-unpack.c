/* test-unpack.c: the layer unpacker against layers built here with
 * libarchive's writer: what a good layer becomes (contents, modes, owners,
 * links, whiteouts, the diff_id), and that a hostile one fails by name and
 * leaves nothing outside its target.
 *
 * Everything happens below one mkdtemp() directory, which holds the targets
 * (t1, t2, ...) and a sentinel directory "outside" with one file that the
 * hostile layers aim at.  Runs as root and as an unprivileged user: what is
 * asserted about owners and trusted.* xattrs follows geteuid(). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "tap.h"
#include "storage/unpack.h"

static char base[] = "/tmp/test-unpack-XXXXXX";
static int base_fd = -1;
static int n_targets;
static bool is_root;
/* Who owns the entries: 0 as root, else ourselves (we cannot chown). */
static long owner_uid, owner_gid;

/* ---- building layers in memory ---- */

struct buf {
	unsigned char *data;
	size_t len, cap;
};

static la_ssize_t buf_write(struct archive *a, void *data, const void *p, size_t n)
{
	struct buf *b = data;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *d = realloc(b->data, cap);
		if (d == NULL)
			abort();
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return (la_ssize_t)n;
}

struct layer {
	struct archive *a;
	struct buf out;
};

static void layer_begin(struct layer *l)
{
	memset(l, 0, sizeof(*l));
	l->a = archive_write_new();
	archive_write_set_format_pax(l->a);
	if (archive_write_open2(l->a, &l->out, NULL, buf_write, NULL, NULL) != ARCHIVE_OK)
		abort();
}

/* Finish the tar; the caller frees l->out.data. */
static struct buf layer_end(struct layer *l)
{
	archive_write_close(l->a);
	archive_write_free(l->a);
	return l->out;
}

static struct archive_entry *entry(const char *path, mode_t type, mode_t perm, long uid, long gid)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_uid(e, uid < 0 ? owner_uid : uid);
	archive_entry_set_gid(e, gid < 0 ? owner_gid : gid);
	archive_entry_set_mtime(e, 1000000000, 500);
	return e;
}

static void put(struct layer *l, struct archive_entry *e, const char *data, size_t len)
{
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(l->a, e) < ARCHIVE_WARN) /* WARN: a name not in the locale */
		abort();
	if (len > 0 && archive_write_data(l->a, data, len) != (la_ssize_t)len)
		abort();
	archive_entry_free(e);
}

static void add_file(struct layer *l, const char *path, const char *content, mode_t perm)
{
	put(l, entry(path, AE_IFREG, perm, -1, -1), content, strlen(content));
}

static void add_dir(struct layer *l, const char *path, mode_t perm)
{
	put(l, entry(path, AE_IFDIR, perm, -1, -1), NULL, 0);
}

static void add_symlink(struct layer *l, const char *path, const char *target)
{
	struct archive_entry *e = entry(path, AE_IFLNK, 0777, -1, -1);
	archive_entry_set_symlink(e, target);
	put(l, e, NULL, 0);
}

static void add_hardlink(struct layer *l, const char *path, const char *target)
{
	struct archive_entry *e = entry(path, AE_IFREG, 0644, -1, -1);
	archive_entry_set_hardlink(e, target);
	put(l, e, NULL, 0);
}

static void add_node(struct layer *l, const char *path, mode_t type, int major_, int minor_)
{
	struct archive_entry *e = entry(path, type, 0644, -1, -1);
	archive_entry_set_rdev(e, makedev(major_, minor_));
	put(l, e, NULL, 0);
}

/* A finished tar with one regular file. */
static struct buf one_file_tar(const char *path)
{
	struct layer l;
	layer_begin(&l);
	add_file(&l, path, "x", 0644);
	return layer_end(&l);
}

/* DATA compressed with FILTER ("gzip" or "zstd") through a raw writer. */
static struct buf compress(const struct buf *data, const char *filter)
{
	struct buf out = { 0 };
	struct archive *a = archive_write_new();
	archive_write_set_format_raw(a);
	if (archive_write_add_filter_by_name(a, filter) != ARCHIVE_OK)
		abort();
	/* No zero padding after the compressed stream, as a registry serves it. */
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open2(a, &out, NULL, buf_write, NULL, NULL) != ARCHIVE_OK)
		abort();
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "data");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)data->len);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    archive_write_data(a, data->data, data->len) != (la_ssize_t)data->len)
		abort();
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	return out;
}

/* sha256 of BUF, computed here with OpenSSL directly, not storage/digest.c. */
static void sha256_of(const struct buf *b, char out[STORAGE_DIGEST_MAX])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(b->data, b->len, md, &n, EVP_sha256(), NULL);
	strcpy(out, "sha256:");
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 7 + 2 * i, "%02x", md[i]);
}

/* ---- unpacking ---- */

struct result {
	int rc;
	char diff_id[STORAGE_DIGEST_MAX];
	uint64_t size;
	char msg[512];
	int target; /* O_PATH fd of the target directory */
	char name[32];
};

static int fresh_target(char name[32])
{
	snprintf(name, 32, "t%d", ++n_targets);
	if (mkdirat(base_fd, name, 0755) < 0)
		abort();
	int fd = openat(base_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		abort();
	return fd;
}

static void unpack_fd(struct result *r, int input, const struct storage_unpack_options *opts)
{
	struct engine_error *err = NULL;
	r->diff_id[0] = '\0';
	r->msg[0] = '\0';
	r->size = 0;
	r->rc = storage_unpack_layer(r->target, input, opts, r->diff_id, &r->size, &err);
	if (err != NULL) {
		snprintf(r->msg, sizeof(r->msg), "%s", err->msg);
		printf("# %s\n", err->msg);
	}
	engine_error_free(&err);
}

/* Unpack DATA (from a memfd) into TARGET, or a fresh target when < 0. */
static struct result unpack_into(int target, const struct buf *data,
				 const struct storage_unpack_options *opts)
{
	struct result r;
	memset(&r, 0, sizeof(r));
	r.target = target >= 0 ? target : fresh_target(r.name);
	int fd = memfd_create("layer", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data->data, data->len) != (ssize_t)data->len ||
	    lseek(fd, 0, SEEK_SET) != 0)
		abort();
	unpack_fd(&r, fd, opts);
	close(fd);
	return r;
}

static struct result unpack(const struct buf *data, const struct storage_unpack_options *opts)
{
	return unpack_into(-1, data, opts);
}

static struct storage_unpack_options default_options(void)
{
	struct storage_unpack_options o = {
		.whiteouts = STORAGE_WHITEOUT_OVERLAY_USER,
		.rootless = true,
		.mapped_ids = 65536,
		/* Unprivileged, we cannot chown to the tars' uid 0. */
		.ignore_chown_errors = !is_root,
	};
	return o;
}

/* ---- looking at the result ---- */

static bool lstat_in(int dir, const char *path, struct stat *st)
{
	return fstatat(dir, path, st, AT_SYMLINK_NOFOLLOW) == 0;
}

static bool content_is(int dir, const char *path, const char *want)
{
	char got[256];
	int fd = openat(dir, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, got, sizeof(got) - 1);
	close(fd);
	if (n < 0)
		return false;
	got[n] = '\0';
	return strcmp(got, want) == 0;
}

static bool xattr_is(int dir, const char *path, const char *name, const char *want)
{
	char proc[128], got[64];
	int fd = openat(dir, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ssize_t n = getxattr(proc, name, got, sizeof(got) - 1);
	close(fd);
	if (n < 0)
		return false;
	got[n] = '\0';
	return strcmp(got, want) == 0;
}

/* Nothing escaped: BASE holds only the targets and "outside", and
 * "outside" holds only "secret", unchanged and with one link. */
static bool outside_clean(void)
{
	int fd = openat(base_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fdopendir(fd);
	bool clean = d != NULL;
	struct dirent *de;
	while (clean && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "outside") == 0)
			continue;
		if (de->d_name[0] != 't' || de->d_type != DT_DIR) {
			printf("# unexpected %s next to the targets\n", de->d_name);
			clean = false;
		}
	}
	if (d != NULL)
		closedir(d);
	fd = openat(base_fd, "outside", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fdopendir(fd);
	clean = clean && d != NULL;
	while (clean && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, "secret") != 0) {
			printf("# unexpected outside/%s\n", de->d_name);
			clean = false;
		}
	}
	if (d != NULL)
		closedir(d);
	struct stat st;
	return clean && lstat_in(base_fd, "outside/secret", &st) && st.st_nlink == 1 &&
	       (st.st_mode & 07777) == 0600 && content_is(base_fd, "outside/secret", "secret\n");
}

/* A hostile layer: it must fail, say WANT, and leave the outside alone. */
static void refused(const struct buf *data, const struct storage_unpack_options *opts,
		    const char *want, const char *what)
{
	struct result r = unpack(data, opts);
	ok(r.rc < 0 && strstr(r.msg, want) != NULL && outside_clean(), "%s: refused (\"%s\")",
	   what, want);
	close(r.target);
}

/* ---- the tests ---- */

static void test_regular_layer(void)
{
	uid_t uid = is_root ? 1000 : geteuid();
	gid_t gid = is_root ? 1000 : getegid();
	struct layer l;
	layer_begin(&l);
	add_dir(&l, "./", 0755);
	add_dir(&l, "etc", 0755);
	put(&l, entry("etc/hello", AE_IFREG, 0640, uid, gid), "hello\n", 6);
	add_dir(&l, "bin", 0755);
	add_file(&l, "bin/su", "#!/bin/su\n", 04755);
	add_file(&l, "bin/sgid", "g\n", 02755);
	add_symlink(&l, "bin/sh", "/bin/busybox");
	add_hardlink(&l, "bin/hello-link", "etc/hello");
	add_node(&l, "run/fifo", AE_IFIFO, 0, 0);
	add_dir(&l, "ro", 0555);
	add_file(&l, "ro/inside", "in\n", 0444);
	add_dir(&l, "sticky", 01777);
	add_file(&l, "deep/er/file", "auto parents\n", 0600);
	add_file(&l, "twice", "first\n", 0644);
	add_file(&l, "twice", "second\n", 0644);
	add_file(&l, "caf\xc3\xa9", "utf-8 name\n", 0644);
	struct buf tar = layer_end(&l);

	struct storage_unpack_options o = default_options();
	o.ignore_chown_errors = false; /* the owners are ours, or we are root */
	struct result r = unpack(&tar, &o);
	char want[STORAGE_DIGEST_MAX];
	sha256_of(&tar, want);
	is_int(r.rc, 0, "a regular layer unpacks");
	is_str(r.diff_id, want, "diff_id is the sha256 of the whole uncompressed tar");
	is_int(r.size, tar.len, "size is the uncompressed length, trailing blocks included");

	int t = openat(r.target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st, st2;
	ok(content_is(t, "etc/hello", "hello\n"), "file content");
	ok(lstat_in(t, "etc/hello", &st) && (st.st_mode & 07777) == 0640, "file mode");
	ok(st.st_mtim.tv_sec == 1000000000 && st.st_mtim.tv_nsec == 500, "file mtime");
	ok(st.st_uid == uid && st.st_gid == gid, "owner %u:%u", (unsigned)uid, (unsigned)gid);
	ok(lstat_in(t, "bin/su", &st) && (st.st_mode & 07777) == 04755, "setuid bit kept");
	ok(lstat_in(t, "bin/sgid", &st) && (st.st_mode & 07777) == 02755, "setgid bit kept");
	char link[64] = "";
	ok(readlinkat(t, "bin/sh", link, sizeof(link) - 1) > 0 && strcmp(link, "/bin/busybox") == 0,
	   "symlink target kept as written");
	ok(lstat_in(t, "etc/hello", &st) && lstat_in(t, "bin/hello-link", &st2) &&
		   st.st_ino == st2.st_ino && st.st_nlink == 2,
	   "hardlink is the same inode");
	ok(lstat_in(t, "run/fifo", &st) && S_ISFIFO(st.st_mode), "fifo");
	ok(lstat_in(t, "run", &st) && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755,
	   "missing parent created 0755");
	ok(lstat_in(t, "ro", &st) && (st.st_mode & 07777) == 0555 &&
		   st.st_mtim.tv_sec == 1000000000 && content_is(t, "ro/inside", "in\n"),
	   "read-only dir: filled, then its mode and mtime set");
	ok(lstat_in(t, "sticky", &st) && (st.st_mode & 07777) == 01777, "sticky bit kept");
	ok(lstat_in(t, ".", &st) && st.st_mtim.tv_sec == 1000000000, "./ entry sets the root");
	ok(content_is(t, "deep/er/file", "auto parents\n"), "file below missing parents");
	ok(content_is(t, "twice", "second\n"), "a later entry replaces an earlier one");
	ok(content_is(t, "caf\xc3\xa9", "utf-8 name\n"), "a UTF-8 name stays bytes");
	close(t);
	close(r.target);

	struct buf gz = compress(&tar, "gzip");
	r = unpack(&gz, &o);
	ok(r.rc == 0 && strcmp(r.diff_id, want) == 0 && r.size == tar.len,
	   "gzip: same diff_id and size as the uncompressed tar");
	close(r.target);

	struct buf zst = compress(&tar, "zstd");
	r = unpack(&zst, &o);
	ok(r.rc == 0 && strcmp(r.diff_id, want) == 0, "zstd: same diff_id");
	t = openat(r.target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok(content_is(t, "etc/hello", "hello\n"), "zstd: content");
	close(t);
	close(r.target);

	/* From a pipe, as the pull code feeds it. */
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		size_t off = 0;
		while (off < gz.len) {
			ssize_t w = write(p[1], gz.data + off, gz.len - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	memset(&r, 0, sizeof(r));
	r.target = fresh_target(r.name);
	unpack_fd(&r, p[0], &o);
	close(p[0]);
	waitpid(pid, NULL, 0);
	ok(r.rc == 0 && strcmp(r.diff_id, want) == 0, "gzip through a pipe");
	close(r.target);

	/* Garbage after the tar's end is still part of the blob's digest. */
	struct buf extended = { malloc(tar.len + 4096), tar.len + 4096, tar.len + 4096 };
	memcpy(extended.data, tar.data, tar.len);
	memset(extended.data + tar.len, 'z', 4096);
	sha256_of(&extended, want);
	r = unpack(&extended, &o);
	ok(r.rc == 0 && strcmp(r.diff_id, want) == 0 && r.size == extended.len,
	   "bytes after the end of the tar are hashed too");
	close(r.target);

	free(extended.data);
	free(zst.data);
	free(gz.data);
	free(tar.data);
}

static void test_owners(void)
{
	struct layer l;
	layer_begin(&l);
	put(&l, entry("etc/shadow", AE_IFREG, 0640, 0, 70000), "x", 1);
	struct buf tar = layer_end(&l);
	struct storage_unpack_options o = default_options();
	o.ignore_chown_errors = false;
	refused(&tar, &o, "entry etc/shadow: gid 70000 is not mapped", "owner outside the mapping");

	o.ignore_chown_errors = true;
	struct result r = unpack(&tar, &o);
	struct stat st;
	ok(r.rc == 0 && fstatat(r.target, "etc/shadow", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		   st.st_uid == geteuid() && (st.st_mode & 07777) == 0640,
	   "single-id mapping: no chown, owned by the caller");
	close(r.target);
	free(tar.data);
}

static void test_whiteouts(void)
{
	struct layer l;
	layer_begin(&l);
	add_dir(&l, "a", 0755);
	add_file(&l, "a/.wh.gone", "", 0644);
	add_dir(&l, "opq", 0755);
	add_file(&l, "opq/.wh..wh..opq", "", 0644);
	add_file(&l, "opq/new", "new\n", 0644);
	add_node(&l, "cdev-whiteout", AE_IFCHR, 0, 0);
	add_file(&l, ".wh..wh.plnk/123.456", "aufs\n", 0644);
	add_file(&l, "./.wh..wh..opq", "", 0644);
	struct buf tar = layer_end(&l);

	struct storage_unpack_options o = default_options();
	struct result r = unpack(&tar, &o);
	int t = openat(r.target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	is_int(r.rc, 0, "a layer with whiteouts unpacks");
	ok(lstat_in(t, "a/gone", &st) && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0),
	   "whiteout is a 0/0 char device");
	ok(!lstat_in(t, "a/.wh.gone", &st), "no .wh. file left");
	ok(xattr_is(t, "opq", "user.overlay.opaque", "y"), "opaque: user.overlay.opaque=y");
	ok(xattr_is(t, "opq", "user.fuseoverlayfs.opaque", "y"),
	   "opaque: user.fuseoverlayfs.opaque=y");
	ok(content_is(t, "opq/new", "new\n") && !lstat_in(t, "opq/.wh..wh..opq", &st),
	   "opaque dir keeps this layer's entries, no marker file");
	ok(lstat_in(t, "cdev-whiteout", &st) && S_ISCHR(st.st_mode),
	   "a 0/0 char device entry is a whiteout, allowed rootless");
	ok(!lstat_in(t, ".wh..wh.plnk", &st), "aufs metadata skipped");
	ok(xattr_is(t, ".", "user.overlay.opaque", "y"), "an opaque marker at the top");
	close(t);
	close(r.target);

	o.whiteouts = STORAGE_WHITEOUT_OVERLAY_TRUSTED;
	o.rootless = false;
	r = unpack(&tar, &o);
	t = openat(r.target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (is_root)
		ok(r.rc == 0 && xattr_is(t, "opq", "trusted.overlay.opaque", "y") &&
			   !xattr_is(t, "opq", "user.overlay.opaque", "y"),
		   "root: opaque is trusted.overlay.opaque=y");
	else
		ok(r.rc < 0 && strstr(r.msg, "entry opq/.wh..wh..opq: set trusted.overlay.opaque"),
		   "unprivileged: trusted.overlay.opaque fails by name");
	close(t);
	close(r.target);
	free(tar.data);
}

static void test_keep_whiteouts(void)
{
	struct storage_unpack_options o = default_options();
	o.whiteouts = STORAGE_WHITEOUT_KEEP;
	struct layer l;
	layer_begin(&l);
	add_file(&l, "a/x", "x\n", 0644);
	add_file(&l, "a/y", "y\n", 0644);
	add_file(&l, "d/old", "old\n", 0644);
	add_file(&l, "d/sub/older", "older\n", 0644);
	add_file(&l, "d/sub/kept", "lower\n", 0644);
	struct buf lower = layer_end(&l);
	layer_begin(&l);
	add_file(&l, "a/.wh.x", "", 0644);
	add_file(&l, "d/sub/kept", "upper\n", 0644);
	add_file(&l, "d/.wh..wh..opq", "", 0644);
	add_file(&l, "d/new", "new\n", 0644);
	struct buf upper = layer_end(&l);

	struct result r = unpack(&lower, &o);
	struct result r2 = unpack_into(r.target, &upper, &o);
	int t = openat(r.target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	ok(r.rc == 0 && r2.rc == 0, "vfs: two layers into one directory");
	ok(!lstat_in(t, "a/x", &st) && content_is(t, "a/y", "y\n"),
	   "vfs: a whiteout deletes, its sibling stays");
	ok(!lstat_in(t, "d/old", &st) && !lstat_in(t, "d/sub/older", &st) &&
		   content_is(t, "d/new", "new\n") && content_is(t, "d/sub/kept", "upper\n"),
	   "vfs: opaque dir keeps only the upper layer's entries");
	close(t);
	close(r.target);
	free(lower.data);
	free(upper.data);
}

/* One entry of a hostile layer: KIND 'f' a file holding TARGET (NULL:
 * "x", as one_file_tar writes it), 'd' a
 * directory, 's' a symlink to TARGET (NULL: the absolute path of base's
 * outside/), 'h' a hardlink to TARGET, 'c' or 'b' a character or block
 * device DEVICE_MAJOR:DEVICE_MINOR. */
struct hostile_entry {
	char kind;
	const char *path, *target;
	int device_major, device_minor;
};

/* A layer of one or two entries, refused with WANT. */
struct hostile_layer {
	struct hostile_entry entries[2];
	const char *want, *what;
};

/* Each case's layer is refused (OUTSIDE_ABS: base's outside/). */
static void refused_layers(const struct hostile_layer *cases, size_t n,
			   const struct storage_unpack_options *opts, const char *outside_abs)
{
	for (size_t i = 0; i < n; i++) {
		struct layer l;
		layer_begin(&l);
		for (size_t k = 0; k < 2 && cases[i].entries[k].kind != 0; k++) {
			const struct hostile_entry *e = &cases[i].entries[k];
			switch (e->kind) {
			case 'f':
				add_file(&l, e->path, e->target != NULL ? e->target : "x", 0644);
				break;
			case 'd':
				add_dir(&l, e->path, 0755);
				break;
			case 's':
				add_symlink(&l, e->path, e->target != NULL ? e->target : outside_abs);
				break;
			case 'h':
				add_hardlink(&l, e->path, e->target);
				break;
			default:
				add_node(&l, e->path, e->kind == 'c' ? AE_IFCHR : AE_IFBLK, e->device_major,
					 e->device_minor);
			}
		}
		struct buf b = layer_end(&l);
		refused(&b, opts, cases[i].want, cases[i].what);
		free(b.data);
	}
}

/* Entries that would land outside the layer's tree. */
static const struct hostile_layer escapes[] = {
	{ { { 'f', "../x" } }, "entry ../x escapes the layer", "../ entry" },
	{ { { 'f', "a/../../x" } }, "escapes the layer", "a/../../ entry" },
	{ { { 'f', "/tmp/abs" } }, "entry /tmp/abs escapes the layer", "absolute path" },
	{ { { 's', "a", "../outside" }, { 'f', "a/evil", "evil\n" } },
	  "entry a/evil goes through a symlink",
	  "file through a relative symlink" },
	{ { { 's', "etc", NULL }, { 'f', "etc/passwd", "evil\n" } },
	  "entry etc/passwd goes through a symlink",
	  "file through an absolute symlink" },
	{ { { 's', "d", "../outside" }, { 'd', "d/sub" } },
	  "entry d/sub/ goes through a symlink",
	  "directory through a symlink" },
	{ { { 'h', "h", "../outside/secret" } },
	  "hardlink target ../outside/secret escapes the layer",
	  "hardlink to ../" },
	{ { { 'h', "h", "/etc/passwd" } },
	  "hardlink target /etc/passwd escapes the layer",
	  "hardlink to /etc/passwd" },
	{ { { 'h', "h", "etc/passwd" } },
	  "hardlink target etc/passwd is not in this layer",
	  "hardlink to a file the layer never wrote" },
	{ { { 's', "s", "../outside" }, { 'h', "s/secret-link", "s/secret" } },
	  "entry s/secret-link goes through a symlink",
	  "hardlink through a symlinked directory" },
};

/* Entries no layer may hold: whiteouts of . and .., and (rootless) device
 * nodes. */
static const struct hostile_layer bad_entries[] = {
	{ { { 'f', "a/.wh..." } }, "entry a/.wh... is an invalid whiteout", "whiteout of .." },
	{ { { 'f', ".wh.." } }, "invalid whiteout", "whiteout of ." },
	{ { { 'c', "dev/null", NULL, 1, 3 } },
	  "entry dev/null is a device node",
	  "char device when rootless" },
	{ { { 'b', "dev/sda", NULL, 8, 0 } },
	  "entry dev/sda is a device node",
	  "block device when rootless" },
};

static void test_hostile(void)
{
	struct storage_unpack_options o = default_options();
	struct buf b;
	struct layer l;
	char outside_abs[128];
	snprintf(outside_abs, sizeof(outside_abs), "%s/outside", base);

	refused_layers(escapes, ARRAY_SIZE(escapes), &o, outside_abs);

	/* A hardlink to a symlink is a second symlink, nothing more. */
	layer_begin(&l);
	add_symlink(&l, "s", "../outside/secret");
	add_hardlink(&l, "h", "s");
	b = layer_end(&l);
	struct result r = unpack(&b, &o);
	struct stat st;
	ok(r.rc == 0 && fstatat(r.target, "h", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		   S_ISLNK(st.st_mode) && outside_clean(),
	   "hardlink to an outward symlink stays a symlink; the outside file is untouched");
	close(r.target);
	free(b.data);

	/* A file over a symlink replaces the symlink, never writes through. */
	layer_begin(&l);
	add_symlink(&l, "s", "../outside/secret");
	add_file(&l, "s", "replaced\n", 0644);
	add_symlink(&l, "d", "../outside");
	add_dir(&l, "d", 0755);
	b = layer_end(&l);
	r = unpack(&b, &o);
	ok(r.rc == 0 && fstatat(r.target, "s", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		   S_ISREG(st.st_mode) && fstatat(r.target, "d", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		   S_ISDIR(st.st_mode) && outside_clean(),
	   "a file or directory over a symlink replaces it");
	close(r.target);
	free(b.data);

	refused_layers(bad_entries, ARRAY_SIZE(bad_entries), &o, outside_abs);

	static const char *const control[] = { "trusted.overlay.opaque", "user.overlay.redirect",
					       "user.fuseoverlayfs.opaque" };
	for (size_t i = 0; i < sizeof(control) / sizeof(control[0]); i++) {
		layer_begin(&l);
		struct archive_entry *e = entry("dir", AE_IFDIR, 0755, -1, -1);
		archive_entry_xattr_add_entry(e, control[i], "y", 1);
		put(&l, e, NULL, 0);
		b = layer_end(&l);
		char want[128];
		snprintf(want, sizeof(want), "entry dir/: xattr %s controls the overlay", control[i]);
		refused(&b, &o, want, control[i]);
		free(b.data);
	}

	b = one_file_tar(".");
	refused(&b, &o, "entry . is not a directory", "the root as a file");
	free(b.data);
}

static void test_bad_streams(void)
{
	struct storage_unpack_options o = default_options();
	struct layer l;

	/* 16 MiB of zeros gzip to a few KiB: bombs against a 1 MiB bound, one
	 * in a file (its size is known from the header), one after the tar's
	 * end (only the stream's length tells). */
	size_t big = 16u << 20;
	char *zeros = calloc(1, big);
	layer_begin(&l);
	put(&l, entry("bomb", AE_IFREG, 0644, -1, -1), zeros, big);
	struct buf tar = layer_end(&l);
	struct buf gz = compress(&tar, "gzip");
	o.max_bytes = 1u << 20;
	refused(&gz, &o, "entry bomb: files add up to more than 1048576 bytes",
		"gzip bomb in a file over max_bytes");
	ok(gz.len < (64u << 10), "(the bomb is %zu bytes compressed)", gz.len);
	free(tar.data);
	free(gz.data);
	layer_begin(&l);
	add_file(&l, "small", "small\n", 0644);
	tar = layer_end(&l);
	tar.data = realloc(tar.data, tar.len + big);
	memset(tar.data + tar.len, 0, big);
	tar.len += big;
	gz = compress(&tar, "gzip");
	refused(&gz, &o, "layer: uncompressed size exceeds 1048576 bytes",
		"gzip bomb after the tar over max_bytes");
	o.max_bytes = 0;
	free(tar.data);

	/* A truncated gzip stream, and a truncated tar. */
	struct buf cut = { gz.data, gz.len / 2, gz.len };
	refused(&cut, &o, "layer: truncated gzip input", "truncated gzip stream");
	free(gz.data);
	layer_begin(&l);
	put(&l, entry("a", AE_IFREG, 0644, -1, -1), zeros, 100000);
	tar = layer_end(&l);
	cut = (struct buf){ tar.data, 50000, tar.len };
	refused(&cut, &o, "layer: entry a: Truncated tar archive", "tar cut inside a file's data");
	free(zeros);

	/* Nested compression and plain garbage. */
	gz = compress(&tar, "gzip");
	struct buf gzgz = compress(&gz, "gzip");
	refused(&gzgz, &o, "nested compression", "gzip inside gzip");
	free(gzgz.data);
	free(gz.data);
	free(tar.data);

	unsigned char noise[4096];
	for (size_t i = 0; i < sizeof(noise); i++)
		noise[i] = (unsigned char)(i * 2654435761u >> 13);
	struct buf garbage = { noise, sizeof(noise), sizeof(noise) };
	refused(&garbage, &o, "layer: ", "garbage input");
	struct buf empty = { noise, 0, 0 };
	refused(&empty, &o, "layer: the stream is empty", "empty input");
	struct buf gz_empty = compress(&empty, "gzip");
	refused(&gz_empty, &o, "layer: the stream is empty", "gzip of nothing");
	free(gz_empty.data);
}

static void test_remove_tree(void)
{
	/* What an overlay workdir leaves behind: mode 000 directories. */
	int fd = -1;
	ok(mkdirat(base_fd, "rm", 0755) == 0 && mkdirat(base_fd, "rm/work", 0755) == 0 &&
		   mkdirat(base_fd, "rm/work/work", 0755) == 0 &&
		   (fd = openat(base_fd, "rm/work/work/f", O_CREAT | O_WRONLY | O_CLOEXEC, 0)) >= 0 &&
		   symlinkat("../../outside", base_fd, "rm/work/out") == 0 &&
		   fchmodat(base_fd, "rm/work/work", 0, 0) == 0 && fchmodat(base_fd, "rm/work", 0, 0) == 0,
	   "a tree with mode 000 directories and an outward symlink");
	if (fd >= 0)
		close(fd);
	/* Deeper than the levels kept open, to go back up through "..". */
	int cur = openat(base_fd, "rm", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < 150 && cur >= 0; i++) {
		mkdirat(cur, "d", 0700);
		int next = openat(cur, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (i % 7 == 0)
			close(openat(cur, "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
		close(cur);
		cur = next;
	}
	if (cur >= 0)
		close(cur);
	struct engine_error *err = NULL;
	struct stat st;
	ok(storage_remove_tree(base_fd, "rm", &err) == 0 && !lstat_in(base_fd, "rm", &st),
	   "storage_remove_tree removes it all");
	if (err != NULL)
		printf("# %s\n", err->msg);
	engine_error_free(&err);
	ok(outside_clean(), "without following the symlink");
	ok(storage_remove_tree(base_fd, "rm", &err) == 0, "a missing tree is success");
}

/* Real root: uid 0 in the initial user namespace, whose map is the whole
 * range.  Root of a user namespace cannot set trusted.* xattrs and may
 * lack uid 1000, so it is tested as an unprivileged user is. */
static bool real_root(void)
{
	char map[128] = "";
	FILE *f = fopen("/proc/self/uid_map", "re");
	if (f != NULL) {
		if (fgets(map, sizeof(map), f) == NULL)
			map[0] = '\0';
		fclose(f);
	}
	unsigned long inside, outside, count;
	return geteuid() == 0 && sscanf(map, "%lu %lu %lu", &inside, &outside, &count) == 3 &&
	       inside == 0 && outside == 0 && count == 4294967295UL;
}

int main(void)
{
	is_root = real_root();
	owner_uid = is_root ? 0 : (long)geteuid();
	owner_gid = is_root ? 0 : (long)getegid();
	if (mkdtemp(base) == NULL)
		return 99;
	base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (base_fd < 0 || mkdirat(base_fd, "outside", 0755) < 0)
		return 99;
	int fd = openat(base_fd, "outside/secret", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "secret\n", 7) != 7)
		return 99;
	close(fd);
	printf("# running as %s in %s\n", is_root ? "root" : "an unprivileged user", base);

	test_regular_layer();
	test_owners();
	test_whiteouts();
	test_keep_whiteouts();
	test_hostile();
	test_bad_streams();
	test_remove_tree();

	struct engine_error *err = NULL;
	char *slash = strrchr(base, '/');
	*slash = '\0';
	int tmp = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok(storage_remove_tree(tmp, slash + 1, &err) == 0, "clean up the test directory");
	engine_error_free(&err);
	close(tmp);
	close(base_fd);
	return done_testing();
}
