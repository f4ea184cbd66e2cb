/* systemd.c: the systemd manager: a transient scope
 * engine-ID.scope, made by the user's systemd (the system's for root) over
 * D-Bus, with Delegate=yes and the limits as unit properties; systemd
 * writes the cgroup files, keeps the scope in its own books (so a
 * `systemctl --user daemon-reload` does not undo the limits) and removes
 * it once its last process is gone.
 *
 * libsystemd is loaded with dlopen() the first time this manager is used,
 * never linked: `engine` starts for every command and its start-up cost
 * (and the libraries it maps, which a test checks) must not pay for a
 * library most commands never touch.  Only sd-bus's header is needed to
 * build; a host without libsystemd.so.0 gets a clear error. */
#include "libengine/cgroup/cgroup.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"

/* The few sd-bus entry points this file calls, filled by dlsym(). */
static struct {
	void *handle;
	char error[256];
	__typeof__(sd_bus_open_user) *open_user;
	__typeof__(sd_bus_open_system) *open_system;
	__typeof__(sd_bus_flush_close_unref) *flush_close_unref;
	__typeof__(sd_bus_message_new_method_call) *new_method_call;
	__typeof__(sd_bus_message_append) *append;
	__typeof__(sd_bus_message_append_array) *append_array;
	__typeof__(sd_bus_message_open_container) *open_container;
	__typeof__(sd_bus_message_close_container) *close_container;
	__typeof__(sd_bus_message_read) *read;
	__typeof__(sd_bus_message_unref) *message_unref;
	__typeof__(sd_bus_call) *call;
	__typeof__(sd_bus_call_method) *call_method;
	__typeof__(sd_bus_error_free) *error_free;
	__typeof__(sd_bus_match_signal) *match_signal;
	__typeof__(sd_bus_slot_unref) *slot_unref;
	__typeof__(sd_bus_process) *process;
	__typeof__(sd_bus_wait) *wait;
} sd;

static pthread_once_t sd_once = PTHREAD_ONCE_INIT;

static void sd_load(void)
{
	void *h = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(sd.error, sizeof(sd.error),
			 "the systemd cgroup manager needs libsystemd.so.0 (apt-get install "
			 "libsystemd0): %s",
			 dlerror());
		return;
	}
