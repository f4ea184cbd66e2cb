/* etc-files.c: rendering and writing the container's /etc/hosts,
 * /etc/resolv.conf and /etc/hostname.
 *
 * Why our own files rather than the image's: the image cannot know the
 * container's address, name or the host's resolvers, and bind-mounting the
 * host's files directly would let the container edit the host's.  So we
 * render per-container copies (Docker and Podman do the same) from the
 * run's options; the rendering is pure, so it is tested without a
 * container, and the writes are atomic so a crash leaves no half file. */
#include "netns/etc-files.h"


#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"

#define HOST_FILE_MAX (1024 * 1024)

static int ip_parse(const char *ip, int *ret_family)
{
	unsigned char buf[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, ip, buf) == 1) {
		*ret_family = AF_INET;
		return 0;
	}
	/* A link-local resolver may carry a zone: fe80::1%eth0. */
	char copy[INET6_ADDRSTRLEN + 16];
	if (snprintf(copy, sizeof(copy), "%s", ip) >= (int)sizeof(copy))
		return -1;
	char *zone = strchr(copy, '%');
	if (zone != NULL)
		*zone = '\0';
	if (inet_pton(AF_INET6, copy, buf) == 1) {
		*ret_family = AF_INET6;
		return 0;
	}
	return -1;
}

/* Whether a resolver is this namespace's loopback (unreachable from another). */
static int ip_is_loopback(const char *ip)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, ip, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, ip, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return 1;
		if (IN6_IS_ADDR_V4MAPPED(&a6))
			return a6.s6_addr[12] == 127;
	}
	return 0;
}

/* A host name or search domain: labels of letters, digits, '-' and '_'
 * (seen in the wild), dots between them, an optional final dot. */
static int name_is_valid(const char *s, size_t max)
{
	size_t len = strlen(s), label = 0;
	if (len == 0 || len > max)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   c == '-' || c == '_') {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return 1;
}

int netns_add_host_parse(const char *spec, const char *host_gateway, struct netns_host_entry *ret,
			 struct engine_error **err)
{
	const char *sep = strchr(spec, '=');
	if (sep == NULL)
		sep = strchr(spec, ':');
	if (sep == NULL || sep == spec || sep[1] == '\0')
		return engine_error_setting(err, "extra host", EINVAL, "extra host %s: expected HOST:IP", spec);
	struct netns_host_entry e;
	memset(&e, 0, sizeof(e));
	size_t name_len = (size_t)(sep - spec);
	if (name_len >= sizeof(e.name))
		return engine_error_setting(err, "extra host", EINVAL, "extra host %s: invalid host name", spec);
	memcpy(e.name, spec, name_len);
	if (!name_is_valid(e.name, 253))
		return engine_error_setting(err, "extra host", EINVAL, "extra host %s: invalid host name %s", spec, e.name);

	const char *ip = sep + 1;
	char buf[INET6_ADDRSTRLEN + 2];
	size_t ip_len = strlen(ip);
	if (ip[0] == '[' && ip_len > 2 && ip[ip_len - 1] == ']' && ip_len - 2 < sizeof(buf)) {
		memcpy(buf, ip + 1, ip_len - 2);
		buf[ip_len - 2] = '\0';
		ip = buf;
	}
	if (strcmp(ip, "host-gateway") == 0) {
		if (host_gateway == NULL)
			return engine_error_setting(err, "extra host", EINVAL,
						"extra host %s: host-gateway has no address in this network mode",
						spec);
		ip = host_gateway;
	}
	int family;
	if (ip_parse(ip, &family) < 0 || strchr(ip, '%') != NULL || strlen(ip) >= sizeof(e.ip))
		return engine_error_setting(err, "extra host", EINVAL, "extra host %s: invalid IP address: %s", spec, ip);
	memcpy(e.ip, ip, strlen(ip) + 1);
	*ret = e;
	return 0;
}

