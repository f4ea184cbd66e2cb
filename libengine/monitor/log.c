/* log.c: the monitor's log writer: k8s-file (Podman's format, the
 * default), json-file (Docker's, byte for byte) or none, with size
 * rotation (--log-opt max-size, max-file) as Docker's json-file does it.
 *
 * Every record is one write(2), so that `logs -f` never reads half a line.
 * Rotation keeps the current file's name present at every moment: the full
 * file is hard-linked as ctr.log.1 (older ones shifted up first) and a new
 * empty file is renamed over ctr.log. */
#include "libengine/monitor/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/timefmt.h"

#define LINE_MAX_PENDING 16384

enum log_format { LOG_K8S, LOG_JSON, LOG_NONE };

struct monitor_log {
	enum log_format format;
	bool tty;
	int dirfd; /* STORE/containers/ID */
	int fd;
	int64_t size, max_size;
	int max_file;
	char pending[3][LINE_MAX_PENDING]; /* per stream: a line not ended yet */
	size_t n_pending[3];
	/* one record: a k8s-file line, or a JSON line with every byte escaped */
	char record[LINE_MAX_PENDING * 6 + 128];
};

struct monitor_log *monitor_log_open(const struct engine_run_spec *spec)
{
	struct monitor_log *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->fd = -1;
	l->dirfd = -1;
	l->tty = spec->tty;
	l->format = spec->log_driver == NULL ? LOG_K8S
		    : strcmp(spec->log_driver, "json-file") == 0 ? LOG_JSON
		    : strcmp(spec->log_driver, "none") == 0 ? LOG_NONE : LOG_K8S;
	l->max_size = spec->log_max_size;
	l->max_file = spec->log_max_file > 0 ? spec->log_max_file : 1;
	if (l->format == LOG_NONE)
		return l;
	char path[4200];
	snprintf(path, sizeof(path), "%s/containers/%s", spec->store_root, spec->id);
	l->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd >= 0)
		l->fd = openat(l->dirfd, "ctr.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
			       0600);
	struct stat st;
	if (l->fd >= 0 && fstat(l->fd, &st) == 0)
		l->size = st.st_size;
	return l;
}

/* ctr.log.N-1 -> ctr.log.N ..., ctr.log -> ctr.log.1, a new ctr.log.
 * With max-file=1 (Docker's default) the current file just starts over. */
static void rotate(struct monitor_log *l)
{
	char from[32], to[32];
	for (int i = l->max_file - 1; i >= 2; i--) {
		snprintf(from, sizeof(from), "ctr.log.%d", i - 1);
		snprintf(to, sizeof(to), "ctr.log.%d", i);
		(void)renameat(l->dirfd, from, l->dirfd, to);
	}
	if (l->max_file >= 2) {
		(void)unlinkat(l->dirfd, "ctr.log.1.tmp", 0);
		if (linkat(l->dirfd, "ctr.log", l->dirfd, "ctr.log.1.tmp", 0) == 0)
			(void)renameat(l->dirfd, "ctr.log.1.tmp", l->dirfd, "ctr.log.1");
	}
	int fd = openat(l->dirfd, "ctr.log.new", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC |
				  O_NOFOLLOW, 0600);
	if (fd < 0)
		return; /* keep writing to the old file rather than lose output */
	if (renameat(l->dirfd, "ctr.log.new", l->dirfd, "ctr.log") < 0) {
		close(fd);
		return;
	}
	close(l->fd);
	l->fd = fd;
	l->size = 0;
}

/* Docker's JSON string escaping (moby's jsonlog): ", \ and control
 * characters, and <, > and & as \u003c..., as Go's encoder writes them;
 * bytes that are not UTF-8 become \ufffd. */
static size_t json_escape(char *out, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		unsigned char b = s[i];
		if (b < 0x80) {
			if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
				out[o++] = (char)b;
			} else if (b == '\\' || b == '"') {
				out[o++] = '\\';
				out[o++] = (char)b;
			} else if (b == '\n') {
				out[o++] = '\\';
				out[o++] = 'n';
			} else if (b == '\r') {
				out[o++] = '\\';
				out[o++] = 'r';
			} else {
				memcpy(out + o, "\\u00", 4);
				out[o + 4] = hex[b >> 4];
				out[o + 5] = hex[b & 15];
				o += 6;
			}
			i++;
			continue;
		}
		/* A valid UTF-8 sequence is copied; anything else is U+FFFD. */
		size_t n = b >= 0xf0 && b < 0xf5 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
		bool ok = n > 0 && i + n <= len;
		for (size_t k = 1; ok && k < n; k++)
			ok = (s[i + k] & 0xc0) == 0x80;
		if (ok && n == 3 && b == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			/* U+2028 and U+2029, escaped as Go does */
			o += (size_t)sprintf(out + o, "\\u202%c", s[i + 2] == 0xa8 ? '8' : '9');
			i += 3;
			continue;
		}
		if (!ok) {
			memcpy(out + o, "\\ufffd", 6);
			o += 6;
			i++;
			continue;
		}
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	return o;
}

static void log_record(struct monitor_log *l, int stream, const char *text, size_t len, bool full)
{
	char ts[64];
	(void)engine_format_rfc3339_now(ENGINE_TIME_NANOSECONDS, ts, sizeof(ts));
	const char *sname = stream == 1 ? "stdout" : "stderr";
	char *r = l->record;
	size_t n;
	if (l->format == LOG_JSON) {
		/* {"log":"text\n","stream":"stdout","time":"..."}: the line end
		 * is part of the text; a cut line has none. */
		memcpy(r, "{\"log\":\"", 8);
		n = 8 + json_escape(r + 8, (const unsigned char *)text, len);
		if (full) {
			memcpy(r + n, "\\n", 2);
			n += 2;
		}
		n += (size_t)sprintf(r + n, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", sname, ts);
	} else {
		n = (size_t)sprintf(r, "%s %s %c ", ts, sname, full ? 'F' : 'P');
		memcpy(r + n, text, len);
		n += len;
		r[n++] = '\n';
	}
	if (l->max_size > 0 && l->size > 0 && l->size + (int64_t)n > l->max_size)
		rotate(l);
	if (engine_write_all(l->fd, r, n) == 0)
		l->size += (int64_t)n;
}

void monitor_log_output(struct monitor_log *l, int stream, const char *buf, size_t len)
{
	if (l == NULL || l->fd < 0 || stream < 1 || stream > 2)
		return;
	char *pend = l->pending[stream];
	size_t *np = &l->n_pending[stream];
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			log_record(l, stream, pend, *np, true);
			*np = 0;
			continue;
		}
		/* The pty's "\r\n" is one line end in k8s-file; Docker's
		 * json-file keeps the "\r". */
		if (buf[i] == '\r' && l->tty && l->format == LOG_K8S)
			continue;
		pend[(*np)++] = buf[i];
		if (*np == LINE_MAX_PENDING) {
			log_record(l, stream, pend, *np, false);
			*np = 0;
		}
	}
}

void monitor_log_flush(struct monitor_log *l)
{
	if (l == NULL || l->fd < 0)
		return;
	for (int s = 1; s <= 2; s++)
		if (l->n_pending[s] > 0) {
			log_record(l, s, l->pending[s], l->n_pending[s], false);
			l->n_pending[s] = 0;
		}
}

void monitor_log_close(struct monitor_log *l)
{
	if (l == NULL)
		return;
	if (l->fd >= 0)
		close(l->fd);
	if (l->dirfd >= 0)
		close(l->dirfd);
	free(l);
}
