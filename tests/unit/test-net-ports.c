/* test-net-ports.c: -p / -P parsing, Docker's messages, the output forms
 * (cmd/ports-format.c),
 * and the host-port checks (free, taken, privileged). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns/ports.h"
#include "cmd/ports-format.h"
#include "loopback.h"
#include "tap.h"
#include "common/cleanup.h"
#include "cmd/setting-flags.h"

/* Parse one spec into a fresh list; returns the count or -1 and the error. */
static int parse1(const char *spec, struct netns_port_list *list, char **ret_msg)
{
	struct engine_error *err = NULL;
	memset(list, 0, sizeof(*list));
	int r = netns_ports_parse(list, spec, &err);
	if (r < 0) {
		*ret_msg = cmd_error_text(err);
		engine_error_free(&err);
		return -1;
	}
	*ret_msg = NULL;
	return (int)list->count;
}

static void bad(const char *spec, const char *want)
{
	struct netns_port_list l;
	char *msg = NULL;
	int n = parse1(spec, &l, &msg);
	is_int(n, -1, "-p %s refused", spec);
	is_str(msg, want, "-p %s message", spec);
	is_int(l.count, 0, "-p %s left the list empty", spec);
	free(msg);
	netns_port_list_clear(&l);
}

static void ps_is(const char *const *specs, size_t n, const char *want, const char *name)
{
	struct netns_port_list l = { 0 };
	struct engine_error *err = NULL;
	for (size_t i = 0; i < n; i++)
		if (netns_ports_parse(&l, specs[i], &err) < 0)
			engine_error_free(&err);
	char *s = cmd_ports_format_ps(&l);
	is_str(s, want, "ps: %s", name);
	free(s);
	netns_port_list_clear(&l);
}

