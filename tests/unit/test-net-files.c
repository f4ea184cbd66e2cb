/* test-net-files.c: the container's /etc/hosts, /etc/resolv.conf and
 * /etc/hostname as rendered for each network mode, and their atomic write. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns/etc-files.h"
#include "fixtures.h"
#include "tap.h"
#include "common/cleanup.h"
#include "cmd/setting-flags.h"

/* What a render call left: its text, or NULL with *RET_MSG its error as
 * the CLI words it. */
static char *rendered(int rc, char **out, struct engine_error **err, char **ret_msg)
{
	*ret_msg = NULL;
	if (rc < 0) {
		*ret_msg = cmd_error_text(*err);
		engine_error_free(err);
		return NULL;
	}
	return *out;
}

static char *hosts(const struct netns_hosts_params *p, char **ret_msg)
{
	struct engine_error *err = NULL;
	char *out = NULL;
	return rendered(netns_hosts_render(p, &out, &err), &out, &err, ret_msg);
}

static char *resolv(const struct netns_resolv_params *p, char **ret_msg)
{
	struct engine_error *err = NULL;
	char *out = NULL;
	return rendered(netns_resolv_render(p, &out, &err), &out, &err, ret_msg);
}

static const char loopback_lines[] = "127.0.0.1\tlocalhost\n"
				     "::1\tlocalhost ip6-localhost ip6-loopback\n"
				     "fe00::0\tip6-localnet\n"
				     "ff00::0\tip6-mcastprefix\n"
				     "ff02::1\tip6-allnodes\n"
				     "ff02::2\tip6-allrouters\n";

static char *cat(const char *a, const char *b)
{
	char *s = malloc(strlen(a) + strlen(b) + 1);
	strcpy(s, a);
	strcat(s, b);
	return s;
}

static char *read_all(const char *path)
{
	static char buf[4096];
	return read_text(path, 0, buf, sizeof(buf));
}

