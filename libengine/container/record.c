/* record.c: config.json and state.json (record.h).
 *
 * One table, record_fields[], says for each member of the two documents
 * its key, its type and its offset in the struct that holds it.  The
 * writer builds the documents from it, the reader fills the structs from
 * jansson's tree with it, and the scanner of `ps` fills the fields marked
 * SUMMARY straight from the text (json-scan.c), which is what keeps
 * `ps -a` over a thousand containers from building two thousand trees.
 * A type that needs more than one value (the mounts, the ports, the
 * labels' object) has its two functions in the table. */
#include "libengine/container/record.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "libengine/container/json-scan.h"
#include "libengine/runtime/mount-spec.h"
#include "netns/ports.h"

enum record_doc {
	DOC_CONFIG, /* config.json's top level: struct engine_container */
	DOC_SPEC,   /* config.json's "Spec": struct engine_run_spec */
	DOC_STATE,  /* state.json: struct engine_container_state */
};

enum record_type {
	T_STR,    /* char *: "" on disk for NULL */
	T_CHARS,  /* char[SIZE] */
	T_STRV,   /* char **, NULL-terminated */
	T_STRV_N, /* char ** with its count (a size_t at COUNT) */
	T_BOOL,
	T_INT,    /* int, pid_t */
	T_I64,
	T_U64,
	T_U32,
	T_DOUBLE,
	T_ENUM,   /* an int-sized enum, written as NAMES[value] */
	T_CUSTOM, /* TO_JSON and FROM_JSON */
};

enum {
	F_SUMMARY = 1 << 0,    /* ps reads it (engine_record_config_scan) */
	F_OMIT_EMPTY = 1 << 1, /* not written when "" or false */
	F_KEEP_EMPTY = 1 << 2, /* T_STR: read as "" (never NULL) */
	F_ALWAYS = 1 << 3,     /* T_STRV_N: an empty list when missing */
	F_WRITE_ONLY = 1 << 4, /* the reader's caller knows it better */
};

struct record_field {
	const char *key;
	enum record_doc doc;
	enum record_type type;
	size_t offset;
	size_t aux; /* T_CHARS: the size; T_STRV_N: the count's offset */
	unsigned flags;
	const char *const *names; /* T_ENUM */
	size_t n_names;
	json_t *(*to_json)(const void *base);
	int (*from_json)(json_t *value, void *base, struct engine_error **err);
};

_Static_assert(sizeof(enum engine_container_status) == sizeof(int), "enums are read as int");
_Static_assert(sizeof(enum netns_mode) == sizeof(int), "enums are read as int");
_Static_assert(sizeof(enum storage_driver) == sizeof(int), "enums are read as int");
_Static_assert(sizeof(pid_t) == sizeof(int), "pids are read as int");

/* The spellings on disk: never reorder or rename one, append. */
static const char *const status_names[] = { "created", "running", "exited", "restarting" };
static const char *const network_names[] = { "default", "none", "host", "container", "ns" };
static const char *const driver_names[] = { "", "overlay", "fuse-overlayfs", "vfs" };

/* ---- the types the table cannot say in one value --------------------- */

static json_t *stop_timeout_to_json(const void *base)
{
	const struct engine_run_spec *s = base;
	return json_integer(s->stop_timeout_set ? s->stop_timeout : -1);
}

static int stop_timeout_from_json(json_t *v, void *base, struct engine_error **err)
{
	(void)err;
	struct engine_run_spec *s = base;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		s->stop_timeout = (int)json_integer_value(v);
		s->stop_timeout_set = true;
	}
	return 0;
}

static json_t *mounts_to_json(const void *base)
{
	const struct engine_run_spec *s = base;
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < s->n_mounts; i++)
		json_array_append_new(a, engine_mount_to_json(&s->mounts[i]));
	return a;
}

