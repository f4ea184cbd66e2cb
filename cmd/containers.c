/* containers.c: the lifecycle commands on recorded containers: ps, start,
 * stop, kill, rm, wait, logs, and the container half of inspect.  Each
 * parses its flags, calls the container store (libengine/containers.c)
 * and prints what Docker prints. */
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
#include "humanize.h"
#include "idmap.h"
#include "image.h"
#include "template.h"

static struct storage_store *open_store(const struct cmd_global *g, struct engine_error **err)
{
	cleanup_free char *root = NULL;
	struct storage_store *store = NULL;
	if (cmd_store_root(g, &root, err) < 0 || storage_store_open(root, &store, err) < 0)
		return NULL;
	return store;
}

/* Docker's CLI exits 1 for what its daemon refused (no such container, not
 * running): scripts test for it. */
static int report_1(struct engine_error **err)
{
	if (*err != NULL && (*err)->exit_code == 0)
		(*err)->exit_code = 1;
	int r = cmd_report(*err);
	engine_error_free(err);
	return r;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static bool monitor_alive(const struct engine_container *c)
{
	return engine_pid_alive_since(c->state.monitor_pid, c->state.monitor_start);
}

/* Wait up to TIMEOUT_MS for the monitor to finish (it records the exit
 * before it exits); true when it has. */
static bool wait_monitor(const struct engine_container *c, int timeout_ms)
{
	for (int t = 0; monitor_alive(c); t += 20) {
		if (timeout_ms >= 0 && t >= timeout_ms)
			return false;
		sleep_ms(20);
	}
	return true;
}

/* Signal the container's init.  Where we may not (it runs as a
 * subordinate uid), the monitor forwards what it can; SIGKILL to the
 * monitor takes the container with it (PR_SET_PDEATHSIG). */
static int signal_container(const struct engine_container *c, int sig)
{
	if (c->state.status != ENGINE_CONTAINER_RUNNING)
		return -ESRCH;
	if (engine_pid_alive_since(c->state.pid, c->state.pid_start) && kill(c->state.pid, sig) == 0)
		return 0;
	if (monitor_alive(c) && kill(c->state.monitor_pid, sig) == 0)
		return 0;
	return -errno;
}

static int parse_signal(const char *s, int *ret)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0' && n > 0 && n < NSIG) {
		*ret = (int)n;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev != NULL && strcasecmp(abbrev, s) == 0) {
			*ret = i;
			return 0;
		}
	}
	return -1;
}

static void time_nano(int64_t ns, char *out, size_t size)
{
	if (ns <= 0) {
		snprintf(out, size, "0001-01-01T00:00:00Z");
		return;
	}
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char base[24];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, size, "%s.%09lldZ", base, (long long)(ns % 1000000000));
}

