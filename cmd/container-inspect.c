/* container-inspect.c: a recorded container as `inspect` shows it, in the
 * shape of Docker's ContainerJSON.  One function per section (State,
 * HostConfig, Config, NetworkSettings): a field added later is one
 * json_object_set_new() line in its section. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libengine/cgroup/run.h"
#include "common/cleanup.h"
#include "netns/ports.h"
#include "cmd/cmd.h"
#include "cmd/container-inspect.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "storage/driver.h"

static json_t *str_or_empty(const char *s)
{
	return json_string(s ? s : "");
}

/* A list as a JSON array; null when there is none (N SIZE_MAX: V ends
 * with NULL). */
static json_t *strv_or_null(char *const *v, size_t n)
{
	if (v == NULL)
		return json_null();
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && (n == SIZE_MAX ? v[i] != NULL : i < n); i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Go marshals a map with its keys sorted: Labels print as Docker's. */
static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *sorted_copy(json_t *o)
{
	size_t n = json_object_size(o), k = 0;
	const char **keys = calloc(n + 1, sizeof(char *));
	json_t *copy = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) if (keys) keys[k++] = key;
	if (keys != NULL)
		qsort(keys, k, sizeof(char *), compare_keys);
	for (size_t i = 0; i < k; i++)
		json_object_set(copy, keys[i], json_object_get(o, keys[i]));
	free(keys);
	return copy;
}

static json_t *state_section(const struct engine_container *c)
{
	static const char *const states[] = { "created", "running", "exited", "restarting" };
	bool restarting = c->state.status == ENGINE_CONTAINER_RESTARTING;
	char started[64], finished[64];
	cmd_time_nano(c->state.started_ns, started, sizeof(started));
	cmd_time_nano(c->state.finished_ns, finished, sizeof(finished));
	json_t *s = json_object();
	bool paused = engine_cgroup_state_paused(&c->state);
	json_object_set_new(s, "Status", json_string(paused ? "paused" : states[c->state.status]));
	json_object_set_new(s, "Running",
			    json_boolean(c->state.status == ENGINE_CONTAINER_RUNNING || restarting));
	json_object_set_new(s, "Paused", json_boolean(paused));
	json_object_set_new(s, "Restarting", json_boolean(restarting));
	json_object_set_new(s, "OOMKilled", json_boolean(c->state.oom_killed));
	json_object_set_new(s, "Dead", json_false());
	json_object_set_new(s, "Pid", json_integer(c->state.status == ENGINE_CONTAINER_RUNNING
							    ? c->state.pid : 0));
	json_object_set_new(s, "ExitCode", json_integer(c->state.exit_code));
	json_object_set_new(s, "Error", json_string(""));
	json_object_set_new(s, "StartedAt", json_string(started));
	json_object_set_new(s, "FinishedAt", json_string(finished));
	return s;
}

static json_t *port_bindings(const struct engine_run_spec *spec);

