/* logs.c: `engine logs`: print (and follow) a container's log, in either
 * format the monitor writes (k8s-file lines, or Docker's json-file lines),
 * rotated files first (oldest first), with Docker's --since, --until,
 * --tail, -t and -f.  The log is streamed a block at a time and --tail
 * reads backwards from the end, so memory does not grow with its size. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/logs.h"
#include "cmd/report.h"
#include "cmd/parse.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"

struct log_filter {
	int64_t since, until; /* ns since the epoch; 0: no bound */
	bool timestamps;
};

/* "2026-11-28T23:00:00.123456789Z" or with a +HH:MM offset, "2026-11-28"
 * (local time without a zone, as Docker reads it); false if not one. */
static bool parse_rfc3339(const char *s, int64_t *ret)
{
	struct tm tm = { 0 };
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	const char *p = s + 10;
	long nsec = 0;
	if (*p == 'T') {
		int m = 0;
		if (sscanf(p + 1, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &m) != 3 || m != 8)
			return false;
		p += 9;
		if (*p == '.') {
			p++;
			long scale = 100000000;
			for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
				nsec += scale * (*p - '0');
		}
	}
	time_t t;
	if (*p == '\0') {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	} else if (*p == 'Z' && p[1] == '\0') {
		t = timegm(&tm);
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int hh = 0, mm = 0;
		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
			return false;
		t = timegm(&tm) - (*p == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
	} else {
		return false;
	}
	*ret = (int64_t)t * 1000000000 + nsec;
	return true;
}

/* Go's durations ("10m", "1h30m", "1.5h", "300ms"). */
static bool parse_duration(const char *s, int64_t *ret)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "µs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
	};
	double total = 0;
	if (*s == '\0')
		return false;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		if (end == s || *s == '-' || *s == '+')
			return false;
		s = end;
		size_t best = 0;
		int which = -1;
		for (int i = 0; i < (int)ARRAY_SIZE(units); i++) {
			size_t l = strlen(units[i].unit);
			if (strncmp(s, units[i].unit, l) == 0 && l > best) {
				best = l;
				which = i;
			}
		}
		if (which < 0)
			return false;
		total += v * units[which].ns;
		s += best;
	}
	*ret = (int64_t)total;
	return true;
}

/* Docker's --since/--until: an RFC 3339 time, a Unix time (seconds with
 * an optional fraction), or a duration back from now. */
static int parse_time_arg(const char *flag, const char *s, int64_t *ret, struct engine_error **err)
{
	int64_t d;
	if (parse_rfc3339(s, ret))
		return 0;
	if (parse_duration(s, &d)) {
		*ret = engine_now_ns() - d;
		return 0;
	}
	char *end;
	errno = 0;
	long long sec = strtoll(s, &end, 10);
	if (end != s && errno == 0 && (*end == '\0' || *end == '.')) {
		long nsec = 0;
		if (*end == '.') {
			long scale = 100000000;
			const char *p = end + 1;
			for (; *p >= '0' && *p <= '9'; p++, scale /= 10)
				nsec += scale * (*p - '0');
			if (*p != '\0' || p == end + 1)
				goto bad;
		}
		*ret = (int64_t)sec * 1000000000 + nsec;
		return 0;
	}
bad:
	return engine_error_set(err, EINVAL,
				"invalid value for \"%s\": failed to parse value as time or duration: \"%s\"",
				flag, s);
}

static int parse_since(void *data, const char *value, struct engine_error **err)
{
	return parse_time_arg("since", value, data, err);
}

static int parse_until(void *data, const char *value, struct engine_error **err)
{
	return parse_time_arg("until", value, data, err);
}

/* --tail N, or "all" (-1). */
static int parse_tail(void *data, const char *value, struct engine_error **err)
{
	if (strcmp(value, "all") == 0) {
		*(long *)data = -1;
		return 0;
	}
	char *end;
	long n = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0')
		return engine_error_set(err, EINVAL, "invalid argument \"%s\" for \"-n, --tail\" flag",
					value);
	*(long *)data = n;
	return 0;
}

