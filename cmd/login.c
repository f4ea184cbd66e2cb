/* login.c: `engine login [-u USER] [-p PASSWORD | --password-stdin]
 * [--tls-verify=false] [REGISTRY]` and `engine logout [REGISTRY]`.
 *
 * The credentials are checked against the registry (GET /v2/ with them)
 * before they are written to auth.json (mode 0600, where pull and push read
 * them), so a typo is found now and not at the next pull.  Interactive
 * prompts only on a terminal, as Docker does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/login.h"
#include "cmd/report.h"
#include "cmd/ctr-common.h"
#include "cmd/parse.h"
#include "storage/reference.h"
#include "storage/registry-push.h"
#include "storage/registry.h"

/* "https://host:port/v1/" -> "host:port" (Docker's ConvertToHostname). */
static char *registry_host(const char *arg)
{
	if (arg == NULL) /* where short names live, as Podman logs in to its first search registry */
		return strdup(storage_reference_short_name_registry());
	if (strncmp(arg, "https://", 8) == 0)
		arg += 8;
	else if (strncmp(arg, "http://", 7) == 0)
		arg += 7;
	char *host = strndup(arg, strcspn(arg, "/"));
	if (host != NULL && (strcmp(host, "index.docker.io") == 0 ||
			     strcmp(host, "registry-1.docker.io") == 0)) {
		free(host);
		host = strdup(STORAGE_DOCKER_HUB);
	}
	return host;
}

/* One line from F without its line end; NULL at EOF. */
static char *read_line(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static char *prompt(const char *what, bool secret)
{
	fprintf(stderr, "%s: ", what);
	fflush(stderr);
	struct termios old, quiet;
	bool restore = secret && tcgetattr(STDIN_FILENO, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	char *line = read_line(stdin);
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	return line;
}

int cmd_login(int argc, char **argv, struct cmd_global *g)
{
	const char *user_flag = NULL, *password_flag = NULL;
	bool password_stdin = false, tls_verify = true;
	cleanup_error struct engine_error *err = NULL;
	CMD_PARSE_OR_RETURN(g, argc, argv,
			    { "username", CMD_BIND_STRING, &user_flag },
			    { "password", CMD_BIND_STRING, &password_flag },
			    { "password-stdin", CMD_BIND_BOOL, &password_stdin },
			    { "tls-verify", CMD_BIND_BOOL, &tls_verify });
	/* Owned copies: a prompt or stdin may fill them in instead. */
	cleanup_free char *user = user_flag ? strdup(user_flag) : NULL;
	cleanup_free char *password = password_flag ? strdup(password_flag) : NULL;
	if (password != NULL && password_stdin) {
		engine_error_set(&err, EINVAL, "--password and --password-stdin are mutually exclusive");
		return cmd_report(err);
	}
	if (password_stdin && user == NULL) {
		engine_error_set(&err, EINVAL, "Must provide --username with --password-stdin");
		return cmd_report(err);
	}
	cleanup_free char *host = registry_host(optind < argc ? argv[optind] : NULL);
	if (host == NULL || !storage_reference_valid_registry(host)) {
		engine_error_set(&err, EINVAL, "invalid registry \"%s\"", optind < argc ? argv[optind] : "");
		return cmd_report(err);
	}
	if (password != NULL)
		cmd_warn("Using --password via the CLI is insecure. Use --password-stdin.");
	if (password_stdin) {
		/* All of stdin, without the final line end (Docker trims it). */
		char *line = read_line(stdin);
		password = line ? line : strdup("");
	}
	if ((user == NULL || password == NULL) && !isatty(STDIN_FILENO)) {
		engine_error_set(&err, EINVAL, "Cannot perform an interactive login from a non TTY device");
		err->exit_code = 1;
		return cmd_report(err);
	}
	if (user == NULL)
		user = prompt("Username", false);
	if (password == NULL)
		password = prompt("Password", true);
	if (user == NULL || user[0] == '\0' || password == NULL || password[0] == '\0') {
		engine_error_set(&err, EINVAL, "Username and password are required");
		err->exit_code = 1;
		return cmd_report(err);
	}
	struct storage_registry_options ro = { .tls_verify = tls_verify,
					       .registries = g->registries };
	struct storage_registry *client = NULL;
	int r = storage_registry_open(&ro, &client, &err);
	if (r == 0)
		r = storage_registry_login(client, host, user, password, &err);
	storage_registry_close(client);
	if (r < 0) {
		if (err->status == EACCES)
			err->exit_code = 1; /* Docker's status for refused credentials */
		return cmd_report(err);
	}
	if (storage_auth_store(NULL, host, user, password, &err) < 0)
		return cmd_report(err);
	puts("Login Succeeded");
	return 0;
}

int cmd_logout(int argc, char **argv, struct cmd_global *g)
{
	cleanup_error struct engine_error *err = NULL;
	cleanup_free char *host = registry_host(optind < argc ? argv[optind] : NULL);
	if (host == NULL) {
		engine_error_set(&err, ENOMEM, "out of memory");
		return cmd_report(err);
	}
	int r = storage_auth_remove(NULL, host, &err);
	if (r == -ENOENT) {
		/* Docker: not an error, just said. */
		printf("Not logged in to %s\n", host);
		return 0;
	}
	if (r < 0)
		return cmd_report(err);
	printf("Removing login credentials for %s\n", host);
	(void)g;
	return 0;
}