static int mounts_from_json(json_t *v, void *base, struct engine_error **err)
{
	struct engine_run_spec *s = base;
	for (size_t i = 0; i < json_array_size(v); i++) {
		struct engine_mount m = { 0 };
		if (engine_mount_from_json(json_array_get(v, i), &m, err) < 0 ||
		    engine_mount_list_add(&s->mounts, &s->n_mounts, &m, err) < 0)
			return -1;
	}
	return 0;
}

static json_t *labels_to_json(const void *base)
{
	return engine_labels_json(base);
}

static int labels_from_json(json_t *v, void *base, struct engine_error **err)
{
	const char *key;
	json_t *value;
	json_object_foreach(v, key, value) {
		const char *s = json_string_value(value);
		cleanup_free char *kv = NULL;
		if (asprintf(&kv, "%s=%s", key, s ? s : "") < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		if (engine_label_add(base, kv, err) < 0)
			return -1;
	}
	return 0;
}

static json_t *ports_to_json(const void *base)
{
	const struct engine_run_spec *s = base;
	return netns_ports_to_json(&s->ports);
}

static int ports_from_json(json_t *v, void *base, struct engine_error **err)
{
	struct engine_run_spec *s = base;
	netns_port_list_clear(&s->ports);
	return json_is_null(v) ? 0 : netns_ports_from_json(v, &s->ports, err);
}

static json_t *slirp_to_json(const void *base)
{
	const struct netns_slirp_options *o = &((const struct engine_run_spec *)base)->slirp;
	return json_pack("{s:b,s:i,s:s,s:b,s:s,s:s}", "allow_host_loopback", o->allow_host_loopback,
			 "mtu", (int)o->mtu, "cidr", o->cidr, "enable_ipv6", o->enable_ipv6,
			 "outbound_addr", o->outbound_addr, "outbound_addr6", o->outbound_addr6);
}

static void chars_from(char *dst, size_t size, json_t *v)
{
	const char *s = json_string_value(v);
	snprintf(dst, size, "%s", s ? s : "");
}

static int slirp_from_json(json_t *v, void *base, struct engine_error **err)
{
	(void)err;
	struct netns_slirp_options *o = &((struct engine_run_spec *)base)->slirp;
	if (!json_is_object(v))
		return 0;
	o->allow_host_loopback = json_is_true(json_object_get(v, "allow_host_loopback"));
	json_int_t mtu = json_integer_value(json_object_get(v, "mtu"));
	if (mtu > 0)
		o->mtu = (unsigned)mtu;
	o->enable_ipv6 = json_is_true(json_object_get(v, "enable_ipv6"));
	chars_from(o->cidr, sizeof(o->cidr), json_object_get(v, "cidr"));
	chars_from(o->outbound_addr, sizeof(o->outbound_addr), json_object_get(v, "outbound_addr"));
	chars_from(o->outbound_addr6, sizeof(o->outbound_addr6), json_object_get(v, "outbound_addr6"));
	return 0;
}

/* ---- the table ---------------------------------------------------------- */

/* Spec's keys are the members' names. */
#define TOP(k, t, m, ...) { .key = k, .doc = DOC_CONFIG, .type = t, \
			    .offset = offsetof(struct engine_container, m), __VA_ARGS__ }
#define SPEC(m, t, ...) { .key = #m, .doc = DOC_SPEC, .type = t, \
			  .offset = offsetof(struct engine_run_spec, m), __VA_ARGS__ }
#define SPEC_LIST(m, flags_) SPEC(m, T_STRV_N, .aux = offsetof(struct engine_run_spec, n_##m), \
				  .flags = flags_)
#define SPEC_ENUM(m, table, flags_) SPEC(m, T_ENUM, .names = table, .n_names = ARRAY_SIZE(table), \
					 .flags = flags_)
#define SPEC_CUSTOM(m, flags_) { .key = #m, .doc = DOC_SPEC, .type = T_CUSTOM, .flags = flags_, \
				 .to_json = m##_to_json, .from_json = m##_from_json }