static char *join_command(char *const *argv)
{
	size_t len = 1;
	for (size_t i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	for (size_t i = 0; s && argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* ---- ps ----------------------------------------------------------------- */

static json_t *ps_row(const struct engine_container *c, bool no_trunc, int64_t now)
{
	char id[65], status[96], created_at[64], running_for[80];
	snprintf(id, sizeof(id), no_trunc ? "%s" : "%.12s", c->id);
	cmd_container_status((int)c->state.status, c->state.exit_code, c->state.started_ns,
			     c->state.finished_ns, now, status, sizeof(status));
	cmd_created_at(c->created_ns / 1000000000, created_at, sizeof(created_at));
	cmd_human_duration((now - c->created_ns) / 1000000000, running_for, sizeof(running_for));
	strncat(running_for, " ago", sizeof(running_for) - strlen(running_for) - 1);
	cleanup_free char *cmd = join_command(c->argv);
	/* Docker quotes the command and cuts it at 20 characters with "…". */
	char command[512];
	if (!no_trunc && cmd && strlen(cmd) > 20)
		snprintf(command, sizeof(command), "\"%.19s…\"", cmd);
	else
		snprintf(command, sizeof(command), "\"%s\"", cmd ? cmd : "");
	static const char *const states[] = { "created", "running", "exited" };
	const char *image = c->image;
	if (image[0] == '\0') {
		const char *rootfs = json_string_value(
			json_object_get(json_object_get(c->config, "Spec"), "rootfs"));
		image = rootfs ? rootfs : "";
	}
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ID", id, "Image", image,
			 "Command", command, "CreatedAt", created_at, "RunningFor", running_for,
			 "Ports", "", "State", states[c->state.status], "Status", status, "Size", "0B",
			 "Names", c->name, "Labels", "", "Mounts", "");
}

/* --filter KEY=VALUE: the same key ORs, different keys AND, as Docker. */
struct ps_filter {
	const char *key[32], *value[32];
	size_t n;
};

static int ps_filter_add(struct ps_filter *f, const char *spec, struct engine_error **err)
{
	static const char *const keys[] = { "name", "id", "status", "ancestor", "exited" };
	const char *eq = strchr(spec, '=');
	size_t kl = eq ? (size_t)(eq - spec) : 0;
	for (size_t i = 0; eq && i < ARRAY_SIZE(keys); i++) {
		if (strlen(keys[i]) != kl || strncmp(spec, keys[i], kl) != 0)
			continue;
		if (f->n == ARRAY_SIZE(f->key))
			return engine_error_set(err, E2BIG, "--filter: too many filters");
		f->key[f->n] = keys[i];
		f->value[f->n++] = eq + 1;
		return 0;
	}
	return engine_error_set(err, EINVAL,
				"--filter %s: unsupported filter (name, id, status, ancestor, exited)", spec);
}

static bool ps_filter_one(const struct engine_container *c, const char *key, const char *v)
{
	static const char *const states[] = { "created", "running", "exited" };
	if (strcmp(key, "name") == 0)
		return strstr(c->name, v[0] == '/' ? v + 1 : v) != NULL;
	if (strcmp(key, "id") == 0)
		return strncmp(c->id, v, strlen(v)) == 0;
	if (strcmp(key, "status") == 0)
		return strcmp(states[c->state.status], v) == 0;
	if (strcmp(key, "exited") == 0)
		return c->state.status == ENGINE_CONTAINER_EXITED && c->state.exit_code == atoi(v);
	/* ancestor: the image as named, or its id (a prefix of it) */
	const char *hex = strncmp(v, "sha256:", 7) == 0 ? v + 7 : v;
	return strcmp(c->image, v) == 0 ||
	       (c->image_id[0] && strlen(hex) >= 4 && strncmp(c->image_id, hex, strlen(hex)) == 0);
}

static bool ps_filter_match(const struct ps_filter *f, const struct engine_container *c)
{
	for (size_t i = 0; i < f->n; i++) {
		bool any = false, seen = false;
		for (size_t k = 0; k < f->n; k++) {
			if (strcmp(f->key[k], f->key[i]) != 0)
				continue;
			seen = true;
			any = any || ps_filter_one(c, f->key[k], f->value[k]);
		}
		if (seen && !any)
			return false;
	}
	return true;
}

static const struct cmd_template_header ps_headers[] = {
	{ "ID", "CONTAINER ID" },
	{ "RunningFor", "CREATED" },
	{ "CreatedAt", "CREATED AT" },
	{ NULL, NULL },
};

int cmd_ps(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },         { "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'N' },    { "format", required_argument, NULL, 'F' },
		{ "latest", no_argument, NULL, 'l' },      { "last", required_argument, NULL, 'n' },
		{ "filter", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ps_filter filter = { 0 };
	bool all = false, quiet = false, no_trunc = false;
	long last = -1;
	const char *format = NULL;
	cleanup_error struct engine_error *err = NULL;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:aqln:f:", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'f':
			if (ps_filter_add(&filter, optarg, &err) < 0)
				return cmd_report(err);
			break;
		case 'q':
			quiet = true;
			break;
		case 'N':
			no_trunc = true;
			break;
		case 'F':
			format = optarg;
			break;
		case 'l':
			last = 1;
			break;
		case 'n':
			last = strtol(optarg, NULL, 10);
			break;
		case 'h':
			puts("Usage: engine ps [OPTIONS]");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (format != NULL && strcmp(format, "json") == 0)
		format = "{{json .}}";
	if (format != NULL && cmd_template_check(format, &err) < 0)
		return cmd_report(err);
	/* -n and -l look at every container, as in Docker. */
	if (last >= 0)
		all = true;
	struct storage_store *store = open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	struct engine_container **list = NULL;
	size_t n = 0;
	int r = engine_container_list(store, &list, &n, &err);
	storage_store_close(store);
	if (r < 0)
		return cmd_report(err);
	cleanup_json json_t *rows = json_array();
	int64_t now = engine_now_ns();
	/* A status or exited filter looks at every container, as Docker's. */
	for (size_t i = 0; i < filter.n; i++)
		if (strcmp(filter.key[i], "status") == 0 || strcmp(filter.key[i], "exited") == 0)
			all = true;
	long n_shown = 0;
	for (size_t i = 0; i < n; i++) {
		bool shown = (all || list[i]->state.status == ENGINE_CONTAINER_RUNNING) &&
			     (last < 0 || n_shown < last) && ps_filter_match(&filter, list[i]);
		if (shown) {
			json_array_append_new(rows, ps_row(list[i], no_trunc, now));
			n_shown++;
		}
		engine_container_free(list[i]);
	}
	free(list);
	if (quiet)
		format = "{{.ID}}";
	const char *def = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t"
			  "{{.Ports}}\t{{.Names}}";
	if (cmd_template_print(format, def, rows, ps_headers, stdout, &err) < 0)
		return cmd_report(err);
	return 0;
}

/* ---- start, stop, kill, rm, wait ----------------------------------------- */

static int start_one(struct storage_store *store, const char *what, struct engine_error **err)
{
	struct engine_container *c = NULL;
	if (engine_container_get(store, what, &c, err) < 0)
		return -1;
	int r = 0;
	if (c->state.status != ENGINE_CONTAINER_RUNNING) {
		struct engine_run_spec spec = { 0 };
		static struct engine_idmap map;
		r = engine_container_spec(c, &spec, err);
		if (r == 0 && c->image_id[0] != '\0' && (spec.image_id = strdup(c->image_id)) == NULL)
			r = engine_error_set(err, ENOMEM, "out of memory");
		if (r == 0)
			r = engine_idmap_detect(&map, err);
		if (r == 0)
			r = engine_monitor_start(&spec, &map, c->name, err);
		engine_run_spec_free(&spec);
	}
	engine_container_free(c);
	return r;
}

int cmd_start(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	int c;
	optind = 0;
	opterr = 0;
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		if (c == 'h') {
			puts("Usage: engine start CONTAINER [CONTAINER...]");
			return 0;
		}
		return cmd_bad_flag(c, argv);
	}
	if (optind >= argc) {
		engine_error_set(&err, EINVAL, "\"engine start\" requires at least 1 argument");
		return cmd_report(err);
	}
	struct storage_store *store = open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		if (start_one(store, argv[i], &err) < 0) {
			rc = report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	storage_store_close(store);
	return rc;
}

/* stop: the stop signal, up to TIMEOUT seconds, then SIGKILL. */
static int stop_one(struct storage_store *store, const char *what, int sig, int timeout,
		    struct engine_error **err)
{
	struct engine_container *c = NULL;
	if (engine_container_get(store, what, &c, err) < 0)
		return -1;
	if (c->state.status == ENGINE_CONTAINER_RUNNING) {
		signal_container(c, sig);
		if (!wait_monitor(c, timeout * 1000)) {
			signal_container(c, SIGKILL);
			wait_monitor(c, 10000);
		}
	}
	engine_container_free(c);
	return 0;
}

static int stop_or_kill(int argc, char **argv, struct cmd_global *g, bool stop)
{
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' },   { "timeout", required_argument, NULL, 't' },
		{ "signal", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_error struct engine_error *err = NULL;
	int sig = stop ? SIGTERM : SIGKILL, timeout = 10, c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, stop ? "+:t:s:" : "+:s:", opts, NULL)) != -1) {
		switch (c) {
		case 't': {
			char *end;
			long t = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || t < -1 || t > 86400) {
				engine_error_set(&err, EINVAL, "invalid argument \"%s\" for \"-t, --time\" flag",
						 optarg);
				return cmd_report(err);
			}
			timeout = t < 0 ? 86400 : (int)t;
			break;
		}
		case 's':
			if (parse_signal(optarg, &sig) < 0) {
				engine_error_set(&err, EINVAL, "invalid signal: %s", optarg);
				return cmd_report(err);
			}
			break;
		case 'h':
			printf("Usage: engine %s [OPTIONS] CONTAINER [CONTAINER...]\n", stop ? "stop" : "kill");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind >= argc) {
		engine_error_set(&err, EINVAL, "\"engine %s\" requires at least 1 argument",
				 stop ? "stop" : "kill");
		return cmd_report(err);
	}
	struct storage_store *store = open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		int r;
		if (stop) {
			r = stop_one(store, argv[i], sig, timeout, &err);
		} else {
			struct engine_container *ctr = NULL;
			r = engine_container_get(store, argv[i], &ctr, &err);
			if (r == 0 && signal_container(ctr, sig) < 0)
				r = engine_error_set(&err, ESRCH,
						     "cannot kill container: %s: container %s is not running",
						     argv[i], ctr->id);
			engine_container_free(ctr);
		}
		if (r < 0) {
			rc = report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	storage_store_close(store);
	return rc;
}

int cmd_stop(int argc, char **argv, struct cmd_global *g)
{
	return stop_or_kill(argc, argv, g, true);
}

int cmd_kill(int argc, char **argv, struct cmd_global *g)
{
	return stop_or_kill(argc, argv, g, false);
}

/* restart: stop (with -t), then start, one container after the other. */
int cmd_restart(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' }, { "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
	};
	cleanup_error struct engine_error *err = NULL;
	int timeout = 10, c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:t:", opts, NULL)) != -1) {
		switch (c) {
		case 't': {
			char *end;
			long t = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || t < 0 || t > 86400) {
				engine_error_set(&err, EINVAL, "invalid argument \"%s\" for \"-t, --time\" flag",
						 optarg);
				return cmd_report(err);
			}
			timeout = (int)t;
			break;
		}
		case 'h':
			puts("Usage: engine restart [OPTIONS] CONTAINER [CONTAINER...]");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind >= argc) {
		engine_error_set(&err, EINVAL, "\"engine restart\" requires at least 1 argument");
		return cmd_report(err);
	}
	struct storage_store *store = open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		if (stop_one(store, argv[i], SIGTERM, timeout, &err) < 0 ||
		    start_one(store, argv[i], &err) < 0) {
			rc = report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	storage_store_close(store);
	return rc;
}

static int rm_one(struct storage_store *store, const char *what, bool force,
		  struct engine_error **err)
{
	struct engine_container *c = NULL;
	if (engine_container_get(store, what, &c, err) < 0)
		return -1;
	int r = 0;
	if (c->state.status == ENGINE_CONTAINER_RUNNING) {
		if (!force) {
			r = engine_error_set(err, EBUSY,
					     "cannot remove container \"/%s\": container is running: stop the "
					     "container before removing or force remove",
					     c->name);
			goto out;
		}
		signal_container(c, SIGKILL);
		if (!wait_monitor(c, 10000)) {
			/* A monitor that does not go: kill it, the container dies
			 * with it. */
			kill(c->state.monitor_pid, SIGKILL);
			wait_monitor(c, 5000);
		}
	} else if (monitor_alive(c)) {
		/* Exited, and its monitor is still cleaning up (--rm, layer). */
		wait_monitor(c, 10000);
	}
	/* The writable layer holds files of subordinate ids: it goes from
	 * inside the user namespace. */
	json_t *layers = json_object_get(json_object_get(c->config, "Spec"), "layers");
	if (json_array_size(layers) > 0 && getuid() != 0) {
		static struct engine_idmap map;
		struct engine_error *local = NULL;
		char rel[128];
		snprintf(rel, sizeof(rel), "containers/%s/config.json", c->id);
		if (faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (engine_idmap_detect(&map, &local) < 0 ||
		     engine_container_dir_remove(store->root, &map, c->id, &local) < 0))
			engine_log(ENGINE_LOG_WARN, "remove the writable layer of %s: %s", c->id,
				   local ? local->msg : "failed");
		engine_error_free(&local);
	}
	r = engine_container_forget(store, c->id, c->name, err);
out:
	engine_container_free(c);
	return r;
}

int cmd_rm(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },   { "volumes", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },    { NULL, 0, NULL, 0 },
	};
	cleanup_error struct engine_error *err = NULL;
	bool force = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:fv", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'v':
			break; /* no volumes yet */
		case 'h':
			puts("Usage: engine rm [OPTIONS] CONTAINER [CONTAINER...]");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind >= argc) {
		engine_error_set(&err, EINVAL, "\"engine rm\" requires at least 1 argument");
		return cmd_report(err);
	}
	struct storage_store *store = open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		if (rm_one(store, argv[i], force, &err) < 0) {
			rc = report_1(&err);
			continue;
		}
		puts(argv[i]);
	}
	storage_store_close(store);
	return rc;
}

