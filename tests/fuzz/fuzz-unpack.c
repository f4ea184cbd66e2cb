/* fuzz-unpack.c: libFuzzer harness for the layer unpacker.  The input is
 * the layer stream (tar, gzip or zstd).  Each run unpacks it into a fresh
 * directory "t" inside a private sentinel directory, removes "t" with
 * storage_remove_tree, and aborts if anything else ever appears in the
 * sentinel (an entry that escaped) or if "t" cannot be removed.  The
 * whiteout format follows the input's length, so the corpus exercises all
 * three.  Rootless, so no device nodes; 1 MiB bound, so bombs stay cheap. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sentinel_fd = -1;
static char sentinel_path[] = "/tmp/fuzz-unpack-XXXXXX";

/* libFuzzer leaves through exit(): take the (empty) sentinel with us. */
static void sentinel_remove(void)
{
	rmdir(sentinel_path);
}

static void sentinel_open(void)
{
	const char *path = mkdtemp(sentinel_path);
	if (path == NULL)
		abort();
	atexit(sentinel_remove);
	sentinel_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sentinel_fd < 0)
		abort();
}

/* Abort unless the sentinel directory is empty. */
static void sentinel_check(void)
{
	int fd = openat(sentinel_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL)
		abort();
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			fprintf(stderr, "escaped the target: %s\n", de->d_name);
			abort();
		}
	}
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (sentinel_fd < 0)
		sentinel_open();
	int input = memfd_create("layer", MFD_CLOEXEC);
	if (input < 0 || (size > 0 && write(input, data, size) != (ssize_t)size) ||
	    lseek(input, 0, SEEK_SET) != 0)
		abort();
	if (mkdirat(sentinel_fd, "t", 0700) < 0)
		abort();
	int target = openat(sentinel_fd, "t", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (target < 0)
		abort();

	struct storage_unpack_options opts = {
		.whiteouts = (enum storage_whiteout_format)(size % 3),
		.rootless = true,
		.max_bytes = 1u << 20,
		.mapped_ids = 65536,
		.ignore_chown_errors = geteuid() != 0,
	};
	char diff_id[STORAGE_DIGEST_MAX];
	uint64_t unpacked = 0;
	struct engine_error *err = NULL;
	int r = storage_unpack_layer(target, input, &opts, diff_id, &unpacked, &err);
	if (r == 0 && (err != NULL || strncmp(diff_id, "sha256:", 7) != 0 ||
		       unpacked > opts.max_bytes))
		abort();
	if (r < 0 && (err == NULL || err->msg == NULL || strchr(err->msg, '\n') != NULL))
		abort(); /* a failure is one line */
	engine_error_free(&err);
	close(target);
	close(input);

	if (storage_remove_tree(sentinel_fd, "t", &err) < 0) {
		fprintf(stderr, "remove: %s\n", err->msg);
		abort();
	}
	sentinel_check();
	return 0;
}
