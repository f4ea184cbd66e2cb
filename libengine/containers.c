/* containers.c: the container store (see containers.h): config.json and
 * state.json, one module for both documents, names and ID lookup.
 *
 * Locking: names are reserved under the store lock by creating
 * container-names/NAME with O_EXCL (so even a reader that takes no lock
 * never sees two owners); state.json is only replaced by whoever holds
 * containers/ID/lock, and atomically, so readers need no lock at all. */
#include "containers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "dir.h"
#include "container-repair.h"
#include "proc.h"
#include "fs.h"
#include "hex.h"
#include "json-scan.h"
#include "remove.h"

#define CONFIG_MAX (1u << 20)
#define STATE_MAX (64u << 10)

/* A short list in Docker's spirit (moby's namesgenerator): enough words
 * for thousands of names; a collision just draws again. */
static const char *const adjectives[] = {
	"admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome",
	"blissful", "bold", "boring", "brave", "busy", "charming", "clever", "cool",
	"compassionate", "competent", "confident", "cranky", "crazy", "dazzling", "determined",
	"distracted", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent",
	"epic", "exciting", "fervent", "festive", "flamboyant", "focused", "friendly", "frosty",
	"funny", "gallant", "gifted", "goofy", "gracious", "great", "happy", "hardcore",
	"heuristic", "hopeful", "hungry", "infallible", "inspiring", "intelligent", "interesting",
	"jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical", "modest",
	"musing", "mystifying", "naughty", "nervous", "nice", "nifty", "nostalgic", "objective",
	"optimistic", "peaceful", "pedantic", "pensive", "practical", "priceless", "quirky",
	"quizzical", "recursing", "relaxed", "reverent", "romantic", "sad", "serene", "sharp",
	"silly", "sleepy", "stoic", "strange", "stupefied", "suspicious", "sweet", "tender",
	"thirsty", "trusting", "unruffled", "upbeat", "vibrant", "vigilant", "vigorous",
	"wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen",
};
static const char *const nouns[] = {
	"agnesi", "albattani", "allen", "almeida", "archimedes", "ardinghelli", "aryabhata",
	"austin", "babbage", "banach", "bardeen", "bartik", "bassi", "bell", "bhabha", "blackwell",
	"bohr", "booth", "borg", "bose", "brahmagupta", "brattain", "brown", "carson", "cerf",
	"chandrasekhar", "chatelet", "clarke", "cohen", "curie", "darwin", "davinci", "diffie",
	"dijkstra", "dirac", "driscoll", "dubinsky", "easley", "edison", "einstein", "elion",
	"engelbart", "euclid", "euler", "faraday", "fermat", "fermi", "feynman", "franklin",
	"galileo", "gates", "goldberg", "goldstine", "goldwasser", "goodall", "hamilton",
	"hawking", "heisenberg", "hermann", "hodgkin", "hopper", "hypatia", "jackson", "jang",
	"jennings", "johnson", "kalam", "kapitsa", "keller", "kepler", "khorana", "kilby",
	"knuth", "kowalevski", "lalande", "lamarr", "lamport", "leakey", "leavitt", "lewin",
	"liskov", "lovelace", "lumiere", "mayer", "mccarthy", "mcclintock", "meitner", "mendel",
	"merkle", "mirzakhani", "moore", "morse", "napier", "nash", "newton", "nobel", "noether",
	"pare", "pascal", "pasteur", "payne", "perlman", "pike", "poincare", "ptolemy", "raman",
	"ride", "ritchie", "robinson", "rosalind", "shannon", "shaw", "shockley", "sinoussi",
	"snyder", "spence", "stonebraker", "swanson", "tesla", "thompson", "torvalds", "turing",
	"villani", "wescoff", "wiles", "williams", "wilson", "wing", "wozniak", "wright", "yalow",
};

void engine_container_name_generate(uint32_t random, char *out, size_t size)
{
	const char *a = adjectives[random % ARRAY_SIZE(adjectives)];
	const char *n = nouns[(random / ARRAY_SIZE(adjectives)) % ARRAY_SIZE(nouns)];
	/* Moby never names a container after Steve Wozniak being boring. */
	if (strcmp(a, "boring") == 0 && strcmp(n, "wozniak") == 0)
		a = "bold";
	snprintf(out, size, "%s_%s", a, n);
}