/* One log line in either format: its time, stream, and text (with the
 * "\n" when the line was complete). */
struct record {
	int64_t ns;
	char ts[64];
	bool is_err;
	const char *text;
	size_t len;
	char *owned; /* decoded JSON text */
};

static bool parse_record(const char *line, size_t l, struct record *r)
{
	memset(r, 0, sizeof(*r));
	if (l > 0 && line[0] == '{') {
		json_error_t je;
		json_t *j = json_loadb(line, l, 0, &je);
		const char *ts = json_string_value(json_object_get(j, "time"));
		const char *stream = json_string_value(json_object_get(j, "stream"));
		json_t *log = json_object_get(j, "log");
		if (ts == NULL || !json_is_string(log)) {
			json_decref(j);
			return false;
		}
		snprintf(r->ts, sizeof(r->ts), "%s", ts);
		r->is_err = stream != NULL && strcmp(stream, "stderr") == 0;
		r->len = json_string_length(log);
		r->owned = malloc(r->len + 1);
		if (r->owned != NULL)
			memcpy(r->owned, json_string_value(log), r->len);
		json_decref(j);
		if (r->owned == NULL)
			return false;
		r->text = r->owned;
	} else {
		/* k8s-file: TIME STREAM F|P TEXT */
		const char *end = line + l;
		const char *sp1 = memchr(line, ' ', l);
		if (sp1 == NULL)
			return false;
		const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
		if (sp2 == NULL || sp2 + 2 > end)
			return false;
		snprintf(r->ts, sizeof(r->ts), "%.*s", (int)(sp1 - line), line);
		r->is_err = strncmp(sp1 + 1, "stderr", 6) == 0;
		r->text = sp2 + 3 <= end ? sp2 + 3 : end;
		r->len = (size_t)(end - r->text);
		if (sp2[1] == 'F') {
			/* the line end, kept by the caller's buffer */
			r->len++;
		}
	}
	if (!parse_rfc3339(r->ts, &r->ns))
		r->ns = 0;
	return true;
}

/* The stream the last record went to: stdout and stderr are buffered and
 * flushed when the stream changes (and after each read), so that their
 * order is kept without a write per line. */
static FILE *last_out;

static void flush_output(void)
{
	if (last_out != NULL)
		fflush(last_out);
	last_out = NULL;
}

/* Print one record if the filter lets it through; false past --until. */
static bool print_record(const struct record *r, const struct log_filter *f)
{
	if (f->since != 0 && r->ns < f->since)
		return true;
	if (f->until != 0 && r->ns > f->until)
		return false;
	FILE *out = r->is_err ? stderr : stdout;
	if (out != last_out)
		flush_output();
	last_out = out;
	if (f->timestamps)
		fprintf(out, "%s ", r->ts);
	/* A k8s-file line's text ends where its "\n" is; print that "\n". */
	fwrite(r->text, 1, r->len, out);
	return true;
}

/* Print the complete lines of BUF (LEN bytes); returns the bytes used. */
static size_t print_lines(const char *buf, size_t len, const struct log_filter *f, bool *past_until)
{
	size_t used = 0;
	while (used < len && !*past_until) {
		const char *line = buf + used;
		const char *nl = memchr(line, '\n', len - used);
		if (nl == NULL)
			break;
		size_t l = (size_t)(nl - line);
		used += l + 1;
		struct record r;
		if (!parse_record(line, l, &r))
			continue;
		if (!print_record(&r, f))
			*past_until = true;
		free(r.owned);
	}
	return used;
}

/* The log is read in blocks of this size, forwards and backwards: memory
 * stays this plus the longest line, whatever the log's size. */
#define LOG_BLOCK (1 << 16)

