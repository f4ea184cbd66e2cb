/* main.c: the engine CLI's entry point: global flags, the privilege guard,
 * and dispatch to one file per subcommand. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/helper.h"
#include "cmd/report.h"
#include "cmd/commands.h"
#include "cmd/flags.h"
#include "common/cleanup.h"
#include "cmd/setting-flags.h"
#include "config.h"
#include "storage/driver.h"

static void log_to_stderr(int level, const char *msg)
{
	static const char *const names[] = { "ERRO", "WARN", "INFO", "DEBU" };
	fprintf(stderr, "%s: %s\n", names[level & 3], msg);
}

/* We are a tool for unprivileged users and must never be installed setuid or
 * setgid: every check we make would then be made with someone else's
 * rights.  AT_SECURE covers setuid/setgid/file caps at exec; the mode bits
 * cover a setuid binary run by its own owner (or on a nosuid mount). */
static int refuse_setuid(void)
{
	struct stat st;
	if (getauxval(AT_SECURE) != 0 || getuid() != geteuid() || getgid() != getegid())
		return -1;
	if (stat("/proc/self/exe", &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	cmd_save_argv(argc, argv);
	if (refuse_setuid() < 0) {
		fputs("Error: engine must not be installed setuid or setgid: remove the bit "
		      "(chmod u-s,g-s) and run it as a normal user\n", stderr);
		return 125;
	}

	static const struct option opts[] = {
		{ "log-level", required_argument, NULL, 'l' },
		{ "root", required_argument, NULL, 'r' },
		{ "runroot", required_argument, NULL, 'R' },
		{ "storage-driver", required_argument, NULL, 'S' },
		{ "cgroup-manager", required_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_global g = { 0 };
	/* The user's own default for --cgroup-manager (the usage says so). */
	const char *env_manager = getenv("ENGINE_CGROUP_MANAGER");
	if (env_manager != NULL && *env_manager != '\0')
		g.cgroup_manager = env_manager;
	int c;
	opterr = 0;
	while ((c = cmd_getopt(argc, argv, "v", opts, CMD_FLAGS_FIRST)) != -1) {
		switch (c) {
		case 'l': {
			static const char *const levels[] = { "error", "warn", "info", "debug" };
			int lvl = -1;
			for (int i = 0; i < 4; i++)
				if (strcmp(optarg, levels[i]) == 0)
					lvl = i;
			if (lvl < 0) {
				fprintf(stderr, "Error: --log-level %s: expected error, warn, info or debug\n",
					optarg);
				return 125;
			}
			engine_log_set_handler(log_to_stderr, lvl);
			cmd_report_log_level = lvl;
			break;
		}
		case 'r':
			g.root = optarg;
			break;
		case 'R':
			g.runroot = optarg;
			break;
		case 'S':
			if (storage_driver_from_name(optarg) == STORAGE_DRIVER_NONE) {
				fprintf(stderr, "Error: unknown storage driver \"%s\" (--storage-driver): "
						"expected overlay, fuse-overlayfs or vfs\n", optarg);
				return 125;
			}
			g.storage_driver = optarg;
			break;
		case 'C': /* the run specs carry it to the library */
			if (strcmp(optarg, "systemd") != 0 && strcmp(optarg, "cgroupfs") != 0) {
				fprintf(stderr, "Error: unknown cgroup manager \"%s\" (--cgroup-manager): "
						"expected systemd or cgroupfs\n", optarg);
				return 125;
			}
			g.cgroup_manager = optarg;
			break;
		case 'v':
			printf("engine version %s\n", ENGINE_VERSION);
			return 0;
		case 'H':
			return cmd_help("");
		default:
			return cmd_bad_flag(c, argv);
		}
	}
	if (optind >= argc) {
		cmd_help_print(stderr, "");
		return 125;
	}
	const char *cmd = argv[optind];
	/* What reads neither the store nor image names starts at once. */
	if (strcmp(cmd, "version") == 0 || strcmp(cmd, "help") == 0 ||
	    strcmp(cmd, "completion") == 0 || strcmp(cmd, "__man") == 0)
		return cmd_dispatch(&cmd_engine, "", argc - optind, argv + optind, &g);
	/* registries.conf says where short names live, so it is read before
	 * any command parses an image name, and every command resolves them
	 * alike; a broken file is reported by all of them, as Podman does. */
	struct engine_error *err = NULL;
	if (storage_registries_conf_load_default(&g.registries, &err) < 0) {
		int rc = cmd_report(err);
		engine_error_free(&err);
		return rc;
	}
	if (storage_reference_set_short_name_registry(g.registries->short_name_registry) < 0) {
		/* The parser checked it: only a bug gets here. */
		fprintf(stderr, "Error: %s: invalid unqualified-search-registries\n",
			g.registries->path);
		storage_registries_conf_free(g.registries);
		return 125;
	}
	int rc = cmd_dispatch(&cmd_engine, "", argc - optind, argv + optind, &g);
	storage_registries_conf_free(g.registries);
	return rc;
}
