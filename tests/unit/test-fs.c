/* test-fs.c: engine_read_file on the files the engine reads: regular files,
 * and /proc and /sys files, which report size 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fs.h"
#include "tap.h"

/* The file as stdio reads it: the reference the helper must match. */
static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return NULL;
	char *buf = calloc(1, 1 << 20);
	size_t len = buf != NULL ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	*ret_len = len;
	return buf;
}

int main(void)
{
	struct engine_error *err = NULL;
	char *buf = NULL;
	size_t len = 0;

	/* A sysctl file answers a read at an offset with EOF: the whole
	 * number, not its first digit. */
	const char *sysctl = "/proc/sys/user/max_user_namespaces";
	size_t want_len = 0;
	char *want = slurp(sysctl, &want_len);
	ok(want != NULL && want_len > 1, "%s readable with stdio", sysctl);
	ok(engine_read_file(AT_FDCWD, sysctl, 0, 64, &buf, &len, &err) == 0, "sysctl file read");
	is_int(len, want_len, "sysctl file: all of it");
	is_str(buf, want, "sysctl file: the same text");
	free(buf);
	buf = NULL;
	free(want);

	/* Also under RESOLVE_BENEATH from a /proc/sys dirfd (openat2 path). */
	int dfd = open("/proc/sys/kernel", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	want = slurp("/proc/sys/kernel/pid_max", &want_len);
	ok(dfd >= 0 && engine_read_file(dfd, "pid_max", ENGINE_RESOLVE_BENEATH, 64, &buf, &len,
					&err) == 0,
	   "sysctl file read through openat2");
	is_str(buf, want, "openat2 path: the whole number");
	free(buf);
	buf = NULL;
	free(want);
	if (dfd >= 0)
		close(dfd);

	/* A seq_file of several hundred bytes. */
	ok(engine_read_file(AT_FDCWD, "/proc/self/status", 0, 65536, &buf, &len, &err) == 0 &&
		   len > 100 && strstr(buf, "\nUid:") != NULL && strlen(buf) == len,
	   "/proc/self/status read whole");
	free(buf);
	buf = NULL;

	/* Too large for max_size: EFBIG, as for a regular file. */
	ok(engine_read_file(AT_FDCWD, "/proc/self/status", 0, 16, &buf, &len, &err) < 0 &&
		   err != NULL && err->status == EFBIG && buf == NULL,
	   "a size-0 file larger than max_size: EFBIG");
	engine_error_free(&err);

	/* Regular files: empty, small, exactly max_size, one byte over. */
	char dir[] = "/tmp/test-fs.XXXXXX";
	ok(mkdtemp(dir) != NULL, "temp dir");
	char path[64];
	snprintf(path, sizeof(path), "%s/f", dir);
	struct {
		const char *text;
		size_t max;
		int status;
	} cases[] = { { "", 8, 0 }, { "12345", 8, 0 }, { "12345678", 8, 0 }, { "123456789", 8, EFBIG } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok(engine_write_file_atomic(path, cases[i].text, strlen(cases[i].text), 0600, &err) == 0,
		   "write '%s'", cases[i].text);
		int r = engine_read_file(AT_FDCWD, path, 0, cases[i].max, &buf, &len, &err);
		if (cases[i].status == 0)
			ok(r == 0 && len == strlen(cases[i].text) && strcmp(buf, cases[i].text) == 0,
			   "regular file '%s' read back", cases[i].text);
		else
			ok(r < 0 && err->status == cases[i].status, "regular file '%s' refused",
			   cases[i].text);
		engine_error_free(&err);
		free(buf);
		buf = NULL;
	}
	unlink(path);
	rmdir(dir);
	return done_testing();
}
