/* container-inspect.c: a recorded container as `inspect` shows it. */
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

/* volumes (#4): "Mounts" as Docker shows them; devices are not mounts
 * there (HostConfig.Devices). */
static json_t *inspect_mounts(json_t *spec)
{
	json_t *out = json_array();
	json_t *mounts = json_object_get(spec, "mounts");
	const char *store = json_string_value(json_object_get(spec, "store_root")) ?: "";
	for (size_t i = 0; i < json_array_size(mounts); i++) {
		json_t *m = json_array_get(mounts, i);
		const char *type = json_string_value(json_object_get(m, "Type")) ?: "";
		const char *src = json_string_value(json_object_get(m, "Source")) ?: "";
		const char *dst = json_string_value(json_object_get(m, "Target")) ?: "";
		bool rw = !json_is_true(json_object_get(m, "ReadOnly"));
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
				      json_string_value(json_object_get(m, "Propagation")) ?: "rprivate");
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
	json_t *spec = json_object_get(c->config, "Spec");
	char created[64], started[64], finished[64], image[80];
	cmd_time_nano(c->created_ns, created, sizeof(created));
	cmd_time_nano(c->state.started_ns, started, sizeof(started));
	cmd_time_nano(c->state.finished_ns, finished, sizeof(finished));
	snprintf(image, sizeof(image), c->image_id[0] ? "sha256:%s" : "%s", c->image_id);
	static const char *const states[] = { "created", "running", "exited", "restarting" };
	json_t *args = json_array();
	for (size_t i = 1; c->argv[0] && c->argv[i]; i++)
		json_array_append_new(args, json_string(c->argv[i]));
	char name[300];
	snprintf(name, sizeof(name), "/%s", c->name);
	const char *hostname = json_string_value(json_object_get(spec, "hostname"));
	char short_id[13];
	snprintf(short_id, sizeof(short_id), "%.12s", c->id);
	/* issue #4: the stop settings `stop` will use. */
	char stop_signal[32];
	json_int_t own_sig = json_integer_value(json_object_get(spec, "stop_signal"));
	engine_signal_name(own_sig > 0 ? (int)own_sig : SIGTERM, stop_signal, sizeof(stop_signal));
	json_t *own_timeout = json_object_get(spec, "stop_timeout");
	json_int_t stop_timeout = json_is_integer(own_timeout) && json_integer_value(own_timeout) >= 0
					  ? json_integer_value(own_timeout)
					  : 10;
	json_t *j = json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:b,s:b,s:b,s:b,s:b,s:i,s:i,s:s,s:s,s:s},s:s,s:s,"
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
	/* the monitor (issue #4): restart policy and log driver, as Docker */
	if (j == NULL)
		return NULL;
	bool restarting = c->state.status == ENGINE_CONTAINER_RESTARTING;
	json_t *state = json_object_get(j, "State");
	json_object_set_new(state, "Restarting", json_boolean(restarting));
	if (restarting)
		json_object_set_new(state, "Running", json_true());
	json_object_set_new(j, "RestartCount", json_integer(c->state.restart_count));
	const char *policy = json_string_value(json_object_get(spec, "restart_policy"));
	json_t *host = json_object_get(j, "HostConfig");
	json_object_set_new(host, "RestartPolicy",
			    json_pack("{s:s,s:I}", "Name", policy && *policy ? policy : "no",
				      "MaximumRetryCount",
				      json_integer_value(json_object_get(spec, "restart_max"))));
	const char *driver = json_string_value(json_object_get(spec, "log_driver"));
	json_t *log_opts = json_object();
	json_int_t max_size = json_integer_value(json_object_get(spec, "log_max_size"));
	json_int_t max_file = json_integer_value(json_object_get(spec, "log_max_file"));
	char num[32];
	if (max_size > 0) {
		snprintf(num, sizeof(num), "%lld", (long long)max_size);
		json_object_set_new(log_opts, "max-size", json_string(num));
	}
	if (max_file > 0) {
		snprintf(num, sizeof(num), "%lld", (long long)max_file);
		json_object_set_new(log_opts, "max-file", json_string(num));
	}
	json_object_set_new(host, "LogConfig",
			    json_pack("{s:s,s:o}", "Type", driver && *driver ? driver : "k8s-file",
				      "Config", log_opts));
	json_t *config = json_object_get(j, "Config");
	json_object_set_new(config, "StopSignal", json_string(stop_signal));
	json_object_set_new(config, "StopTimeout", json_integer(stop_timeout));
	json_object_set_new(j, "Mounts", inspect_mounts(spec)); /* volumes (#4) */
	return j;
}
