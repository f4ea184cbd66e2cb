/* logs.c: `engine logs`: print (and follow) a container's k8s-file log. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cmd.h"
#include "containers.h"
#include "ctr-common.h"

/* Print complete k8s-file lines from BUF; returns the bytes consumed. */
static size_t print_log_lines(const char *buf, size_t len, bool timestamps)
{
	size_t used = 0;
	while (used < len) {
		const char *line = buf + used;
		const char *nl = memchr(line, '\n', len - used);
		if (nl == NULL)
			break;
		size_t l = (size_t)(nl - line);
		used += l + 1;
		const char *sp1 = memchr(line, ' ', l);
		if (sp1 == NULL)
			continue;
		const char *sp2 = memchr(sp1 + 1, ' ', (size_t)(nl - sp1 - 1));
		if (sp2 == NULL || sp2 + 2 > nl)
			continue;
		bool is_err = strncmp(sp1 + 1, "stderr", 6) == 0;
		bool full = sp2[1] == 'F';
		const char *text = sp2 + 3 <= nl ? sp2 + 3 : nl;
		FILE *out = is_err ? stderr : stdout;
		if (timestamps)
			fprintf(out, "%.*s ", (int)(sp1 - line), line);
		fwrite(text, 1, (size_t)(nl - text), out);
		if (full)
			fputc('\n', out);
		fflush(out);
	}
	return used;
}

int cmd_logs(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },   { "tail", required_argument, NULL, 'n' },
		{ "timestamps", no_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_error struct engine_error *err = NULL;
	bool follow = false, timestamps = false;
	long tail = -1;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:fn:t", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			follow = true;
			break;
		case 't':
			timestamps = true;
			break;
		case 'n':
			tail = strcmp(optarg, "all") == 0 ? -1 : strtol(optarg, NULL, 10);
			break;
		case 'h':
			puts("Usage: engine logs [OPTIONS] CONTAINER");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind + 1 != argc) {
		engine_error_set(&err, EINVAL, "\"engine logs\" requires exactly 1 argument");
		return cmd_report(err);
	}
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	struct engine_container *ctr = NULL;
	if (engine_container_get(store, argv[optind], &ctr, &err) < 0) {
		storage_store_close(store);
		return cmd_report_1(&err);
	}
	char rel[128];
	snprintf(rel, sizeof(rel), "containers/%s/ctr.log", ctr->id);
	cleanup_close int fd = openat(store->rootfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	storage_store_close(store);
	size_t cap = 1 << 16, len = 0;
	cleanup_free char *buf = malloc(cap);
	bool first = true;
	for (;;) {
		bool live = follow && cmd_monitor_alive(ctr);
		ssize_t n = 0;
		while (fd >= 0 && buf != NULL) {
			if (len == cap) {
				char *nb = realloc(buf, cap * 2);
				if (nb == NULL)
					break;
				buf = nb;
				cap *= 2;
			}
			n = read(fd, buf + len, cap - len);
			if (n <= 0)
				break;
			len += (size_t)n;
			/* --tail needs all of what is there before printing. */
			if (first && tail >= 0)
				continue;
			size_t used = print_log_lines(buf, len, timestamps);
			memmove(buf, buf + used, len - used);
			len -= used;
		}
		if (first && tail >= 0 && buf != NULL) {
			/* The last TAIL complete lines; a partial one waits. */
			size_t end = len, start, count = 0;
			while (end > 0 && buf[end - 1] != '\n')
				end--;
			for (start = end; start > 0 && count < (size_t)tail; count++) {
				size_t p = start - 1;
				while (p > 0 && buf[p - 1] != '\n')
					p--;
				start = p;
			}
			print_log_lines(buf + start, end - start, timestamps);
			memmove(buf, buf + end, len - end);
			len -= end;
		}
		first = false;
		if (!live)
			break;
		cmd_sleep_ms(100);
	}
	engine_container_free(ctr);
	return 0;
}