/* Bytes read and not printed yet: at most a block and one partial line. */
struct line_buffer {
	char *buf;
	size_t len, cap;
};

/* Read FD to its end, printing each complete line as it comes; a partial
 * last line stays in LB for the next call.  Returns the bytes read. */
static ssize_t stream_lines(int fd, struct line_buffer *lb, const struct log_filter *f, bool *past_until)
{
	ssize_t total = 0;
	while (!*past_until) {
		if (lb->cap - lb->len < LOG_BLOCK) {
			/* grows only while one line is longer than what is free */
			size_t nc = lb->cap ? lb->cap * 2 : 2 * LOG_BLOCK;
			char *nb = realloc(lb->buf, nc);
			if (nb == NULL)
				return -ENOMEM;
			lb->buf = nb;
			lb->cap = nc;
		}
		ssize_t n = read(fd, lb->buf + lb->len, lb->cap - lb->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		total += n;
		lb->len += (size_t)n;
		size_t used = print_lines(lb->buf, lb->len, f, past_until);
		memmove(lb->buf, lb->buf + used, lb->len - used);
		lb->len -= used;
		flush_output();
	}
	flush_output();
	return total;
}

static bool record_counts(const char *line, size_t l, const struct log_filter *f)
{
	struct record r;
	if (!parse_record(line, l, &r))
		return false;
	free(r.owned);
	return (f->since == 0 || r.ns >= f->since) && (f->until == 0 || r.ns <= f->until);
}

/* File bytes [lo, lo + len), read backwards a block at a time. */
struct back_window {
	char *buf;
	size_t len;
	off_t lo;
};

/* The offset of the last '\n' before BEFORE (which is within the window or
 * at its end), reading blocks backwards as needed: -1 if there is none,
 * -2 on a read error.  Bytes from BEFORE on are dropped first, so the window
 * never holds more than one line and a block. */
static off_t prev_newline(int fd, struct back_window *w, off_t before)
{
	for (;;) {
		w->len = (size_t)(before - w->lo);
		char *nl = w->len > 0 ? memrchr(w->buf, '\n', w->len) : NULL;
		if (nl != NULL)
			return w->lo + (nl - w->buf);
		if (w->lo == 0)
			return -1;
		size_t n = w->lo >= LOG_BLOCK ? LOG_BLOCK : (size_t)w->lo;
		char *nb = malloc(n + w->len);
		if (nb == NULL)
			return -2;
		if (pread(fd, nb, n, w->lo - (off_t)n) != (ssize_t)n) {
			free(nb);
			return -2;
		}
		memcpy(nb + n, w->buf, w->len);
		free(w->buf);
		w->buf = nb;
		w->lo -= (off_t)n;
	}
}

/* Walk FD's complete lines backwards from its end (a partial last line
 * does not count), counting those that pass --since/--until (the filter
 * counts, as in Docker) into *COUNT until it reaches TAIL.  Returns the
 * offset the wanted lines start at (0 when the file holds fewer), or -1. */
static off_t tail_offset(int fd, long tail, long *count, const struct log_filter *f)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -1;
	struct back_window w = { .lo = st.st_size };
	off_t line_end = -1; /* just past the '\n' of the line to look at */
	off_t nl = prev_newline(fd, &w, st.st_size);
	if (nl >= -1)
		line_end = nl + 1;
	while (line_end > 0 && *count < tail) {
		nl = prev_newline(fd, &w, line_end - 1);
		if (nl == -2) {
			line_end = -1;
			break;
		}
		off_t start = nl + 1;
		if (record_counts(w.buf + (start - w.lo), (size_t)(line_end - 1 - start), f))
			(*count)++;
		line_end = start;
	}
	free(w.buf);
	return line_end;
}

