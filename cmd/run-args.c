/* run-args.c: `engine run` flags, spelled as Docker spells them.
 *
 * getopt_long with a leading '+' stops at the first non-option, so in
 * `engine run --rootfs R sh -c 'ls -l'` the "-c" belongs to sh, as in Docker.
 * Messages follow the Docker CLI's ("unknown flag: --foo"). */
#include "run-args.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "caps.h"
#include "cleanup.h"
#include "containers.h"

const char cmd_run_usage[] =
	"Usage: engine run [OPTIONS] IMAGE [COMMAND] [ARG...]\n"
	"       engine run [OPTIONS] --rootfs DIR COMMAND [ARG...]\n"
	"\n"
	"Run a command in a new container.\n"
	"\n"
	"Options:\n"
	"      --rootfs DIR             use DIR as the container's root filesystem\n"
	"  -d, --detach                 run in the background, print the container ID\n"
	"      --name NAME              name the container\n"
	"      --rm                     remove the container when it exits\n"
	"      --entrypoint CMD         override the image's entrypoint (\"\" clears it)\n"
	"      --pull POLICY            always | missing (default) | never\n"
	"      --platform OS/ARCH[/V]   pull this platform of a multi-arch image\n"
	"      --tls-verify=false       allow plain HTTP and unverified TLS\n"
	"  -i, --interactive            keep STDIN open\n"
	"  -t, --tty                    allocate a pseudo-TTY\n"
	"  -e, --env KEY=VALUE          set an environment variable\n"
	"      --env-file FILE          read environment variables from FILE\n"
	"  -w, --workdir DIR            working directory inside the container\n"
	"  -u, --user USER[:GROUP]      user name or uid, group name or gid\n"
	"  -h, --hostname NAME          container host name\n"
	"      --network MODE           none | host\n"
	"      --cap-add CAP            add a capability (or ALL)\n"
	"      --cap-drop CAP           drop a capability (or ALL)\n"
	"      --privileged             all capabilities, no seccomp, no masked paths\n"
	"      --read-only              mount the root filesystem read-only\n"
	"      --security-opt OPT       seccomp=unconfined|PROFILE.json, no-new-privileges\n"
	"  -l, --label KEY=VALUE        set a label on the container\n"
	"      --label-file FILE        read labels from FILE (KEY=VALUE lines)\n"
	"      --help                   print this help\n";

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
	OPT_LABEL_FILE, /* labels (wt-cmds) */
};

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
	{ "help", no_argument, NULL, OPT_HELP },
	{ "label", required_argument, NULL, 'l' }, /* labels (wt-cmds) */
	{ "label-file", required_argument, NULL, OPT_LABEL_FILE },
	{ NULL, 0, NULL, 0 },
};

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

static int unknown_flag(int argc, char **argv, struct engine_error **err)
{
	const char *arg = optind - 1 < argc ? argv[optind - 1] : "?";
	if (optopt != 0 && optopt != '?')
		return engine_error_set(err, EINVAL, "unknown shorthand flag: '%c' in %s", optopt, arg);
	return engine_error_set(err, EINVAL, "unknown flag: %s", arg);
}

static int missing_value(int argc, char **argv, struct engine_error **err)
{
	const char *arg = optind - 1 < argc ? argv[optind - 1] : "?";
	if (optopt != 0 && strncmp(arg, "--", 2) != 0)
		return engine_error_set(err, EINVAL, "flag needs an argument: '%c' in -%c", optopt,
					optopt);
	return engine_error_set(err, EINVAL, "flag needs an argument: %s", arg);
}

int cmd_run_parse(int argc, char **argv, struct engine_run_spec *spec, int *ret_help,
		  struct engine_error **err)
{
	cleanup_free char **cap_add = NULL;
	cleanup_free char **cap_drop = NULL;
	int n_add = 0, n_drop = 0, c;
	cleanup_free char **label_flags = NULL; /* labels (wt-cmds) */
	cleanup_free char **label_files = NULL;
	int n_label_flags = 0, n_label_files = 0;
	const char *rootfs = NULL;
	*ret_help = 0;
	spec->caps = engine_caps_default();
	spec->network = NETNS_MODE_DEFAULT;

	optind = 0; /* glibc: 0 re-initialises getopt for a fresh argv */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:dite:w:u:h:l:", long_options, NULL)) != -1) {
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
				return -1;
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
			if (netns_mode_parse(optarg, &spec->network, err) < 0)
				return -1;
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
		case 'l': /* labels (wt-cmds) */
			if (push(&label_flags, &n_label_flags, optarg, err) < 0)
				return -1;
			break;
		case OPT_LABEL_FILE:
			if (push(&label_files, &n_label_files, optarg, err) < 0)
				return -1;
			break;
		case OPT_HELP:
			*ret_help = 1;
			return 0;
		case ':':
			return missing_value(argc, argv, err);
		default:
			return unknown_flag(argc, argv, err);
		}
	}

	/* labels (wt-cmds): as Docker, the files first, then -l (which wins),
	 * whatever their order on the command line. */
	for (int i = 0; i < n_label_files; i++)
		if (engine_label_add_file(spec, label_files[i], err) < 0)
			return -1;
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
