/* stats.c: `engine stats [--no-stream] [--no-trunc] [--format F] [-a]
 * [CONTAINER...]`: Docker's columns from the container's
 * cgroup (cpu.stat, memory.current/max, pids.current, io.stat) and its
 * network namespace (/proc/PID/net/dev of the init).  CPU % is the
 * cgroup's usage_usec between two samples over the wall time between
 * them, as Docker computes it (100% is one CPU).
 *
 * Without a cgroup of its own (cgroups not delegated: see engine info)
 * what can be read is shown: CPU % and PIDS from the processes of the
 * container's PID namespace, NET I/O; memory and block I/O print "--",
 * and one warning line per container says why. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libengine/cgroup/run.h"
#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/report.h"
#include "cmd/stats.h"
#include "cmd/commands.h"
#include "cmd/parse.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "common/fs.h"
#include "cmd/humanize.h"
#include "libengine/runtime/process.h"
#include "cmd/template.h"

struct sample {
	bool have_cgroup;
	struct engine_cgroup_stats cg;
	uint64_t cpu_usec; /* cgroup usage, or the processes' ticks in us */
	uint64_t pids;
	uint64_t net_rx, net_tx;
	int64_t at_ns;
	bool alive;
};

struct row {
	struct engine_container *ctr;
	struct sample a, b;
	bool warned;
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Bytes over every interface but lo, as Docker sums them. */
static void net_dev(pid_t pid, uint64_t *rx, uint64_t *tx)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	cleanup_free char *buf = NULL;
	*rx = *tx = 0;
	if (engine_read_file(AT_FDCWD, path, 0, 1 << 20, &buf, NULL, NULL) < 0)
		return;
	for (char *line = buf; line != NULL && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char *colon = strchr(line, ':');
		char *nl = strchr(line, '\n');
		if (colon == NULL || (nl != NULL && colon > nl))
			continue;
		char name[32];
		if (sscanf(line, " %31[^:]", name) != 1 || strcmp(name, "lo") == 0)
			continue;
		unsigned long long v[9];
		if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
			   &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) == 9) {
			*rx += v[0];
			*tx += v[8];
		}
	}
}

static void take_sample(struct row *r)
{
	struct sample *s = &r->b;
	const struct engine_container_state *st = &r->ctr->state;
	memset(s, 0, sizeof(*s));
	s->at_ns = mono_ns();
	if (st->status != ENGINE_CONTAINER_RUNNING || !engine_pid_alive_since(st->pid, st->pid_start))
		return;
	s->alive = true;
	struct engine_cgroup cg;
	if (st->cgroup_path[0] != '\0' && engine_cgroup_of_state(st, &cg, NULL) == 0) {
		s->have_cgroup = engine_cgroup_stats(&cg, &s->cg, NULL) == 0;
		engine_cgroup_release(&cg);
	}
	if (s->have_cgroup) {
		s->cpu_usec = s->cg.cpu_usage_usec;
		s->pids = s->cg.pids_current;
	} else {
		struct engine_process_info *list = NULL;
		size_t n = 0;
		if (engine_process_list(st->pid, st->pid_start, &list, &n, NULL) == 0) {
			long hz = sysconf(_SC_CLK_TCK);
			for (size_t i = 0; i < n; i++)
				s->cpu_usec += list[i].cpu_ticks * 1000000ULL / (unsigned long long)(hz > 0 ? hz : 100);
			s->pids = n;
			engine_process_list_free(list, n);
		}
	}
	net_dev(st->pid, &s->net_rx, &s->net_tx);
}

/* Docker's memory column: binary units ("1.5MiB / 31.3GiB"). */
static void bytes_size(uint64_t bytes, char *out, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		u++;
	}
	snprintf(out, size, "%.4g%s", v, units[u]);
}

static uint64_t host_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
}

static json_t *row_json(struct row *r, bool no_trunc)
{
	const struct sample *a = &r->a, *b = &r->b;
	char id[65], cpu[32], mem[96], memp[32], net[96], blk[96], pids[32];
	snprintf(id, sizeof(id), no_trunc ? "%s" : "%.12s", r->ctr->id);
	if (!b->alive) {
		snprintf(cpu, sizeof(cpu), "--");
		snprintf(mem, sizeof(mem), "-- / --");
		snprintf(memp, sizeof(memp), "--");
		snprintf(net, sizeof(net), "--");
		snprintf(blk, sizeof(blk), "--");
		snprintf(pids, sizeof(pids), "--");
	} else {
		double wall_us = (double)(b->at_ns - a->at_ns) / 1000.0;
		double used = a->alive && b->cpu_usec >= a->cpu_usec ? (double)(b->cpu_usec - a->cpu_usec) : 0;
		snprintf(cpu, sizeof(cpu), "%.2f%%", wall_us > 0 ? 100.0 * used / wall_us : 0.0);
		char x[32], y[32];
		cmd_human_size((int64_t)b->net_rx, x, sizeof(x));
		cmd_human_size((int64_t)b->net_tx, y, sizeof(y));
		snprintf(net, sizeof(net), "%s / %s", x, y);
		snprintf(pids, sizeof(pids), "%llu", (unsigned long long)b->pids);
		if (b->have_cgroup) {
			uint64_t limit = b->cg.memory_max >= 0 ? (uint64_t)b->cg.memory_max : host_memory();
			bytes_size(b->cg.memory_current, x, sizeof(x));
			bytes_size(limit, y, sizeof(y));
			snprintf(mem, sizeof(mem), "%s / %s", x, y);
			snprintf(memp, sizeof(memp), "%.2f%%",
				 limit > 0 ? 100.0 * (double)b->cg.memory_current / (double)limit : 0.0);
			cmd_human_size((int64_t)b->cg.io_read_bytes, x, sizeof(x));
			cmd_human_size((int64_t)b->cg.io_write_bytes, y, sizeof(y));
			snprintf(blk, sizeof(blk), "%s / %s", x, y);
		} else {
			snprintf(mem, sizeof(mem), "-- / --");
			snprintf(memp, sizeof(memp), "--");
			snprintf(blk, sizeof(blk), "--");
		}
	}
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "BlockIO", blk, "CPUPerc", cpu,
			 "Container", id, "ID", id, "MemPerc", memp, "MemUsage", mem, "Name",
			 r->ctr->name, "NetIO", net, "PIDs", pids);
}

