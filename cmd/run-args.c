/* run-args.c: `engine run` flags, spelled as Docker spells them.
 *
 * cmd_getopt with CMD_FLAGS_FIRST stops at the first non-option (the image), so in
 * `engine run --rootfs R sh -c 'ls -l'` the "-c" belongs to sh, as in Docker.
 * Messages follow the Docker CLI's ("unknown flag: --foo"). */
#include "cmd/run-args.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "libengine/runtime/caps.h"
#include "libengine/cgroup/run.h"
#include "cmd/cgroup-flags.h"
#include "common/cleanup.h"
#include "libengine/container/containers.h"
#include "libengine/runtime/rlimits.h"
#include "libengine/runtime/sysctl.h"
#include "netns/etc-files.h"
#include "cmd/flags.h"
#include <arpa/inet.h>

enum {
	OPT_ROOTFS = 1000,
	OPT_RM,
	OPT_ENV_FILE,
	OPT_NETWORK,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_READ_ONLY,
	OPT_SECURITY_OPT,
	OPT_HELP,
	OPT_INTERACTIVE,
	OPT_TTY,
	OPT_ENTRYPOINT,
	OPT_PULL,
	OPT_PLATFORM,
	OPT_TLS_VERIFY,
	OPT_DETACH,
	OPT_NAME,
	/* the monitor */
	OPT_RESTART,
	OPT_LOG_DRIVER,
	OPT_LOG_OPT,
	/* run options */
	OPT_USERNS,
	OPT_INIT,
	OPT_ULIMIT,
	OPT_SYSCTL,
	OPT_STOP_SIGNAL,
	OPT_STOP_TIMEOUT,
	OPT_CIDFILE,
	OPT_GROUP_ADD,
	/* volumes */
	OPT_MOUNT,
	OPT_TMPFS,
	OPT_DEVICE,
	OPT_SHM_SIZE,
	OPT_READ_ONLY_TMPFS,
	OPT_LABEL_FILE, /* labels */
	/* networking */
	OPT_ADD_HOST,
	OPT_DNS,
	OPT_DNS_SEARCH,
	OPT_DNS_OPTION,
	OPT_PUBLISH_ALL,
	/* a foreground run's stdio */
	OPT_SIG_PROXY,
	OPT_DETACH_KEYS,
};
_Static_assert(OPT_DETACH_KEYS < CMD_CGROUP_OPT, "the cgroup flags' codes are their own");