#define STATE(k, t, m, ...) { .key = k, .doc = DOC_STATE, .type = t, \
			      .offset = offsetof(struct engine_container_state, m), __VA_ARGS__ }
#define STATE_CHARS(k, m) STATE(k, T_CHARS, m, \
				.aux = sizeof(((struct engine_container_state *)0)->m), \
				.flags = F_OMIT_EMPTY)

static const struct record_field record_fields[] = {
	TOP("Id", T_CHARS, id, .aux = 65, .flags = F_WRITE_ONLY),
	TOP("Name", T_STR, name, .flags = F_SUMMARY | F_KEEP_EMPTY),
	TOP("Created", T_I64, created_ns, .flags = F_SUMMARY),
	TOP("Image", T_STR, image, .flags = F_SUMMARY | F_KEEP_EMPTY),
	TOP("ImageID", T_STR, image_id, .flags = F_SUMMARY | F_KEEP_EMPTY),

	SPEC(rootfs, T_STR, .flags = F_SUMMARY),
	SPEC(argv, T_STRV, .flags = F_SUMMARY),
	SPEC_LIST(env, F_ALWAYS),
	SPEC(workdir, T_STR),
	SPEC(user, T_STR),
	SPEC(hostname, T_STR),
	SPEC(interactive, T_BOOL),
	SPEC(tty, T_BOOL),
	SPEC(remove, T_BOOL),
	SPEC(privileged, T_BOOL),
	SPEC(no_new_privileges, T_BOOL),
	SPEC(read_only, T_BOOL),
	SPEC_ENUM(network, network_names, F_SUMMARY),
	SPEC(caps, T_U64),
	SPEC(seccomp_profile, T_STR),
	SPEC(run_root, T_STR),
	SPEC(store_root, T_STR),
	/* ps -s under vfs measures the copy against the layers. */
	SPEC_ENUM(storage_driver, driver_names, F_SUMMARY),
	SPEC_LIST(layers, F_ALWAYS | F_SUMMARY),
	/* the monitor: --restart, --log-driver, --log-opt */
	SPEC(restart_policy, T_STR),
	SPEC(restart_max, T_INT),
	SPEC(log_driver, T_STR),
	SPEC(log_max_size, T_I64),
	SPEC(log_max_file, T_INT),
	/* run options */
	SPEC(userns, T_STR),
	SPEC(init, T_BOOL),
	SPEC(init_path, T_STR),
	SPEC_LIST(ulimits, 0),
	SPEC_LIST(sysctls, 0),
	SPEC_LIST(group_add, 0),
	SPEC(stop_signal, T_INT),
	SPEC_CUSTOM(stop_timeout, 0),
	SPEC(userns_auto_start, T_U32),
	SPEC(userns_auto_size, T_U32),
	/* volumes, /dev/shm's size, --read-only-tmpfs */
	SPEC_CUSTOM(mounts, 0),
	SPEC(shm_size, T_U64),
	SPEC(no_read_only_tmpfs, T_BOOL),
	SPEC_CUSTOM(labels, F_SUMMARY),
	/* cgroups: the limit flags as given */
	SPEC(cg_memory, T_I64),
	SPEC(cg_memory_swap, T_I64),
	SPEC(cg_memory_reservation, T_I64),
	SPEC(cg_cpus, T_DOUBLE),
	SPEC(cg_cpu_quota, T_U64),
	SPEC(cg_cpu_period, T_U64),
	SPEC(cg_cpu_shares, T_U64),
	SPEC(cg_cpuset_cpus, T_STR),
	SPEC(cg_pids_limit, T_I64),
	SPEC(cgroups_mode, T_STR),
	SPEC(cgroup_parent, T_STR),
	/* networking: the ports as allocated, slirp4netns's options, the
	 * /etc files' options */
	SPEC_CUSTOM(ports, F_SUMMARY),
	SPEC(publish_all, T_BOOL),
	SPEC_CUSTOM(slirp, 0),
	SPEC_LIST(add_hosts, 0),
	SPEC_LIST(dns, 0),
	SPEC_LIST(dns_search, 0),
	SPEC_LIST(dns_options, 0),
	SPEC(network_join, T_STR),

	STATE("Status", T_ENUM, status, .names = status_names, .n_names = ARRAY_SIZE(status_names)),
	STATE("Pid", T_INT, pid),
	STATE("PidStart", T_U64, pid_start),
	STATE("MonitorPid", T_INT, monitor_pid),
	STATE("MonitorStart", T_U64, monitor_start),
	STATE("ExitCode", T_INT, exit_code),
	STATE("StartedAt", T_I64, started_ns),
	STATE("FinishedAt", T_I64, finished_ns),
	STATE("Removing", T_BOOL, removing),
	STATE("RestartCount", T_INT, restart_count),
	/* the running container's cgroup ("" when none) */
	STATE_CHARS("CgroupManager", cgroup_manager),
	STATE_CHARS("CgroupPath", cgroup_path),
	STATE_CHARS("CgroupUnit", cgroup_unit),
	STATE("OOMKilled", T_BOOL, oom_killed, .flags = F_OMIT_EMPTY),
};

