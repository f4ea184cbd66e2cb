/* attach.c: `engine attach`, and the client side of the monitor's attach
 * socket that `start -a` shares (the protocol is described in
 * libengine/monitor/attach.c).
 *
 * With -t the user's terminal goes raw and the container's bytes are
 * copied as they come; without, the monitor's frames are split into our
 * stdout and stderr.  The detach keys (ctrl-p,ctrl-q unless --detach-keys
 * says otherwise) end the attach and leave the container running; the
 * container's exit ends it with the container's exit code. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/attach.h"
#include "cmd/parse.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "common/fs.h"
#include "cmd/run-args.h"

int cmd_attach_connect(const struct engine_container *c, struct engine_error **err)
{
	cleanup_close int dirfd = engine_attach_dir_open(c->spec.run_root, c->id, false, err);
	if (dirfd < 0)
		return -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/attach", dirfd);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return engine_error_errno(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return engine_error_errno(err, e, "connect to the monitor of container %s", c->id);
	}
	return fd;
}

static int send_frame(int sock, unsigned type, const void *data, size_t len)
{
	unsigned char head[8] = { (unsigned char)type, 0, 0, 0, (unsigned char)(len >> 24),
				  (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len };
	if (engine_write_all(sock, head, 8) < 0)
		return -1;
	return len ? engine_write_all(sock, data, len) : 0;
}

static void send_resize(int sock)
{
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	unsigned char d[4] = { (unsigned char)(ws.ws_row >> 8), (unsigned char)ws.ws_row,
			       (unsigned char)(ws.ws_col >> 8), (unsigned char)ws.ws_col };
	(void)send_frame(sock, 1, d, 4);
}

void cmd_console_size(struct engine_run_spec *spec)
{
	struct winsize ws;
	if (!spec->tty ||
	    (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0))
		return;
	spec->console_rows = ws.ws_row;
	spec->console_cols = ws.ws_col;
}

/* Non-tty output: stdcopy frames to stdout (1) or stderr (2). */
static size_t write_frames(const unsigned char *buf, size_t len, const struct cmd_attach_opts *o)
{
	size_t used = 0;
	while (len - used >= 8) {
		size_t n = (size_t)buf[used + 4] << 24 | (size_t)buf[used + 5] << 16 |
			   (size_t)buf[used + 6] << 8 | buf[used + 7];
		if (len - used < 8 + n)
			break;
		bool err = buf[used] == 2;
		if (!(err ? o->quiet_stderr : o->quiet_stdout))
			(void)engine_write_all(err ? STDERR_FILENO : STDOUT_FILENO, buf + used + 8, n);
		used += 8 + n;
	}
	return used;
}

/* After the monitor closed the socket: the exit it recorded. */
static int recorded_exit(const struct cmd_global *g, const char *id)
{
	struct engine_error *err = NULL;
	struct storage_store *store = cmd_open_store(g, &err);
	int code = 0;
	for (int i = 0; store != NULL && i < 250; i++) {
		struct engine_container *c = NULL;
		if (engine_container_get(store, id, &c, &err) < 0)
			break; /* removed (--rm): its code went with it */
		bool done = c->state.status != ENGINE_CONTAINER_RUNNING;
		code = c->state.exit_code;
		engine_container_free(c);
		if (done)
			break;
		cmd_sleep_ms(20);
	}
	engine_error_free(&err);
	storage_store_close(store);
	return code;
}

int cmd_attach_stream(const struct cmd_global *g, const struct engine_container *c, int sock,
		      const struct cmd_attach_opts *o)
{
	bool tty = c->spec.tty;
	bool stdin_open = o->use_stdin;
	struct termios saved;
	bool raw = false;
	if (tty && stdin_open && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios t = saved;
		cfmakeraw(&t);
		raw = tcsetattr(STDIN_FILENO, TCSADRAIN, &t) == 0;
	}
	if (tty)
		send_resize(sock);
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	static const int proxied[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	if (o->sig_proxy)
		for (size_t i = 0; i < ARRAY_SIZE(proxied); i++)
			sigaddset(&mask, proxied[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);
	int sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);

	static unsigned char in[4096 + 16], out[8 + 65536 + 16384];
	size_t out_len = 0, matched = 0;
	bool detached = false;
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = sock, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[2].revents) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				if ((int)si.ssi_signo == SIGWINCH) {
					if (tty)
						send_resize(sock);
				} else {
					cmd_signal_container(c, (int)si.ssi_signo);
				}
			}
		}
		if (p[1].revents) {
			ssize_t n = read(STDIN_FILENO, in, 4096);
			if (n <= 0 && !(n < 0 && errno == EINTR)) {
				stdin_open = false;
				if (o->close_stdin_at_eof)
					(void)send_frame(sock, 2, NULL, 0);
			}
			/* The detach keys, matched across reads; a partial match
			 * is held back until it fails. */
			unsigned char fwd[4096 + 32];
			size_t nf = 0;
			for (ssize_t i = 0; i < n && !detached; i++) {
				if (in[i] == o->keys[matched]) {
					if (++matched == o->n_keys)
						detached = true;
					continue;
				}
				memcpy(fwd + nf, o->keys, matched);
				nf += matched;
				matched = 0;
				if (in[i] == o->keys[0]) {
					matched = 1;
					if (o->n_keys == 1)
						detached = true;
					continue;
				}
				fwd[nf++] = in[i];
			}
			if (nf > 0 && send_frame(sock, 0, fwd, nf) < 0)
				stdin_open = false;
			if (detached)
				break;
		}
		if (p[0].revents) {
			ssize_t n = read(sock, out + out_len, sizeof(out) - out_len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (tty) {
				(void)engine_write_all(STDOUT_FILENO, out, (size_t)n);
			} else {
				out_len += (size_t)n;
				size_t used = write_frames(out, out_len, o);
				memmove(out, out + used, out_len - used);
				out_len -= used;
			}
		}
	}
	if (raw)
		(void)tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	if (sigfd >= 0)
		close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (detached)
		return 0;
	return recorded_exit(g, c->id);
}

static int detach_keys(void *data, const char *value, struct engine_error **err)
{
	struct cmd_attach_opts *o = data;
	return cmd_detach_keys_parse(value, o->keys, &o->n_keys, err);
}

int cmd_attach(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	struct cmd_attach_opts o = { .sig_proxy = true, .keys = { 16, 17 }, .n_keys = 2 };
	bool no_stdin = false;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "detach-keys", CMD_BIND_CALL, &o, detach_keys },
			    { "no-stdin", CMD_BIND_BOOL, &no_stdin },
			    { "sig-proxy", CMD_BIND_BOOL, &o.sig_proxy });
	o.use_stdin = !no_stdin;
	int r;
	struct engine_container *ctr = cmd_container_lookup(g, argv[optind], &r);
	if (ctr == NULL)
		return r;
	if (ctr->state.status == ENGINE_CONTAINER_RESTARTING)
		engine_error_set(&err, EBUSY,
				 "You cannot attach to a restarting container, wait until it is running");
	else if (ctr->state.status != ENGINE_CONTAINER_RUNNING)
		engine_error_set(&err, EINVAL, "You cannot attach to a stopped container, start it first");
	int sock = err == NULL ? cmd_attach_connect(ctr, &err) : -1;
	if (sock < 0) {
		engine_container_free(ctr);
		return cmd_report_1(&err);
	}
	/* Without -i the container has no stdin to give input to. */
	if (!ctr->spec.interactive)
		o.use_stdin = false;
	int code = cmd_attach_stream(g, ctr, sock, &o);
	close(sock);
	engine_container_free(ctr);
	return code;
}