int main(void)
{
	struct netns_port_list l;
	char *msg;

	/* The simple forms. */
	is_int(parse1("80", &l, &msg), 1, "80: one port");
	is_int(l.ports[0].container_port, 80, "80: container port");
	is_int(l.ports[0].host_port, 0, "80: host port to choose");
	is_str(l.ports[0].host_ip, "", "80: every address");
	is_int(l.ports[0].proto, NETNS_PROTO_TCP, "80: tcp by default");
	netns_port_list_clear(&l);

	is_int(parse1("8080:80/udp", &l, &msg), 1, "8080:80/udp");
	is_int(l.ports[0].host_port, 8080, "8080:80/udp host port");
	is_int(l.ports[0].proto, NETNS_PROTO_UDP, "8080:80/udp is udp");
	netns_port_list_clear(&l);

	is_int(parse1("53:53/SCTP", &l, &msg), 1, "protocols are case-insensitive");
	is_int(l.ports[0].proto, NETNS_PROTO_SCTP, "sctp");
	netns_port_list_clear(&l);

	is_int(parse1("127.0.0.1:8080:80/tcp", &l, &msg), 1, "IP:HOST:CONTAINER");
	is_str(l.ports[0].host_ip, "127.0.0.1", "IPv4 address kept");
	netns_port_list_clear(&l);

	is_int(parse1("127.0.0.1::80", &l, &msg), 1, "IP::CONTAINER");
	is_int(l.ports[0].host_port, 0, "IP::CONTAINER chooses a host port");
	is_str(l.ports[0].host_ip, "127.0.0.1", "IP::CONTAINER address");
	netns_port_list_clear(&l);

	is_int(parse1("[::1]:8080:80", &l, &msg), 1, "[::1]:8080:80");
	is_str(l.ports[0].host_ip, "::1", "brackets removed");
	is_int(l.ports[0].host_port, 8080, "IPv6 host port");
	netns_port_list_clear(&l);

	is_int(parse1("::1:8080:80", &l, &msg), 1, "unbracketed IPv6, as Docker reads it");
	is_str(l.ports[0].host_ip, "::1", "unbracketed IPv6 address");
	netns_port_list_clear(&l);

	is_int(parse1("[::]::80/udp", &l, &msg), 1, "[::]::80/udp");
	is_str(l.ports[0].host_ip, "::", "[::] address");
	is_int(l.ports[0].host_port, 0, "[::]::80 chooses");
	netns_port_list_clear(&l);

	is_int(parse1("0:80", &l, &msg), 1, "-p 0:80, as Docker reads it ...");
	is_int(l.ports[0].host_port, 0, "... is a free host port");
	netns_port_list_clear(&l);

	/* Ranges. */
	is_int(parse1("8080-8082:80-82", &l, &msg), 3, "ranges expand port by port");
	is_int(l.ports[2].host_port, 8082, "third host port");
	is_int(l.ports[2].container_port, 82, "third container port");
	netns_port_list_clear(&l);

	is_int(parse1("8080-8090:80", &l, &msg), 1, "a host range for one port");
	is_int(l.ports[0].host_port, 8080, "... from");
	is_int(l.ports[0].host_port_last, 8090, "... to");
	netns_port_list_clear(&l);

	is_int(parse1("1-65535", &l, &msg), 65535, "the widest range");
	netns_port_list_clear(&l);

	/* Docker's messages, naming the spec. */
	bad("", "-p : no port specified: <empty>");
	bad("8080:", "-p 8080:: no port specified: 8080:<empty>");
	bad("abc", "-p abc: invalid containerPort: abc");
	bad("0", "-p 0: invalid containerPort: 0");
	bad("65536", "-p 65536: invalid containerPort: 65536");
	bad("+80", "-p +80: invalid containerPort: +80");
	bad("81-80", "-p 81-80: invalid containerPort: 81-80");
	bad("x:80", "-p x:80: invalid hostPort: x");
	bad("127.0.0.1:80", "-p 127.0.0.1:80: invalid hostPort: 127.0.0.1");
	bad("0-1:80", "-p 0-1:80: invalid hostPort: 0-1");
	bad("300.1.1.1:8080:80", "-p 300.1.1.1:8080:80: invalid IP address: 300.1.1.1");
	bad("[::1:8080:80", "-p [::1:8080:80: invalid IP address: [::1");
	bad("8080:80/icmp", "-p 8080:80/icmp: invalid proto: icmp");
	bad("8080-8081:80-82", "-p 8080-8081:80-82: invalid ranges specified for container and host Ports: 80-82 and 8080-8081");
	bad("8080:80-81", "-p 8080:80-81: invalid ranges specified for container and host Ports: 80-81 and 8080");

	/* A failed parse leaves what was there. */
	struct netns_port_list keep = { 0 };
	struct engine_error *err = NULL;
	netns_ports_parse(&keep, "1:2", &err);
	ok(netns_ports_parse(&keep, "bad", &err) < 0, "second spec refused");
	engine_error_free(&err);
	is_int(keep.count, 1, "first spec kept");
	netns_port_list_clear(&keep);

	/* -P */
	struct netns_port_list pl = { 0 };
	netns_ports_parse(&pl, "8080:80", &err);
	const char *exposed[] = { "80/tcp", "53/udp", "9000-9001", "80/udp" };
	is_int(netns_ports_publish_exposed(&pl, exposed, 4, &err), 0, "-P accepted");
	is_int(pl.count, 5, "-P adds what -p did not publish");
	is_int(pl.ports[1].container_port, 53, "53/udp added");
	is_int(pl.ports[1].proto, NETNS_PROTO_UDP, "53 is udp");
	is_int(pl.ports[4].proto, NETNS_PROTO_UDP, "80/udp is another port than 80/tcp");
	const char *bad_exposed[] = { "http/tcp" };
	ok(netns_ports_publish_exposed(&pl, bad_exposed, 1, &err) < 0, "-P with a bad EXPOSE");
	cleanup_free char *shown = err ? cmd_error_text(err) : NULL;
	is_str(shown, "-P: exposed port http/tcp: invalid port", "-P message");
	engine_error_free(&err);

	is_int(netns_ports_allocate(&pl, &err), 0, "-P allocation");
	if (err)
		printf("# %s\n", err->msg), engine_error_free(&err);
	int all_set = 1;
	for (size_t i = 1; i < pl.count; i++)
		all_set &= pl.ports[i].host_port >= 1;
	ok(all_set, "every -P port got a host port");
	netns_port_list_clear(&pl);

	/* Output forms. */
	netns_ports_parse(&pl, "8080:80", &err);
	netns_ports_parse(&pl, "127.0.0.1:5353:53/udp", &err);
	netns_ports_parse(&pl, "[::1]:9090:90", &err);
	char *s = cmd_ports_format_port(&pl, 0, NULL);
	is_str(s, "53/udp -> 127.0.0.1:5353\n80/tcp -> 0.0.0.0:8080\n90/tcp -> [::1]:9090\n",
	       "engine port lines, sorted by container port");
	free(s);
	s = cmd_ports_format_port(&pl, 80, NULL);
	is_str(s, "80/tcp -> 0.0.0.0:8080\n", "engine port C 80");
	free(s);
	s = cmd_ports_format_port(&pl, 80, "udp");
	is_str(s, "", "engine port C 80/udp: nothing");
	free(s);
	netns_port_list_clear(&pl);

	const char *one[] = { "8080:80" };
	ps_is(one, 1, "0.0.0.0:8080->80/tcp", "one port");
	const char *range[] = { "8080-8081:80-81" };
	ps_is(range, 1, "0.0.0.0:8080-8081->80-81/tcp", "a range collapses");
	const char *mixed[] = { "8080-8082:80-82", "127.0.0.1:9000:81", "5353:53/udp", "[::1]:7000:70" };
	ps_is(mixed, 4,
	      "0.0.0.0:5353->53/udp, [::1]:7000->70/tcp, 0.0.0.0:8080-8082->80-82/tcp, 127.0.0.1:9000->81/tcp",
	      "groups by address and protocol, ordered by container port");
	const char *gap[] = { "8080:80", "8082:81" };
	ps_is(gap, 2, "0.0.0.0:8080->80/tcp, 0.0.0.0:8082->81/tcp", "no collapse across a host gap");
	const char *unset[] = { "80" };
	ps_is(unset, 1, "80/tcp", "an unallocated port shows bare");
	ps_is(NULL, 0, "", "no ports: empty column");

	/* JSON: config.json's form round-trips; inspect's is Docker's map. */
	netns_ports_parse(&pl, "127.0.0.1:8080:80", &err);
	netns_ports_parse(&pl, "[::1]:9000-9009:90/udp", &err);
	netns_ports_parse(&pl, "443", &err);
	json_t *j = netns_ports_to_json(&pl);
	char *dump = json_dumps(j, JSON_COMPACT);
	is_str(dump, "[{\"container_port\":80,\"proto\":\"tcp\",\"host_ip\":\"127.0.0.1\",\"host_port\":8080,\"host_port_last\":0},"
		     "{\"container_port\":90,\"proto\":\"udp\",\"host_ip\":\"::1\",\"host_port\":9000,\"host_port_last\":9009},"
		     "{\"container_port\":443,\"proto\":\"tcp\",\"host_ip\":\"\",\"host_port\":0,\"host_port_last\":0}]",
	       "ports to config.json");
	free(dump);
	struct netns_port_list back = { 0 };
	is_int(netns_ports_from_json(j, &back, &err), 0, "ports from config.json");
	ok(back.count == pl.count && memcmp(back.ports, pl.ports, pl.count * sizeof(*pl.ports)) == 0,
	   "round trip is exact");
	netns_port_list_clear(&back);
	json_array_append_new(j, json_pack("{s:i, s:s, s:s, s:i, s:i}", "container_port", 0, "proto", "tcp",
					   "host_ip", "", "host_port", 1, "host_port_last", 0));
	ok(netns_ports_from_json(j, &back, &err) < 0, "container port 0 refused");
	is_str(err ? err->msg : NULL, "ports: entry 3 is not a port", "... naming the entry");
	engine_error_free(&err);
	is_int(back.count, 0, "nothing returned on failure");
	json_decref(j);
	j = json_loads("[{\"container_port\":80,\"proto\":\"tcp\",\"host_ip\":\"x\",\"host_port\":1,\"host_port_last\":0}]", 0, NULL);
	ok(netns_ports_from_json(j, &back, &err) < 0, "a bad address refused");
	engine_error_free(&err);
	json_decref(j);
	j = json_loads("[{\"container_port\":80,\"proto\":\"tcp\",\"host_ip\":\"\",\"host_port\":1,\"host_port_last\":0,\"x\":1}]", 0, NULL);
	ok(netns_ports_from_json(j, &back, &err) < 0, "an unknown key refused");
	engine_error_free(&err);
	json_decref(j);

	pl.ports[1].host_port_last = 0;
	netns_ports_parse(&pl, "8081:80", &err);
	j = netns_ports_inspect_json(&pl);
	dump = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	is_str(dump, "{\"443/tcp\":null,\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"8081\"},{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8080\"}],"
		     "\"90/udp\":[{\"HostIp\":\"::1\",\"HostPort\":\"9000\"}]}",
	       "inspect's NetworkSettings.Ports");
	free(dump);
	json_decref(j);
	netns_port_list_clear(&pl);

	/* UDP to the relay, the rest to slirp4netns. */
	netns_ports_parse(&pl, "53:53/udp", &err);
	netns_ports_parse(&pl, "8080-8081:80-81", &err);
	netns_ports_parse(&pl, "5353:5353/udp", &err);
	struct netns_port_list udp, rest;
	is_int(netns_ports_split(&pl, NETNS_PROTO_UDP, &udp, &rest, &err), 0, "split by protocol");
	ok(udp.count == 2 && udp.ports[0].container_port == 53 && udp.ports[1].container_port == 5353,
	   "the UDP ports, in order");
	ok(rest.count == 2 && rest.ports[0].container_port == 80 && rest.ports[1].proto == NETNS_PROTO_TCP,
	   "the others");
	netns_port_list_clear(&udp);
	netns_port_list_clear(&rest);
	netns_port_list_clear(&pl);

	/* Host checks. */
	uint16_t taken = 0;
	int lfd = listen_loopback(1, &taken);
	ok(lfd >= 0, "a listener to collide with");
	ok(netns_port_check_host("127.0.0.1", taken, NETNS_PROTO_TCP, &err) < 0, "taken port refused");
	char want[128];
	snprintf(want, sizeof(want), "listen tcp 127.0.0.1:%u: bind: Address already in use", taken);
	is_str(err ? err->msg : NULL, want, "taken: names the port");
	engine_error_free(&err);
	ok(netns_port_check_host("", taken, NETNS_PROTO_TCP, &err) < 0, "taken on 127.0.0.1 makes 0.0.0.0 taken");
	engine_error_free(&err);
	is_int(netns_port_check_host("127.0.0.1", taken, NETNS_PROTO_UDP, &err), 0, "udp of the same number is free");
	engine_error_free(&err);

	struct netns_port_list tl = { 0 };
	char spec[64];
	snprintf(spec, sizeof(spec), "127.0.0.1:%u:80", taken);
	netns_ports_parse(&tl, spec, &err);
	ok(netns_ports_allocate(&tl, &err) < 0, "allocate refuses a taken fixed port");
	engine_error_free(&err);
	netns_port_list_clear(&tl);
	snprintf(spec, sizeof(spec), "127.0.0.1:%u-%u:80", taken, taken + 1 > 65535 ? taken : taken + 1);
	netns_ports_parse(&tl, spec, &err);
	if (taken < 65535) {
		struct engine_error *e2 = NULL;
		int r = netns_ports_allocate(&tl, &e2);
		/* taken+1 may be in use by someone else; then the range has none. */
		ok(r < 0 ? strstr(e2->msg, "no free host port") != NULL : tl.ports[0].host_port == taken + 1,
		   "a host range skips the taken port");
		engine_error_free(&e2);
	} else {
		skip("a host range skips the taken port: the taken port is 65535, no range goes past it");
	}
	netns_port_list_clear(&tl);
	close(lfd);

	uint16_t free_port = 0;
	is_int(netns_port_find_free("127.0.0.1", NETNS_PROTO_UDP, &free_port, &err), 0, "find a free udp port");
	ok(free_port > 0, "free port is a port");
	is_int(netns_port_check_host("127.0.0.1", free_port, NETNS_PROTO_UDP, &err), 0, "and it is free");

	/* Below ip_unprivileged_port_start a rootless user is refused by name.
	 * Run as root (as CI does), the check runs in a child that drops to
	 * nobody, so the rootless answer is tested either way. */
	char rootless_msg[512] = "";
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) == 0) {
		pid_t child = fork();
		if (child == 0) {
			struct engine_error *e = NULL;
			if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
					       setresuid(65534, 65534, 65534) < 0))
				_exit(1);
			if (netns_port_check_host("127.0.0.1", 1, NETNS_PROTO_TCP, &e) < 0)
				(void)!write(pipefd[1], e->msg, strlen(e->msg));
			_exit(0);
		}
		close(pipefd[1]);
		ssize_t n = read(pipefd[0], rootless_msg, sizeof(rootless_msg) - 1);
		rootless_msg[n > 0 ? n : 0] = '\0';
		close(pipefd[0]);
		waitpid(child, NULL, 0);
	}
	unsigned start = 1024;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
	if (f != NULL) {
		if (fscanf(f, "%u", &start) != 1)
			start = 1024;
		fclose(f);
	}
	char want_priv[256];
	snprintf(want_priv, sizeof(want_priv),
		 "cannot publish 127.0.0.1:1/tcp: ports below %u (net.ipv4.ip_unprivileged_port_start) need root; use a host port >= %u",
		 start, start);
	if (start > 1)
		is_str(rootless_msg, want_priv, "rootless: port 1 refused naming the sysctl");
	else
		ok(strstr(rootless_msg, "Address already in use") != NULL || rootless_msg[0] == '\0',
		   "ip_unprivileged_port_start is 0 here: port 1 is allowed to everyone");
	if (geteuid() == 0) {
		struct engine_error *e3 = NULL;
		int r = netns_port_check_host("127.0.0.1", 1, NETNS_PROTO_TCP, &e3);
		ok(r == 0 || (e3 && strstr(e3->msg, "Address already in use")), "root: port 1 allowed");
		engine_error_free(&e3);
	} else {
		skip("root: port 1 allowed: not run as root");
	}
	return done_testing();
}
