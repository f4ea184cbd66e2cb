/* top.c: `engine top CONTAINER`: the container's processes in `ps -ef`'s
 * columns (UID PID PPID C STIME TTY TIME CMD) with host pids, as Docker
 * shows them.  ps options after the name are accepted and ignored: the
 * list comes from /proc (libengine/runtime/process.c), not from running ps.
 * Exit codes as exec's: 1 for no such container, 125 when not running. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/top.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "common/fs.h"
#include "libengine/runtime/passwd.h"
#include "libengine/runtime/process.h"

#define N_COLUMNS 8

/* Boot time (seconds since the epoch) and uptime, for STIME and C. */
static void clock_facts(long long *boot, double *uptime)
{
	cleanup_free char *stat = NULL;
	cleanup_free char *up = NULL;
	*boot = 0;
	*uptime = 0;
	if (engine_read_file(AT_FDCWD, "/proc/stat", 0, 1 << 20, &stat, NULL, NULL) == 0) {
		char *b = strstr(stat, "\nbtime ");
		if (b != NULL)
			*boot = atoll(b + 7);
	}
	if (engine_read_file(AT_FDCWD, "/proc/uptime", 0, 256, &up, NULL, NULL) == 0)
		*uptime = atof(up);
}

static void format_uid(uid_t uid, const char *passwd, size_t passwd_len, char *out, size_t size)
{
	struct engine_passwd_entry e;
	if (passwd != NULL && uid != (uid_t)-1 && engine_passwd_lookup(passwd, passwd_len, NULL, uid, &e) == 1)
		snprintf(out, size, "%s", e.name);
	else
		snprintf(out, size, "%u", (unsigned)uid);
}

/* ps's STIME: the time of day within the last 24 hours, else month and
 * day, else the year. */
static void format_stime(long long start, char *out, size_t size)
{
	time_t t = (time_t)start, now = time(NULL);
	struct tm tm, tm_now;
	localtime_r(&t, &tm);
	localtime_r(&now, &tm_now);
	if (now - t < 24 * 3600)
		strftime(out, size, "%H:%M", &tm);
	else if (tm.tm_year == tm_now.tm_year)
		strftime(out, size, "%b%d", &tm);
	else
		strftime(out, size, "%Y", &tm);
}

static void format_tty(unsigned int tty_nr, char *out, size_t size)
{
	unsigned int major = (tty_nr >> 8) & 0xfff, minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
	if (tty_nr == 0)
		snprintf(out, size, "?");
	else if (major >= 136 && major <= 143)
		snprintf(out, size, "pts/%u", minor + (major - 136) * 256);
	else if (major == 4 && minor < 64)
		snprintf(out, size, "tty%u", minor);
	else
		snprintf(out, size, "%u:%u", major, minor);
}

static void format_cputime(unsigned long long seconds, char *out, size_t size)
{
	unsigned long long d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60,
			   s = seconds % 60;
	if (d > 0)
		snprintf(out, size, "%llu-%02llu:%02llu:%02llu", d, h, m, s);
	else
		snprintf(out, size, "%02llu:%02llu:%02llu", h, m, s);
}

/* Columns padded as Docker's tabwriter pads them (at least 20 wide, 3
 * spaces after the longest cell). */
static void print_table(char *(*cells)[N_COLUMNS], size_t rows)
{
	size_t width[N_COLUMNS] = { 0 };
	for (size_t r = 0; r < rows; r++)
		for (int c = 0; c < N_COLUMNS; c++)
			if (strlen(cells[r][c]) + 3 > width[c])
				width[c] = strlen(cells[r][c]) + 3;
	for (size_t r = 0; r < rows; r++) {
		for (int c = 0; c < N_COLUMNS - 1; c++)
			printf("%-*s", (int)(width[c] < 20 ? 20 : width[c]), cells[r][c]);
		printf("%s\n", cells[r][N_COLUMNS - 1]);
	}
}

static int top(const struct engine_container *ctr, struct engine_error **err)
{
	if (ctr->state.status != ENGINE_CONTAINER_RUNNING || ctr->state.pid <= 0)
		return engine_error_set(err, EINVAL, "container %s is not running", ctr->name);
	struct engine_process_info *list = NULL;
	size_t n = 0;
	if (engine_process_list(ctr->state.pid, ctr->state.pid_start, &list, &n, err) < 0) {
		engine_error_free(err);
		return engine_error_set(err, ESRCH, "container %s is not running", ctr->name);
	}
	long long boot;
	double uptime;
	clock_facts(&boot, &uptime);
	long hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0)
		hz = 100;
	cleanup_free char *passwd = NULL;
	size_t passwd_len = 0;
	(void)engine_read_file(AT_FDCWD, "/etc/passwd", 0, 4 << 20, &passwd, &passwd_len, NULL);

	char *(*cells)[N_COLUMNS] = calloc(n + 1, sizeof(*cells));
	if (cells == NULL) {
		engine_process_list_free(list, n);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	static char *header[N_COLUMNS] = { "UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD" };
	memcpy(cells[0], header, sizeof(header));
	char (*text)[N_COLUMNS - 1][260] = calloc(n ? n : 1, sizeof(*text));
	for (size_t i = 0; text != NULL && i < n; i++) {
		const struct engine_process_info *p = &list[i];
		double age = uptime - (double)p->start_ticks / (double)hz;
		unsigned long long cpu_s = p->cpu_ticks / (unsigned long long)hz;
		long pcpu = age > 0 ? (long)((double)p->cpu_ticks / (double)hz * 100.0 / age) : 0;
		format_uid(p->uid, passwd, passwd_len, text[i][0], 260);
		snprintf(text[i][1], 260, "%d", (int)p->pid);
		snprintf(text[i][2], 260, "%d", (int)p->ppid);
		snprintf(text[i][3], 260, "%ld", pcpu > 99 ? 99 : pcpu);
		format_stime(boot + (long long)(p->start_ticks / (unsigned long long)hz), text[i][4], 260);
		format_tty(p->tty_nr, text[i][5], 260);
		format_cputime(cpu_s, text[i][6], 260);
		for (int c = 0; c < N_COLUMNS - 1; c++)
			cells[i + 1][c] = text[i][c];
		cells[i + 1][N_COLUMNS - 1] = p->cmd;
	}
	if (text != NULL)
		print_table(cells, n + 1);
	free(text);
	free(cells);
	engine_process_list_free(list, n);
	return text != NULL ? 0 : engine_error_set(err, ENOMEM, "out of memory");
}

int cmd_top(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	/* The command table took --help: what follows the name is ps's, and
	 * ignored. */
	int rc = 0;
	struct engine_container *c = cmd_container_lookup(g, argv[optind], &rc);
	if (c == NULL)
		return rc;
	if (top(c, &err) < 0)
		rc = cmd_report(err);
	engine_container_free(c);
	return rc;
}