int engine_container_name_check(const char *name, struct engine_error **err)
{
	/* Docker accepts a leading "/" (its internal spelling) and drops it. */
	const char *p = name[0] == '/' ? name + 1 : name;
	size_t len = strlen(p);
	bool ok = len > 0 && len <= 253;
	for (size_t i = 0; ok && i < len; i++) {
		char ch = p[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
		ok = alnum || (i > 0 && (ch == '_' || ch == '.' || ch == '-'));
	}
	if (!ok)
		return engine_error_set(err, EINVAL,
					"Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
					name);
	return 0;
}

int64_t engine_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void engine_container_free(struct engine_container *c)
{
	if (c == NULL)
		return;
	free(c->name);
	free(c->image);
	free(c->image_id);
	for (size_t i = 0; c->argv && c->argv[i]; i++)
		free(c->argv[i]);
	free(c->argv);
	json_decref(c->config);
	free(c);
}

/* ---- documents -------------------------------------------------------- */

static json_t *strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; v != NULL && (n == SIZE_MAX ? v[i] != NULL : i < n); i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static const char *s_or_empty(const char *s)
{
	return s ? s : "";
}

/* labels: the spec's "KEY=VALUE" list as Docker's Labels object. */
json_t *engine_labels_json(const struct engine_run_spec *spec)
{
	json_t *o = json_object();
	for (size_t i = 0; o != NULL && i < spec->n_labels; i++) {
		const char *eq = strchr(spec->labels[i], '=');
		cleanup_free char *key = eq ? strndup(spec->labels[i], (size_t)(eq - spec->labels[i])) : NULL;
		if (key != NULL)
			json_object_set_new(o, key, json_string(eq + 1));
	}
	return o;
}

/* cgroups (#6): the limit flags as given, in config.json's Spec. */
static void cgroup_config_set(json_t *s, const struct engine_run_spec *spec)
{
	json_object_set_new(s, "cg_memory", json_integer(spec->cg_memory));
	json_object_set_new(s, "cg_memory_swap", json_integer(spec->cg_memory_swap));
	json_object_set_new(s, "cg_memory_reservation", json_integer(spec->cg_memory_reservation));
	json_object_set_new(s, "cg_cpus", json_real(spec->cg_cpus));
	json_object_set_new(s, "cg_cpu_quota", json_integer((json_int_t)spec->cg_cpu_quota));
	json_object_set_new(s, "cg_cpu_period", json_integer((json_int_t)spec->cg_cpu_period));
	json_object_set_new(s, "cg_cpu_shares", json_integer((json_int_t)spec->cg_cpu_shares));
	json_object_set_new(s, "cg_cpuset_cpus", json_string(s_or_empty(spec->cg_cpuset_cpus)));
	json_object_set_new(s, "cg_pids_limit", json_integer(spec->cg_pids_limit));
	json_object_set_new(s, "cgroups_mode", json_string(s_or_empty(spec->cgroups_mode)));
	json_object_set_new(s, "cgroup_parent", json_string(s_or_empty(spec->cgroup_parent)));
}

static json_t *config_json(const struct engine_run_spec *spec, const char *name,
			   const char *image_id, int64_t created)
{
	json_t *s = json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:i,s:I,s:s,s:s,s:s,"
			      "s:i,s:o}",
			      "rootfs", s_or_empty(spec->rootfs), "argv", strv_json(spec->argv, SIZE_MAX),
			      "env", strv_json(spec->env, spec->n_env), "workdir", s_or_empty(spec->workdir),
			      "user", s_or_empty(spec->user), "hostname", s_or_empty(spec->hostname),
			      "interactive", spec->interactive, "tty", spec->tty, "remove", spec->remove,
			      "privileged", spec->privileged, "no_new_privileges", spec->no_new_privileges,
			      "read_only", spec->read_only, "network", (int)spec->network, "caps",
			      (json_int_t)spec->caps, "seccomp_profile", s_or_empty(spec->seccomp_profile),
			      "run_root", s_or_empty(spec->run_root), "store_root",
			      s_or_empty(spec->store_root), "storage_driver", (int)spec->storage_driver,
			      "layers", strv_json(spec->layers, spec->n_layers));
	if (s == NULL)
		return NULL;
	/* Fields added since: one json_object_set_new() each, read back in
	 * engine_container_spec() (a missing key reads as the default, so
	 * containers recorded by an older engine still start). */
	/* the monitor (issue #4) */
	json_object_set_new(s, "restart_policy", json_string(s_or_empty(spec->restart_policy)));
	json_object_set_new(s, "restart_max", json_integer(spec->restart_max));
	json_object_set_new(s, "log_driver", json_string(s_or_empty(spec->log_driver)));
	json_object_set_new(s, "log_max_size", json_integer(spec->log_max_size));
	json_object_set_new(s, "log_max_file", json_integer(spec->log_max_file));
	/* issue #4 run options */
	json_object_set_new(s, "userns", json_string(s_or_empty(spec->userns)));
	json_object_set_new(s, "init", json_boolean(spec->init));
	json_object_set_new(s, "init_path", json_string(s_or_empty(spec->init_path)));
	json_object_set_new(s, "ulimits", strv_json(spec->ulimits, spec->n_ulimits));
	json_object_set_new(s, "sysctls", strv_json(spec->sysctls, spec->n_sysctls));
	json_object_set_new(s, "group_add", strv_json(spec->group_add, spec->n_group_add));
	json_object_set_new(s, "stop_signal", json_integer(spec->stop_signal));
	json_object_set_new(s, "stop_timeout", json_integer(spec->stop_timeout_set ? spec->stop_timeout : -1));
	json_object_set_new(s, "userns_auto_start", json_integer(spec->userns_auto_start));
	json_object_set_new(s, "userns_auto_size", json_integer(spec->userns_auto_size));
	/* volumes (#4): the mounts, /dev/shm's size, --read-only-tmpfs. */
	json_t *mounts = json_array();
	for (size_t i = 0; mounts != NULL && i < spec->n_mounts; i++)
		json_array_append_new(mounts, engine_mount_to_json(&spec->mounts[i]));
	json_object_set_new(s, "mounts", mounts);
	json_object_set_new(s, "shm_size", json_integer((json_int_t)spec->shm_size));
	json_object_set_new(s, "no_read_only_tmpfs", json_boolean(spec->no_read_only_tmpfs));
	json_object_set_new(s, "labels", engine_labels_json(spec)); /* labels */
	cgroup_config_set(s, spec); /* cgroups (#6) */
	/* networking (#5): the ports as allocated, slirp4netns's options,
	 * the /etc files' options. */
	json_object_set_new(s, "ports", netns_ports_to_json(&spec->ports));
	json_object_set_new(s, "publish_all", json_boolean(spec->publish_all));
	json_object_set_new(s, "slirp", json_pack("{s:b,s:i,s:s,s:b,s:s,s:s}", "allow_host_loopback",
						   spec->slirp.allow_host_loopback, "mtu", (int)spec->slirp.mtu,
						   "cidr", spec->slirp.cidr, "enable_ipv6",
						   spec->slirp.enable_ipv6, "outbound_addr",
						   spec->slirp.outbound_addr, "outbound_addr6",
						   spec->slirp.outbound_addr6));
	json_object_set_new(s, "add_hosts", strv_json(spec->add_hosts, spec->n_add_hosts));
	json_object_set_new(s, "dns", strv_json(spec->dns, spec->n_dns));
	json_object_set_new(s, "dns_search", strv_json(spec->dns_search, spec->n_dns_search));
	json_object_set_new(s, "dns_options", strv_json(spec->dns_options, spec->n_dns_options));
	json_object_set_new(s, "network_join", json_string(s_or_empty(spec->network_join)));
	return json_pack("{s:s,s:s,s:I,s:s,s:s,s:o}", "Id", spec->id, "Name", name, "Created",
			 (json_int_t)created, "Image", s_or_empty(spec->image), "ImageID",
			 s_or_empty(image_id), "Spec", s);
}

static const char *const status_names[] = { "created", "running", "exited", "restarting" };

static json_t *state_json(const struct engine_container_state *st)
{
	json_t *j = json_pack("{s:s,s:i,s:I,s:i,s:I,s:i,s:I,s:I,s:b,s:i}", "Status", status_names[st->status],
			 "Pid", (int)st->pid, "PidStart", (json_int_t)st->pid_start, "MonitorPid",
			 (int)st->monitor_pid, "MonitorStart", (json_int_t)st->monitor_start,
			 "ExitCode", st->exit_code, "StartedAt", (json_int_t)st->started_ns,
			 "FinishedAt", (json_int_t)st->finished_ns, "Removing", st->removing,
			 "RestartCount", st->restart_count);
	/* cgroups (#6) */
	if (j != NULL && st->cgroup_path[0] != '\0') {
		json_object_set_new(j, "CgroupManager", json_string(st->cgroup_manager));
		json_object_set_new(j, "CgroupPath", json_string(st->cgroup_path));
		json_object_set_new(j, "CgroupUnit", json_string(st->cgroup_unit));
	}
	if (j != NULL && st->oom_killed)
		json_object_set_new(j, "OOMKilled", json_true());
	return j;
}

