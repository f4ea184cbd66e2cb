/* save.c: `engine save [-o FILE] [--format docker-archive|oci-archive]
 * IMAGE...` / `engine image save`.  With -o the archive is written to a
 * temp file beside FILE and renamed over it when complete, so FILE is never
 * a half archive; without -o it goes to stdout, which must not be a
 * terminal (Docker refuses that too). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/save.h"
#include "cmd/store-root.h"
#include "cmd/parse.h"
#include "libengine/image/image.h"
#include "libengine/image/save.h"

/* A temp file in FILE's directory, mode as a plain create would give. */
static int open_temp(const char *file, char **ret_tmp, struct engine_error **err)
{
	cleanup_free char *copy = strdup(file);
	if (copy == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	const char *dir = dirname(copy);
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return engine_error_set(err, ENOENT, "invalid output path: directory \"%s\" does not exist",
					dir);
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp-XXXXXX", file) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return engine_error_errno(err, e, "create %s", file);
	}
	mode_t mask = umask(0);
	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
	*ret_tmp = tmp;
	return fd;
}

static int parse_format(void *data, const char *value, struct engine_error **err)
{
	return storage_archive_format_parse(value, data, err);
}

int cmd_save(int argc, char **argv, struct cmd_global *g)
{
	const char *output = NULL;
	enum storage_archive_format format = STORAGE_ARCHIVE_DOCKER;
	cleanup_error struct engine_error *err = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "output", CMD_BIND_STRING, &output },
			    { "format", CMD_BIND_CALL, &format, parse_format });
	if (output == NULL && isatty(STDOUT_FILENO)) {
		engine_error_set(&err, EINVAL,
				 "cowardly refusing to save to a terminal. Use the -o flag or redirect");
		err->exit_code = 1; /* Docker's status for it */
		return cmd_report(err);
	}
	cleanup_free char *root = NULL;
	if (cmd_store_root(g, &root, &err) < 0)
		return cmd_report(err);
	cleanup_free char *tmp = NULL;
	int fd = STDOUT_FILENO;
	if (output != NULL && (fd = open_temp(output, &tmp, &err)) < 0)
		return cmd_report(err);
	int r = engine_image_save(root, argv + optind, (size_t)(argc - optind), format, fd, &err);
	if (r == 0 && output != NULL) {
		if (fsync(fd) < 0)
			r = engine_error_errno(&err, errno, "write %s", output);
		else if (rename(tmp, output) < 0)
			r = engine_error_errno(&err, errno, "rename to %s", output);
	}
	if (output != NULL) {
		close(fd);
		if (r < 0)
			unlink(tmp);
	}
	if (r < 0) {
		if (err->status == ENOENT && strncmp(err->msg, "No such image", 13) == 0)
			err->exit_code = 1; /* as rmi and Docker */
		return cmd_report(err);
	}
	return 0;
}
