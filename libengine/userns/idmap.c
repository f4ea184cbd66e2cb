/* idmap.c: how the user's ids map into the container.
 *
 * Privilege is decided here and nowhere else:
 *   - euid 0 on the host: no user namespace is needed (root mode), and the
 *     container's root is the host's root, as with rootful Podman.
 *   - a user with /etc/subuid and /etc/subgid ranges and the setuid
 *     newuidmap/newgidmap helpers: container 0 = the user, 1..N = the ranges.
 *     Only those helpers may write a multi-line map for us; that is the
 *     kernel's rule (CAP_SETUID in the parent namespace).
 *   - otherwise a single mapping, 0 = the user, which an unprivileged process
 *     may write itself after denying setgroups(2) (since 3.19 the kernel
 *     demands that, or a process could drop a group that was denying it
 *     access).  This is what Charliecloud runs on, and it is enough for most
 *     images that never change owner.
 * We never carry a setuid bit ourselves; main() refuses to run with one. */
#include "libengine/userns/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <shadow/subid.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"

extern char **environ;

size_t engine_idmap_compute(uint32_t own, const struct engine_id_range *ranges, size_t n_ranges,
			    struct engine_idmap_range *out, size_t max_out)
{
	/* (uid_t)-1 is "no id" to the kernel: it can never be mapped. */
	if (max_out == 0 || own == UINT32_MAX)
		return 0;
	size_t n = 0;
	out[n++] = (struct engine_idmap_range){ .container = 0, .host = own, .count = 1 };
	uint64_t next = 1;
	for (size_t i = 0; i < n_ranges && n < max_out; i++) {
		uint64_t start = ranges[i].start, count = ranges[i].count;
		if (count == 0 || start > UINT32_MAX - 1)
			continue;
		if (start + count > (uint64_t)UINT32_MAX)
			count = (uint64_t)UINT32_MAX - start;
		/* A range that covers the user's own id would map it twice, which
		 * the kernel rejects: keep the part before it, and the part after
		 * it as another line. */
		uint64_t pieces[2][2] = { { start, count }, { 0, 0 } };
		if (own >= start && own < start + count) {
			pieces[0][1] = own - start;
			pieces[1][0] = (uint64_t)own + 1;
			pieces[1][1] = start + count - ((uint64_t)own + 1);
		}
		for (int p = 0; p < 2 && n < max_out; p++) {
			uint64_t c = pieces[p][1];
			if (c == 0)
				continue;
			if (next + c > (uint64_t)UINT32_MAX)
				c = (uint64_t)UINT32_MAX - next;
			if (c == 0)
				break;
			out[n++] = (struct engine_idmap_range){
				.container = (uint32_t)next, .host = (uint32_t)pieces[p][0], .count = (uint32_t)c
			};
			next += c;
		}
	}
	return n;
}

uint64_t engine_idmap_total(const struct engine_idmap_range *r, size_t n)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += r[i].count;
	return total;
}

int engine_idmap_format(const struct engine_idmap_range *r, size_t n, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, size - used, "%u %u %u\n", r[i].container, r[i].host,
				 r[i].count);
		if (w < 0 || (size_t)w >= size - used)
			return -ENOSPC;
		used += (size_t)w;
	}
	return (int)used;
}

/* Find a setuid helper on a fixed list of places, not $PATH: a user-writable
 * directory earlier in $PATH must not be able to pose as it. */
static int find_helper(const char *name, char *out, size_t size)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/sbin", "/sbin",
					    "/usr/local/bin" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(out, size, "%s/%s", dirs[i], name);
		struct stat st;
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return 0;
	}
	out[0] = '\0';
	return -ENOENT;
}

static void set_single(struct engine_idmap *map, const char *why)
{
	map->mode = ENGINE_IDMAP_SINGLE;
	map->uids[0] = (struct engine_idmap_range){ 0, (uint32_t)map->uid, 1 };
	map->gids[0] = (struct engine_idmap_range){ 0, (uint32_t)map->gid, 1 };
	map->n_uids = map->n_gids = 1;
	snprintf(map->warning, sizeof(map->warning),
		 "%s: using a single-id mapping (only root is mapped inside the container)", why);
}