static int write_json(const char *store_root, const char *id, const char *file, json_t *j,
		      int sync, struct engine_error **err)
{
	if (j == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	cleanup_free char *text = json_dumps(j, JSON_COMPACT);
	cleanup_free char *path = NULL;
	if (text == NULL || asprintf(&path, "%s/containers/%s/%s", store_root, id, file) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return engine_write_file_replace(path, text, strlen(text), 0600, sync, err);
}

int engine_container_state_write(const char *store_root, const char *id,
				 const struct engine_container_state *state,
				 struct engine_error **err)
{
	cleanup_json json_t *j = state_json(state);
	return write_json(store_root, id, "state.json", j, ENGINE_SYNC_FILE | ENGINE_SYNC_DIR, err);
}

int engine_container_state_write_nosync(const char *store_root, const char *id,
					const struct engine_container_state *state,
					struct engine_error **err)
{
	cleanup_json json_t *j = state_json(state);
	return write_json(store_root, id, "state.json", j, 0, err);
}

int engine_container_lock(const char *store_root, const char *id, struct engine_error **err)
{
	cleanup_free char *path = NULL;
	if (asprintf(&path, "%s/containers/%s/lock", store_root, id) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s", path);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	while (fcntl(fd, F_SETLKW, &fl) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return engine_error_errno(err, e, "lock %s", path);
		}
	}
	return fd;
}

/* ps -a reads two small files per container (a thousand containers: two
 * thousand): one open and one read into a buffer on the stack where the
 * file fits, instead of fstat, a malloc and a read to EOF.  A read shorter
 * than asked is the end of a regular file. */
static json_t *read_small_json(int dirfd, const char *rel, struct engine_error **err)
{
	char buf[8192];
	cleanup_close int fd = engine_openat2(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0,
					      ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS);
	if (fd < 0) {
		engine_error_errno(err, -fd, "open %s", rel);
		return NULL;
	}
	ssize_t n;
	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n == sizeof(buf))
		return NULL; /* the caller takes the general path */
	json_error_t je;
	json_t *j = json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		engine_error_set(err, EINVAL, "%s: invalid JSON: %s", rel, je.text);
		return NULL;
	}
	return j;
}

static json_t *read_json(int dirfd, const char *rel, size_t max, struct engine_error **err)
{
	json_t *small = read_small_json(dirfd, rel, err);
	if (small != NULL || (err != NULL && *err != NULL))
		return small;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (engine_read_file(dirfd, rel, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS, max, &buf,
			     &len, err) < 0)
		return NULL;
	json_error_t je;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		engine_error_set(err, EINVAL, "%s: invalid JSON: %s", rel, je.text);
		return NULL;
	}
	return j;
}