#define AT(base, f, type) ((type *)(void *)((char *)(base) + (f)->offset))
#define AT_CONST(base, f, type) ((const type *)(const void *)((const char *)(base) + (f)->offset))

/* ---- the writer ---------------------------------------------------------- */

static json_t *strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && v != NULL && (n == SIZE_MAX ? v[i] != NULL : i < n); i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* One member's value, or NULL when F_OMIT_EMPTY leaves it out. */
static json_t *field_json(const struct record_field *f, const void *base, bool *omit)
{
	*omit = false;
	switch (f->type) {
	case T_STR: {
		const char *s = *AT_CONST(base, f, char *);
		return json_string(s ? s : "");
	}
	case T_CHARS: {
		const char *s = AT_CONST(base, f, char);
		*omit = (f->flags & F_OMIT_EMPTY) && s[0] == '\0';
		return *omit ? NULL : json_string(s);
	}
	case T_STRV:
		return strv_json(*(char **const *)(const void *)((const char *)base + f->offset), SIZE_MAX);
	case T_STRV_N:
		return strv_json(*(char **const *)(const void *)((const char *)base + f->offset),
				 *(const size_t *)(const void *)((const char *)base + f->aux));
	case T_BOOL: {
		bool b = *AT_CONST(base, f, bool);
		*omit = (f->flags & F_OMIT_EMPTY) && !b;
		return *omit ? NULL : json_boolean(b);
	}
	case T_INT:
		return json_integer(*AT_CONST(base, f, int));
	case T_I64:
		return json_integer((json_int_t)*AT_CONST(base, f, int64_t));
	case T_U64:
		return json_integer((json_int_t)*AT_CONST(base, f, uint64_t));
	case T_U32:
		return json_integer((json_int_t)*AT_CONST(base, f, uint32_t));
	case T_DOUBLE:
		return json_real(*AT_CONST(base, f, double));
	case T_ENUM: {
		int v = *AT_CONST(base, f, int);
		return json_string(v >= 0 && (size_t)v < f->n_names ? f->names[v] : "");
	}
	case T_CUSTOM:
		return f->to_json(base);
	}
	return NULL;
}