/* container prune: every container that is not running goes. */
int cmd_container_prune(int argc, char **argv, struct cmd_global *g)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_error struct engine_error *err = NULL;
	bool force = false;
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			puts("Usage: engine container prune [OPTIONS]");
			return 0;
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (!force) {
		printf("WARNING! This will remove all stopped containers.\n"
		       "Are you sure you want to continue? [y/N] ");
		fflush(stdout);
		char answer[16] = "";
		if (fgets(answer, sizeof(answer), stdin) == NULL ||
		    (strcasecmp(answer, "y\n") != 0 && strcasecmp(answer, "yes\n") != 0))
			return 0;
	}
	struct storage_store *store = open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	struct engine_container **list = NULL;
	size_t n = 0;
	if (engine_container_list(store, &list, &n, &err) < 0) {
		storage_store_close(store);
		return cmd_report(err);
	}
	int rc = 0;
	bool header = false;
	for (size_t i = 0; i < n; i++) {
		if (list[i]->state.status != ENGINE_CONTAINER_RUNNING) {
			if (rm_one(store, list[i]->id, false, &err) < 0) {
				rc = report_1(&err);
			} else {
				if (!header)
					puts("Deleted Containers:");
				header = true;
				puts(list[i]->id);
			}
		}
		engine_container_free(list[i]);
	}
	free(list);
	storage_store_close(store);
	if (header)
		putchar('\n');
	puts("Total reclaimed space: 0B");
	return rc;
}