#define LOAD(field, symbol)                                                              \
	do {                                                                             \
		*(void **)&sd.field = dlsym(h, #symbol);                                 \
		if (sd.field == NULL) {                                                  \
			snprintf(sd.error, sizeof(sd.error),                             \
				 "libsystemd.so.0 has no %s: too old for the systemd cgroup " \
				 "manager",                                              \
				 #symbol);                                               \
			dlclose(h);                                                      \
			return;                                                          \
		}                                                                        \
	} while (0)
	LOAD(open_user, sd_bus_open_user);
	LOAD(open_system, sd_bus_open_system);
	LOAD(flush_close_unref, sd_bus_flush_close_unref);
	LOAD(new_method_call, sd_bus_message_new_method_call);
	LOAD(append, sd_bus_message_append);
	LOAD(append_array, sd_bus_message_append_array);
	LOAD(open_container, sd_bus_message_open_container);
	LOAD(close_container, sd_bus_message_close_container);
	LOAD(read, sd_bus_message_read);
	LOAD(message_unref, sd_bus_message_unref);
	LOAD(call, sd_bus_call);
	LOAD(call_method, sd_bus_call_method);
	LOAD(error_free, sd_bus_error_free);
	LOAD(match_signal, sd_bus_match_signal);
	LOAD(slot_unref, sd_bus_slot_unref);
	LOAD(process, sd_bus_process);
	LOAD(wait, sd_bus_wait);
#undef LOAD
	sd.handle = h;
}

static int sd_ready(struct engine_error **err)
{
	pthread_once(&sd_once, sd_load);
	if (sd.handle == NULL)
		return engine_error_set(err, ENOTSUP, "%s", sd.error);
	return 0;
}

static int bus_open(sd_bus **bus, struct engine_error **err)
{
	int r = geteuid() == 0 ? sd.open_system(bus) : sd.open_user(bus);
	if (r < 0)
		return engine_error_errno(err, -r, "connect to the %s systemd manager",
					  geteuid() == 0 ? "system" : "user's");
	return 0;
}

static int bus_fail(struct engine_error **err, int r, sd_bus_error *e, const char *what)
{
	if (e != NULL && e->message != NULL)
		return engine_error_set(err, r < 0 ? -r : EIO, "%s: %s", what, e->message);
	return engine_error_errno(err, r < 0 ? -r : EIO, "%s", what);
}

struct job_wait {
	const char *path; /* the job object StartTransientUnit returned */
	bool done;
	char result[32];
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	(void)ret_error;
	struct job_wait *w = userdata;
	uint32_t id;
	const char *path = NULL, *unit = NULL, *result = NULL;
	if (sd.read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->path != NULL && path != NULL && strcmp(path, w->path) == 0) {
		w->done = true;
		snprintf(w->result, sizeof(w->result), "%s", result ? result : "?");
	}
	return 0;
}

static int append_u64(sd_bus_message *m, const char *name, uint64_t v)
{
	return sd.append(m, "(sv)", name, "t", v);
}

static int append_properties(sd_bus_message *m, const char *id, pid_t pid, const char *parent,
			     const struct engine_cgroup_limits *l, struct engine_error **err)
{
	char desc[128];
	snprintf(desc, sizeof(desc), "engine container %.64s", id);
	int r = sd.open_container(m, 'a', "(sv)");
	if (r >= 0)
		r = sd.append(m, "(sv)", "Description", "s", desc);
	/* Rootless: user.slice of the user's manager, as Podman's default
	 * cgroup parent; root: machine.slice, where nspawn and Podman go.
	 * --cgroup-parent names another slice (checked in cgroup.c);
	 * systemd makes it, and the levels of a nested "a-b.slice". */
	if (r >= 0)
		r = sd.append(m, "(sv)", "Slice", "s",
			      parent[0] ? parent : geteuid() == 0 ? "machine.slice" : "user.slice");
	/* Delegate: the container may manage its own subtree (systemd in a
	 * container, nested engines); systemd will not touch what is below. */
	if (r >= 0)
		r = sd.append(m, "(sv)", "Delegate", "b", 1);
	/* An OOM-killed (failed) scope must not linger in the manager. */
	if (r >= 0)
		r = sd.append(m, "(sv)", "CollectMode", "s", "inactive-or-failed");
	if (r >= 0)
		r = sd.append(m, "(sv)", "PIDs", "au", 1, (uint32_t)pid);
	/* Accounting on, so that stats have memory.current & co. even with no limit. */
	if (r >= 0)
		r = sd.append(m, "(sv)", "MemoryAccounting", "b", 1);
	if (r >= 0)
		r = sd.append(m, "(sv)", "TasksAccounting", "b", 1);
	if (r >= 0)
		r = sd.append(m, "(sv)", "CPUAccounting", "b", 1);
	if (r >= 0 && l->memory_max >= 0)
		r = append_u64(m, "MemoryMax", (uint64_t)l->memory_max);
	if (r >= 0 && l->memory_low >= 0)
		r = append_u64(m, "MemoryLow", (uint64_t)l->memory_low);
	if (r >= 0 && l->memory_swap_max != -1)
		r = append_u64(m, "MemorySwapMax",
			       l->memory_swap_max == -2 ? UINT64_MAX : (uint64_t)l->memory_swap_max);
	if (r >= 0 && l->cpu_quota_us > 0) {
		uint64_t period = l->cpu_period_us ? l->cpu_period_us : 100000;
		/* systemd takes the quota per second of wall time. */
		r = append_u64(m, "CPUQuotaPerSecUSec", l->cpu_quota_us * 1000000 / period);
		if (r >= 0 && period != 100000)
			r = append_u64(m, "CPUQuotaPeriodUSec", period);
	}
	if (r >= 0 && l->cpu_weight > 0)
		r = append_u64(m, "CPUWeight", l->cpu_weight);
	if (r >= 0 && l->cpuset_cpus != NULL) {
		uint8_t mask[128];
		int n = engine_cgroup_parse_cpuset(l->cpuset_cpus, mask, sizeof(mask));
		if (n < 0)
			return engine_error_setting(err, "cpuset cpus", EINVAL, "cpuset cpus '%s': bad CPU list",
						l->cpuset_cpus);
		r = sd.open_container(m, 'r', "sv");
		if (r >= 0)
			r = sd.append(m, "s", "AllowedCPUs");
		if (r >= 0)
			r = sd.open_container(m, 'v', "ay");
		if (r >= 0)
			r = sd.append_array(m, 'y', mask, (size_t)n);
		if (r >= 0)
			r = sd.close_container(m);
		if (r >= 0)
			r = sd.close_container(m);
	}
	if (r >= 0 && l->pids_max >= 0)
		r = append_u64(m, "TasksMax", l->pids_max == 0 ? UINT64_MAX : (uint64_t)l->pids_max);
	if (r >= 0)
		r = sd.close_container(m);
	/* No auxiliary units. */
	if (r >= 0)
		r = sd.append(m, "a(sa(sv))", 0);
	if (r < 0)
		return engine_error_errno(err, -r, "build the StartTransientUnit message");
	return 0;
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int systemd_create(const struct engine_cgroup_detection *det, const char *id, pid_t pid,
			  const struct engine_cgroup_limits *limits, struct engine_cgroup *ret,
			  struct engine_error **err)
{
	if (sd_ready(err) < 0)
		return -1;
	char unit[256];
	if (strchr(id, '/') != NULL ||
	    snprintf(unit, sizeof(unit), "engine-%s.scope", id) >= (int)sizeof(unit))
		return engine_error_set(err, EINVAL, "bad container id '%s'", id);

	sd_bus *bus = NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	sd_bus_slot *slot = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	struct job_wait w = { 0 };
	int rc = -1;
	char *job = NULL;

	if (bus_open(&bus, err) < 0)
		goto out;
	/* Subscribe before asking: the job may end before the reply is read. */
	int r = sd.match_signal(bus, &slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
				"org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &w);
	if (r < 0) {
		bus_fail(err, r, NULL, "subscribe to systemd's JobRemoved");
		goto out;
	}
	r = sd.new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			       "org.freedesktop.systemd1.Manager", "StartTransientUnit");
	if (r >= 0)
		r = sd.append(m, "ss", unit, "fail");
	if (r < 0) {
		bus_fail(err, r, NULL, "build the StartTransientUnit message");
		goto out;
	}
	if (append_properties(m, id, pid, det->parent, limits, err) < 0)
		goto out;
	r = sd.call(bus, m, 0, &e, &reply);
	if (r < 0) {
		bus_fail(err, r, &e, unit);
		goto out;
	}
	const char *job_path = NULL;
	r = sd.read(reply, "o", &job_path);
	if (r < 0 || (job = strdup(job_path)) == NULL) {
		bus_fail(err, r < 0 ? r : -ENOMEM, NULL, "read the StartTransientUnit reply");
		goto out;
	}
	w.path = job;
	int64_t deadline = now_us() + 30 * 1000000LL;
	while (!w.done) {
		r = sd.process(bus, NULL);
		if (r < 0) {
			bus_fail(err, r, NULL, "talk to systemd");
			goto out;
		}
		if (r > 0)
			continue;
		int64_t left = deadline - now_us();
		if (left <= 0) {
			engine_error_set(err, ETIMEDOUT, "%s: systemd's job did not finish in 30 s", unit);
			goto out;
		}
		r = sd.wait(bus, (uint64_t)left);
		if (r < 0) {
			bus_fail(err, r, NULL, "wait for systemd");
			goto out;
		}
	}
	if (strcmp(w.result, "done") != 0) {
		engine_error_set(err, EIO, "%s: systemd's start job ended '%s'", unit, w.result);
		goto out;
	}

	/* Where systemd put the process: /proc/PID/cgroup says it plainly. */
	char procfile[64], buf[4096], path[1024];
	snprintf(procfile, sizeof(procfile), "/proc/%d", (int)pid);
	r = engine_cgroup_read(procfile, "cgroup", buf, sizeof(buf));
	if (r < 0 || engine_cgroup_parse_proc_cgroup(buf, path, sizeof(path)) < 0) {
		engine_error_errno(err, r < 0 ? -r : EIO, "read the cgroup of pid %d", (int)pid);
		goto out;
	}
	size_t ul = strlen(unit), pl = strlen(path);
	if (pl < ul || strcmp(path + pl - ul, unit) != 0) {
		engine_error_set(err, EIO, "%s: pid %d is in %s, not in the scope", unit, (int)pid,
				 path);
		goto out;
	}
	if (asprintf(&ret->path, "%s%s", det->mountpoint, path) < 0 ||
	    (ret->unit = strdup(unit)) == NULL) {
		ret->path = NULL;
		engine_cgroup_release(ret);
		engine_error_set(err, ENOMEM, "cgroup");
		goto out;
	}
	ret->ops = &engine_cgroup_systemd_ops;
	if (engine_cgroup_verify_limits(ret, limits, err) < 0) {
		engine_cgroup_release(ret);
		goto out;
	}
	rc = 0;
out:
	free(job);
	if (sd.handle != NULL) {
		sd.error_free(&e);
		sd.message_unref(m);
		sd.message_unref(reply);
		sd.slot_unref(slot);
		sd.flush_close_unref(bus);
	}
	return rc;
}

/* An empty scope stops by itself and CollectMode removes it; a scope that
 * still exists (remove called early, a leftover child cgroup) is stopped. */
static int systemd_destroy(struct engine_cgroup *cg, struct engine_error **err)
{
	if (cg->unit == NULL || access(cg->path, F_OK) != 0)
		return 0;
	if (sd_ready(err) < 0)
		return -1;
	sd_bus *bus = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int rc = 0;
	if (bus_open(&bus, err) < 0)
		return -1;
	int r = sd.call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			       "org.freedesktop.systemd1.Manager", "StopUnit", &e, &reply, "ss",
			       cg->unit, "fail");
	if (r < 0 && !(e.name && strcmp(e.name, "org.freedesktop.systemd1.NoSuchUnit") == 0))
		rc = bus_fail(err, r, &e, cg->unit);
	sd.error_free(&e);
	sd.message_unref(reply);
	sd.flush_close_unref(bus);
	return rc;
}

const struct engine_cgroup_ops engine_cgroup_systemd_ops = {
	.name = "systemd",
	.create = systemd_create,
	.destroy = systemd_destroy,
};
