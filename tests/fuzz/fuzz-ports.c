/* fuzz-ports.c: libFuzzer harness for -p parsing and the port output forms.
 * The input is split on newlines into -p specs (and, after a line "-P",
 * EXPOSEd ports).  Whatever the input: a refused spec leaves the list as it
 * was, every accepted port is in 1..65535 with a known protocol, and the
 * `engine port`, ps and inspect forms are produced without overflow, and
 * config.json's form round-trips. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-input.h"
#include "netns/ports.h"
#include "cmd/ports-format.h"
#include "netns/slirp4netns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_list(const struct netns_port_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		const struct netns_port *p = &list->ports[i];
		if (p->container_port == 0 || p->proto > NETNS_PROTO_SCTP ||
		    (p->host_port_last != 0 && p->host_port_last <= p->host_port) ||
		    memchr(p->host_ip, '\0', sizeof(p->host_ip)) == NULL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_input_string(data, size, 4096);
	if (copy == NULL)
		return 0;
	struct netns_port_list list = { 0 };
	const char *exposed[64];
	size_t nexposed = 0;
	int after_P = 0;
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strcmp(line, "-P") == 0) {
			after_P = 1;
			continue;
		}
		if (after_P) {
			if (nexposed < 64)
				exposed[nexposed++] = line;
			continue;
		}
		struct engine_error *err = NULL;
		size_t before = list.count;
		if (netns_ports_parse(&list, line, &err) < 0) {
			/* The library names the setting; the CLI puts "-p" there. */
			if (err == NULL || err->msg == NULL || list.count != before ||
			    strncmp(err->msg, "published port ", 15) != 0)
				abort();
			engine_error_free(&err);
		}
		/* The same bytes as slirp4netns options: must not crash either. */
		struct netns_slirp_options opts;
		if (netns_slirp_options_parse(line, &opts, &err) < 0)
			engine_error_free(&err);
		if (list.count > 200000)
			break;
	}
	struct engine_error *err = NULL;
	if (netns_ports_publish_exposed(&list, exposed, nexposed, &err) < 0)
		engine_error_free(&err);
	check_list(&list);
	/* config.json's form must give back exactly what was stored. */
	json_t *j = list.count <= 4096 ? netns_ports_to_json(&list) : NULL;
	struct netns_port_list back = { 0 };
	if (j != NULL) {
		if (netns_ports_from_json(j, &back, &err) < 0 || back.count != list.count ||
		    (list.count > 0 && memcmp(back.ports, list.ports, list.count * sizeof(*list.ports)) != 0))
			abort();
		netns_port_list_clear(&back);
		json_decref(j);
	}
	j = list.count <= 4096 ? netns_ports_inspect_json(&list) : NULL;
	json_decref(j);
	/* Output forms on what parsed (host ports 0 are shown bare). */
	char *s = cmd_ports_format_ps(&list);
	free(s);
	s = cmd_ports_format_port(&list, 0, NULL);
	free(s);
	netns_port_list_clear(&list);
	free(copy);
	return 0;
}