static const struct cmd_template_header stats_headers[] = {
	{ "ID", "CONTAINER ID" }, { "Container", "CONTAINER" }, { "CPUPerc", "CPU %" },
	{ "MemUsage", "MEM USAGE / LIMIT" }, { "MemPerc", "MEM %" }, { "NetIO", "NET I/O" },
	{ "BlockIO", "BLOCK I/O" }, { "PIDs", "PIDS" }, { NULL, NULL },
};

static const char default_format[] =
	"table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

static volatile sig_atomic_t interrupted;
static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

int cmd_stats(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	bool no_stream = false, no_trunc = false, all = false;
	const char *format = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "all", CMD_BIND_BOOL, &all },
			    { "format", CMD_BIND_STRING, &format },
			    { "no-stream", CMD_BIND_BOOL, &no_stream },
			    { "no-trunc", CMD_BIND_BOOL, &no_trunc });
	if (format != NULL && strcmp(format, "json") == 0)
		format = "{{json .}}";
	if (format != NULL && cmd_template_check(format, &err) < 0)
		return cmd_report(err);
	struct storage_store *store = cmd_open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	struct engine_container **list = NULL;
	size_t n = 0;
	int rc = 0;
	if (optind < argc) {
		list = calloc((size_t)(argc - optind), sizeof(*list));
		for (int i = optind; list != NULL && i < argc; i++) {
			struct engine_container *ctr = NULL;
			if (engine_container_get(store, argv[i], &ctr, &err) < 0) {
				rc = cmd_report_1(&err);
				continue;
			}
			list[n++] = ctr;
		}
	} else if (engine_container_list_running(store, !all, &list, &n, &err) < 0) {
		storage_store_close(store);
		return cmd_report(err);
	}
	storage_store_close(store);
	if (rc != 0 && n == 0) {
		free(list);
		return rc;
	}
	struct row *rows = calloc(n ? n : 1, sizeof(*rows));
	if (rows == NULL) {
		engine_error_set(&err, ENOMEM, "out of memory");
		return cmd_report(err);
	}
	for (size_t i = 0; i < n; i++) {
		rows[i].ctr = list[i];
		take_sample(&rows[i]);
		rows[i].a = rows[i].b;
		const struct engine_container_state *st = &list[i]->state;
		if (st->status == ENGINE_CONTAINER_RUNNING && st->cgroup_path[0] == '\0') {
			struct engine_cgroup_detection det;
			struct engine_error *local = NULL;
			if (engine_cgroup_detect(NULL, &det, &local) == 0 && det.reason[0] != '\0')
				cmd_warn("%s: memory and block I/O are not shown: the container has no cgroup (%s)",
					 list[i]->name, det.reason);
			else
				cmd_warn("%s: memory and block I/O are not shown: the container has no cgroup",
					 list[i]->name);
			engine_error_free(&local);
		}
	}
	struct sigaction sa = { .sa_handler = on_interrupt };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (bool first = true; !interrupted; first = false) {
		/* The first CPU % needs a second sample. */
		struct timespec ts = { first ? 0 : 1, first ? 500 * 1000 * 1000 : 0 };
		nanosleep(&ts, NULL);
		if (interrupted)
			break;
		json_t *out = json_array();
		for (size_t i = 0; i < n; i++) {
			if (!first)
				rows[i].a = rows[i].b;
			take_sample(&rows[i]);
			json_array_append_new(out, row_json(&rows[i], no_trunc));
		}
		if (!no_stream)
			fputs("\033[2J\033[H", stdout);
		if (cmd_template_print(format, default_format, out, stats_headers, stdout, &err) < 0) {
			json_decref(out);
			rc = cmd_report(err);
			break;
		}
		json_decref(out);
		fflush(stdout);
		if (no_stream)
			break;
	}
	for (size_t i = 0; i < n; i++)
		engine_container_free(list[i]);
	free(list);
	free(rows);
	return rc;
}