static int get_ranges(int uid_kind, const char *owner, struct engine_id_range **ret)
{
	struct subid_range *r = NULL;
	int n = uid_kind ? subid_get_uid_ranges(owner, &r) : subid_get_gid_ranges(owner, &r);
	if (n <= 0) {
		free(r);
		*ret = NULL;
		return n < 0 ? n : 0;
	}
	struct engine_id_range *out = calloc((size_t)n, sizeof(*out));
	if (out == NULL) {
		free(r);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		out[i] = (struct engine_id_range){ r[i].start, r[i].count };
	free(r);
	*ret = out;
	return n;
}

int engine_idmap_detect(struct engine_idmap *map, struct engine_error **err)
{
	memset(map, 0, sizeof(*map));
	map->uid = geteuid();
	map->gid = getegid();
	if (map->uid == 0) {
		map->mode = ENGINE_IDMAP_ROOT;
		map->uids[0] = (struct engine_idmap_range){ 0, 0, UINT32_MAX };
		map->gids[0] = (struct engine_idmap_range){ 0, 0, UINT32_MAX };
		map->n_uids = map->n_gids = 1;
		return 0;
	}

	const char *user = NULL;
	char numeric[16];
	struct passwd *pw = getpwuid(map->uid);
	if (pw != NULL)
		user = pw->pw_name;
	else {
		snprintf(numeric, sizeof(numeric), "%u", (unsigned)map->uid);
		user = numeric;
	}

	if (find_helper("newuidmap", map->newuidmap, sizeof(map->newuidmap)) < 0 ||
	    find_helper("newgidmap", map->newgidmap, sizeof(map->newgidmap)) < 0) {
		set_single(map, "newuidmap/newgidmap not found (install the uidmap package)");
		return 0;
	}

	/* libsubid logs to the FILE it is given; we report failures ourselves. */
	static FILE *devnull;
	if (devnull == NULL)
		devnull = fopen("/dev/null", "we");
	if (devnull != NULL)
		subid_init("engine", devnull);

	cleanup_free struct engine_id_range *ur = NULL;
	cleanup_free struct engine_id_range *gr = NULL;
	int nu = get_ranges(1, user, &ur);
	int ng = get_ranges(0, user, &gr);
	if (nu <= 0 || ng <= 0) {
		char why[256];
		snprintf(why, sizeof(why), "no %s range for %s in /etc/%s",
			 nu <= 0 ? "subuid" : "subgid", user, nu <= 0 ? "subuid" : "subgid");
		set_single(map, why);
		return 0;
	}
	map->mode = ENGINE_IDMAP_SUBID;
	map->n_uids = engine_idmap_compute(map->uid, ur, (size_t)nu, map->uids, ENGINE_IDMAP_MAX);
	map->n_gids = engine_idmap_compute(map->gid, gr, (size_t)ng, map->gids, ENGINE_IDMAP_MAX);
	(void)err;
	return 0;
}

static int write_proc_file(pid_t pid, const char *file, const char *text, struct engine_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s", path);
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len)
		return engine_error_errno(err, errno, "write %s", path);
	return 0;
}

/* posix_spawn the helper with "PID c h n c h n ..." and its stderr on a pipe
 * so a failure can be reported in our one error line. */