static json_t *doc_json(enum record_doc doc, const void *base)
{
	json_t *o = json_object();
	if (o == NULL || json_object_set_new(o, "version", json_integer(ENGINE_RECORD_VERSION)) < 0)
		goto fail;
	for (size_t i = 0; i < ARRAY_SIZE(record_fields); i++) {
		const struct record_field *f = &record_fields[i];
		bool omit;
		if (f->doc != doc)
			continue;
		json_t *v = field_json(f, base, &omit);
		if (!omit && (v == NULL || json_object_set_new(o, f->key, v) < 0))
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

json_t *engine_record_config_json(const struct engine_container *c)
{
	json_t *o = doc_json(DOC_CONFIG, c);
	json_t *spec = o != NULL ? doc_json(DOC_SPEC, &c->spec) : NULL;
	/* Spec has no version of its own: the document's covers it. */
	if (spec == NULL || json_object_del(spec, "version") < 0 ||
	    json_object_set_new(o, "Spec", spec) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *engine_record_state_json(const struct engine_container_state *state)
{
	return doc_json(DOC_STATE, state);
}

/* ---- the reader ---------------------------------------------------------- */

static char **strv_from_json(json_t *a, size_t *ret_n)
{
	size_t n = json_array_size(a);
	char **v = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; v != NULL && i < n; i++) {
		const char *s = json_string_value(json_array_get(a, i));
		if ((v[i] = strdup(s ? s : "")) == NULL) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			return NULL;
		}
	}
	if (v != NULL && ret_n != NULL)
		*ret_n = n;
	return v;
}

static int enum_value(const struct record_field *f, const char *s, size_t len)
{
	for (size_t i = 0; i < f->n_names; i++)
		if (strlen(f->names[i]) == len && memcmp(f->names[i], s, len) == 0)
			return (int)i;
	return -1;
}

/* V (NULL: the member is missing) into F's place: 0, or -1 with *ERR
 * (ENOMEM, or EINVAL for a value of another shape).  Missing members
 * keep what the caller zeroed, as an engine that wrote the record before
 * the field existed meant. */
static int field_from_json(const struct record_field *f, json_t *v, void *base,
			   struct engine_error **err)
{
	if (f->flags & F_WRITE_ONLY)
		return 0;
	switch (f->type) {
	case T_STR: {
		char **p = AT(base, f, char *);
		const char *s = json_string_value(v);
		free(*p);
		*p = NULL;
		if ((s == NULL || *s == '\0') && !(f->flags & F_KEEP_EMPTY))
			return 0;
		if ((*p = strdup(s ? s : "")) == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		return 0;
	}
	case T_CHARS:
		if (json_is_string(v))
			chars_from(AT(base, f, char), f->aux, v);
		return 0;
	case T_STRV:
	case T_STRV_N: {
		char ***p = AT(base, f, char **);
		size_t *count = f->type == T_STRV_N ? (size_t *)(void *)((char *)base + f->aux) : NULL;
		if (!json_is_array(v) && !(f->flags & F_ALWAYS) && f->type == T_STRV_N)
			return 0;
		if (count != NULL)
			engine_strv_free_n(*p, *count);
		else
			engine_strv_free(*p);
		*p = strv_from_json(v, count);
		return *p != NULL ? 0 : engine_error_set(err, ENOMEM, "out of memory");
	}
	case T_BOOL:
		*AT(base, f, bool) = json_is_true(v);
		return 0;
	case T_INT:
		*AT(base, f, int) = (int)json_integer_value(v);
		return 0;
	case T_I64:
		*AT(base, f, int64_t) = (int64_t)json_integer_value(v);
		return 0;
	case T_U64:
		*AT(base, f, uint64_t) = (uint64_t)json_integer_value(v);
		return 0;
	case T_U32:
		*AT(base, f, uint32_t) = (uint32_t)json_integer_value(v);
		return 0;
	case T_DOUBLE:
		*AT(base, f, double) = json_number_value(v);
		return 0;
	case T_ENUM: {
		/* Version 0 wrote the enum's integer value. */
		int value = 0;
		if (json_is_integer(v))
			value = json_integer_value(v) >= 0 && (size_t)json_integer_value(v) < f->n_names
					? (int)json_integer_value(v)
					: -1;
		else if (json_is_string(v))
			value = enum_value(f, json_string_value(v), json_string_length(v));
		if (value < 0 || (size_t)value >= f->n_names)
			return engine_error_set(err, EINVAL, "%s: unknown value", f->key);
		*AT(base, f, int) = value;
		return 0;
	}
	case T_CUSTOM:
		return v != NULL ? f->from_json(v, base, err) : 0;
	}
	return 0;
}

/* Every member of DOC that J has; the first error is kept in *ERR and the
 * rest still read.  -1 when one was met. */
static int doc_from_json(enum record_doc doc, json_t *j, void *base, struct engine_error **err)
{
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(record_fields); i++) {
		const struct record_field *f = &record_fields[i];
		if (f->doc != doc)
			continue;
		struct engine_error *local = NULL;
		if (field_from_json(f, json_object_get(j, f->key), base, &local) < 0) {
			if (r == 0 && err != NULL && *err == NULL)
				*err = steal_pointer(&local);
			r = -1;
		}
		engine_error_free(&local);
	}
	return r;
}

static bool out_of_memory(const struct engine_error *e)
{
	return e != NULL && e->status == ENOMEM;
}

int engine_record_config_from_json(json_t *j, struct engine_container *c,
				   struct engine_error **err)
{
	struct engine_error *local = NULL;
	c->record_version = (int)json_integer_value(json_object_get(j, "version"));
	netns_slirp_options_init(&c->spec.slirp);
	doc_from_json(DOC_CONFIG, j, c, &local);
	json_t *spec = json_object_get(j, "Spec");
	if (local == NULL && !json_is_object(spec))
		engine_error_set(&local, EINVAL, "config.json has no Spec");
	doc_from_json(DOC_SPEC, spec, &c->spec, &local);
	if (out_of_memory(local)) {
		*err = steal_pointer(&local);
		return -1;
	}
	engine_error_free(&c->record_error);
	c->record_error = local;
	return 0;
}

void engine_record_state_from_json(json_t *j, struct engine_container_state *state)
{
	struct engine_error *ignored = NULL;
	doc_from_json(DOC_STATE, j, state, &ignored);
	engine_error_free(&ignored);
}

/* ---- the scanner ---------------------------------------------------------- */

/* One member's text into F's place: the common shapes without building
 * anything, the others through jansson.  0, or -2 for the caller's full
 * parse (an escaped string, a value it does not take). */
static int field_from_text(const struct record_field *f, void *base, const char *v, size_t vl)
{
	const char *s;
	size_t sl;
	int64_t i;
	switch (f->type) {
	case T_STR:
		if (!json_scan_str(v, vl, &s, &sl))
			break;
		char **p = AT(base, f, char *);
		free(*p);
		*p = NULL;
		if (sl == 0 && !(f->flags & F_KEEP_EMPTY))
			return 0;
		return (*p = strndup(s, sl)) != NULL ? 0 : -2;
	case T_CHARS:
		if (!json_scan_str(v, vl, &s, &sl) || sl >= f->aux)
			break;
		snprintf(AT(base, f, char), f->aux, "%.*s", (int)sl, s);
		return 0;
	case T_BOOL:
		return json_scan_bool(v, vl, AT(base, f, bool)) ? 0 : -2;
	case T_INT:
	case T_I64:
	case T_U64:
	case T_U32:
		if (!json_scan_int(v, vl, &i))
			break;
		if (f->type == T_INT)
			*AT(base, f, int) = (int)i;
		else if (f->type == T_I64)
			*AT(base, f, int64_t) = i;
		else if (f->type == T_U64)
			*AT(base, f, uint64_t) = (uint64_t)i;
		else
			*AT(base, f, uint32_t) = (uint32_t)i;
		return 0;
	case T_ENUM: {
		int value = -1;
		if (json_scan_str(v, vl, &s, &sl))
			value = enum_value(f, s, sl);
		else if (json_scan_int(v, vl, &i) && i >= 0 && (uint64_t)i < f->n_names)
			value = (int)i;
		if (value < 0)
			return -2;
		*AT(base, f, int) = value;
		return 0;
	}
	default:
		break;
	}
	/* Lists, objects, escaped strings: jansson, on this value alone. */
	cleanup_json json_t *j = json_loadb(v, vl, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return -2;
	struct engine_error *e = NULL;
	int r = field_from_json(f, j, base, &e);
	engine_error_free(&e);
	return r < 0 ? -2 : 0;
}

struct scan {
	enum record_doc doc;
	void *base;
	struct engine_container *c;
};

/* The fields the scanner fills, per document: ps looks up every member
 * of every record, and Spec has some sixty of which it wants seven. */
static const struct record_field *scanned_fields[3][ARRAY_SIZE(record_fields)];
static size_t n_scanned_fields[3];
static pthread_once_t scanned_fields_once = PTHREAD_ONCE_INIT;

static void scanned_fields_build(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(record_fields); i++) {
		const struct record_field *f = &record_fields[i];
		if (f->doc == DOC_STATE || (f->flags & F_SUMMARY))
			scanned_fields[f->doc][n_scanned_fields[f->doc]++] = f;
	}
}

static const struct record_field *summary_field(enum record_doc doc, const char *key, size_t kl)
{
	pthread_once(&scanned_fields_once, scanned_fields_build);
	for (size_t i = 0; i < n_scanned_fields[doc]; i++)
		if (json_scan_key_is(key, kl, scanned_fields[doc][i]->key))
			return scanned_fields[doc][i];
	return NULL;
}

static int scan_member(void *data, const char *key, size_t kl, const char *v, size_t vl)
{
	struct scan *sc = data;
	/* An escaped key may spell one of ours: jansson decodes it. */
	if (memchr(key, '\\', kl) != NULL)
		return -2;
	if (sc->doc == DOC_CONFIG && json_scan_key_is(key, kl, "Spec")) {
		struct scan spec = { .doc = DOC_SPEC, .base = &sc->c->spec };
		return json_scan_object(v, vl, scan_member, &spec) == 0 ? 0 : -2;
	}
	if (sc->doc == DOC_CONFIG && json_scan_key_is(key, kl, "version")) {
		int64_t version;
		if (!json_scan_int(v, vl, &version))
			return -2;
		sc->c->record_version = (int)version;
		return 0;
	}
	const struct record_field *f = summary_field(sc->doc, key, kl);
	return f != NULL ? field_from_text(f, sc->base, v, vl) : 0;
}

int engine_record_config_scan(const char *text, size_t len, struct engine_container *c)
{
	struct scan sc = { .doc = DOC_CONFIG, .base = c, .c = c };
	netns_slirp_options_init(&c->spec.slirp);
	int r = json_scan_object(text, len, scan_member, &sc);
	if (r != 0)
		return r;
	/* What the full reader makes of missing members. */
	for (size_t i = 0; i < ARRAY_SIZE(record_fields); i++) {
		const struct record_field *f = &record_fields[i];
		if (f->doc == DOC_STATE || !(f->flags & F_SUMMARY))
			continue;
		void *base = f->doc == DOC_CONFIG ? (void *)c : (void *)&c->spec;
		bool missing_str = f->type == T_STR && (f->flags & F_KEEP_EMPTY) &&
				   *AT(base, f, char *) == NULL;
		bool missing_list = (f->type == T_STRV || (f->type == T_STRV_N && (f->flags & F_ALWAYS))) &&
				    *AT(base, f, char **) == NULL;
		if ((missing_str || missing_list) && field_from_json(f, NULL, base, NULL) < 0)
			return -1;
	}
	return 0;
}

int engine_record_state_scan(const char *text, size_t len, struct engine_container_state *state)
{
	struct scan sc = { .doc = DOC_STATE, .base = state };
	return json_scan_object(text, len, scan_member, &sc);
}

int engine_record_spec_copy(const struct engine_run_spec *spec, struct engine_run_spec *ret,
			    struct engine_error **err)
{
	memset(ret, 0, sizeof(*ret));
	netns_slirp_options_init(&ret->slirp);
	cleanup_json json_t *j = doc_json(DOC_SPEC, spec);
	if (j == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	return doc_from_json(DOC_SPEC, j, ret, err);
}
