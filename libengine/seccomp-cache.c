/* seccomp-cache.c: compile with libseccomp once, then reuse the BPF.
 *
 * libseccomp builds the filter for three architectures (x86_64, x86, x32)
 * and merges them; for the default allow-list that is ~20 ms of CPU, more
 * than everything else a container start does together.  The result only
 * depends on the profile, the capability set and the library, so it is
 * cached as raw BPF under the user's run directory and loaded with
 * seccomp(2) directly.  The cache is the user's own (0700): tampering with
 * it could only weaken that same user's containers, which --security-opt
 * seccomp=unconfined allows anyway. */
#include "seccomp-cache.h"

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

#include "cleanup.h"
#include "fs.h"
#include "seccomp-profile.h"

#define MAX_PROFILE (4u << 20)
#define MAX_PROGRAM 65535

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
	snprintf(head, sizeof(head), "engine-seccomp-v1 caps=%llx libseccomp=%u.%u.%u ",
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

static int read_cached(const char *path, struct engine_seccomp_program *ret)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (engine_read_file(AT_FDCWD, path, 0, MAX_PROGRAM * sizeof(struct sock_filter), &buf, &len,
			     NULL) < 0)
		return -1;
	if (len == 0 || len % sizeof(struct sock_filter) != 0)
		return -1;
	ret->filter = (struct sock_filter *)steal_pointer(&buf);
	ret->len = (unsigned short)(len / sizeof(struct sock_filter));
	return 0;
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
	cleanup_free char *path = NULL;
	if (cache_dir != NULL && asprintf(&path, "%s/%s.bpf", cache_dir, key) < 0)
		path = NULL;
	if (path != NULL && read_cached(path, ret) == 0)
		return 0;
	if (compile(profile, caps, ret, err) < 0)
		return engine_error_prefix(err, "seccomp");
	if (path != NULL) {
		/* A cache we cannot write only costs speed. */
		struct engine_error *local = NULL;
		if (engine_mkdir_p(cache_dir, 0700, &local) == 0)
			engine_write_file_atomic(path, ret->filter, ret->len * sizeof(struct sock_filter),
						 0600, &local);
		if (local != NULL)
			engine_debug("seccomp cache: %s", local->msg);
		engine_error_free(&local);
	}
	return 0;
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