static int spawn_map_helper(const char *helper, pid_t pid, const struct engine_idmap_range *r,
			    size_t n, int *ret_errfd, pid_t *ret_pid, struct engine_error **err)
{
	char **argv = calloc(3 * n + 3, sizeof(char *));
	char *numbers = calloc(3 * n + 1, 12);
	if (argv == NULL || numbers == NULL) {
		free(argv);
		free(numbers);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	size_t a = 0;
	argv[a++] = (char *)helper;
	char *p = numbers;
	p += sprintf(p, "%d", (int)pid) + 1;
	argv[a++] = numbers;
	for (size_t i = 0; i < n; i++) {
		uint32_t v[3] = { r[i].container, r[i].host, r[i].count };
		for (int k = 0; k < 3; k++) {
			argv[a++] = p;
			p += sprintf(p, "%u", v[k]) + 1;
		}
	}
	argv[a] = NULL;

	int pipefd[2];
	int rc = 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		rc = engine_error_errno(err, errno, "pipe");
		goto out;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	int e = posix_spawn(ret_pid, helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (e != 0) {
		close(pipefd[0]);
		rc = engine_error_errno(err, e, "run %s", helper);
		goto out;
	}
	*ret_errfd = pipefd[0];
out:
	free(argv);
	free(numbers);
	return rc;
}

static int finish_map_helper(const char *helper, pid_t child, int errfd, struct engine_error **err)
{
	char out[512];
	size_t len = 0;
	ssize_t r;
	while (len < sizeof(out) - 1 && (r = read(errfd, out + len, sizeof(out) - 1 - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)r;
	}
	out[len] = '\0';
	close(errfd);
	int status = 0;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	char *nl = strchr(out, '\n');
	if (nl != NULL)
		*nl = '\0';
	return engine_error_set(err, EPERM, "%s failed: %s", helper,
				out[0] ? out : "no message (check /etc/subuid and /etc/subgid)");
}

int engine_idmap_apply(const struct engine_idmap *map, pid_t pid, struct engine_error **err)
{
	char buf[64];
	switch (map->mode) {
	case ENGINE_IDMAP_ROOT:
		return 0;
	case ENGINE_IDMAP_SINGLE:
		if (engine_idmap_format(map->uids, 1, buf, sizeof(buf)) < 0)
			return engine_error_set(err, EINVAL, "uid map too long");
		if (write_proc_file(pid, "uid_map", buf, err) < 0)
			return -1;
		if (write_proc_file(pid, "setgroups", "deny", err) < 0)
			return -1;
		if (engine_idmap_format(map->gids, 1, buf, sizeof(buf)) < 0)
			return engine_error_set(err, EINVAL, "gid map too long");
		return write_proc_file(pid, "gid_map", buf, err);
	case ENGINE_IDMAP_SUBID:
		break;
	}
	/* The two helpers are independent setuid programs: running them side by
	 * side halves the ~10 ms the mapping costs. */
	pid_t upid = -1, gpid = -1;
	int ufd = -1, gfd = -1;
	if (spawn_map_helper(map->newuidmap, pid, map->uids, map->n_uids, &ufd, &upid, err) < 0)
		return -1;
	if (spawn_map_helper(map->newgidmap, pid, map->gids, map->n_gids, &gfd, &gpid, err) < 0) {
		finish_map_helper(map->newuidmap, upid, ufd, NULL);
		return -1;
	}
	int ur = finish_map_helper(map->newuidmap, upid, ufd, err);
	int gr = finish_map_helper(map->newgidmap, gpid, gfd, err);
	return ur < 0 || gr < 0 ? -1 : 0;
}

uint64_t engine_idmap_span(const struct engine_idmap_range *r, size_t n)
{
	uint64_t span = 0;
	for (size_t i = 0; i < n; i++)
		if ((uint64_t)r[i].container + r[i].count > span)
			span = (uint64_t)r[i].container + r[i].count;
	return span;
}

size_t engine_idmap_keep_id_compute(uint32_t own, const struct engine_idmap_range *in, size_t n_in,
				    struct engine_idmap_range *out, size_t max_out)
{
	if (max_out == 0 || own == UINT32_MAX)
		return 0;
	size_t n = 0;
	out[n++] = (struct engine_idmap_range){ .container = own, .host = own, .count = 1 };
	uint64_t next = 0;
	for (size_t i = 0; i < n_in && n < max_out; i++) {
		/* The line mapping the user (container 0 of the default map)
		 * is the one placed above. */
		if (in[i].host == own && in[i].count == 1)
			continue;
		uint64_t host = in[i].host, count = in[i].count;
		while (count > 0 && n < max_out) {
			if (next == own)
				next++;
			uint64_t c = count;
			if (next < own && next + c > own)
				c = own - next; /* stop below the user's own id */
			if (next + c > (uint64_t)UINT32_MAX)
				c = (uint64_t)UINT32_MAX - next;
			if (c == 0)
				return n;
			out[n++] = (struct engine_idmap_range){
				.container = (uint32_t)next, .host = (uint32_t)host, .count = (uint32_t)c
			};
			next += c;
			host += c;
			count -= c;
		}
	}
	return n;
}

int engine_idmap_keep_id(struct engine_idmap *map, struct engine_error **err)
{
	struct engine_idmap_range tmp[ENGINE_IDMAP_MAX];
	switch (map->mode) {
	case ENGINE_IDMAP_ROOT:
		return engine_error_setting(err, "userns", EINVAL, "userns=keep-id is only supported in rootless mode");
	case ENGINE_IDMAP_SINGLE:
		/* No subordinate ids: the user alone, under its own number. */
		map->uids[0] = (struct engine_idmap_range){ map->uid, map->uid, 1 };
		map->gids[0] = (struct engine_idmap_range){ map->gid, map->gid, 1 };
		map->n_uids = map->n_gids = 1;
		return 0;
	case ENGINE_IDMAP_SUBID:
		break;
	}
	size_t n = engine_idmap_keep_id_compute(map->uid, map->uids, map->n_uids, tmp, ENGINE_IDMAP_MAX);
	memcpy(map->uids, tmp, n * sizeof(tmp[0]));
	map->n_uids = n;
	n = engine_idmap_keep_id_compute(map->gid, map->gids, map->n_gids, tmp, ENGINE_IDMAP_MAX);
	memcpy(map->gids, tmp, n * sizeof(tmp[0]));
	map->n_gids = n;
	return 0;
}

size_t engine_idmap_compose(const struct engine_idmap_range *a, size_t n_a,
			    const struct engine_idmap_range *b, size_t n_b,
			    struct engine_idmap_range *out, size_t max_out)
{
	size_t n = 0;
	/* Every overlap of a line of A with a line of B on the host side is
	 * one output line; then sort by A's ids (insertion: at most 340). */
	for (size_t i = 0; i < n_a; i++) {
		uint64_t alo = a[i].host, ahi = alo + a[i].count;
		for (size_t j = 0; j < n_b; j++) {
			uint64_t blo = b[j].host, bhi = blo + b[j].count;
			uint64_t lo = alo > blo ? alo : blo, hi = ahi < bhi ? ahi : bhi;
			if (lo >= hi)
				continue;
			if (n == max_out)
				return n;
			struct engine_idmap_range r = {
				.container = (uint32_t)(a[i].container + (lo - alo)),
				.host = (uint32_t)(b[j].container + (lo - blo)),
				.count = (uint32_t)(hi - lo),
			};
			size_t k = n++;
			while (k > 0 && out[k - 1].container > r.container) {
				out[k] = out[k - 1];
				k--;
			}
			out[k] = r;
		}
	}
	return n;
}

bool engine_idmap_contains(const struct engine_idmap_range *r, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= r[i].container && (uint64_t)id < (uint64_t)r[i].container + r[i].count)
			return true;
	return false;
}

/* One direction of engine_idmap_auto: the lines of R covering
 * START..START+SIZE-1, renumbered from 0. */
static size_t slice_lines(const struct engine_idmap_range *r, size_t n, uint32_t start,
			  uint32_t size, struct engine_idmap_range *out)
{
	size_t k = 0;
	uint64_t end = (uint64_t)start + size;
	for (size_t i = 0; i < n; i++) {
		uint64_t lo = r[i].container, hi = lo + r[i].count;
		if (hi <= start || lo >= end)
			continue;
		uint64_t from = lo > start ? lo : start, to = hi < end ? hi : end;
		out[k++] = (struct engine_idmap_range){ .container = (uint32_t)(from - start),
							.host = (uint32_t)(r[i].host + (from - lo)),
							.count = (uint32_t)(to - from) };
	}
	return k;
}

int engine_idmap_auto(struct engine_idmap *map, uint32_t start, uint32_t size,
		      struct engine_error **err)
{
	if (map->mode != ENGINE_IDMAP_SUBID)
		return engine_error_setting(err, "userns", EINVAL, "userns=auto needs subordinate ids");
	struct engine_idmap_range tmp[ENGINE_IDMAP_MAX];
	if (start == 0 || engine_idmap_span(map->uids, map->n_uids) < (uint64_t)start + size ||
	    engine_idmap_span(map->gids, map->n_gids) < (uint64_t)start + size)
		return engine_error_setting(err, "userns", ERANGE,
					"userns=auto: the slice %u+%u is outside the subordinate ids",
					(unsigned)start, (unsigned)size);
	size_t n = slice_lines(map->uids, map->n_uids, start, size, tmp);
	memcpy(map->uids, tmp, n * sizeof(tmp[0]));
	map->n_uids = n;
	n = slice_lines(map->gids, map->n_gids, start, size, tmp);
	memcpy(map->gids, tmp, n * sizeof(tmp[0]));
	map->n_gids = n;
	return 0;
}