static json_t *host_config_section(const struct engine_run_spec *spec)
{
	static const char *const networks[] = { "bridge", "none", "host" };
	int net = (int)spec->network;
	json_t *h = json_object();
	json_object_set_new(h, "NetworkMode", json_string(net >= 0 && net < 3 ? networks[net] : ""));
	/* container:ID and ns:PATH as Docker and Podman show them.
	 * The record keeps "" as no join. */
	const char *join = spec->network_join ? spec->network_join : "";
	if (net == NETNS_MODE_CONTAINER || net == NETNS_MODE_NS) {
		char mode[4200];
		snprintf(mode, sizeof(mode), "%s:%s", net == NETNS_MODE_CONTAINER ? "container" : "ns", join);
		json_object_set_new(h, "NetworkMode", json_string(mode));
	}
	json_object_set_new(h, "PortBindings", port_bindings(spec));
	json_object_set_new(h, "PublishAllPorts", json_boolean(spec->publish_all));
	json_object_set_new(h, "AutoRemove", json_boolean(spec->remove));
	json_object_set_new(h, "GroupAdd", spec->n_group_add ? strv_or_null(spec->group_add, spec->n_group_add)
							     : json_null());
	json_object_set_new(h, "Privileged", json_boolean(spec->privileged));
	json_object_set_new(h, "ReadonlyRootfs", json_boolean(spec->read_only));
	json_t *secopt = json_array();
	if (spec->no_new_privileges)
		json_array_append_new(secopt, json_string("no-new-privileges"));
	const char *seccomp = spec->seccomp_profile;
	if (seccomp != NULL && *seccomp != '\0') {
		char opt[4200];
		snprintf(opt, sizeof(opt), "seccomp=%s", seccomp);
		json_array_append_new(secopt, json_string(opt));
	}
	json_object_set_new(h, "SecurityOpt", json_array_size(secopt) ? secopt : json_null());
	/* Docker's resource fields, 0 when not set */
	json_object_set_new(h, "Memory", json_integer(spec->cg_memory));
	json_object_set_new(h, "MemorySwap", json_integer(spec->cg_memory_swap));
	json_object_set_new(h, "MemoryReservation", json_integer(spec->cg_memory_reservation));
	json_object_set_new(h, "NanoCpus", json_integer((json_int_t)(spec->cg_cpus * 1e9 + 0.5)));
	/* As the record keeps them: json_int_t. */
	json_object_set_new(h, "CpuShares", json_integer((json_int_t)spec->cg_cpu_shares));
	json_object_set_new(h, "CpuQuota", json_integer((json_int_t)spec->cg_cpu_quota));
	json_object_set_new(h, "CpuPeriod", json_integer((json_int_t)spec->cg_cpu_period));
	json_object_set_new(h, "CpusetCpus", str_or_empty(spec->cg_cpuset_cpus));
	if (spec->cg_pids_limit != 0)
		json_object_set_new(h, "PidsLimit", json_integer(spec->cg_pids_limit));
	else
		json_object_set_new(h, "PidsLimit", json_null());
	const char *cgroups = spec->cgroups_mode;
	json_object_set_new(h, "Cgroups", json_string(cgroups && *cgroups ? cgroups : "enabled"));
	json_object_set_new(h, "CgroupParent", str_or_empty(spec->cgroup_parent));
	/* restart policy and log driver, as Docker */
	const char *policy = spec->restart_policy;
	json_object_set_new(h, "RestartPolicy",
			    json_pack("{s:s,s:I}", "Name", policy && *policy ? policy : "no",
				      "MaximumRetryCount", (json_int_t)spec->restart_max));
	const char *log_driver = spec->log_driver;
	json_t *log_opts = json_object();
	json_int_t max_size = spec->log_max_size;
	json_int_t max_file = spec->log_max_file;
	char num[32];
	if (max_size > 0) {
		snprintf(num, sizeof(num), "%lld", (long long)max_size);
		json_object_set_new(log_opts, "max-size", json_string(num));
	}
	if (max_file > 0) {
		snprintf(num, sizeof(num), "%lld", (long long)max_file);
		json_object_set_new(log_opts, "max-file", json_string(num));
	}
	json_object_set_new(h, "LogConfig",
			    json_pack("{s:s,s:o}", "Type", log_driver && *log_driver ? log_driver : "k8s-file",
				      "Config", log_opts));
	if (json_array_size(secopt) == 0)
		json_decref(secopt);
	return h;
}

static json_t *config_section(const struct engine_container *c, const struct engine_run_spec *spec)
{
	char short_id[13];
	snprintf(short_id, sizeof(short_id), "%.12s", c->id);
	const char *hostname = spec->hostname;
	bool tty = spec->tty;
	bool stdin_open = spec->interactive;
	json_t *cfg = json_object();
	json_object_set_new(cfg, "Hostname", json_string(hostname && *hostname ? hostname : short_id));
	json_object_set_new(cfg, "Domainname", json_string(""));
	json_object_set_new(cfg, "User", str_or_empty(spec->user));
	json_object_set_new(cfg, "AttachStdin", json_false());
	json_object_set_new(cfg, "AttachStdout", json_false());
	json_object_set_new(cfg, "AttachStderr", json_false());
	json_object_set_new(cfg, "Tty", json_boolean(tty));
	json_object_set_new(cfg, "OpenStdin", json_boolean(stdin_open));
	json_object_set_new(cfg, "StdinOnce", json_false());
	json_object_set_new(cfg, "Env", strv_or_null(spec->env, spec->n_env));
	/* The command as it runs: the image's entrypoint is folded in. */
	json_object_set_new(cfg, "Cmd", strv_or_null(spec->argv, SIZE_MAX));
	json_object_set_new(cfg, "Image", json_string(c->image));
	json_object_set_new(cfg, "Volumes", json_null());
	json_object_set_new(cfg, "WorkingDir", str_or_empty(spec->workdir));
	json_object_set_new(cfg, "Entrypoint", json_null());
	json_object_set_new(cfg, "OnBuild", json_null());
	cleanup_json json_t *labels = engine_labels_json(spec);
	json_object_set_new(cfg, "Labels", sorted_copy(labels));
	/* the stop settings `stop` will use. */
	char stop_signal[32];
	engine_signal_name(spec->stop_signal > 0 ? spec->stop_signal : SIGTERM, stop_signal,
			   sizeof(stop_signal));
	json_int_t stop_timeout = spec->stop_timeout_set ? spec->stop_timeout : 10;
	json_object_set_new(cfg, "StopSignal", json_string(stop_signal));
	json_object_set_new(cfg, "StopTimeout", json_integer(stop_timeout));
	return cfg;
}

