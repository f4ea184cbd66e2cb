/* spec.c: validation and construction of struct engine_run_spec pieces that
 * need no system state: environment lists, --user syntax, --workdir. */
#include "libengine/runtime/spec.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/random.h>
#include <signal.h>
#include <strings.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/strv.h"

void engine_run_spec_free(struct engine_run_spec *spec)
{
	if (spec == NULL)
		return;
	free(spec->rootfs);
	engine_strv_free(spec->argv);
	engine_strv_free_n(spec->env, spec->n_env);
	free(spec->workdir);
	free(spec->user);
	free(spec->hostname);
	free(spec->seccomp_profile);
	free(spec->run_root);
	free(spec->image);
	free(spec->entrypoint);
	free(spec->pull_policy);
	free(spec->platform);
	free(spec->name);
	free(spec->recorded_name);
	free(spec->image_id);
	free(spec->store_root);
	engine_strv_free_n(spec->layers, spec->n_layers);
	/* the monitor */
	free(spec->restart_policy);
	free(spec->log_driver);
	/* run options */
	free(spec->userns);
	free(spec->init_path);
	engine_strv_free_n(spec->ulimits, spec->n_ulimits);
	engine_strv_free_n(spec->sysctls, spec->n_sysctls);
	engine_strv_free_n(spec->group_add, spec->n_group_add);
	free(spec->cidfile);
	engine_mount_list_free(spec->mounts, spec->n_mounts);
	engine_strv_free_n(spec->labels, spec->n_labels);
	free(spec->cg_cpuset_cpus);
	free(spec->cgroups_mode);
	free(spec->cgroup_parent);
	/* networking */
	netns_port_list_clear(&spec->ports);
	free(spec->network_join);
	char **const lists[] = { spec->add_hosts, spec->dns, spec->dns_search, spec->dns_options,
				 spec->exposed };
	const size_t counts[] = { spec->n_add_hosts, spec->n_dns, spec->n_dns_search,
				  spec->n_dns_options, spec->n_exposed };
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		engine_strv_free_n(lists[l], counts[l]);
	memset(spec, 0, sizeof(*spec));
}

static size_t key_len(const char *entry)
{
	const char *eq = strchr(entry, '=');
	return eq ? (size_t)(eq - entry) : strlen(entry);
}

const char *engine_env_get(const struct engine_run_spec *spec, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i < spec->n_env; i++)
		if (key_len(spec->env[i]) == kl && strncmp(spec->env[i], key, kl) == 0)
			return spec->env[i] + kl + 1;
	return NULL;
}

/* OWNED, a "KEY=VALUE" entry, replaces KEY's in the NULL-terminated list
 * *LIST of *N entries, or is added at its end; it is the list's (or freed)
 * either way. */