int cmd_logs(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	bool follow = false;
	struct log_filter f = { 0 };
	long tail = -1;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "follow", CMD_BIND_BOOL, &follow },
			    { "since", CMD_BIND_CALL, &f.since, parse_since },
			    { "until", CMD_BIND_CALL, &f.until, parse_until },
			    { "tail", CMD_BIND_CALL, &tail, parse_tail },
			    { "timestamps", CMD_BIND_BOOL, &f.timestamps });
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	struct engine_container *ctr = NULL;
	if (engine_container_get(store, argv[optind], &ctr, &err) < 0) {
		storage_store_close(store);
		return cmd_report_1(&err);
	}
	const char *driver = ctr->spec.log_driver;
	if (driver != NULL && strcmp(driver, "none") == 0) {
		storage_store_close(store);
		engine_container_free(ctr);
		engine_error_set(&err, ENOTSUP, "configured logging driver does not support reading");
		return cmd_report_1(&err);
	}
	char dir[128];
	snprintf(dir, sizeof(dir), "containers/%s", ctr->id);
	cleanup_close int dirfd = openat(store->rootfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	storage_store_close(store);
	/* Rotated files, the oldest (highest number) first, then ctr.log; all
	 * opened before any is read, so that a rotation while we read cannot
	 * make us print a file twice. */
	int n_files = 0;
	char name[32];
	for (int i = 1; i <= 1000; i++) {
		snprintf(name, sizeof(name), "ctr.log.%d", i);
		if (dirfd < 0 || faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
			break;
		n_files = i;
	}
	cleanup_free int *fds = calloc((size_t)n_files + 1, sizeof(int));
	if (fds == NULL) {
		engine_container_free(ctr);
		engine_error_set(&err, ENOMEM, "out of memory");
		return cmd_report(err);
	}
	for (int i = 0; i < n_files; i++) {
		snprintf(name, sizeof(name), "ctr.log.%d", n_files - i);
		fds[i] = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	fds[n_files] = dirfd >= 0 ? openat(dirfd, "ctr.log", O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
	/* --tail: count lines backwards from the end, across files, so that
	 * only the lines printed are ever read. */
	int first = 0;
	off_t first_offset = 0;
	long count = 0;
	for (int i = n_files; tail >= 0 && i >= 0; i--) {
		if (fds[i] < 0)
			continue;
		off_t off = tail_offset(fds[i], tail, &count, &f);
		if (off > 0 || count >= tail) {
			first = i;
			first_offset = off > 0 ? off : 0;
			break;
		}
	}
	struct line_buffer lb = { 0 };
	bool past_until = false;
	for (int i = first; i <= n_files; i++) {
		if (fds[i] < 0)
			continue;
		if (lseek(fds[i], i == first ? first_offset : 0, SEEK_SET) >= 0)
			(void)stream_lines(fds[i], &lb, &f, &past_until);
		if (i < n_files) {
			close(fds[i]);
			lb.len = 0; /* a torn rotated file: drop its partial line rather than glue lines */
		}
	}
	int fd = fds[n_files];
	while (follow && !past_until && cmd_monitor_alive(ctr)) {
		cmd_sleep_ms(100);
		if (fd < 0) {
			fd = dirfd >= 0 ? openat(dirfd, "ctr.log", O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
			continue;
		}
		ssize_t got = stream_lines(fd, &lb, &f, &past_until);
		/* Rotated under us: the rest of the old file, then the new one. */
		struct stat a, b;
		if (got == 0 && fstat(fd, &a) == 0 &&
		    (fstatat(dirfd, "ctr.log", &b, AT_SYMLINK_NOFOLLOW) < 0 || a.st_ino != b.st_ino)) {
			close(fd);
			fd = openat(dirfd, "ctr.log", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (fd >= 0)
				(void)stream_lines(fd, &lb, &f, &past_until);
		}
	}
	if (follow && !past_until && fd >= 0) {
		/* What the monitor wrote before it went. */
		(void)stream_lines(fd, &lb, &f, &past_until);
	}
	if (fd >= 0)
		close(fd);
	free(lb.buf);
	engine_container_free(ctr);
	return 0;
}