/* open_memstream with the error contract. */
static FILE *text_open(char **buf, size_t *len, struct engine_error **err)
{
	FILE *f = open_memstream(buf, len);
	if (f == NULL)
		engine_error_errno(err, errno, "open_memstream");
	return f;
}

static int text_close(FILE *f, char **buf, char **ret, struct engine_error **err)
{
	int failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		free(*buf);
		*buf = NULL;
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	*ret = *buf;
	*buf = NULL;
	return 0;
}

/* Whether NAME appears as a name (not an address, not in a comment) in a
 * hosts file. */
static int hosts_has_name(const char *hosts, const char *name)
{
	size_t n = strlen(name);
	for (const char *line = hosts; line != NULL && *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
		const char *hash = memchr(line, '#', len);
		if (hash != NULL)
			len = (size_t)(hash - line);
		size_t i = 0, field = 0;
		while (i < len) {
			while (i < len && (line[i] == ' ' || line[i] == '\t'))
				i++;
			size_t start = i;
			while (i < len && line[i] != ' ' && line[i] != '\t')
				i++;
			if (i > start && field++ > 0 && i - start == n && strncasecmp(line + start, name, n) == 0)
				return 1;
		}
		line = end != NULL ? end + 1 : NULL;
	}
	return 0;
}

int netns_hosts_render(const struct netns_hosts_params *p, char **ret, struct engine_error **err)
{
	if (p->hostname == NULL || !name_is_valid(p->hostname, 253))
		return engine_error_set(err, EINVAL, "hostname %s: invalid", p->hostname ? p->hostname : "(none)");
	/* Every --add-host is checked before anything is produced. */
	cleanup_free struct netns_host_entry *entries =
		calloc(p->add_hosts_count ? p->add_hosts_count : 1, sizeof(*entries));
	if (entries == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < p->add_hosts_count; i++)
		if (netns_add_host_parse(p->add_hosts[i], p->host_gateway, &entries[i], err) < 0)
			return -1;

	cleanup_free char *buf = NULL;
	size_t len = 0;
	FILE *f = text_open(&buf, &len, err);
	if (f == NULL)
		return -1;
	const char *name = p->name != NULL && p->name[0] != '\0' && strcmp(p->name, p->hostname) != 0
				   ? p->name : NULL;
	if (!p->host_mode) {
		fputs("127.0.0.1\tlocalhost\n"
		      "::1\tlocalhost ip6-localhost ip6-loopback\n"
		      "fe00::0\tip6-localnet\n"
		      "ff00::0\tip6-mcastprefix\n"
		      "ff02::1\tip6-allnodes\n"
		      "ff02::2\tip6-allrouters\n", f);
	}
	for (size_t i = 0; i < p->add_hosts_count; i++)
		fprintf(f, "%s\t%s\n", entries[i].ip, entries[i].name);
	if (p->host_mode) {
		const char *host = p->host_hosts != NULL ? p->host_hosts : "";
		fputs(host, f);
		if (host[0] != '\0' && host[strlen(host) - 1] != '\n')
			fputc('\n', f);
		/* The host's file may not name the container's hostname (a
		 * --hostname of its own): 127.0.1.1 as Debian does. */
		if (!hosts_has_name(host, p->hostname))
			fprintf(f, "127.0.1.1\t%s%s%s\n", p->hostname, name ? " " : "", name ? name : "");
	} else {
		fprintf(f, "%s\t%s%s%s\n", p->container_ip != NULL ? p->container_ip : "127.0.1.1",
			p->hostname, name ? " " : "", name ? name : "");
		if (p->host_containers_internal && p->host_gateway != NULL)
			fprintf(f, "%s\thost.containers.internal host.docker.internal\n", p->host_gateway);
	}
	return text_close(f, &buf, ret, err);
}

/* Words of a resolv.conf line after its keyword, NULL-terminated in place. */
static size_t split_words(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *w = strtok_r(line, " \t\r", &save); w != NULL && n < max; w = strtok_r(NULL, " \t\r", &save))
		words[n++] = w;
	return n;
}

