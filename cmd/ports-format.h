/* ports-format.h: published ports as the CLI shows them, Docker's forms:
 * the lines of `engine port` and the PORTS column of `ps`. */
#pragma once

#include <stdint.h>

#include "netns/ports.h"

/* `engine port` lines, "80/tcp -> 0.0.0.0:8080\n" each, sorted by container
 * port; CONTAINER_PORT not 0 keeps only that port (and PROTO, when not
 * NULL).  Returns a malloc'd string ("" when nothing matches) or NULL on
 * ENOMEM. */
char *cmd_ports_format_port(const struct netns_port_list *list, uint16_t container_port,
			    const char *proto);

/* The PORTS column of ps: "0.0.0.0:8080-8081->80-81/tcp, [::1]:53->53/udp".
 * Returns a malloc'd string or NULL on ENOMEM. */
char *cmd_ports_format_ps(const struct netns_port_list *list);
