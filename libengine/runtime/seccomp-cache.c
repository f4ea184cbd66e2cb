/* seccomp-cache.c: compile with libseccomp once, then reuse the BPF.
 *
 * libseccomp builds the filter for three architectures (x86_64, x86, x32)
 * and merges them; for the default allow-list that is ~20 ms of CPU, more
 * than everything else a container start does together.  The result only
 * depends on the profile, the capability set and the library, so it is
 * cached as BPF under the user's run directory and loaded with seccomp(2)
 * directly.  A filter read back is trusted with the containers' confinement,
 * so nobody but the user may have written it: the run directory is checked
 * by its callers (storage/paths.c), the cache directory and every file are
 * checked here (owned by the user, writable by nobody else, a regular file
 * opened without following a symlink), and each file starts with a header
 * carrying the SHA-256 of the program, checked on load.  Anything that
 * fails a check is compiled again, never loaded. */
#include "libengine/runtime/seccomp-cache.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "libengine/runtime/seccomp-profile.h"
#include "libengine/runtime/spec.h"
#include "storage/paths.h"
#include "common/sha256.h"
#include "storage/paths.h"

#define MAX_PROFILE (4u << 20)
#define MAX_PROGRAM 65535

/* A cache file: this header line, then the program's raw sock_filters.
 * "engine-seccomp-bpf-v2 sha256:" + 64 hex digits of the program + "\n". */
#define CACHE_MAGIC "engine-seccomp-bpf-v2 sha256:"
#define CACHE_HEADER_LEN (sizeof(CACHE_MAGIC) - 1 + 64 + 1)

/* The cache key: FNV-1a over everything that shapes the program, twice
 * with different offsets for 128 bits.  Not a cryptographic hash, and it
 * need not be: the cache is the user's own, and using no crypto library
 * here keeps this start-up path free of libcrypto (see docs/performance.md). */
struct key_hash {
	uint64_t a, b;
};

static void key_update(struct key_hash *h, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++) {
		h->a = (h->a ^ p[i]) * 0x100000001b3ULL;
		h->b = (h->b ^ p[i]) * 0x100000001b3ULL;
	}
}

static int cache_key(const char *profile, uint64_t caps, char out[40], struct engine_error **err)
{
	struct key_hash h = { 0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL };
	char head[256];
	const struct scmp_version *v = seccomp_version();
	snprintf(head, sizeof(head), "engine-seccomp-v2 caps=%llx libseccomp=%u.%u.%u ",
		 (unsigned long long)caps, v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
	key_update(&h, head, strlen(head));
	if (profile == NULL) {
		/* The default lives in this binary: any rebuild changes it. */
		struct stat st;
		if (stat("/proc/self/exe", &st) == 0) {
			snprintf(head, sizeof(head), "default dev=%llu ino=%llu size=%lld mtime=%lld.%ld",
				 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
				 (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
			key_update(&h, head, strlen(head));
		}
	} else {
		cleanup_free char *buf = NULL;
		size_t len = 0;
		if (engine_read_file(AT_FDCWD, profile, 0, MAX_PROFILE, &buf, &len, err) < 0)
			return -1;
		key_update(&h, "file ", 5);
		key_update(&h, buf, len);
	}
	snprintf(out, 40, "%016llx%016llx", (unsigned long long)h.a, (unsigned long long)h.b);
	return 0;
}

/* Owned by us and writable by nobody else: what another user (or a
 * process of theirs) cannot have written. */
static bool ours_alone(const struct stat *st)
{
	return st->st_uid == geteuid() && (st->st_mode & 022) == 0;
}

/* The cache directory, made 0700 when missing; -1 when it is not ours
 * alone (then no cache is read or written). */
static int cache_dir_open(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !ours_alone(&st))) {
		engine_debug("seccomp cache %s: not the user's alone, not used", dir);
		close(fd);
		return -1;
	}
	return fd;
}

static int read_cached(int dirfd, const char *name, struct engine_seccomp_program *ret)
{
	cleanup_close int fd =
		openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !ours_alone(&st)) {
		engine_debug("seccomp cache %s: not a file of the user's alone, compiled again", name);
		return -1;
	}
	size_t max = CACHE_HEADER_LEN + MAX_PROGRAM * sizeof(struct sock_filter);
	if (st.st_size <= (off_t)CACHE_HEADER_LEN || (unsigned long long)st.st_size > max)
		return -1;
	size_t len = (size_t)st.st_size;
	cleanup_free char *buf = malloc(len);
	if (buf == NULL)
		return -1;
	ssize_t n;
	do
		n = pread(fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len)
		return -1;
	size_t prog_len = len - CACHE_HEADER_LEN;
	char sum[65];
	const char *magic = CACHE_MAGIC;
	size_t magic_len = strlen(magic);
	if (prog_len % sizeof(struct sock_filter) != 0 || memcmp(buf, magic, magic_len) != 0 ||
	    buf[CACHE_HEADER_LEN - 1] != '\n')
		return -1;
	engine_sha256_hex(buf + CACHE_HEADER_LEN, prog_len, sum);
	if (memcmp(buf + magic_len, sum, 64) != 0) {
		engine_debug("seccomp cache %s: checksum mismatch, compiled again", name);
		return -1;
	}
	struct sock_filter *f = malloc(prog_len);
	if (f == NULL)
		return -1;
	memcpy(f, buf + CACHE_HEADER_LEN, prog_len);
	ret->filter = f;
	ret->len = (unsigned short)(prog_len / sizeof(struct sock_filter));
	return 0;
}

