/* test-error-setting.c: a library message names a setting in its own words
 * and the error records where; the CLI puts the flag there, through any
 * context added on the way up and across the namespace helper's socket. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "cmd/setting-flags.h"
#include "tap.h"
#include "libengine/userns/userns.h"

/* The CLI's text of ERR (then freed). */
static char *shown(struct engine_error **err)
{
	char *text = cmd_error_text(*err);
	engine_error_free(err);
	return text;
}

static const char *upper_name(const char *setting)
{
	return strcmp(setting, "user") == 0 ? "USER" : NULL;
}

int main(void)
{
	struct engine_error *err = NULL;
	char *text;

	is_int(engine_error_setting(&err, "user", EINVAL, "invalid user \"%s\": empty", "a"), -EINVAL,
	       "returns -errno as engine_error_set");
	is_str(err->msg, "invalid user \"a\": empty", "the library's message names the setting");
	text = shown(&err);
	is_str(text, "invalid --user \"a\": empty", "the CLI's names the flag");
	free(text);

	engine_error_setting(&err, "rootfs", EINVAL, "container %s runs a rootfs directory", "rootfs");
	text = shown(&err);
	is_str(text, "container rootfs runs a --rootfs directory",
	       "found where the format has it, not in a value before it");
	free(text);

	engine_error_setting(&err, "volume,mount", EINVAL,
			     "volume %s: a path with ',' must be given with mount", "/a,mount:/b");
	engine_error_prefix(&err, "run %s", "volume");
	text = shown(&err);
	is_str(text, "run volume: --volume /a,mount:/b: a path with ',' must be given with --mount",
	       "two settings, under a prefix that names one of them too");
	free(text);

	engine_error_setting(&err, "device", EINVAL, "%s %s: %s", "device", "/dev/x", "not a device node");
	text = shown(&err);
	is_str(text, "--device /dev/x: not a device node", "a setting passed as an argument");
	free(text);

	engine_error_setting_errno(&err, "ulimit", EPERM, "ulimit %s: setrlimit", "nofile=1");
	engine_error_setting_prefix(&err, "network", "network container:%s", "c1");
	text = shown(&err);
	is_str(text, "--network container:c1: --ulimit nofile=1: setrlimit: Operation not permitted",
	       "a prefix naming a setting, before the message's own");
	free(text);

	engine_error_set(&err, EINVAL, "first");
	engine_error_setting(&err, "user", EINVAL, "user second");
	is_int((int)err->n_settings, 0, "the first error wins, and the second marks nothing in it");
	text = shown(&err);
	is_str(text, "first", "... nor changes its text");
	free(text);

	engine_error_setting(&err, "user", EINVAL, "user x");
	text = engine_error_text(err, upper_name);
	is_str(text, "USER x", "another face, another name");
	free(text);
	text = engine_error_text(err, NULL);
	is_str(text, "user x", "no names: the library's message");
	free(text);
	free(err->msg);
	err->msg = strdup("changed behind its back");
	text = shown(&err);
	is_str(text, "changed behind its back", "a message changed behind the error's back is left alone");
	free(text);

	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		skip("socketpair: %s", strerror(errno));
	} else {
		engine_error_setting(&err, "userns", EPERM, "userns=auto: cannot become the container's root");
		engine_userns_report(sp[1], err);
		engine_error_free(&err);
		int fd = -1;
		is_int(engine_userns_receive(sp[0], &fd, &err), -1, "an error over the helper's socket");
		text = shown(&err);
		is_str(text, "--userns=auto: cannot become the container's root", "... keeps its settings");
		free(text);
		close(sp[0]);
		close(sp[1]);
	}
	return done_testing();
}