static int64_t jint(json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

static void state_from_json(json_t *j, struct engine_container_state *st)
{
	const char *s = json_string_value(json_object_get(j, "Status"));
	st->status = ENGINE_CONTAINER_CREATED;
	for (size_t i = 0; s != NULL && i < ARRAY_SIZE(status_names); i++)
		if (strcmp(s, status_names[i]) == 0)
			st->status = (enum engine_container_status)i;
	st->pid = (pid_t)jint(j, "Pid");
	st->pid_start = (uint64_t)jint(j, "PidStart");
	st->monitor_pid = (pid_t)jint(j, "MonitorPid");
	st->monitor_start = (uint64_t)jint(j, "MonitorStart");
	st->exit_code = (int)jint(j, "ExitCode");
	st->started_ns = jint(j, "StartedAt");
	st->finished_ns = jint(j, "FinishedAt");
	st->removing = json_is_true(json_object_get(j, "Removing"));
	st->restart_count = (int)jint(j, "RestartCount");
	/* cgroups (#6) */
	const char *cg;
	if ((cg = json_string_value(json_object_get(j, "CgroupManager"))) != NULL)
		snprintf(st->cgroup_manager, sizeof(st->cgroup_manager), "%s", cg);
	if ((cg = json_string_value(json_object_get(j, "CgroupPath"))) != NULL)
		snprintf(st->cgroup_path, sizeof(st->cgroup_path), "%s", cg);
	if ((cg = json_string_value(json_object_get(j, "CgroupUnit"))) != NULL)
		snprintf(st->cgroup_unit, sizeof(st->cgroup_unit), "%s", cg);
	st->oom_killed = json_is_true(json_object_get(j, "OOMKilled"));
}

/* The truth, whatever the file says: a running container needs a live
 * monitor.  The container's init dies with its monitor (PDEATHSIG); but a
 * monitor also goes without writing the exit when the store is full, so
 * the code is not known: ENGINE_EXIT_UNKNOWN rather than a guessed 137. */
static void reconcile(struct engine_container_state *st)
{
	if (st->status != ENGINE_CONTAINER_RUNNING && st->status != ENGINE_CONTAINER_RESTARTING)
		return;
	if (engine_pid_alive_since(st->monitor_pid, st->monitor_start))
		return;
	if (st->status == ENGINE_CONTAINER_RESTARTING) {
		/* Killed between two runs: the last exit stands. */
		st->status = ENGINE_CONTAINER_EXITED;
		return;
	}
	st->status = ENGINE_CONTAINER_EXITED;
	st->exit_code = ENGINE_EXIT_UNKNOWN;
	if (st->finished_ns == 0)
		st->finished_ns = st->started_ns;
	st->pid = 0;
}

/* ---- the listing's summary (issue #4) --------------------------------
 * ps -a over 1,000 containers spent a third of its CPU time in jansson
 * building both documents of every container, and a fifth in malloc and
 * free for them.  The listing walks the text instead (json-scan.c) and
 * builds only what ps shows: the state's fields, the config's name,
 * image, creation time and the few keys of Spec below.  A file the walk
 * cannot read (too large, escapes where a plain value was expected,
 * malformed) takes the full parse, with its errors. */

/* The keys of Spec that a summary's c->config keeps (ps reads them); a
 * column that shows another key of Spec adds it here.  "ports": the
 * networking of issue #5; "storage_driver" and "layers": ps -s under vfs
 * (container-size.c). */
static const char *const summary_spec_keys[] = { "argv",   "rootfs",         "network", "labels",
						 "ports",  "storage_driver", "layers" };

/* The whole file into BUF when it fits: its length, or -1. */
static ssize_t read_small(int dirfd, const char *rel, char *buf, size_t size)
{
	cleanup_close int fd = engine_openat2(dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0,
					      ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS);
	if (fd < 0)
		return -1;
	ssize_t n;
	do
		n = read(fd, buf, size);
	while (n < 0 && errno == EINTR);
	return n < 0 || (size_t)n == size ? -1 : n;
}

static int state_member(void *data, const char *key, size_t kl, const char *v, size_t vl)
{
	struct engine_container_state *st = data;
	const char *s;
	size_t sl;
	int64_t i = 0;
	if (json_scan_key_is(key, kl, "Status")) {
		for (size_t k = 0; json_scan_str(v, vl, &s, &sl) && k < ARRAY_SIZE(status_names); k++)
			if (strlen(status_names[k]) == sl && memcmp(s, status_names[k], sl) == 0)
				st->status = (enum engine_container_status)k;
		return 0;
	}
	if (json_scan_key_is(key, kl, "Removing"))
		return json_scan_bool(v, vl, &st->removing) ? 0 : -2;
	/* cgroups (#6): ps shows a frozen cgroup as "(Paused)". */
	if (json_scan_key_is(key, kl, "OOMKilled"))
		return json_scan_bool(v, vl, &st->oom_killed) ? 0 : -2;
	char *field = NULL;
	size_t size = 0;
	if (json_scan_key_is(key, kl, "CgroupManager"))
		field = st->cgroup_manager, size = sizeof(st->cgroup_manager);
	else if (json_scan_key_is(key, kl, "CgroupPath"))
		field = st->cgroup_path, size = sizeof(st->cgroup_path);
	else if (json_scan_key_is(key, kl, "CgroupUnit"))
		field = st->cgroup_unit, size = sizeof(st->cgroup_unit);
	if (field != NULL) {
		/* An escaped string: the full parse decodes it. */
		if (!json_scan_str(v, vl, &s, &sl))
			return -2;
		snprintf(field, size, "%.*s", (int)sl, s);
		return 0;
	}
	if (!json_scan_int(v, vl, &i))
		return 0; /* not one of ours: as json_integer_value, 0 */
	if (json_scan_key_is(key, kl, "Pid"))
		st->pid = (pid_t)i;
	else if (json_scan_key_is(key, kl, "PidStart"))
		st->pid_start = (uint64_t)i;
	else if (json_scan_key_is(key, kl, "MonitorPid"))
		st->monitor_pid = (pid_t)i;
	else if (json_scan_key_is(key, kl, "MonitorStart"))
		st->monitor_start = (uint64_t)i;
	else if (json_scan_key_is(key, kl, "ExitCode"))
		st->exit_code = (int)i;
	else if (json_scan_key_is(key, kl, "StartedAt"))
		st->started_ns = i;
	else if (json_scan_key_is(key, kl, "FinishedAt"))
		st->finished_ns = i;
	else if (json_scan_key_is(key, kl, "RestartCount"))
		st->restart_count = (int)i;
	return 0;
}

/* One value as jansson would have it; the common shapes without the
 * parser. */
static json_t *scan_json(const char *v, size_t vl)
{
	const char *s;
	size_t sl;
	int64_t i;
	bool b;
	if (json_scan_str(v, vl, &s, &sl))
		return json_stringn(s, sl);
	if (json_scan_int(v, vl, &i))
		return json_integer(i);
	if (json_scan_bool(v, vl, &b))
		return json_boolean(b);
	if (vl == 2 && memcmp(v, "{}", 2) == 0)
		return json_object();
	if (vl == 2 && memcmp(v, "[]", 2) == 0)
		return json_array();
	return json_loadb(v, vl, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
}

/* A string member: malloc'd, "" for another type; NULL: no memory or not
 * valid JSON. */
static char *scan_strdup(const char *v, size_t vl)
{
	const char *s;
	size_t sl;
	if (json_scan_str(v, vl, &s, &sl))
		return strndup(s, sl);
	json_t *j = json_loadb(v, vl, JSON_DECODE_ANY, NULL);
	if (j == NULL)
		return NULL;
	char *r = strdup(s_or_empty(json_string_value(j)));
	json_decref(j);
	return r;
}

struct config_scan {
	struct engine_container *c;
	json_t *spec;
};

static int spec_member(void *data, const char *key, size_t kl, const char *v, size_t vl)
{
	struct config_scan *cs = data;
	for (size_t i = 0; i < ARRAY_SIZE(summary_spec_keys); i++) {
		if (!json_scan_key_is(key, kl, summary_spec_keys[i]))
			continue;
		json_t *j = scan_json(v, vl);
		if (j == NULL || json_object_set_new(cs->spec, summary_spec_keys[i], j) < 0)
			return -2;
		break;
	}
	return 0;
}

static int config_member(void *data, const char *key, size_t kl, const char *v, size_t vl)
{
	struct config_scan *cs = data;
	char **field = NULL;
	if (json_scan_key_is(key, kl, "Name"))
		field = &cs->c->name;
	else if (json_scan_key_is(key, kl, "Image"))
		field = &cs->c->image;
	else if (json_scan_key_is(key, kl, "ImageID"))
		field = &cs->c->image_id;
	else if (json_scan_key_is(key, kl, "Created"))
		return json_scan_int(v, vl, &cs->c->created_ns) ? 0 : -2;
	else if (json_scan_key_is(key, kl, "Spec"))
		return json_scan_object(v, vl, spec_member, cs) == 0 ? 0 : -2;
	if (field == NULL)
		return 0;
	free(*field);
	*field = scan_strdup(v, vl);
	return *field != NULL ? 0 : -2;
}

/* The summary of containers/ID: 1 when the walk could not read it (the
 * caller parses it in full), 0 with *ret, -1 without memory. */
static int load_summary(int containers_fd, const char *id, const struct engine_container_state *state,
			struct engine_container **ret, struct engine_error **err)
{
	char rel[128], buf[8192];
	snprintf(rel, sizeof(rel), "%s/config.json", id);
	ssize_t n = read_small(containers_fd, rel, buf, sizeof(buf));
	if (n < 0)
		return 1;
	struct engine_container *c = calloc(1, sizeof(*c));
	struct config_scan cs = { .c = c, .spec = json_object() };
	if (c == NULL || cs.spec == NULL) {
		free(c);
		json_decref(cs.spec);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	c->state = *state;
	snprintf(c->id, sizeof(c->id), "%s", id);
	int r = json_scan_object(buf, (size_t)n, config_member, &cs);
	c->config = json_object();
	if (c->config != NULL)
		json_object_set_new(c->config, "Spec", cs.spec);
	else
		json_decref(cs.spec);
	json_t *argv = json_object_get(cs.spec, "argv");
	if (r == 0)
		c->argv = calloc(json_array_size(argv) + 1, sizeof(char *));
	for (size_t i = 0; c->argv && i < json_array_size(argv); i++)
		if ((c->argv[i] = strdup(s_or_empty(json_string_value(json_array_get(argv, i))))) == NULL)
			r = -2;
	if (r == 0 && c->name == NULL)
		c->name = strdup("");
	if (r == 0 && c->image == NULL)
		c->image = strdup("");
	if (r == 0 && c->image_id == NULL)
		c->image_id = strdup("");
	if (r != 0 || !c->config || !c->name || !c->image || !c->image_id || !c->argv) {
		engine_container_free(c);
		return 1;
	}
	*ret = c;
	return 0;
}

/* State first: `ps` without -a skips a container that is not running
 * without parsing its config.json (RUNNING_ONLY: returns 1, *ret unset).
 * SUMMARY: c->config holds only what the listing needs (above). */
static int load_state_first(int containers_fd, const char *id, bool running_only, bool summary,
			    struct engine_container **ret, struct engine_error **err)
{
	char rel[128];
	struct engine_container_state state = { 0 };
	snprintf(rel, sizeof(rel), "%s/state.json", id);
	char sbuf[1024];
	ssize_t sn = summary ? read_small(containers_fd, rel, sbuf, sizeof(sbuf)) : -1;
	if (sn < 0 || json_scan_object(sbuf, (size_t)sn, state_member, &state) != 0) {
		memset(&state, 0, sizeof(state));
		struct engine_error *local = NULL;
		json_t *st = read_json(containers_fd, rel, STATE_MAX, &local);
		engine_error_free(&local);
		if (st != NULL)
			state_from_json(st, &state);
		json_decref(st);
	}
	reconcile(&state);
	if (running_only && state.status != ENGINE_CONTAINER_RUNNING)
		return 1;
	int r = summary ? load_summary(containers_fd, id, &state, ret, err) : 1;
	if (r <= 0)
		return r;
	snprintf(rel, sizeof(rel), "%s/config.json", id);
	json_t *cfg = read_json(containers_fd, rel, CONFIG_MAX, err);
	if (cfg == NULL)
		return -1;
	struct engine_container *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		json_decref(cfg);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	c->config = cfg;
	c->state = state;
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->name = strdup(s_or_empty(json_string_value(json_object_get(cfg, "Name"))));
	c->image = strdup(s_or_empty(json_string_value(json_object_get(cfg, "Image"))));
	c->image_id = strdup(s_or_empty(json_string_value(json_object_get(cfg, "ImageID"))));
	c->created_ns = jint(cfg, "Created");
	json_t *argv = json_object_get(json_object_get(cfg, "Spec"), "argv");
	c->argv = calloc(json_array_size(argv) + 1, sizeof(char *));
	for (size_t i = 0; c->argv && i < json_array_size(argv); i++)
		c->argv[i] = strdup(s_or_empty(json_string_value(json_array_get(argv, i))));
	if (!c->name || !c->image || !c->image_id || !c->argv) {
		engine_container_free(c);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	*ret = c;
	return 0;
}

static int load(int containers_fd, const char *id, struct engine_container **ret,
		struct engine_error **err)
{
	return load_state_first(containers_fd, id, false, false, ret, err);
}

/* ---- create, find, list, forget ---------------------------------------- */

/* The name comes into being with its owner written: the ID goes into a
 * temp file that is then linked to the name (EEXIST when it is taken), so
 * a create killed at any moment leaves either no name or a whole one.
 * Temp names start with '.', which no container name may. */
static int reserve_name(struct storage_store *store, const char *name, const char *id,
			struct engine_error **err)
{
	if (mkdirat(store->rootfd, "container-names", 0700) < 0 && errno != EEXIST)
		return engine_error_errno(err, errno, "create %s/container-names", store->root);
	char rel[300], tmp[128];
	snprintf(rel, sizeof(rel), "container-names/%s", name);
	snprintf(tmp, sizeof(tmp), "container-names/.tmp-%s", id);
	int fd = openat(store->rootfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return engine_error_errno(err, errno, "create %s/%s", store->root, tmp);
	int r = engine_write_all(fd, id, 64);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && linkat(store->rootfd, tmp, store->rootfd, rel, 0) < 0)
		r = -errno;
	unlinkat(store->rootfd, tmp, 0);
	if (r == -EEXIST)
		return r;
	if (r < 0)
		return engine_error_errno(err, -r, "write %s/%s", store->root, rel);
	return 0;
}

static int name_owner(struct storage_store *store, const char *name, char id[65])
{
	char rel[300];
	snprintf(rel, sizeof(rel), "container-names/%s", name);
	cleanup_free char *buf = NULL;
	if (engine_read_file(store->rootfd, rel, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS, 128,
			     &buf, NULL, NULL) < 0)
		return -1;
	snprintf(id, 65, "%.64s", buf);
	return engine_is_hex(id, 64, 64) ? 0 : -1;
}

/* A name whose container has no config.json, seen under the store lock:
 * its create was killed or failed between the two (create holds the lock
 * from the name to the record), so nobody owns it. */
static bool name_stale(struct storage_store *store, const char *name)
{
	char owner[65], rel[128];
	/* A name file without a whole owner (one left by a create killed
	 * while it wrote it) names nobody either. */
	if (name_owner(store, name, owner) < 0) {
		snprintf(rel, sizeof(rel), "container-names/%s", name);
		return faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	}
	snprintf(rel, sizeof(rel), "containers/%s/config.json", owner);
	return faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

int engine_container_record_check(const struct engine_run_spec *spec, const char *image_id,
				  struct engine_error **err)
{
	cleanup_json json_t *cfg = config_json(spec, "", image_id, 0);
	if (cfg == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	/* The longest name and creation time, so that the bound holds for
	 * whichever name create picks. */
	size_t size = json_dumpb(cfg, NULL, 0, JSON_COMPACT) + 253 + 24;
	if (size > CONFIG_MAX)
		return engine_error_set(err, E2BIG,
					"the container's record would take %zu bytes, more than the "
					"%u allowed: its command, environment, labels and mounts are too long",
					size, CONFIG_MAX);
	return 0;
}

int engine_container_create(struct storage_store *store, const struct engine_run_spec *spec,
			    const char *name, const char *image_id, char **ret_name,
			    struct engine_error **err)
{
	char chosen[300];
	if (name != NULL) {
		if (engine_container_name_check(name, err) < 0)
			return -1;
		snprintf(chosen, sizeof(chosen), "%s", name[0] == '/' ? name + 1 : name);
	}
	/* A record ps, start, inspect and rm could not read back: refused
	 * before anything exists. */
	if (engine_container_record_check(spec, image_id, err) < 0)
		return -1;
	char rel[320];
	snprintf(rel, sizeof(rel), "containers/%s", spec->id);
	/* The store lock is held from the name to config.json: under it, a
	 * name without a record is a dead create's (name_stale). */
	if (storage_store_lock(store, err) < 0)
		return -1;
	if (mkdirat(store->rootfd, rel, 0700) < 0 && errno != EEXIST) {
		engine_error_errno(err, errno, "create %s/%s", store->root, rel);
		storage_store_unlock(store);
		return -1;
	}
	int r = -1;
	for (int attempt = 0; attempt < 100; attempt++) {
		if (name == NULL) {
			uint32_t rnd = 0;
			if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
				rnd = (uint32_t)engine_now_ns() ^ (uint32_t)getpid();
			engine_container_name_generate(rnd, chosen, sizeof(chosen));
			/* Past a few collisions, add a digit as Docker does. */
			if (attempt > 10) {
				size_t l = strlen(chosen);
				snprintf(chosen + l, sizeof(chosen) - l, "%u", rnd % 10);
			}
		}
		r = reserve_name(store, chosen, spec->id, err);
		if (r != -EEXIST)
			break;
		if (name_stale(store, chosen)) {
			snprintf(rel, sizeof(rel), "container-names/%s", chosen);
			if (unlinkat(store->rootfd, rel, 0) == 0)
				continue;
		}
		if (name != NULL) {
			char owner[65] = "";
			name_owner(store, chosen, owner);
			r = engine_error_set(err, EEXIST,
					     "Conflict. The container name \"/%s\" is already in use by container \"%s\". "
					     "You have to remove (or rename) that container to be able to reuse that name.",
					     chosen, owner);
			break;
		}
	}
	if (r == -EEXIST && *err == NULL)
		r = engine_error_set(err, EEXIST, "no free container name");
	if (r < 0) {
		storage_store_unlock(store);
		return -1;
	}
	int64_t now = engine_now_ns();
	cleanup_json json_t *cfg = config_json(spec, chosen, image_id, now);
	struct engine_container_state st = { .status = ENGINE_CONTAINER_CREATED };
	cleanup_json json_t *state = state_json(&st);
	/* run -d and create (issue #4): state.json without fsync: lost or
	 * empty after a power loss, it reads as "created" (load_state_first),
	 * which is what it says.  config.json, the record itself, is written
	 * last and durably: its fsync of containers/ID makes the entries
	 * written before it in that directory durable too. */
	r = 0;
	if (write_json(store->root, spec->id, "state.json", state, 0, err) < 0 ||
	    write_json(store->root, spec->id, "config.json", cfg, ENGINE_SYNC_FILE | ENGINE_SYNC_DIR, err) < 0) {
		snprintf(rel, sizeof(rel), "container-names/%s", chosen);
		unlinkat(store->rootfd, rel, 0);
		r = -1;
	}
	storage_store_unlock(store);
	if (r < 0)
		return -1;
	if (ret_name != NULL && (*ret_name = strdup(chosen)) == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	return 0;
}

static int containers_dir(struct storage_store *store, struct engine_error **err)
{
	int fd = openat(store->rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return engine_error_errno(err, errno, "open %s/containers", store->root);
	return fd;
}

static bool recorded(int containers_fd, const char *id)
{
	char rel[300];
	snprintf(rel, sizeof(rel), "%s/config.json", id);
	return faccessat(containers_fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int engine_container_get(struct storage_store *store, const char *what,
			 struct engine_container **ret, struct engine_error **err)
{
	cleanup_close int cfd = containers_dir(store, err);
	if (cfd < 0)
		return -1;
	char id[65] = "";
	/* Docker's order: full ID, then name, then unique ID prefix. */
	if (engine_is_hex(what, 64, 64) && recorded(cfd, what)) {
		snprintf(id, sizeof(id), "%s", what);
	} else if (engine_container_name_check(what, NULL) == 0 &&
		   name_owner(store, what[0] == '/' ? what + 1 : what, id) == 0 && recorded(cfd, id)) {
		/* found by name */
	} else {
		id[0] = '\0';
		size_t len = strlen(what);
		bool hex = engine_is_hex(what, 1, 63);
		cleanup_dir DIR *d = hex ? engine_opendir_dup(cfd) : NULL;
		struct dirent *e;
		int matches = 0;
		while (d != NULL && (e = readdir(d)) != NULL) {
			if (!engine_is_hex(e->d_name, 64, 64) || strncmp(e->d_name, what, len) != 0 ||
			    !recorded(cfd, e->d_name))
				continue;
			if (matches++ == 0)
				snprintf(id, sizeof(id), "%.64s", e->d_name);
		}
		if (matches > 1)
			return engine_error_set(err, EINVAL,
						"multiple containers found with provided prefix: %s", what);
		if (matches == 0)
			return engine_error_set(err, ENOENT, "No such container: %s", what);
	}
	if (load(cfd, id, ret, err) < 0)
		return engine_error_prefix(err, "container %s", what);
	return 0;
}

static int by_created_desc(const void *a, const void *b)
{
	const struct engine_container *x = *(struct engine_container *const *)a;
	const struct engine_container *y = *(struct engine_container *const *)b;
	return x->created_ns < y->created_ns ? 1 : x->created_ns > y->created_ns ? -1 : 0;
}

static int list(struct storage_store *store, bool running_only, bool summary,
		struct engine_container ***ret, size_t *ret_n, size_t *ret_orphans,
		struct engine_error **err);

int engine_container_list(struct storage_store *store, struct engine_container ***ret,
			  size_t *ret_n, struct engine_error **err)
{
	return list(store, false, false, ret, ret_n, NULL, err);
}

int engine_container_list_running(struct storage_store *store, bool running_only,
				  struct engine_container ***ret, size_t *ret_n,
				  struct engine_error **err)
{
	return list(store, running_only, true, ret, ret_n, NULL, err);
}

int engine_container_list_summary(struct storage_store *store, bool running_only,
				  struct engine_container ***ret, size_t *ret_n, size_t *ret_orphans,
				  struct engine_error **err)
{
	*ret_orphans = 0;
	return list(store, running_only, true, ret, ret_n, ret_orphans, err);
}

static int list(struct storage_store *store, bool running_only, bool summary,
		struct engine_container ***ret, size_t *ret_n, size_t *ret_orphans,
		struct engine_error **err)
{
	cleanup_close int cfd = containers_dir(store, err);
	if (cfd < 0)
		return -1;
	cleanup_dir DIR *d = engine_opendir_dup(cfd);
	if (d == NULL)
		return engine_error_errno(err, errno, "read %s/containers", store->root);
	struct engine_container **list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		/* No recorded() test: load() fails on a missing config.json. */
		if (!engine_is_hex(e->d_name, 64, 64) || (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
			continue;
		struct engine_container *c = NULL;
		struct engine_error *local = NULL;
		/* One being created or removed right now: skip it. */
		int r = load_state_first(cfd, e->d_name, running_only, summary, &c, &local);
		if (r != 0) {
			/* Only what failed to load is looked at again: a store
			 * without leftovers costs nothing more. */
			if (r < 0 && ret_orphans != NULL && engine_container_orphaned(cfd, e->d_name))
				(*ret_orphans)++;
			engine_error_free(&local);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			struct engine_container **l = realloc(list, cap * sizeof(*l));
			if (l == NULL) {
				engine_container_free(c);
				break;
			}
			list = l;
		}
		list[n++] = c;
	}
	if (n > 0)
		qsort(list, n, sizeof(*list), by_created_desc);
	*ret = list;
	*ret_n = n;
	return 0;
}

int engine_container_forget(struct storage_store *store, const char *id, const char *name,
			    struct engine_error **err)
{
	char rel[320], owner[65] = "";
	snprintf(rel, sizeof(rel), "container-names/%s", name);
	/* Only our own name: a name reused since must stay. */
	if (name_owner(store, name, owner) == 0 && strcmp(owner, id) == 0)
		unlinkat(store->rootfd, rel, 0);
	/* A rename since the caller read the record (a monitor removing its
	 * --rm container, whose config.json went with the writable layer):
	 * any other name this container owns goes too. */
	cleanup_dir DIR *d = engine_opendir_at(store->rootfd, "container-names");
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, name) == 0 ||
		    engine_container_name_check(e->d_name, NULL) < 0)
			continue;
		if (name_owner(store, e->d_name, owner) == 0 && strcmp(owner, id) == 0)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	snprintf(rel, sizeof(rel), "containers/%s", id);
	/* The overlay on merged/ goes with the container's mount namespace,
	 * which the kernel tears down just after its last process: a
	 * removal that races it meets a mount point for a moment. */
	for (int attempt = 0;; attempt++) {
		if (faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			return 0;
		struct engine_error *local = NULL;
		int r = storage_remove_tree(store->rootfd, rel, &local);
		if (r == 0 || local == NULL || local->status != EBUSY || attempt == 100) {
			if (r < 0 && local != NULL && err != NULL && *err == NULL)
				*err = steal_pointer(&local);
			engine_error_free(&local);
			return r;
		}
		engine_error_free(&local);
		struct timespec ts = { 0, 20 * 1000000 };
		nanosleep(&ts, NULL);
	}
}

/* ---- config.json -> spec ------------------------------------------------ */

static char *jstrdup(json_t *o, const char *k, bool null_if_empty)
{
	const char *s = json_string_value(json_object_get(o, k));
	if (s == NULL || (null_if_empty && *s == '\0'))
		return NULL;
	return strdup(s);
}

static char **jstrv(json_t *a, size_t *ret_n)
{
	size_t n = json_array_size(a);
	char **v = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; v && i < n; i++)
		v[i] = strdup(s_or_empty(json_string_value(json_array_get(a, i))));
	if (ret_n)
		*ret_n = n;
	return v;
}

int engine_container_spec(const struct engine_container *c, struct engine_run_spec *spec,
			  struct engine_error **err)
{
	json_t *s = json_object_get(c->config, "Spec");
	if (!json_is_object(s))
		return engine_error_set(err, EINVAL, "container %s: config.json has no Spec", c->id);
	snprintf(spec->id, sizeof(spec->id), "%s", c->id);
	spec->recorded_name = c->name != NULL && c->name[0] != '\0' ? strdup(c->name) : NULL;
	spec->rootfs = jstrdup(s, "rootfs", true);
	spec->argv = jstrv(json_object_get(s, "argv"), NULL);
	spec->env = jstrv(json_object_get(s, "env"), &spec->n_env);
	spec->workdir = jstrdup(s, "workdir", true);
	spec->user = jstrdup(s, "user", true);
	spec->hostname = jstrdup(s, "hostname", true);
	spec->interactive = json_is_true(json_object_get(s, "interactive"));
	spec->tty = json_is_true(json_object_get(s, "tty"));
	spec->remove = json_is_true(json_object_get(s, "remove"));
	spec->privileged = json_is_true(json_object_get(s, "privileged"));
	spec->no_new_privileges = json_is_true(json_object_get(s, "no_new_privileges"));
	spec->read_only = json_is_true(json_object_get(s, "read_only"));
	spec->network = (enum netns_mode)jint(s, "network");
	spec->caps = (uint64_t)jint(s, "caps");
	spec->seccomp_profile = jstrdup(s, "seccomp_profile", true);
	spec->run_root = jstrdup(s, "run_root", true);
	spec->store_root = jstrdup(s, "store_root", true);
	spec->storage_driver = (enum storage_driver)jint(s, "storage_driver");
	spec->layers = jstrv(json_object_get(s, "layers"), &spec->n_layers);
	spec->image = c->image[0] ? strdup(c->image) : NULL;
	/* Fields added since (see config_json). */
	/* the monitor (issue #4) */
	spec->restart_policy = jstrdup(s, "restart_policy", true);
	spec->restart_max = (int)jint(s, "restart_max");
	spec->log_driver = jstrdup(s, "log_driver", true);
	spec->log_max_size = jint(s, "log_max_size");
	spec->log_max_file = (int)jint(s, "log_max_file");
	/* issue #4 run options */
	spec->userns = jstrdup(s, "userns", true);
	spec->init = json_is_true(json_object_get(s, "init"));
	spec->init_path = jstrdup(s, "init_path", true);
	if (json_is_array(json_object_get(s, "ulimits")))
		spec->ulimits = jstrv(json_object_get(s, "ulimits"), &spec->n_ulimits);
	if (json_is_array(json_object_get(s, "sysctls")))
		spec->sysctls = jstrv(json_object_get(s, "sysctls"), &spec->n_sysctls);
	if (json_is_array(json_object_get(s, "group_add")))
		spec->group_add = jstrv(json_object_get(s, "group_add"), &spec->n_group_add);
	spec->stop_signal = (int)jint(s, "stop_signal");
	spec->userns_auto_start = (uint32_t)jint(s, "userns_auto_start");
	spec->userns_auto_size = (uint32_t)jint(s, "userns_auto_size");
	if (json_is_integer(json_object_get(s, "stop_timeout")) && jint(s, "stop_timeout") >= 0) {
		spec->stop_timeout = (int)jint(s, "stop_timeout");
		spec->stop_timeout_set = true;
	}
	/* volumes (#4) */
	json_t *mounts = json_object_get(s, "mounts");
	for (size_t i = 0; i < json_array_size(mounts); i++) {
		struct engine_mount m = { 0 };
		if (engine_mount_from_json(json_array_get(mounts, i), &m, err) < 0 ||
		    engine_mount_list_add(&spec->mounts, &spec->n_mounts, &m, err) < 0)
			return engine_error_prefix(err, "container %s", c->id);
	}
	spec->shm_size = (uint64_t)jint(s, "shm_size");
	spec->no_read_only_tmpfs = json_is_true(json_object_get(s, "no_read_only_tmpfs"));
	json_t *labels = json_object_get(s, "labels"); /* labels */
	const char *label_key;
	json_t *label_value;
	json_object_foreach(labels, label_key, label_value) {
		cleanup_free char *kv = NULL;
		if (asprintf(&kv, "%s=%s", label_key, s_or_empty(json_string_value(label_value))) < 0 ||
		    engine_label_add(spec, kv, err) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
	}
	/* cgroups (#6) */
	spec->cg_memory = jint(s, "cg_memory");
	spec->cg_memory_swap = jint(s, "cg_memory_swap");
	spec->cg_memory_reservation = jint(s, "cg_memory_reservation");
	spec->cg_cpus = json_number_value(json_object_get(s, "cg_cpus"));
	spec->cg_cpu_quota = (uint64_t)jint(s, "cg_cpu_quota");
	spec->cg_cpu_period = (uint64_t)jint(s, "cg_cpu_period");
	spec->cg_cpu_shares = (uint64_t)jint(s, "cg_cpu_shares");
	spec->cg_cpuset_cpus = jstrdup(s, "cg_cpuset_cpus", true);
	spec->cg_pids_limit = jint(s, "cg_pids_limit");
	spec->cgroups_mode = jstrdup(s, "cgroups_mode", true);
	spec->cgroup_parent = jstrdup(s, "cgroup_parent", true);
	/* networking (#5) */
	netns_slirp_options_init(&spec->slirp);
	json_t *ports = json_object_get(s, "ports");
	if (ports != NULL && netns_ports_from_json(ports, &spec->ports, err) < 0)
		return engine_error_prefix(err, "container %s", c->id);
	spec->publish_all = json_is_true(json_object_get(s, "publish_all"));
	json_t *slirp = json_object_get(s, "slirp");
	if (json_is_object(slirp)) {
		spec->slirp.allow_host_loopback = json_is_true(json_object_get(slirp, "allow_host_loopback"));
		if (jint(slirp, "mtu") > 0)
			spec->slirp.mtu = (unsigned)jint(slirp, "mtu");
		spec->slirp.enable_ipv6 = json_is_true(json_object_get(slirp, "enable_ipv6"));
		snprintf(spec->slirp.cidr, sizeof(spec->slirp.cidr), "%s",
			 s_or_empty(json_string_value(json_object_get(slirp, "cidr"))));
		snprintf(spec->slirp.outbound_addr, sizeof(spec->slirp.outbound_addr), "%s",
			 s_or_empty(json_string_value(json_object_get(slirp, "outbound_addr"))));
		snprintf(spec->slirp.outbound_addr6, sizeof(spec->slirp.outbound_addr6), "%s",
			 s_or_empty(json_string_value(json_object_get(slirp, "outbound_addr6"))));
	}
	if (json_is_array(json_object_get(s, "add_hosts")))
		spec->add_hosts = jstrv(json_object_get(s, "add_hosts"), &spec->n_add_hosts);
	if (json_is_array(json_object_get(s, "dns")))
		spec->dns = jstrv(json_object_get(s, "dns"), &spec->n_dns);
	if (json_is_array(json_object_get(s, "dns_search")))
		spec->dns_search = jstrv(json_object_get(s, "dns_search"), &spec->n_dns_search);
	spec->network_join = jstrdup(s, "network_join", true);
	if (json_is_array(json_object_get(s, "dns_options")))
		spec->dns_options = jstrv(json_object_get(s, "dns_options"), &spec->n_dns_options);
	if (spec->argv == NULL || spec->argv[0] == NULL || spec->env == NULL || spec->layers == NULL)
		return engine_error_set(err, EINVAL, "container %s: config.json: bad Spec", c->id);
	return 0;
}

/* ---- rename (issue #4, files) -------------------------------------------- */

int engine_container_rename(struct storage_store *store, const char *what, const char *new_name,
			    struct engine_error **err)
{
	if (new_name[0] == '\0')
		return engine_error_set(err, EINVAL, "Neither old nor new names may be empty");
	if (engine_container_name_check(new_name, err) < 0)
		return -1;
	const char *name = new_name[0] == '/' ? new_name + 1 : new_name;
	struct engine_container *c = NULL;
	if (engine_container_get(store, what, &c, err) < 0)
		return -1;
	int r = -1;
	if (strcmp(c->name, name) == 0) {
		engine_error_set(err, EINVAL, "Renaming a container with the same name as its current name");
		goto out;
	}
	if (storage_store_lock(store, err) < 0)
		goto out;
	/* The new name is taken first (O_EXCL: the conflict check), then
	 * config.json says so, then the old name goes: a crash in between
	 * leaves a container with both names reserved, never with none. */
	r = reserve_name(store, name, c->id, err);
	if (r == -EEXIST && name_stale(store, name)) {
		char stale[320];
		snprintf(stale, sizeof(stale), "container-names/%s", name);
		if (unlinkat(store->rootfd, stale, 0) == 0)
			r = reserve_name(store, name, c->id, err);
	}
	if (r == -EEXIST) {
		char owner[65] = "";
		name_owner(store, name, owner);
		r = engine_error_set(err, EEXIST,
				     "Conflict. The container name \"/%s\" is already in use by container \"%s\". "
				     "You have to remove (or rename) that container to be able to reuse that name.",
				     name, owner);
	} else if (r < 0 && *err == NULL) {
		r = engine_error_errno(err, -r, "reserve the name %s", name);
	}
	if (r == 0) {
		int lock = engine_container_lock(store->root, c->id, err);
		if (lock < 0) {
			r = -1;
		} else {
			json_object_set_new(c->config, "Name", json_string(name));
			r = write_json(store->root, c->id, "config.json", c->config, ENGINE_SYNC_FILE | ENGINE_SYNC_DIR, err);
			close(lock);
		}
		char rel[320];
		if (r < 0) {
			snprintf(rel, sizeof(rel), "container-names/%s", name);
			unlinkat(store->rootfd, rel, 0);
		} else {
			char owner[65] = "";
			snprintf(rel, sizeof(rel), "container-names/%s", c->name);
			if (name_owner(store, c->name, owner) == 0 && strcmp(owner, c->id) == 0)
				unlinkat(store->rootfd, rel, 0);
		}
	}
	storage_store_unlock(store);
out:
	engine_container_free(c);
	return r < 0 ? -1 : 0;
}

/* labels */
json_t *engine_container_labels(const struct engine_container *c)
{
	static json_t *empty;
	json_t *l = json_object_get(json_object_get(c->config, "Spec"), "labels");
	if (json_is_object(l))
		return l;
	if (empty == NULL)
		empty = json_object();
	return empty;
}

/* ---- update (cgroups #6) ------------------------------------------------ */

int engine_container_update_limits(struct storage_store *store, struct engine_container *c,
				   const struct engine_run_spec *spec, struct engine_error **err)
{
	json_t *s = json_object_get(c->config, "Spec");
	if (!json_is_object(s))
		return engine_error_set(err, EINVAL, "container %s: config.json: bad Spec", c->id);
	cgroup_config_set(s, spec);
	int lock = engine_container_lock(store->root, c->id, err);
	if (lock < 0)
		return -1;
	int r = write_json(store->root, c->id, "config.json", c->config, ENGINE_SYNC_FILE | ENGINE_SYNC_DIR, err);
	close(lock);
	return r;
}