static int option_is_valid(const char *s)
{
	if (s[0] == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '#' || *s == ';')
			return 0;
	return 1;
}

int netns_resolv_render(const struct netns_resolv_params *p, char **ret, struct engine_error **err)
{
	int family;
	for (size_t i = 0; i < p->dns_count; i++)
		if (ip_parse(p->dns[i], &family) < 0)
			return engine_error_setting(err, "DNS server", EINVAL, "DNS server %s: not an IP address", p->dns[i]);
	for (size_t i = 0; i < p->search_count; i++)
		if (strcmp(p->search[i], ".") != 0 && !name_is_valid(p->search[i], 253))
			return engine_error_setting(err, "DNS search domain", EINVAL, "DNS search domain %s: not a valid domain", p->search[i]);
	for (size_t i = 0; i < p->options_count; i++)
		if (!option_is_valid(p->options[i]))
			return engine_error_setting(err, "DNS option", EINVAL, "DNS option %s: invalid option", p->options[i]);

	/* What the host's file says. */
	cleanup_free char *host = strdup(p->host_resolv != NULL ? p->host_resolv : "");
	if (host == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	char *servers[64], *search[64], *options[64];
	size_t nservers = 0, nsearch = 0, noptions = 0;
	char *save = NULL;
	for (char *line = strtok_r(host, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *words[66];
		size_t n = split_words(line, words, ARRAY_SIZE(words));
		if (n < 2 || words[0][0] == '#' || words[0][0] == ';')
			continue;
		if (strcmp(words[0], "nameserver") == 0 && nservers < ARRAY_SIZE(servers)) {
			if (p->host_mode || !ip_is_loopback(words[1]))
				servers[nservers++] = words[1];
		} else if (strcmp(words[0], "search") == 0 || strcmp(words[0], "domain") == 0) {
			/* The last search or domain line wins (resolv.conf(5)). */
			nsearch = 0;
			for (size_t i = 1; i < n && nsearch < ARRAY_SIZE(search); i++)
				search[nsearch++] = words[i];
		} else if (strcmp(words[0], "options") == 0) {
			for (size_t i = 1; i < n && noptions < ARRAY_SIZE(options); i++)
				options[noptions++] = words[i];
		}
	}

	cleanup_free char *buf = NULL;
	size_t len = 0;
	FILE *f = text_open(&buf, &len, err);
	if (f == NULL)
		return -1;
	/* search */
	const char *const *s_list = p->search_count ? p->search : (const char *const *)search;
	size_t s_count = p->search_count ? p->search_count : nsearch;
	if (!(p->search_count == 1 && strcmp(p->search[0], ".") == 0) && s_count > 0) {
		fputs("search", f);
		for (size_t i = 0; i < s_count; i++)
			if (strcmp(s_list[i], ".") != 0)
				fprintf(f, " %s", s_list[i]);
		fputc('\n', f);
	}
	/* nameserver */
	if (p->dns_count > 0) {
		for (size_t i = 0; i < p->dns_count; i++)
			fprintf(f, "nameserver %s\n", p->dns[i]);
	} else {
		if (!p->host_mode && p->slirp_dns != NULL)
			fprintf(f, "nameserver %s\n", p->slirp_dns);
		for (size_t i = 0; i < nservers; i++)
			if (p->slirp_dns == NULL || strcmp(servers[i], p->slirp_dns) != 0)
				fprintf(f, "nameserver %s\n", servers[i]);
		if (nservers == 0 && !p->host_mode && p->slirp_dns == NULL)
			fputs("nameserver 8.8.8.8\nnameserver 8.8.4.4\n", f);
	}
	/* options */
	const char *const *o_list = p->options_count ? p->options : (const char *const *)options;
	size_t o_count = p->options_count ? p->options_count : noptions;
	if (o_count > 0) {
		fputs("options", f);
		for (size_t i = 0; i < o_count; i++)
			fprintf(f, " %s", o_list[i]);
		fputc('\n', f);
	}
	return text_close(f, &buf, ret, err);
}

static int read_or_empty(const char *path, char **ret, struct engine_error **err)
{
	char *buf = NULL;
	size_t len;
	struct engine_error *e = NULL;
	if (engine_read_file(AT_FDCWD, path, 0, HOST_FILE_MAX, &buf, &len, &e) < 0) {
		if (e->status != ENOENT) {
			*err = e;
			return -1;
		}
		engine_error_free(&e);
		buf = strdup("");
		if (buf == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
	}
	*ret = buf;
	return 0;
}

/* Whether every nameserver of TEXT is systemd-resolved's stub. */
static int only_resolved_stub(const char *text)
{
	int stub = 0, other = 0;
	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *end = strchr(line, '\n');
		if (strncmp(line, "nameserver", 10) == 0 && (line[10] == ' ' || line[10] == '\t')) {
			const char *v = line + 11;
			while (*v == ' ' || *v == '\t')
				v++;
			if (strncmp(v, "127.0.0.53", 10) == 0 && (v[10] == '\0' || v[10] == '\n' ||
								   v[10] == ' ' || v[10] == '\t' || v[10] == '\r'))
				stub = 1;
			else
				other = 1;
		}
		line = end != NULL ? end + 1 : NULL;
	}
	return stub && !other;
}

int netns_resolv_read_host(int host_mode, char **ret, struct engine_error **err)
{
	cleanup_free char *text = NULL;
	if (read_or_empty("/etc/resolv.conf", &text, err) < 0)
		return -1;
	if (!host_mode && only_resolved_stub(text)) {
		cleanup_free char *upstream = NULL;
		struct engine_error *ignored = NULL;
		if (read_or_empty("/run/systemd/resolve/resolv.conf", &upstream, &ignored) == 0 &&
		    upstream[0] != '\0') {
			*ret = steal_pointer(&upstream);
			return 0;
		}
		engine_error_free(&ignored);
	}
	*ret = steal_pointer(&text);
	return 0;
}

int netns_hosts_read_host(char **ret, struct engine_error **err)
{
	return read_or_empty("/etc/hosts", ret, err);
}

int netns_hostname_render(const char *hostname, char **ret, struct engine_error **err)
{
	if (hostname == NULL || !name_is_valid(hostname, 64))
		return engine_error_set(err, EINVAL, "hostname %s: invalid", hostname ? hostname : "(none)");
	char *s = NULL;
	if (asprintf(&s, "%s\n", hostname) < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	*ret = s;
	return 0;
}

int netns_etc_files_write(const char *dir, const char *hosts, const char *resolv, const char *hostname,
			  struct engine_error **err)
{
	const struct {
		const char *name, *text;
	} files[] = { { "hosts", hosts }, { "resolv.conf", resolv }, { "hostname", hostname } };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (files[i].text == NULL)
			continue;
		cleanup_free char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, files[i].name) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		/* Replaced whole (a temp file renamed over), but not fsynced:
		 * they are rendered again at every start, so a crash loses
		 * nothing, and three fsyncs were a fifth of `run --rm true`. */
		cleanup_free char *tmp = NULL;
		if (asprintf(&tmp, "%s.tmp.%d", path, (int)getpid()) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			return engine_error_errno(err, errno, "create %s", tmp);
		size_t len = strlen(files[i].text);
		int r = engine_write_all(fd, files[i].text, len);
		int e = errno;
		if (close(fd) < 0 && r == 0) {
			r = -1;
			e = errno;
		}
		if (r == 0 && rename(tmp, path) < 0) {
			r = -1;
			e = errno;
		}
		if (r < 0) {
			(void)unlink(tmp);
			return engine_error_errno(err, e, "write %s", path);
		}
	}
	return 0;
}