int main(void)
{
	char *msg, *out, *want;
	struct engine_error *err = NULL;

	/* --add-host */
	struct netns_host_entry e;
	is_int(netns_add_host_parse("db:10.1.2.3", NULL, &e, &err), 0, "HOST:IP");
	is_str(e.name, "db", "name");
	is_str(e.ip, "10.1.2.3", "ip");
	is_int(netns_add_host_parse("v6:2001:db8::33", NULL, &e, &err), 0, "HOST:IPv6, Docker's old spelling");
	is_str(e.ip, "2001:db8::33", "IPv6 after the first colon");
	is_int(netns_add_host_parse("v6=[::1]", NULL, &e, &err), 0, "HOST=[IPv6]");
	is_str(e.ip, "::1", "brackets removed");
	is_int(netns_add_host_parse("gw:host-gateway", "10.0.2.2", &e, &err), 0, "host-gateway");
	is_str(e.ip, "10.0.2.2", "host-gateway is the gateway");
	static const struct text_case bad_hosts[] = {
		{ "nocolon", "--add-host nocolon: expected HOST:IP" },
		{ ":1.2.3.4", "--add-host :1.2.3.4: expected HOST:IP" },
		{ "db:", "--add-host db:: expected HOST:IP" },
		{ "db:1.2.3", "--add-host db:1.2.3: invalid IP address: 1.2.3" },
		{ "db:fe80::1%eth0", "--add-host db:fe80::1%eth0: invalid IP address: fe80::1%eth0" },
		{ "bad name:1.2.3.4", "--add-host bad name:1.2.3.4: invalid host name bad name" },
		{ "gw:host-gateway", "--add-host gw:host-gateway: host-gateway has no address in this network mode" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad_hosts); i++) {
		ok(netns_add_host_parse(bad_hosts[i].input, NULL, &e, &err) < 0, "--add-host %s refused", bad_hosts[i].input);
		cleanup_free char *shown = cmd_error_text(err);
		is_str(shown, bad_hosts[i].want, "--add-host %s message", bad_hosts[i].input);
		engine_error_free(&err);
	}

	/* /etc/hosts with slirp4netns */
	const char *adds[] = { "db:10.1.2.3", "v6:2001:db8::33" };
	struct netns_hosts_params hp = {
		.hostname = "abc123", .name = "web", .container_ip = "10.0.2.100", .host_gateway = "10.0.2.2",
		.add_hosts = adds, .add_hosts_count = 2,
	};
	out = hosts(&hp, &msg);
	want = cat(loopback_lines, "10.1.2.3\tdb\n2001:db8::33\tv6\n10.0.2.100\tabc123 web\n");
	is_str(out, want, "slirp4netns hosts: loopback, --add-host first, the container's address");
	free(out), free(want);

	hp.host_containers_internal = 1;
	hp.add_hosts_count = 0;
	out = hosts(&hp, &msg);
	want = cat(loopback_lines, "10.0.2.100\tabc123 web\n10.0.2.2\thost.containers.internal host.docker.internal\n");
	is_str(out, want, "allow_host_loopback: host.containers.internal is the gateway");
	free(out), free(want);

	hp.name = "abc123";
	hp.host_containers_internal = 0;
	out = hosts(&hp, &msg);
	want = cat(loopback_lines, "10.0.2.100\tabc123\n");
	is_str(out, want, "a name equal to the hostname is not repeated");
	free(out), free(want);

	/* --network none: no address of its own */
	struct netns_hosts_params none = { .hostname = "box", .name = "n1" };
	out = hosts(&none, &msg);
	want = cat(loopback_lines, "127.0.1.1\tbox n1\n");
	is_str(out, want, "none: the names on 127.0.1.1");
	free(out), free(want);

	/* --network host */
	struct netns_hosts_params host = {
		.host_mode = 1, .hostname = "myhost", .name = "h1",
		.host_hosts = "127.0.0.1 localhost\n# myhost in a comment\n192.0.2.2\tmyhost.example myhost",
		.add_hosts = adds, .add_hosts_count = 1,
	};
	out = hosts(&host, &msg);
	is_str(out, "10.1.2.3\tdb\n127.0.0.1 localhost\n# myhost in a comment\n192.0.2.2\tmyhost.example myhost\n",
	       "host mode: the host's file as is when it names the hostname");
	free(out);
	host.hostname = "other";
	out = hosts(&host, &msg);
	ok(out && strstr(out, "\n127.0.1.1\tother h1\n") != NULL, "host mode: a hostname the host lacks is added");
	ok(out && strncmp(out, "10.1.2.3\tdb\n127.0.0.1 localhost\n", 32) == 0, "host mode: --add-host before the host's");
	free(out);

	const char *bad_add[] = { "x:y" };
	hp.add_hosts = bad_add;
	hp.add_hosts_count = 1;
	out = hosts(&hp, &msg);
	ok(out == NULL, "a bad --add-host fails the render");
	is_str(msg, "--add-host x:y: invalid IP address: y", "... naming it");
	free(msg);
	struct netns_hosts_params badname = { .hostname = "a b" };
	ok(hosts(&badname, &msg) == NULL, "bad hostname refused");
	free(msg);

	/* /etc/resolv.conf */
	const char *host_resolv = "# generated\nnameserver 127.0.0.53\nnameserver 192.0.2.53\n"
				  "nameserver ::1\nsearch corp.example lab.example\noptions edns0 trust-ad\n";
	struct netns_resolv_params rp = { .slirp_dns = "10.0.2.3", .host_resolv = host_resolv };
	out = resolv(&rp, &msg);
	is_str(out, "search corp.example lab.example\nnameserver 10.0.2.3\nnameserver 192.0.2.53\noptions edns0 trust-ad\n",
	       "slirp4netns: its forwarder first, the host's loopback resolvers dropped, search and options kept");
	free(out);

	struct netns_resolv_params only_local = { .slirp_dns = "10.0.2.3", .host_resolv = "nameserver 127.0.0.53\n" };
	out = resolv(&only_local, &msg);
	is_str(out, "nameserver 10.0.2.3\n", "slirp4netns with a stub-only host: the forwarder alone");
	free(out);

	struct netns_resolv_params private_ns = { .host_resolv = "nameserver 127.0.0.1\nnameserver ::1\n" };
	out = resolv(&private_ns, &msg);
	is_str(out, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n", "a private namespace with loopback-only resolvers: Podman's defaults");
	free(out);

	struct netns_resolv_params hostmode = { .host_mode = 1, .host_resolv = host_resolv };
	out = resolv(&hostmode, &msg);
	is_str(out, "search corp.example lab.example\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nnameserver ::1\noptions edns0 trust-ad\n",
	       "host mode: the host's resolvers as they are");
	free(out);

	const char *dns[] = { "1.1.1.1", "2606:4700:4700::1111" };
	const char *search[] = { "example.com" };
	const char *opts[] = { "ndots:2", "timeout:1" };
	struct netns_resolv_params flags = { .slirp_dns = "10.0.2.3", .host_resolv = host_resolv,
					     .dns = dns, .dns_count = 2, .search = search, .search_count = 1,
					     .options = opts, .options_count = 2 };
	out = resolv(&flags, &msg);
	is_str(out, "search example.com\nnameserver 1.1.1.1\nnameserver 2606:4700:4700::1111\noptions ndots:2 timeout:1\n",
	       "--dns, --dns-search, --dns-option replace the host's");
	free(out);

	const char *dot[] = { "." };
	struct netns_resolv_params nosearch = { .slirp_dns = "10.0.2.3", .host_resolv = host_resolv,
						.search = dot, .search_count = 1 };
	out = resolv(&nosearch, &msg);
	ok(out && strstr(out, "search") == NULL, "--dns-search . drops the search line");
	free(out);

	struct netns_resolv_params domain = { .slirp_dns = "10.0.2.3",
					      .host_resolv = "search a.example\ndomain b.example\n" };
	out = resolv(&domain, &msg);
	is_str(out, "search b.example\nnameserver 10.0.2.3\n", "the last search/domain line wins");
	free(out);

	const char *bad_dns[] = { "1.2.3.4", "dns.example" };
	struct netns_resolv_params bd = { .dns = bad_dns, .dns_count = 2 };
	ok(resolv(&bd, &msg) == NULL, "--dns with a name refused");
	is_str(msg, "--dns dns.example: not an IP address", "... naming it");
	free(msg);
	const char *bad_search[] = { "a..b" };
	struct netns_resolv_params bs = { .search = bad_search, .search_count = 1 };
	ok(resolv(&bs, &msg) == NULL, "--dns-search a..b refused");
	is_str(msg, "--dns-search a..b: not a valid domain", "... naming it");
	free(msg);
	const char *bad_opt[] = { "ndots:1 rotate" };
	struct netns_resolv_params bo = { .options = bad_opt, .options_count = 1 };
	ok(resolv(&bo, &msg) == NULL, "--dns-option with a space refused");
	is_str(msg, "--dns-option ndots:1 rotate: invalid option", "... naming it");
	free(msg);

	/* /etc/hostname */
	is_int(netns_hostname_render("abc123", &out, &err), 0, "hostname rendered");
	is_str(out, "abc123\n", "hostname text");
	free(out);
	ok(netns_hostname_render("a/b", &out, &err) < 0, "hostname with a slash refused");
	engine_error_free(&err);

	/* The host's files read (whatever they hold, they read). */
	is_int(netns_resolv_read_host(0, &out, &err), 0, "the host's resolv.conf read");
	free(out);
	is_int(netns_hosts_read_host(&out, &err), 0, "the host's hosts read");
	free(out);

	/* Atomic write into a directory. */
	char dir[] = "/tmp/test-net-files.XXXXXX";
	ok(mkdtemp(dir) != NULL, "temp dir");
	is_int(netns_etc_files_write(dir, "H\n", "R\n", "N\n", &err), 0, "files written");
	char path[64];
	snprintf(path, sizeof(path), "%s/hosts", dir);
	is_str(read_all(path), "H\n", "hosts content");
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644, "hosts mode 0644");
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	is_str(read_all(path), "R\n", "resolv.conf content");
	is_int(netns_etc_files_write(dir, NULL, "R2\n", NULL, &err), 0, "rewrite one file");
	is_str(read_all(path), "R2\n", "resolv.conf replaced");
	snprintf(path, sizeof(path), "%s/hostname", dir);
	is_str(read_all(path), "N\n", "hostname untouched");
	ok(netns_etc_files_write("/nonexistent-dir", "H\n", NULL, NULL, &err) < 0, "a missing dir fails");
	engine_error_free(&err);
	const char *names[] = { "hosts", "resolv.conf", "hostname" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	ok(rmdir(dir) == 0, "no temp files left behind");
	return done_testing();
}
