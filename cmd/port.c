/* port.c: `engine port CONTAINER [PRIVATE_PORT[/PROTO]]`: the
 * container's published ports as Docker lists them, from its config.json
 * (the host ports were chosen when it was created). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "cmd/cmd.h"
#include "cmd/port.h"
#include "cmd/report.h"
#include "libengine/container/containers.h"
#include "cmd/ctr-common.h"
#include "netns/ports.h"
#include "cmd/ports-format.h"

int cmd_port(int argc, char **argv, struct cmd_global *g)
{
	int rc;
	const char *what = argv[optind];
	const char *filter = optind + 1 < argc ? argv[optind + 1] : NULL;
	uint16_t want = 0;
	char proto[8] = "tcp";
	if (filter != NULL) {
		char *end;
		unsigned long n = strtoul(filter, &end, 10);
		if (end == filter || n == 0 || n > 65535 || (*end != '\0' && *end != '/') ||
		    (*end == '/' && strcmp(end + 1, "tcp") != 0 && strcmp(end + 1, "udp") != 0 &&
		     strcmp(end + 1, "sctp") != 0)) {
			fprintf(stderr, "Error: Invalid port: %s\n", filter);
			return 125;
		}
		want = (uint16_t)n;
		if (*end == '/')
			snprintf(proto, sizeof(proto), "%s", end + 1);
	}
	struct engine_container *c = cmd_container_lookup(g, what, &rc);
	if (c == NULL)
		return rc;
	cleanup_free char *text = cmd_ports_format_port(&c->spec.ports, want, filter ? proto : NULL);
	rc = 0;
	if (text == NULL) {
		fprintf(stderr, "Error: out of memory\n");
		rc = 125;
	} else if (filter != NULL && text[0] == '\0') {
		fprintf(stderr, "Error: No public port '%u/%s' published for %s\n", want, proto, what);
		rc = 1;
	} else if (filter != NULL) {
		/* Docker prints only the host side for one port. */
		for (char *line = text; *line;) {
			char *nl = strchr(line, '\n');
			char *arrow = strstr(line, " -> ");
			if (arrow != NULL && (nl == NULL || arrow < nl))
				fwrite(arrow + 4, 1, nl ? (size_t)(nl - arrow - 4) + 1 : strlen(arrow + 4), stdout);
			line = nl ? nl + 1 : line + strlen(line);
		}
	} else {
		fputs(text, stdout);
	}
	engine_container_free(c);
	return rc;
}