static int list_set_entry(char ***list, size_t *n, char *owned, struct engine_error **err)
{
	size_t kl = key_len(owned);
	for (size_t i = 0; i < *n; i++) {
		if (key_len((*list)[i]) == kl && strncmp((*list)[i], owned, kl) == 0) {
			free((*list)[i]);
			(*list)[i] = owned;
			return 0;
		}
	}
	char **v = realloc(*list, (*n + 2) * sizeof(char *));
	if (v == NULL) {
		free(owned);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	*list = v;
	v[(*n)++] = owned;
	v[*n] = NULL;
	return 0;
}

int engine_env_add(struct engine_run_spec *spec, const char *entry, struct engine_error **err)
{
	size_t kl = key_len(entry);
	if (kl == 0)
		return engine_error_set(err, EINVAL, "invalid environment variable \"%s\": empty name",
					entry);
	for (size_t i = 0; i < kl; i++)
		if (entry[i] == '\0' || isspace((unsigned char)entry[i]))
			return engine_error_set(err, EINVAL,
						"invalid environment variable \"%s\": name has whitespace",
						entry);
	char *owned = NULL;
	if (entry[kl] == '=') {
		owned = strdup(entry);
	} else {
		const char *host = spec->env_lookup != NULL ? spec->env_lookup(entry) : NULL;
		if (host == NULL)
			return 0;
		if (asprintf(&owned, "%s=%s", entry, host) < 0)
			owned = NULL;
	}
	if (owned == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	return list_set_entry(&spec->env, &spec->n_env, owned, err);
}

/* The lines of an env or label file, as Docker reads them: leading
 * whitespace trimmed (the value keeps its own), a trailing \r dropped,
 * blank lines and '#' comments skipped; ADD gets each line, and an error
 * names WHAT:LINE. */
static int file_lines(struct engine_run_spec *spec, const char *buf, size_t len, const char *what,
		      int (*add)(struct engine_run_spec *, const char *, struct engine_error **),
		      struct engine_error **err)
{
	size_t lineno = 0;
	const char *end = buf + len;
	while (buf < end) {
		const char *nl = memchr(buf, '\n', (size_t)(end - buf));
		const char *stop = nl ? nl : end;
		lineno++;
		const char *p = buf;
		while (p < stop && isspace((unsigned char)*p))
			p++;
		size_t n = (size_t)(stop - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && *p != '#') {
			if (memchr(p, '\0', n) != NULL)
				return engine_error_set(err, EINVAL, "%s:%zu: NUL byte in line", what,
							lineno);
			cleanup_free char *line = strndup(p, n);
			if (line == NULL)
				return engine_error_set(err, ENOMEM, "out of memory");
			if (add(spec, line, err) < 0)
				return engine_error_prefix(err, "%s:%zu", what, lineno);
		}
		buf = nl ? nl + 1 : end;
	}
	return 0;
}

int engine_env_add_buffer(struct engine_run_spec *spec, const char *buf, size_t len,
			  const char *what, struct engine_error **err)
{
	return file_lines(spec, buf, len, what, engine_env_add, err);
}

int engine_env_add_file(struct engine_run_spec *spec, const char *path, struct engine_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (engine_read_file(AT_FDCWD, path, 0, 16 << 20, &buf, &len, err) < 0)
		return -1;
	return engine_env_add_buffer(spec, buf, len, path, err);
}

static int check_id_or_name(const char *part, const char *kind, const char *whole,
			    struct engine_error **err)
{
	if (*part == '\0')
		return engine_error_setting(err, "user", EINVAL, "invalid user \"%s\": empty %s", whole, kind);
	if (isdigit((unsigned char)*part) || *part == '-' || *part == '+') {
		char *endp = NULL;
		errno = 0;
		unsigned long long v = strtoull(part, &endp, 10);
		if (*part == '-' || *part == '+' || errno != 0 || *endp != '\0' || v >= UINT32_MAX)
			return engine_error_setting(err, "user", EINVAL,
						"invalid user \"%s\": %s \"%s\" is not a valid id",
						whole, kind, part);
		return 0;
	}
	for (const char *c = part; *c; c++)
		if (!(isalnum((unsigned char)*c) || *c == '_' || *c == '-' || *c == '.' ||
		      (*c == '$' && c[1] == '\0')))
			return engine_error_setting(err, "user", EINVAL,
						"invalid user \"%s\": bad character in %s name",
						whole, kind);
	return 0;
}

int engine_user_spec_check(const char *spec, struct engine_error **err)
{
	if (spec == NULL || *spec == '\0')
		return engine_error_setting(err, "user", EINVAL, "invalid user \"\": empty");
	if (strlen(spec) > 256)
		return engine_error_setting(err, "user", EINVAL, "invalid user: longer than 256 bytes");
	cleanup_free char *copy = strdup(spec);
	if (copy == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	char *colon = strchr(copy, ':');
	if (colon != NULL) {
		*colon = '\0';
		if (strchr(colon + 1, ':') != NULL)
			return engine_error_setting(err, "user", EINVAL,
						"invalid user \"%s\": expected user[:group]", spec);
		if (check_id_or_name(colon + 1, "group", spec, err) < 0)
			return -1;
	}
	return check_id_or_name(copy, "user", spec, err);
}

int engine_workdir_check(const char *workdir, struct engine_error **err)
{
	if (workdir[0] != '/')
		return engine_error_setting(err, "working directory", EINVAL, "invalid working directory \"%s\": must be an absolute path",
					workdir);
	/* Normalise repeated slashes and "." components before the prefix test,
	 * so "/proc//self/./fd/7" cannot slip past it. */
	char norm[4096];
	size_t n = 0;
	for (const char *p = workdir; *p;) {
		while (*p == '/')
			p++;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t l = (size_t)(p - s);
		if (l == 0 || (l == 1 && s[0] == '.'))
			continue;
		if (n + l + 2 >= sizeof(norm))
			return engine_error_setting(err, "working directory", ENAMETOOLONG, "invalid working directory: path too long");
		norm[n++] = '/';
		memcpy(norm + n, s, l);
		n += l;
	}
	norm[n] = '\0';
	if (strncmp(norm, "/proc/", 6) == 0) {
		const char *rest = norm + 6;
		const char *slash = strchr(rest, '/');
		if (slash != NULL && strncmp(slash, "/fd", 3) == 0 &&
		    (slash[3] == '\0' || slash[3] == '/'))
			return engine_error_setting(err, "working directory", EINVAL,
						"invalid working directory \"%s\": file descriptor paths under /proc are refused",
						workdir);
	}
	return 0;
}

int engine_hostname_check(const char *hostname, struct engine_error **err)
{
	size_t l = strlen(hostname);
	if (l == 0 || l > 64)
		return engine_error_set(err, EINVAL, "invalid hostname \"%s\": must be 1 to 64 bytes",
					hostname);
	for (const char *c = hostname; *c; c++)
		if (!(isalnum((unsigned char)*c) || *c == '-' || *c == '.' || *c == '_'))
			return engine_error_set(err, EINVAL, "invalid hostname \"%s\"", hostname);
	return 0;
}

int engine_generate_id(char out[65], struct engine_error **err)
{
	unsigned char raw[32];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t r = getrandom(raw + got, sizeof(raw) - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return engine_error_errno(err, errno, "getrandom");
		}
		got += (size_t)r;
	}
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

/* ---- the monitor's flags ------------------------------------ */

int engine_restart_policy_parse(struct engine_run_spec *spec, const char *value,
				struct engine_error **err)
{
	const char *colon = strchr(value, ':');
	size_t nl = colon ? (size_t)(colon - value) : strlen(value);
	static const char *const names[] = { "no", "on-failure", "always", "unless-stopped" };
	int which = -1;
	for (int i = 0; i < 4; i++)
		if (strlen(names[i]) == nl && strncmp(value, names[i], nl) == 0)
			which = i;
	long max = 0;
	if (which >= 0 && colon != NULL) {
		char *end;
		errno = 0;
		max = strtol(colon + 1, &end, 10);
		/* Docker takes a count only after on-failure. */
		if (which != 1)
			return engine_error_set(err, EINVAL,
						"invalid restart policy: maximum retry count can only be used with 'on-failure'");
		if (colon[1] == '\0' || *end != '\0' || errno != 0 || max < 0 || max > 1000000)
			return engine_error_set(err, EINVAL, "invalid restart policy format: %s", value);
	}
	if (which < 0)
		return engine_error_set(err, EINVAL, "invalid restart policy format: %s: expected no, "
					"on-failure[:N], always or unless-stopped", value);
	free(spec->restart_policy);
	spec->restart_policy = which == 0 ? NULL : strdup(names[which]);
	spec->restart_max = (int)max;
	if (which != 0 && spec->restart_policy == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	return 0;
}

int engine_log_driver_parse(struct engine_run_spec *spec, const char *value,
			    struct engine_error **err)
{
	if (strcmp(value, "k8s-file") != 0 && strcmp(value, "json-file") != 0 &&
	    strcmp(value, "none") != 0)
		return engine_error_set(err, EINVAL, "%s: unsupported logging driver "
					"(k8s-file, json-file or none)", value);
	free(spec->log_driver);
	spec->log_driver = strcmp(value, "k8s-file") == 0 ? NULL : strdup(value);
	return 0;
}

int engine_log_opt_parse(struct engine_run_spec *spec, const char *opt, struct engine_error **err)
{
	const char *eq = strchr(opt, '=');
	if (eq == NULL || eq[1] == '\0')
		return engine_error_set(err, EINVAL, "%s: expected KEY=VALUE", opt);
	const char *v = eq + 1;
	char *end;
	errno = 0;
	if ((size_t)(eq - opt) == 8 && strncmp(opt, "max-size", 8) == 0) {
		/* Docker's units: a number with an optional k, m or g (powers of 1024). */
		double n = strtod(v, &end);
		double mul = 1;
		if (*end == 'k' || *end == 'K')
			mul = 1024, end++;
		else if (*end == 'm' || *end == 'M')
			mul = 1024.0 * 1024, end++;
		else if (*end == 'g' || *end == 'G')
			mul = 1024.0 * 1024 * 1024, end++;
		if (mul > 1 && (*end == 'b' || *end == 'B'))
			end++;
		if (end == v || *end != '\0' || errno != 0 || !(n * mul >= 1) || n * mul > 1e15)
			return engine_error_set(err, EINVAL, "max-size=%s: invalid size", v);
		spec->log_max_size = (int64_t)(n * mul);
		return 0;
	}
	if ((size_t)(eq - opt) == 8 && strncmp(opt, "max-file", 8) == 0) {
		long n = strtol(v, &end, 10);
		if (*end != '\0' || errno != 0 || n < 1 || n > 1000)
			return engine_error_set(err, EINVAL,
						"max-file=%s: must be a positive number", v);
		spec->log_max_file = (int)n;
		return 0;
	}
	return engine_error_set(err, EINVAL, "%s: unknown log opt (max-size, max-file)", opt);
}

int engine_signal_parse(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0')
		return n > 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev != NULL && strcasecmp(abbrev, s) == 0)
			return i;
	}
	return -1;
}

const char *engine_signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sig > 0 && sig < NSIG ? sigabbrev_np(sig) : NULL;
	if (abbrev == NULL)
		snprintf(buf, size, "%s", "");
	else
		snprintf(buf, size, "SIG%s", abbrev);
	return buf;
}
/* ---- labels ---------------------------------------------------- */

const char *engine_label_get(const struct engine_run_spec *spec, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i < spec->n_labels; i++)
		if (key_len(spec->labels[i]) == kl && strncmp(spec->labels[i], key, kl) == 0)
			return spec->labels[i][kl] == '=' ? spec->labels[i] + kl + 1 : "";
	return NULL;
}

int engine_label_add(struct engine_run_spec *spec, const char *entry, struct engine_error **err)
{
	size_t kl = key_len(entry);
	if (kl == 0)
		return engine_error_set(err, EINVAL, "invalid label '%s': empty name", entry);
	for (size_t i = 0; i < kl; i++)
		if (isspace((unsigned char)entry[i]))
			return engine_error_set(err, EINVAL, "label '%s' contains whitespaces", entry);
	/* "KEY" alone is KEY with an empty value (Docker does not look the
	 * key up in the environment for labels). */
	char *owned = NULL;
	if (asprintf(&owned, "%.*s=%s", (int)kl, entry, entry[kl] == '=' ? entry + kl + 1 : "") < 0)
		return engine_error_set(err, ENOMEM, "out of memory");
	return list_set_entry(&spec->labels, &spec->n_labels, owned, err);
}

int engine_label_add_file(struct engine_run_spec *spec, const char *path,
			  struct engine_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (engine_read_file(AT_FDCWD, path, 0, 16 << 20, &buf, &len, err) < 0)
		return -1;
	return file_lines(spec, buf, len, path, engine_label_add, err);
}
