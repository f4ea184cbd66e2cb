/* ports-format.c: published ports as `engine port` and `ps` show them.
 * The library (netns/ports.c) holds the ports and their order; the forms
 * the user reads are Docker's CLI's, so they live with the CLI. */
#include "cmd/ports-format.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/cleanup.h"

/* "0.0.0.0:8080" or "[::1]:8080", as Go's JoinHostPort writes them. */
static void host_port_format(char *buf, size_t size, const char *ip, unsigned port)
{
	if (strchr(ip, ':') != NULL)
		snprintf(buf, size, "[%s]:%u", ip, port);
	else
		snprintf(buf, size, "%s:%u", ip, port);
}

/* The output forms are built on open_memstream (amortised growth: a range
 * of 60,000 ports must not cost a copy per port). */
static char *stream_finish(FILE *f, char **buf)
{
	/* fclose sets *buf: read it only after. */
	int failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

char *cmd_ports_format_port(const struct netns_port_list *list, uint16_t container_port,
			    const char *proto)
{
	cleanup_free struct netns_port *v = netns_ports_sorted(list);
	char *out = NULL;
	size_t len = 0;
	FILE *f = v != NULL ? open_memstream(&out, &len) : NULL;
	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < list->count; i++) {
		const struct netns_port *p = &v[i];
		if (p->host_port == 0 || (container_port != 0 && p->container_port != container_port) ||
		    (proto != NULL && strcasecmp(proto, netns_proto_name(p->proto)) != 0))
			continue;
		char where[INET6_ADDRSTRLEN + 16];
		host_port_format(where, sizeof(where), netns_port_host_ip(p), p->host_port);
		fprintf(f, "%u/%s -> %s\n", p->container_port, netns_proto_name(p->proto), where);
	}
	return stream_finish(f, &out);
}

/* ps collapses runs where the container and the host port both step by one
 * on one address and protocol; the runs keep Docker's port order. */
struct port_run {
	struct netns_port first;
	uint16_t count;
};

static int run_compare(const void *a, const void *b)
{
	return netns_port_compare(&((const struct port_run *)a)->first, &((const struct port_run *)b)->first);
}

static int group_compare(const void *a, const void *b)
{
	const struct netns_port *x = a, *y = b;
	int c = strcmp(x->host_ip, y->host_ip);
	if (c != 0)
		return c;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return netns_port_compare(a, b);
}

char *cmd_ports_format_ps(const struct netns_port_list *list)
{
	cleanup_free struct netns_port *v = netns_ports_sorted(list);
	cleanup_free struct port_run *runs = malloc((list->count ? list->count : 1) * sizeof(*runs));
	char *out = NULL;
	size_t len = 0, nruns = 0;
	FILE *f = v != NULL && runs != NULL ? open_memstream(&out, &len) : NULL;
	if (f == NULL)
		return NULL;
	qsort(v, list->count, sizeof(*v), group_compare);
	for (size_t i = 0; i < list->count; i++) {
		struct port_run *last = nruns > 0 ? &runs[nruns - 1] : NULL;
		const struct netns_port *p = &v[i];
		if (last != NULL && p->host_port != 0 && last->first.host_port != 0 &&
		    strcmp(last->first.host_ip, p->host_ip) == 0 && last->first.proto == p->proto &&
		    (unsigned)last->first.container_port + last->count == p->container_port &&
		    (unsigned)last->first.host_port + last->count == p->host_port) {
			last->count++;
			continue;
		}
		runs[nruns].first = *p;
		runs[nruns].count = 1;
		nruns++;
	}
	qsort(runs, nruns, sizeof(*runs), run_compare);
	for (size_t i = 0; i < nruns; i++) {
		const struct netns_port *p = &runs[i].first;
		unsigned extra = runs[i].count - 1u;
		char cports[16], hports[16], item[INET6_ADDRSTRLEN + 64], where[INET6_ADDRSTRLEN + 16];
		if (extra)
			snprintf(cports, sizeof(cports), "%u-%u", p->container_port, p->container_port + extra);
		else
			snprintf(cports, sizeof(cports), "%u", p->container_port);
		if (p->host_port == 0) {
			/* Not published (yet): Docker shows the bare port. */
			snprintf(item, sizeof(item), "%s/%s", cports, netns_proto_name(p->proto));
		} else {
			const char *ip = netns_port_host_ip(p);
			if (extra)
				snprintf(hports, sizeof(hports), "%u-%u", p->host_port, p->host_port + extra);
			else
				snprintf(hports, sizeof(hports), "%u", p->host_port);
			if (strchr(ip, ':') != NULL)
				snprintf(where, sizeof(where), "[%s]:%s", ip, hports);
			else
				snprintf(where, sizeof(where), "%s:%s", ip, hports);
			snprintf(item, sizeof(item), "%s->%s/%s", where, cports, netns_proto_name(p->proto));
		}
		fprintf(f, "%s%s", i > 0 ? ", " : "", item);
	}
	return stream_finish(f, &out);
}