/* the published ports as config.json keeps them. */
static json_t *published_ports(const struct engine_run_spec *spec, bool running)
{
	json_t *j = running ? netns_ports_inspect_json(&spec->ports) : NULL;
	return j != NULL ? j : json_object();
}

/* HostConfig.PortBindings: what -p/-P asked, with the host ports chosen. */
static json_t *port_bindings(const struct engine_run_spec *spec)
{
	json_t *out = json_object();
	for (size_t i = 0; i < spec->ports.count; i++) {
		const struct netns_port *p = &spec->ports.ports[i];
		char key[32], hp[16];
		snprintf(key, sizeof(key), "%u/%s", (unsigned)p->container_port, netns_proto_name(p->proto));
		snprintf(hp, sizeof(hp), "%u", (unsigned)p->host_port);
		json_t *list = json_object_get(out, key);
		if (list == NULL) {
			list = json_array();
			json_object_set_new(out, key, list);
		}
		json_array_append_new(list, json_pack("{s:s,s:s}", "HostIp", p->host_ip, "HostPort", hp));
	}
	return out;
}

static json_t *network_settings_section(const struct engine_container *c,
					const struct engine_run_spec *spec)
{
	json_t *n = json_object();
	json_object_set_new(n, "Bridge", json_string(""));
	json_object_set_new(n, "SandboxID", json_string(""));
	json_object_set_new(n, "Ports", published_ports(spec, c->state.status == ENGINE_CONTAINER_RUNNING));
	json_object_set_new(n, "IPAddress", json_string(""));
	json_object_set_new(n, "MacAddress", json_string(""));
	json_object_set_new(n, "Networks", json_object());
	return n;
}

/* "Mounts" as Docker shows them; devices are not mounts
 * there (HostConfig.Devices). */
static json_t *inspect_mounts(const struct engine_run_spec *spec)
{
	json_t *out = json_array();
	const char *store = spec->store_root ?: "";
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct engine_mount *m = &spec->mounts[i];
		const char *type = engine_mount_type_name(m->type);
		const char *src = m->source ?: "";
		const char *dst = m->target ?: "";
		bool rw = !m->readonly;
		json_t *o;
		if (strcmp(type, "volume") == 0) {
			char path[4400];
			snprintf(path, sizeof(path), "%s/volumes/%s/_data", store, src);
			o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "Type", "volume", "Name", src,
				      "Source", path, "Destination", dst, "Driver", "local", "Mode",
				      rw ? "" : "ro", "RW", rw, "Propagation", "");
		} else if (strcmp(type, "bind") == 0) {
			o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "Type", "bind", "Source", src,
				      "Destination", dst, "Mode", rw ? "" : "ro", "RW", rw, "Propagation",
				      engine_mount_propagation_name(m));
		} else if (strcmp(type, "tmpfs") == 0) {
			o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "Type", "tmpfs", "Source", "",
				      "Destination", dst, "Mode", "", "RW", rw, "Propagation", "");
		} else {
			continue;
		}
		json_array_append_new(out, o);
	}
	return out;
}

json_t *cmd_container_inspect_json(const struct engine_container *c)
{
	const struct engine_run_spec *spec = &c->spec;
	char created[64], image[80], name[300];
	cmd_time_nano(c->created_ns, created, sizeof(created));
	snprintf(image, sizeof(image), c->image_id[0] ? "sha256:%s" : "%s", c->image_id);
	snprintf(name, sizeof(name), "/%s", c->name);
	json_t *args = json_array();
	for (size_t i = 1; c->argv[0] && c->argv[i]; i++)
		json_array_append_new(args, json_string(c->argv[i]));
	bool has_image = spec->rootfs == NULL;
	const char *driver = has_image ? storage_driver_name(spec->storage_driver) : "";

	json_t *j = json_object();
	json_object_set_new(j, "Id", json_string(c->id));
	json_object_set_new(j, "Created", json_string(created));
	json_object_set_new(j, "Path", json_string(c->argv[0] ? c->argv[0] : ""));
	json_object_set_new(j, "Args", args);
	json_object_set_new(j, "State", state_section(c));
	json_object_set_new(j, "Image", json_string(image));
	json_object_set_new(j, "Name", json_string(name));
	json_object_set_new(j, "RestartCount", json_integer(c->state.restart_count));
	json_object_set_new(j, "Driver", json_string(driver ? driver : ""));
	json_object_set_new(j, "Platform", json_string("linux"));
	json_object_set_new(j, "MountLabel", json_string(""));
	json_object_set_new(j, "ProcessLabel", json_string(""));
	json_object_set_new(j, "AppArmorProfile", json_string(""));
	json_object_set_new(j, "HostConfig", host_config_section(spec));
	json_object_set_new(j, "Mounts", inspect_mounts(spec));
	json_object_set_new(j, "Config", config_section(c, spec));
	json_object_set_new(j, "NetworkSettings", network_settings_section(c, spec));
	return j;
}