/* Header and program into one buffer, written atomically (a temp file
 * renamed into place, 0600). */
static int write_cached(const char *path, const struct engine_seccomp_program *p,
			struct engine_error **err)
{
	size_t prog_len = p->len * sizeof(struct sock_filter);
	cleanup_free char *buf = malloc(CACHE_HEADER_LEN + prog_len);
	if (buf == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	char sum[65];
	engine_sha256_hex(p->filter, prog_len, sum);
	snprintf(buf, CACHE_HEADER_LEN + 1, "%s%s\n", CACHE_MAGIC, sum);
	memcpy(buf + CACHE_HEADER_LEN, p->filter, prog_len);
	return engine_write_file_atomic(path, buf, CACHE_HEADER_LEN + prog_len, 0600, err);
}

static int compile(const char *profile, uint64_t caps, struct engine_seccomp_program *ret,
		   struct engine_error **err)
{
	struct engine_seccomp_profile *p = NULL;
	int r = profile ? engine_seccomp_profile_load_file(profile, &p, err)
			: engine_seccomp_profile_default(&p, err);
	if (r < 0)
		return -1;
	void *ctx = NULL;
	r = engine_seccomp_compile(p, caps, &ctx, err);
	engine_seccomp_profile_free(p);
	if (r < 0)
		return -1;
	cleanup_close int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0) {
		engine_seccomp_release(ctx);
		return engine_error_errno(err, errno, "memfd_create");
	}
	r = seccomp_export_bpf(ctx, fd);
	engine_seccomp_release(ctx);
	if (r < 0)
		return engine_error_errno(err, -r, "export the seccomp filter");
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
	    size > (off_t)(MAX_PROGRAM * sizeof(struct sock_filter)))
		return engine_error_set(err, EINVAL, "seccomp filter of %lld bytes", (long long)size);
	struct sock_filter *f = malloc((size_t)size);
	if (f == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	if (pread(fd, f, (size_t)size, 0) != size) {
		free(f);
		return engine_error_errno(err, errno, "read the seccomp filter");
	}
	ret->filter = f;
	ret->len = (unsigned short)((size_t)size / sizeof(struct sock_filter));
	return 0;
}

int engine_seccomp_program_get(const char *profile, uint64_t caps, const char *cache_dir,
			       struct engine_seccomp_program *ret, struct engine_error **err)
{
	memset(ret, 0, sizeof(*ret));
	char key[40];
	if (cache_key(profile, caps, key, err) < 0)
		return engine_error_prefix(err, "seccomp");
	char name[48];
	snprintf(name, sizeof(name), "%s.bpf", key);
	cleanup_close int dirfd = cache_dir != NULL ? cache_dir_open(cache_dir) : -1;
	cleanup_free char *path = NULL;
	if (dirfd >= 0 && asprintf(&path, "%s/%s", cache_dir, name) < 0)
		path = NULL;
	if (path != NULL && read_cached(dirfd, name, ret) == 0)
		return 0;
	if (compile(profile, caps, ret, err) < 0)
		return engine_error_prefix(err, "seccomp");
	if (path != NULL) {
		/* A cache we cannot write only costs speed. */
		struct engine_error *local = NULL;
		if (write_cached(path, ret, &local) < 0)
			engine_debug("seccomp cache: %s", local->msg);
		engine_error_free(&local);
	}
	return 0;
}

/* run and exec alike: exec's process gets the program the container's
 * command got, for the exec's caps. */
int engine_seccomp_program_for_spec(const struct engine_run_spec *spec,
				    struct engine_seccomp_program *ret, bool *ret_confined,
				    struct engine_error **err)
{
	*ret_confined = spec->seccomp_profile == NULL || strcmp(spec->seccomp_profile, "unconfined") != 0;
	if (!*ret_confined)
		return 0;
	cleanup_free char *runroot = NULL;
	cleanup_free char *cache = NULL;
	struct engine_error *local = NULL;
	const char *dir = spec->run_root;
	if ((dir == NULL || *dir == '\0') && storage_default_runroot(&runroot, &local) == 0)
		dir = runroot;
	if (dir != NULL && *dir != '\0' && asprintf(&cache, "%s/seccomp", dir) < 0)
		cache = NULL;
	engine_error_free(&local);
	/* The cache is trusted BPF: only from a run root that is the user's
	 * alone (paths.c; the files here are checked as well). */
	if (dir != NULL && *dir != '\0' && storage_runroot_check(dir, true, err) < 0)
		return -1;
	return engine_seccomp_program_get(spec->seccomp_profile, spec->caps, cache, ret, err);
}

int engine_seccomp_program_load(const struct engine_seccomp_program *p, struct engine_error **err)
{
	struct sock_fprog prog = { .len = p->len, .filter = p->filter };
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return engine_error_errno(err, errno, "load the seccomp filter");
	return 0;
}

void engine_seccomp_program_clear(struct engine_seccomp_program *p)
{
	free(p->filter);
	p->filter = NULL;
	p->len = 0;
}