int cmd_wait(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	if (argc < 2) {
		engine_error_set(&err, EINVAL, "\"engine wait\" requires at least 1 argument");
		return cmd_report(err);
	}
	struct storage_store *store = open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct engine_container *c = NULL;
		if (engine_container_get(store, argv[i], &c, &err) < 0) {
			rc = report_1(&err);
			continue;
		}
		/* The monitor records the exit before it exits. */
		wait_monitor(c, -1);
		char id[65];
		snprintf(id, sizeof(id), "%s", c->id);
		engine_container_free(c);
		c = NULL;
		if (engine_container_get(store, id, &c, &err) < 0) {
			/* Removed at exit (--rm): the code went with it. */
			engine_error_free(&err);
			puts("0");
			continue;
		}
		printf("%d\n", c->state.exit_code);
		engine_container_free(c);
	}
	storage_store_close(store);
	return rc;
}

/* ---- logs ------------------------------------------------------------------ */

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
	struct storage_store *store = open_store(g, &err);
	if (store == NULL)
		return cmd_report(err);
	struct engine_container *ctr = NULL;
	if (engine_container_get(store, argv[optind], &ctr, &err) < 0) {
		storage_store_close(store);
		return report_1(&err);
	}
	char rel[128];
	snprintf(rel, sizeof(rel), "containers/%s/ctr.log", ctr->id);
	cleanup_close int fd = openat(store->rootfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	storage_store_close(store);
	size_t cap = 1 << 16, len = 0;
	cleanup_free char *buf = malloc(cap);
	bool first = true;
	for (;;) {
		bool live = follow && monitor_alive(ctr);
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
		sleep_ms(100);
	}
	engine_container_free(ctr);
	return 0;
}