static const struct option long_options[] = {
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "rm", optional_argument, NULL, OPT_RM },
	{ "interactive", optional_argument, NULL, OPT_INTERACTIVE },
	{ "tty", optional_argument, NULL, OPT_TTY },
	{ "env", required_argument, NULL, 'e' },
	{ "env-file", required_argument, NULL, OPT_ENV_FILE },
	{ "workdir", required_argument, NULL, 'w' },
	{ "user", required_argument, NULL, 'u' },
	{ "hostname", required_argument, NULL, 'h' },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "net", required_argument, NULL, OPT_NETWORK },
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
	{ "privileged", optional_argument, NULL, OPT_PRIVILEGED },
	{ "read-only", optional_argument, NULL, OPT_READ_ONLY },
	{ "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
	{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
	{ "pull", required_argument, NULL, OPT_PULL },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "tls-verify", optional_argument, NULL, OPT_TLS_VERIFY },
	{ "detach", optional_argument, NULL, OPT_DETACH },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "attach", required_argument, NULL, 'a' },
	{ "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY },
	{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
	{ "help", no_argument, NULL, OPT_HELP },
	/* the monitor */
	{ "restart", required_argument, NULL, OPT_RESTART },
	{ "log-driver", required_argument, NULL, OPT_LOG_DRIVER },
	{ "log-opt", required_argument, NULL, OPT_LOG_OPT },
	/* run options */
	{ "userns", required_argument, NULL, OPT_USERNS },
	{ "init", optional_argument, NULL, OPT_INIT },
	{ "ulimit", required_argument, NULL, OPT_ULIMIT },
	{ "sysctl", required_argument, NULL, OPT_SYSCTL },
	{ "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
	{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
	{ "cidfile", required_argument, NULL, OPT_CIDFILE },
	{ "group-add", required_argument, NULL, OPT_GROUP_ADD },
	/* volumes */
	{ "volume", required_argument, NULL, 'v' },
	{ "mount", required_argument, NULL, OPT_MOUNT },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "shm-size", required_argument, NULL, OPT_SHM_SIZE },
	{ "read-only-tmpfs", optional_argument, NULL, OPT_READ_ONLY_TMPFS },
	{ "label", required_argument, NULL, 'l' }, /* labels */
	{ "label-file", required_argument, NULL, OPT_LABEL_FILE },
	/* cgroups: cgroup-flags.c says what each sets */
	{ "memory", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_MEMORY },
	{ "memory-swap", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_MEMORY_SWAP },
	{ "memory-reservation", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_MEMORY_RESERVATION },
	{ "cpus", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CPUS },
	{ "cpu-shares", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CPU_SHARES },
	{ "cpu-quota", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CPU_QUOTA },
	{ "cpu-period", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CPU_PERIOD },
	{ "cpuset-cpus", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CPUSET_CPUS },
	{ "pids-limit", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_PIDS_LIMIT },
	{ "cgroups", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CGROUPS },
	{ "cgroup-parent", required_argument, NULL, CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_CGROUP_PARENT },
	/* networking */
	{ "publish", required_argument, NULL, 'p' },
	{ "publish-all", optional_argument, NULL, OPT_PUBLISH_ALL },
	{ "add-host", required_argument, NULL, OPT_ADD_HOST },
	{ "dns", required_argument, NULL, OPT_DNS },
	{ "dns-search", required_argument, NULL, OPT_DNS_SEARCH },
	{ "dns-option", required_argument, NULL, OPT_DNS_OPTION },
	{ NULL, 0, NULL, 0 },
};

/* Docker's --detach-keys: comma-separated, each "ctrl-X" (X one of a-z,
 * @, [, \, ], ^, _) or a single character. */
int cmd_detach_keys_parse(const char *s, unsigned char *keys, size_t *n, struct engine_error **err)
{
	*n = 0;
	const char *p = s;
	while (*p) {
		const char *comma = strchrnul(p, ',');
		size_t l = (size_t)(comma - p);
		int key = -1;
		if (l == 1) {
			key = (unsigned char)*p;
		} else if (l == 6 && strncmp(p, "ctrl-", 5) == 0) {
			char ch = p[5];
			if (ch >= 'a' && ch <= 'z')
				key = ch - 'a' + 1;
			else if (ch >= 'A' && ch <= 'Z')
				key = ch - 'A' + 1;
			else if (ch == '@')
				key = 0;
			else if (ch == '[' || ch == '\\' || ch == ']' || ch == '^' || ch == '_')
				key = ch - '@';
		}
		if (key < 0 || *n >= 16)
			return engine_error_set(err, EINVAL, "Invalid detach keys (%s) provided", s);
		keys[(*n)++] = (unsigned char)key;
		p = *comma ? comma + 1 : comma;
	}
	if (*n == 0)
		return engine_error_set(err, EINVAL, "Invalid detach keys (%s) provided", s);
	return 0;
}

/* -a STREAM: Docker's names, in any case. */
static int attach_stream(const char *value, unsigned *mask, struct engine_error **err)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	for (unsigned i = 0; i < 3; i++) {
		if (strcasecmp(value, names[i]) == 0) {
			*mask |= 1u << i;
			return 0;
		}
	}
	return engine_error_set(err, EINVAL,
				"invalid argument \"%s\" for \"-a, --attach\" flag: valid streams are "
				"STDIN, STDOUT and STDERR", value);
}

/* Docker's boolean flags take an optional "=true|false". */
static int parse_bool(const char *flag, const char *value, bool *ret, struct engine_error **err)
{
	if (value == NULL || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
		*ret = true;
	else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
		*ret = false;
	else
		return engine_error_set(err, EINVAL, "invalid argument \"%s\" for \"--%s\" flag: "
						     "expected true or false", value, flag);
	return 0;
}

static int push(char ***list, int *n, const char *value, struct engine_error **err)
{
	char **l = realloc(*list, (size_t)(*n + 1) * sizeof(char *));
	if (l == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	*list = l;
	l[(*n)++] = (char *)value;
	return 0;
}

/* Append a copy of VALUE to a NULL-terminated list. */
static int strv_add(char ***list, size_t *n, const char *value, struct engine_error **err)
{
	char **l = realloc(*list, (*n + 2) * sizeof(char *));
	if (l == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	*list = l;
	if ((l[*n] = strdup(value)) == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	l[++*n] = NULL;
	return 0;
}

/* --userns: host (""), keep-id, auto or auto:size=N (Podman's spelling). */
static int userns_opt(struct engine_run_spec *spec, const char *v, struct engine_error **err)
{
	free(spec->userns);
	spec->userns = NULL;
	spec->userns_auto_size = 0;
	if (*v == '\0' || strcmp(v, "host") == 0)
		return 0;
	if (strcmp(v, "keep-id") == 0 || strcmp(v, "auto") == 0) {
		spec->userns = strdup(v);
		return spec->userns ? 0 : engine_error_set(err, ENOMEM, "out of memory");
	}
	if (strncmp(v, "auto:size=", 10) == 0) {
		char *end;
		unsigned long n = strtoul(v + 10, &end, 10);
		if (v[10] < '1' || v[10] > '9' || *end != '\0' || n > 65536)
			return engine_error_set(err, EINVAL,
						"--userns %s: size must be a number from 1 to 65536", v);
		spec->userns_auto_size = (uint32_t)n;
		spec->userns = strdup("auto");
		return spec->userns ? 0 : engine_error_set(err, ENOMEM, "out of memory");
	}
	return engine_error_set(err, EINVAL, "--userns %s: expected host, keep-id, auto or auto:size=N", v);
}

static int security_opt(struct engine_run_spec *spec, const char *opt, struct engine_error **err)
{
	/* Docker accepts both "key=value" and the older "key:value". */
	const char *sep = strpbrk(opt, "=:");
	size_t kl = sep ? (size_t)(sep - opt) : strlen(opt);
	const char *value = sep ? sep + 1 : NULL;
	if (kl == 7 && strncmp(opt, "seccomp", 7) == 0) {
		if (value == NULL || *value == '\0')
			return engine_error_set(err, EINVAL, "--security-opt %s: missing profile", opt);
		free(spec->seccomp_profile);
		spec->seccomp_profile = strdup(value);
		return spec->seccomp_profile ? 0 : engine_error_set(err, ENOMEM, "out of memory");
	}
	if (kl == 17 && strncmp(opt, "no-new-privileges", 17) == 0)
		return parse_bool("security-opt no-new-privileges", value, &spec->no_new_privileges,
				  err);
	/* No LSM is driven by us yet: accept the "off" settings scripts pass. */
	if ((kl == 5 && strncmp(opt, "label", 5) == 0 && value && strcmp(value, "disable") == 0) ||
	    (kl == 8 && strncmp(opt, "apparmor", 8) == 0 && value && strcmp(value, "unconfined") == 0))
		return 0;
	return engine_error_set(err, EINVAL, "--security-opt %s: unknown or unsupported option", opt);
}

static int check_rootfs(struct engine_run_spec *spec, const char *dir, struct engine_error **err)
{
	char resolved[PATH_MAX];
	if (realpath(dir, resolved) == NULL)
		return engine_error_errno(err, errno, "rootfs %s", dir);
	struct stat st;
	if (stat(resolved, &st) < 0)
		return engine_error_errno(err, errno, "rootfs %s", dir);
	if (!S_ISDIR(st.st_mode))
		return engine_error_set(err, ENOTDIR, "rootfs %s: not a directory", dir);
	free(spec->rootfs);
	spec->rootfs = strdup(resolved);
	return spec->rootfs ? 0 : engine_error_set(err, ENOMEM, "out of memory");
}

/* -v, --mount, --tmpfs, --device, --shm-size,
 * --read-only-tmpfs. */
static int mount_flag(struct engine_run_spec *spec, int c, const char *value,
		      struct engine_error **err)
{
	struct engine_mount m = { 0 };
	int r;
	switch (c) {
	case 'v':
		r = engine_mount_parse_volume(value, &m, err);
		break;
	case OPT_MOUNT:
		r = engine_mount_parse_mount(value, &m, err);
		break;
	case OPT_TMPFS:
		r = engine_mount_parse_tmpfs(value, &m, err);
		break;
	case OPT_DEVICE: {
		r = engine_mount_parse_device(value, &m, err);
		struct stat st;
		if (r == 0 && stat(m.source, &st) < 0)
			r = engine_error_errno(err, errno, "--device %s: %s", value, m.source);
		else if (r == 0 && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			r = engine_error_set(err, EINVAL, "--device %s: %s is not a device node", value,
					     m.source);
		if (r < 0)
			engine_mount_clear(&m);
		break;
	}
	case OPT_SHM_SIZE:
		if (engine_size_parse(value, &spec->shm_size) < 0 || spec->shm_size == 0)
			return engine_error_set(err, EINVAL, "invalid argument \"%s\" for \"--shm-size\" flag",
						value);
		return 0;
	default: {
		bool on = true;
		if (parse_bool("read-only-tmpfs", value, &on, err) < 0)
			return -1;
		spec->no_read_only_tmpfs = !on;
		return 0;
	}
	}
	if (r < 0)
		return -1;
	/* A bind source must exist (as Podman; Docker's -v would create
	 * it): say so here, before anything is created. */
	struct stat st;
	if (m.type == ENGINE_MOUNT_BIND && stat(m.source, &st) < 0) {
		r = engine_error_errno(err, errno, "%s %s: bind source path %s",
				       c == 'v' ? "--volume" : "--mount", value, m.source);
		engine_mount_clear(&m);
		return r;
	}
	return engine_mount_list_add(&spec->mounts, &spec->n_mounts, &m, err);
}


static int missing_value(int argc, char **argv, struct engine_error **err)
{
	const char *arg = optind - 1 < argc ? argv[optind - 1] : "?";
	if (optopt != 0 && strncmp(arg, "--", 2) != 0)
		return engine_error_set(err, EINVAL, "flag needs an argument: '%c' in -%c", optopt,
					optopt);
	return engine_error_set(err, EINVAL, "flag needs an argument: %s", arg);
}

/* The library's message names the value ("json: unsupported logging
 * driver"); the user reads the flag first, "--log-driver json: ...". */
static int flag_named(struct engine_error **err, const char *flag)
{
	char *msg = NULL;
	if (err != NULL && *err != NULL && asprintf(&msg, "%s %s", flag, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	return -1;
}

int cmd_run_parse(int argc, char **argv, struct engine_run_spec *spec, int *ret_help,
		  struct engine_error **err)
{
	cleanup_free char **cap_add = NULL;
	cleanup_free char **cap_drop = NULL;
	int n_add = 0, n_drop = 0, c;
	cleanup_free char **label_flags = NULL; /* labels */
	cleanup_free char **label_files = NULL;
	int n_label_flags = 0, n_label_files = 0;
	const char *rootfs = NULL;
	bool network_set = false;
	unsigned attach = 0; /* -a: 1 << fd of each stream named */
	*ret_help = 0;
	spec->caps = engine_caps_default();
	spec->env_lookup = getenv; /* -e KEY: the value in our environment */
	spec->network = NETNS_MODE_DEFAULT;
	netns_slirp_options_init(&spec->slirp);

	optind = 0; /* glibc: 0 re-initialises getopt for a fresh argv */
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "dita:e:w:u:h:v:l:m:p:P", long_options, CMD_FLAGS_FIRST)) != -1) {
		/* -m is --memory; the flags are cgroup-flags.c's. */
		if (c == 'm')
			c = CMD_CGROUP_OPT + ENGINE_CGROUP_FIELD_MEMORY;
		if (c >= CMD_CGROUP_OPT && c < CMD_CGROUP_OPT + CMD_CGROUP_FIELDS) {
			if (cmd_cgroup_flag_set(spec, (enum engine_cgroup_field)(c - CMD_CGROUP_OPT), optarg,
						err) < 0)
				return -1;
			continue;
		}
		switch (c) {
		case OPT_ROOTFS:
			rootfs = optarg;
			break;
		case OPT_RM:
			if (parse_bool("rm", optarg, &spec->remove, err) < 0)
				return -1;
			break;
		case 'i':
			spec->interactive = true;
			break;
		case 'd':
			spec->detach = true;
			break;
		case OPT_DETACH:
			if (parse_bool("detach", optarg, &spec->detach, err) < 0)
				return -1;
			break;
		case 'a':
			if (attach_stream(optarg, &attach, err) < 0)
				return -1;
			break;
		case OPT_SIG_PROXY: {
			bool proxy = true;
			if (parse_bool("sig-proxy", optarg, &proxy, err) < 0)
				return -1;
			spec->no_signal_forward = !proxy;
			break;
		}
		case OPT_DETACH_KEYS:
			if (cmd_detach_keys_parse(optarg, spec->detach_keys, &spec->n_detach_keys, err) < 0)
				return -1;
			break;
		case OPT_NAME:
			if (engine_container_name_check(optarg, err) < 0)
				return -1;
			free(spec->name);
			spec->name = strdup(optarg[0] == '/' ? optarg + 1 : optarg);
			break;
		case OPT_INTERACTIVE:
			if (parse_bool("interactive", optarg, &spec->interactive, err) < 0)
				return -1;
			break;
		case 't':
			spec->tty = true;
			break;
		case OPT_TTY:
			if (parse_bool("tty", optarg, &spec->tty, err) < 0)
				return -1;
			break;
		case 'e':
			if (engine_env_add(spec, optarg, err) < 0)
				return engine_error_prefix(err, "--env");
			break;
		case OPT_ENV_FILE:
			if (engine_env_add_file(spec, optarg, err) < 0)
				return engine_error_prefix(err, "--env-file");
			break;
		case 'w':
			if (engine_workdir_check(optarg, err) < 0)
				return -1;
			free(spec->workdir);
			spec->workdir = strdup(optarg);
			break;
		case 'u':
			if (engine_user_spec_check(optarg, err) < 0)
				return -1;
			free(spec->user);
			spec->user = strdup(optarg);
			break;
		case 'h':
			if (engine_hostname_check(optarg, err) < 0)
				return -1;
			free(spec->hostname);
			spec->hostname = strdup(optarg);
			break;
		case OPT_NETWORK:
			if (netns_mode_parse(optarg, &spec->network, &spec->slirp, err) < 0 &&
			    flag_named(err, "--network") < 0)
				return -1;
			network_set = true;
			/* container:NAME, ns:PATH */
			free(spec->network_join);
			spec->network_join = NULL;
			if (spec->network == NETNS_MODE_CONTAINER || spec->network == NETNS_MODE_NS)
				spec->network_join = strdup(strchr(optarg, ':') + 1);
			break;
		case OPT_CAP_ADD:
			if (push(&cap_add, &n_add, optarg, err) < 0)
				return -1;
			break;
		case OPT_CAP_DROP:
			if (push(&cap_drop, &n_drop, optarg, err) < 0)
				return -1;
			break;
		case OPT_PRIVILEGED:
			if (parse_bool("privileged", optarg, &spec->privileged, err) < 0)
				return -1;
			break;
		case OPT_READ_ONLY:
			if (parse_bool("read-only", optarg, &spec->read_only, err) < 0)
				return -1;
			break;
		case OPT_SECURITY_OPT:
			if (security_opt(spec, optarg, err) < 0)
				return -1;
			break;
		case OPT_ENTRYPOINT:
			free(spec->entrypoint);
			spec->entrypoint = strdup(optarg);
			spec->entrypoint_set = true;
			break;
		case OPT_PULL:
			if (strcmp(optarg, "always") != 0 && strcmp(optarg, "missing") != 0 &&
			    strcmp(optarg, "never") != 0 && strcmp(optarg, "newer") != 0)
				return engine_error_set(err, EINVAL,
							"--pull %s: expected always, missing or never", optarg);
			free(spec->pull_policy);
			spec->pull_policy = strdup(optarg);
			break;
		case OPT_PLATFORM:
			free(spec->platform);
			spec->platform = strdup(optarg);
			break;
		case OPT_TLS_VERIFY: {
			bool verify = true;
			if (parse_bool("tls-verify", optarg, &verify, err) < 0)
				return -1;
			spec->tls_verify_off = !verify;
			break;
		}
		/* the monitor */
		case OPT_RESTART:
			if (engine_restart_policy_parse(spec, optarg, err) < 0)
				return -1;
			break;
		case OPT_LOG_DRIVER:
			if (engine_log_driver_parse(spec, optarg, err) < 0)
				return flag_named(err, "--log-driver");
			break;
		case OPT_LOG_OPT:
			if (engine_log_opt_parse(spec, optarg, err) < 0)
				return flag_named(err, "--log-opt");
			break;
		/* run options */
		case OPT_USERNS:
			if (userns_opt(spec, optarg, err) < 0)
				return -1;
			break;
		case OPT_INIT:
			if (parse_bool("init", optarg, &spec->init, err) < 0)
				return -1;
			break;
		case OPT_ULIMIT: {
			int resource;
			struct rlimit rl;
			if (engine_ulimit_parse(optarg, &resource, &rl, err) < 0 ||
			    strv_add(&spec->ulimits, &spec->n_ulimits, optarg, err) < 0)
				return -1;
			break;
		}
		case OPT_GROUP_ADD:
			if (*optarg == '\0')
				return engine_error_set(err, EINVAL, "invalid --group-add: empty group");
			if (strv_add(&spec->group_add, &spec->n_group_add, optarg, err) < 0)
				return -1;
			break;
		case OPT_SYSCTL:
			if (strv_add(&spec->sysctls, &spec->n_sysctls, optarg, err) < 0)
				return -1;
			break;
		case OPT_STOP_SIGNAL:
			if ((spec->stop_signal = engine_signal_parse(optarg)) < 0)
				return engine_error_set(err, EINVAL, "invalid stop signal: %s", optarg);
			break;
		case OPT_STOP_TIMEOUT: {
			char *end;
			long t = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || t < 0 || t > 86400)
				return engine_error_set(err, EINVAL,
							"invalid argument \"%s\" for \"--stop-timeout\" flag", optarg);
			spec->stop_timeout = (int)t;
			spec->stop_timeout_set = true;
			break;
		}
		case OPT_CIDFILE:
			if (*optarg == '\0')
				return engine_error_set(err, EINVAL, "--cidfile: empty file name");
			free(spec->cidfile);
			spec->cidfile = strdup(optarg);
			break;
		case 'v':
		case OPT_MOUNT:
		case OPT_TMPFS:
		case OPT_DEVICE:
		case OPT_SHM_SIZE:
		case OPT_READ_ONLY_TMPFS:
			if (mount_flag(spec, c, optarg, err) < 0)
				return -1;
			break;
		case 'l': /* labels */
			if (push(&label_flags, &n_label_flags, optarg, err) < 0)
				return -1;
			break;
		case OPT_LABEL_FILE:
			if (push(&label_files, &n_label_files, optarg, err) < 0)
				return -1;
			break;
		/* networking */
		case 'p':
			if (netns_ports_parse(&spec->ports, optarg, err) < 0)
				return -1;
			break;
		case 'P':
			spec->publish_all = true;
			break;
		case OPT_PUBLISH_ALL:
			if (parse_bool("publish-all", optarg, &spec->publish_all, err) < 0)
				return -1;
			break;
		case OPT_ADD_HOST: {
			struct netns_host_entry he;
			if (netns_add_host_parse(optarg, "10.0.2.2", &he, err) < 0 ||
			    strv_add(&spec->add_hosts, &spec->n_add_hosts, optarg, err) < 0)
				return -1;
			break;
		}
		case OPT_DNS: {
			struct in6_addr a;
			if (inet_pton(AF_INET, optarg, &a) != 1 && inet_pton(AF_INET6, optarg, &a) != 1)
				return engine_error_set(err, EINVAL, "--dns %s: not an IP address", optarg);
			if (strv_add(&spec->dns, &spec->n_dns, optarg, err) < 0)
				return -1;
			break;
		}
		case OPT_DNS_SEARCH:
			if (strv_add(&spec->dns_search, &spec->n_dns_search, optarg, err) < 0)
				return -1;
			break;
		case OPT_DNS_OPTION:
			if (strv_add(&spec->dns_options, &spec->n_dns_options, optarg, err) < 0)
				return -1;
			break;
		case OPT_HELP:
			*ret_help = 1;
			return 0;
		case ':':
			return missing_value(argc, argv, err);
		default:
			return cmd_flag_error('?', argc, argv, err);
		}
	}

	/* -a: Docker's rules.  Without it stdout and stderr are relayed
	 * (stdin with -i, which -a does not change). */
	if (attach != 0 && spec->detach)
		return engine_error_set(err, EINVAL, "Conflicting options: -a and -d");
	if (attach != 0) {
		spec->quiet_stdout = !(attach & 1u << 1);
		spec->quiet_stderr = !(attach & 1u << 2);
	}
	/* Docker refuses the pair. */
	if (spec->restart_policy != NULL && spec->remove)
		return engine_error_set(err, EINVAL, "Conflicting options: --restart and --rm");
	if (engine_cgroup_run_flags_check(spec, err) < 0)
		return -1;
	/* labels: as Docker, the files first, then -l (which wins),
	 * whatever their order on the command line. */
	for (int i = 0; i < n_label_files; i++)
		if (engine_label_add_file(spec, label_files[i], err) < 0)
			return engine_error_prefix(err, "--label-file");
	for (int i = 0; i < n_label_flags; i++)
		if (engine_label_add(spec, label_flags[i], err) < 0)
			return engine_error_prefix(err, "--label");

	if (spec->privileged) {
		spec->caps = engine_caps_all();
		if (spec->seccomp_profile == NULL)
			spec->seccomp_profile = strdup("unconfined");
	}
	if (engine_caps_apply_changes(&spec->caps, cap_add, n_add, cap_drop, n_drop, err) < 0)
		return -1;
	/* ports need a network of our own to publish from. */
	if ((spec->ports.count > 0 || spec->publish_all) && spec->network != NETNS_MODE_DEFAULT)
		return engine_error_set(err, EINVAL,
					"published ports need the slirp4netns network, not --network %s",
					netns_mode_name(spec->network));
	/* --userns=auto: slirp4netns cannot configure a namespace whose
	 * user namespace does not map the user; such a container has its own
	 * namespace with only lo unless --network says otherwise. */
	if (spec->userns != NULL && strcmp(spec->userns, "auto") == 0 &&
	    spec->network == NETNS_MODE_DEFAULT) {
		if (network_set || spec->ports.count > 0 || spec->publish_all)
			return engine_error_set(err, ENOTSUP,
						"--userns=auto: slirp4netns and published ports are not supported "
						"(use --network none or host)");
		spec->network = NETNS_MODE_NONE;
	}
	if (spec->network_join != NULL && spec->userns != NULL)
		return engine_error_set(err, EINVAL, "--network %s:%s cannot be combined with --userns",
					netns_mode_name(spec->network), spec->network_join);
	/* the network mode may come after --sysctl. */
	for (size_t i = 0; i < spec->n_sysctls; i++)
		if (engine_sysctl_check(spec->sysctls[i], netns_mode_is_private(spec->network), err) < 0)
			return -1;

	if (rootfs != NULL) {
		if (check_rootfs(spec, rootfs, err) < 0)
			return -1;
		if (optind >= argc)
			return engine_error_set(err, EINVAL, "no command given to run in %s", rootfs);
	} else {
		if (optind >= argc)
			return engine_error_set(err, EINVAL,
						"\"engine run\" requires at least 1 argument: an image (or --rootfs DIR)");
		if ((spec->image = strdup(argv[optind++])) == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
	}
	int n = argc - optind;
	spec->argv = calloc((size_t)n + 1, sizeof(char *));
	if (spec->argv == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (int i = 0; i < n; i++)
		if ((spec->argv[i] = strdup(argv[optind + i])) == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
	if (engine_generate_id(spec->id, err) < 0)
		return -1;
	return 0;
}