/* ---- inspect ---------------------------------------------------------------- */

json_t *cmd_container_inspect_json(const struct engine_container *c)
{
	json_t *spec = json_object_get(c->config, "Spec");
	char created[64], started[64], finished[64], image[80];
	time_nano(c->created_ns, created, sizeof(created));
	time_nano(c->state.started_ns, started, sizeof(started));
	time_nano(c->state.finished_ns, finished, sizeof(finished));
	snprintf(image, sizeof(image), c->image_id[0] ? "sha256:%s" : "%s", c->image_id);
	static const char *const states[] = { "created", "running", "exited" };
	json_t *args = json_array();
	for (size_t i = 1; c->argv[0] && c->argv[i]; i++)
		json_array_append_new(args, json_string(c->argv[i]));
	char name[300];
	snprintf(name, sizeof(name), "/%s", c->name);
	const char *hostname = json_string_value(json_object_get(spec, "hostname"));
	char short_id[13];
	snprintf(short_id, sizeof(short_id), "%.12s", c->id);
	return json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:b,s:b,s:b,s:b,s:b,s:i,s:i,s:s,s:s,s:s},s:s,s:s,"
			 "s:{s:s,s:s,s:s,s:b,s:b,s:O,s:O,s:s,s:s},s:{s:b}}",
			 "Id", c->id, "Created", created, "Path", c->argv[0] ? c->argv[0] : "", "Args",
			 args, "State", "Status", states[c->state.status], "Running",
			 c->state.status == ENGINE_CONTAINER_RUNNING, "Paused", 0, "Restarting", 0,
			 "OOMKilled", 0, "Dead", 0, "Pid", (int)c->state.pid, "ExitCode",
			 c->state.exit_code, "Error", "", "StartedAt", started, "FinishedAt", finished,
			 "Image", image, "Name", name, "Config", "Hostname",
			 hostname && *hostname ? hostname : short_id, "Image", c->image, "User",
			 json_string_value(json_object_get(spec, "user")) ?: "", "Tty",
			 json_is_true(json_object_get(spec, "tty")), "OpenStdin",
			 json_is_true(json_object_get(spec, "interactive")), "Cmd",
			 json_object_get(spec, "argv") ?: json_null(), "Env",
			 json_object_get(spec, "env") ?: json_null(), "WorkingDir",
			 json_string_value(json_object_get(spec, "workdir")) ?: "", "Entrypoint", "",
			 "HostConfig", "AutoRemove", json_is_true(json_object_get(spec, "remove")));
}
