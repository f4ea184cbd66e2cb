/* seccomp-profile.c: seccomp profiles, from Docker/OCI JSON or the built-in
 * table, as the one structure (struct engine_seccomp_profile, in
 * seccomp-rules.h) that seccomp-filter.c compiles with libseccomp for the
 * container's final capability set.
 *
 * Both sources produce that structure, and one function compiles it, so
 * the default profile and a user's profile behave the same way.  The profile keeps capability and architecture conditions
 * unresolved: the same parsed profile compiles differently for
 * `--cap-add SYS_ADMIN`, which is why compiling is a separate step, done in
 * the parent before the container process is forked (libseccomp allocates;
 * the child should only have to call seccomp_load).
 *
 * The JSON format is Docker's (moby profiles/seccomp) as Podman and the OCI
 * runtime spec use it.  Like Docker we ignore keys we do not know, so a
 * profile written for a newer engine still loads; unlike a Go decoder, every
 * key we do use is type-checked and a wrong one is an error that names it:
 *   seccomp profile: syscalls[3].action: unknown action "SCMP_ACT_FOO"
 */
#include <seccomp.h>

#include "libengine/runtime/seccomp-profile.h"
#include "libengine/runtime/seccomp-rules.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libengine/runtime/caps.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

/* A profile is policy, not data: Docker's default is ~25 KiB.  The bound
 * keeps a hostile or mistaken file from costing unbounded memory. */
#define PROFILE_MAX_BYTES (4 * 1024 * 1024)

/* The kernel gives the errno from the low 16 bits of SECCOMP_RET_DATA, but
 * a value above MAX_ERRNO (4095) would not read as an error to userspace. */
#define ERRNO_MAX 4095

static const struct {
	const char *name;
	enum action_kind kind;
} action_names[] = {
	{ "SCMP_ACT_ALLOW", ACTION_ALLOW },
	{ "SCMP_ACT_ERRNO", ACTION_ERRNO },
	{ "SCMP_ACT_KILL", ACTION_KILL_THREAD }, /* the old name of KILL_THREAD */
	{ "SCMP_ACT_KILL_THREAD", ACTION_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", ACTION_KILL_PROCESS },
	{ "SCMP_ACT_TRAP", ACTION_TRAP },
	{ "SCMP_ACT_LOG", ACTION_LOG },
	{ "SCMP_ACT_TRACE", ACTION_TRACE },
};

static const struct {
	const char *name;
	enum scmp_compare op;
} op_names[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* ---- freeing ------------------------------------------------------------ */

static void string_list_free(struct string_list *list)
{
	engine_strv_free_n(list->items, list->n);
	list->items = NULL;
	list->n = 0;
}

static void rule_free(struct syscall_rule *rule)
{
	string_list_free(&rule->names);
	string_list_free(&rule->includes_arches);
	string_list_free(&rule->excludes_arches);
	free(rule->args);
}

void engine_seccomp_profile_free(struct engine_seccomp_profile *profile)
{
	if (profile == NULL)
		return;
	string_list_free(&profile->architectures);
	for (size_t i = 0; i < profile->n_arch_map; i++) {
		free(profile->arch_map[i].arch);
		string_list_free(&profile->arch_map[i].sub_arches);
	}
	free(profile->arch_map);
	for (size_t i = 0; i < profile->n_rules; i++)
		rule_free(&profile->rules[i]);
	free(profile->rules);
	free(profile);
}

static inline void profile_freep(struct engine_seccomp_profile **p)
{
	engine_seccomp_profile_free(*p);
}
#define cleanup_profile __attribute__((cleanup(profile_freep)))

/* ---- the built-in profile ----------------------------------------------- */

/* Copy a NULL-terminated array (NULL itself meaning empty). */
static int string_list_copy(struct string_list *out, const char *const *in)
{
	size_t n = 0;
	while (in != NULL && in[n] != NULL)
		n++;
	if (n == 0)
		return 0;
	out->items = calloc(n, sizeof(*out->items));
	if (out->items == NULL)
		return -ENOMEM;
	for (; out->n < n; out->n++) {
		out->items[out->n] = strdup(in[out->n]);
		if (out->items[out->n] == NULL)
			return -ENOMEM;
	}
	return 0;
}

static int builtin_rule_copy(struct syscall_rule *rule, const struct engine_seccomp_builtin_rule *row)
{
	rule->action = row->action == ENGINE_SECCOMP_BUILTIN_ALLOW ? ACTION_ALLOW : ACTION_ERRNO;
	rule->errno_ret = row->errno_ret;
	rule->includes_caps = row->includes_caps;
	rule->excludes_caps = row->excludes_caps;
	if (row->has_arg) {
		rule->args = calloc(1, sizeof(*rule->args));
		if (rule->args == NULL)
			return -ENOMEM;
		rule->n_args = 1;
		rule->args[0] = (struct arg_condition){
			.index = row->arg_index,
			.op = (enum scmp_compare)row->arg_op,
			.value = row->arg_value,
			.value_two = row->arg_value_two,
		};
	}
	if (string_list_copy(&rule->names, row->names) < 0 ||
	    string_list_copy(&rule->includes_arches, row->includes_arches) < 0 ||
	    string_list_copy(&rule->excludes_arches, row->excludes_arches) < 0)
		return -ENOMEM;
	return 0;
}

int engine_seccomp_profile_default(struct engine_seccomp_profile **ret, struct engine_error **err)
{
	const struct engine_seccomp_builtin_profile *builtin = engine_seccomp_builtin_profile();
	cleanup_profile struct engine_seccomp_profile *profile = calloc(1, sizeof(*profile));
	if (profile == NULL)
		goto oom;
	profile->default_action = ACTION_ERRNO;
	profile->default_errno = builtin->default_errno;

	profile->arch_map = calloc(builtin->n_arch_map, sizeof(*profile->arch_map));
	if (profile->arch_map == NULL)
		goto oom;
	for (; profile->n_arch_map < builtin->n_arch_map; profile->n_arch_map++) {
		struct arch_map_entry *entry = &profile->arch_map[profile->n_arch_map];
		const struct engine_seccomp_builtin_arch_map *row = &builtin->arch_map[profile->n_arch_map];
		entry->arch = strdup(row->arch);
		if (entry->arch == NULL || string_list_copy(&entry->sub_arches, row->sub_arches) < 0) {
			profile->n_arch_map++; /* so that the partial entry is freed */
			goto oom;
		}
	}

	profile->rules = calloc(builtin->n_rules, sizeof(*profile->rules));
	if (profile->rules == NULL)
		goto oom;
	for (; profile->n_rules < builtin->n_rules; profile->n_rules++) {
		if (builtin_rule_copy(&profile->rules[profile->n_rules],
				      &builtin->rules[profile->n_rules]) < 0) {
			profile->n_rules++;
			goto oom;
		}
	}
	*ret = steal_pointer(&profile);
	return 0;
oom:
	return engine_error_errno(err, ENOMEM, "seccomp: building the default profile");
}

/* ---- JSON parsing --------------------------------------------------------- */

struct parser {
	const char *label; /* "seccomp profile", or "seccomp profile PATH" */
	struct engine_error **err;
};

const char *engine_seccomp_quote(const char *s, char *buf, size_t size)
{
	size_t o = 0;
	buf[o++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (o + 8 >= size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", *p);
		else
			buf[o++] = (char)*p;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* Where in the document an error is, as "syscalls[3].args[0].op"; a path
 * cut short only shortens a message. */
#define PATH_SIZE 192
static void set_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static int parse_fail(struct parser *p, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int parse_fail(struct parser *p, const char *path, const char *fmt, ...)
{
	cleanup_free char *what = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	return engine_error_set(p->err, EINVAL, "%s: %s: %s", p->label, path,
				what != NULL ? what : "invalid value");
}

static int expect_type(struct parser *p, const char *path, const json_t *v, json_type type,
		       const char *want)
{
	if (json_typeof(v) != type)
		return parse_fail(p, path, "expected %s, got %s", want, engine_json_type_name(json_typeof(v)));
	return 0;
}

/* Go encoders write absent slices and structs as null, so a null value means
 * "not given" for every optional key. */
static json_t *get_optional(const json_t *object, const char *key)
{
	json_t *v = json_object_get(object, key);
	return json_is_null(v) ? NULL : v;
}

static int parse_int(struct parser *p, const char *path, const json_t *v, long long min,
		     long long max, long long *out)
{
	if (expect_type(p, path, v, JSON_INTEGER, "an integer") < 0)
		return -1;
	long long n = json_integer_value(v);
	if (n < min || n > max)
		return parse_fail(p, path, "%lld is out of range (%lld..%lld)", n, min, max);
	*out = n;
	return 0;
}

/* Syscall arguments are 64-bit unsigned; JSON integers here are signed
 * 64-bit, so a negative value is taken as its two's complement (-1 is
 * 0xffffffffffffffff), the only way to write the top half of the range. */
static int parse_u64(struct parser *p, const char *path, const json_t *v, uint64_t *out)
{
	if (expect_type(p, path, v, JSON_INTEGER, "an integer") < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* V at PATH, which must be an array (WANT says of what, for the error):
 * its length in *RET_N and a zeroed array of that many entries of SIZE
 * bytes in *RET (left as it is when the array is empty). */
static int array_begin(struct parser *p, const char *path, const json_t *v, const char *want,
		       size_t size, void **ret, size_t *ret_n)
{
	if (expect_type(p, path, v, JSON_ARRAY, want) < 0)
		return -1;
	*ret_n = json_array_size(v);
	if (*ret_n == 0)
		return 0;
	*ret = calloc(*ret_n, size);
	if (*ret == NULL)
		return engine_error_errno(p->err, ENOMEM, "%s: %s", p->label, path);
	return 0;
}

static int parse_string_list(struct parser *p, const char *path, const json_t *v,
			     struct string_list *out)
{
	void *items = NULL;
	size_t n;
	if (array_begin(p, path, v, "an array of strings", sizeof(*out->items), &items, &n) < 0)
		return -1;
	out->items = items;
	for (; out->n < n; out->n++) {
		char item_path[PATH_SIZE];
		const json_t *item = json_array_get(v, out->n);
		set_path(item_path, sizeof(item_path), "%s[%zu]", path, out->n);
		if (expect_type(p, item_path, item, JSON_STRING, "a string") < 0)
			return -1;
		if (json_string_length(item) == 0)
			return parse_fail(p, item_path, "empty string");
		out->items[out->n] = strdup(json_string_value(item));
		if (out->items[out->n] == NULL)
			return engine_error_errno(p->err, ENOMEM, "%s: %s", p->label, item_path);
	}
	return 0;
}

static int parse_action(struct parser *p, const char *path, const json_t *v, enum action_kind *out)
{
	char quoted[QUOTE_SIZE];
	if (expect_type(p, path, v, JSON_STRING, "a string") < 0)
		return -1;
	const char *name = json_string_value(v);
	for (size_t i = 0; i < ARRAY_SIZE(action_names); i++) {
		if (strcmp(name, action_names[i].name) == 0) {
			*out = action_names[i].kind;
			return 0;
		}
	}
	/* NOTIFY hands the syscall to a user-space agent over a socket; we run
	 * no agent, and a filter waiting on one would hang the container. */
	if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		return parse_fail(p, path, "SCMP_ACT_NOTIFY is not supported (it needs a seccomp "
					   "notification agent, which this engine does not run)");
	return parse_fail(p, path, "unknown action %s", engine_seccomp_quote(name, quoted, sizeof(quoted)));
}

static int parse_caps(struct parser *p, const char *path, const json_t *v, uint64_t *out)
{
	char quoted[QUOTE_SIZE];
	if (expect_type(p, path, v, JSON_ARRAY, "an array of capability names") < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(v); i++) {
		char item_path[PATH_SIZE];
		const json_t *item = json_array_get(v, i);
		set_path(item_path, sizeof(item_path), "%s[%zu]", path, i);
		if (expect_type(p, item_path, item, JSON_STRING, "a string") < 0)
			return -1;
		/* engine_cap_from_name answers -2 for "ALL", which names a set,
		 * not a capability; a condition on it would mean nothing. */
		int cap = engine_cap_from_name(json_string_value(item));
		if (cap < 0 || cap >= 64)
			return parse_fail(p, item_path, "unknown capability %s",
					  engine_seccomp_quote(json_string_value(item), quoted, sizeof(quoted)));
		*out |= UINT64_C(1) << cap;
	}
	return 0;
}

/* includes / excludes: {caps: [...], arches: [...], minKernel: "..."}.
 * minKernel is type-checked but ignored: we test features, not versions,
 * and every kernel we can run on is newer than Docker's minKernel values. */
static int parse_filter(struct parser *p, const char *path, const json_t *v, uint64_t *caps,
			struct string_list *arches)
{
	char sub[PATH_SIZE];
	if (expect_type(p, path, v, JSON_OBJECT, "an object") < 0)
		return -1;
	const json_t *field = get_optional(v, "caps");
	set_path(sub, sizeof(sub), "%s.caps", path);
	if (field != NULL && parse_caps(p, sub, field, caps) < 0)
		return -1;
	field = get_optional(v, "arches");
	set_path(sub, sizeof(sub), "%s.arches", path);
	if (field != NULL && parse_string_list(p, sub, field, arches) < 0)
		return -1;
	field = get_optional(v, "minKernel");
	set_path(sub, sizeof(sub), "%s.minKernel", path);
	if (field != NULL && expect_type(p, sub, field, JSON_STRING, "a string") < 0)
		return -1;
	return 0;
}

static int parse_arg(struct parser *p, const char *path, const json_t *v, struct arg_condition *arg)
{
	char sub[PATH_SIZE], quoted[QUOTE_SIZE];
	long long index = 0;
	if (expect_type(p, path, v, JSON_OBJECT, "an object") < 0)
		return -1;

	const json_t *field = json_object_get(v, "index");
	set_path(sub, sizeof(sub), "%s.index", path);
	if (field == NULL)
		return parse_fail(p, sub, "missing");
	if (parse_int(p, sub, field, 0, ARG_INDEX_MAX, &index) < 0)
		return -1;
	arg->index = (unsigned int)index;

	field = get_optional(v, "value");
	set_path(sub, sizeof(sub), "%s.value", path);
	if (field != NULL && parse_u64(p, sub, field, &arg->value) < 0)
		return -1;
	field = get_optional(v, "valueTwo");
	set_path(sub, sizeof(sub), "%s.valueTwo", path);
	if (field != NULL && parse_u64(p, sub, field, &arg->value_two) < 0)
		return -1;

	field = json_object_get(v, "op");
	set_path(sub, sizeof(sub), "%s.op", path);
	if (field == NULL)
		return parse_fail(p, sub, "missing");
	if (expect_type(p, sub, field, JSON_STRING, "a string") < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(op_names); i++) {
		if (strcmp(json_string_value(field), op_names[i].name) == 0) {
			arg->op = op_names[i].op;
			return 0;
		}
	}
	return parse_fail(p, sub, "unknown operator %s",
			  engine_seccomp_quote(json_string_value(field), quoted, sizeof(quoted)));
}

static int parse_rule(struct parser *p, size_t index, const json_t *v, struct syscall_rule *rule)
{
	char path[PATH_SIZE], sub[PATH_SIZE];
	set_path(path, sizeof(path), "syscalls[%zu]", index);
	if (expect_type(p, path, v, JSON_OBJECT, "an object") < 0)
		return -1;

	/* "names" is the current spelling, "name" the legacy one; Docker
	 * refuses a rule that has both, and so do we. */
	const json_t *names = get_optional(v, "names");
	const json_t *name = get_optional(v, "name");
	if (names != NULL && name != NULL)
		return parse_fail(p, path, "has both \"name\" and \"names\"; use \"names\"");
	if (names == NULL && name == NULL)
		return parse_fail(p, path, "has neither \"names\" nor \"name\"");
	if (names != NULL) {
		set_path(sub, sizeof(sub), "%s.names", path);
		if (parse_string_list(p, sub, names, &rule->names) < 0)
			return -1;
	} else {
		set_path(sub, sizeof(sub), "%s.name", path);
		if (expect_type(p, sub, name, JSON_STRING, "a string") < 0)
			return -1;
		if (json_string_length(name) == 0)
			return parse_fail(p, sub, "empty string");
		const char *one[] = { json_string_value(name), NULL };
		if (string_list_copy(&rule->names, one) < 0)
			return engine_error_errno(p->err, ENOMEM, "%s: %s", p->label, sub);
	}

	const json_t *field = json_object_get(v, "action");
	set_path(sub, sizeof(sub), "%s.action", path);
	if (field == NULL)
		return parse_fail(p, sub, "missing");
	if (parse_action(p, sub, field, &rule->action) < 0)
		return -1;

	/* Without errnoRet, SCMP_ACT_ERRNO means EPERM, as in Docker.  For
	 * actions that carry no value the field is checked and ignored. */
	long long errno_ret = EPERM;
	field = get_optional(v, "errnoRet");
	set_path(sub, sizeof(sub), "%s.errnoRet", path);
	if (field != NULL && parse_int(p, sub, field, 0, ERRNO_MAX, &errno_ret) < 0)
		return -1;
	rule->errno_ret = (int)errno_ret;

	field = get_optional(v, "args");
	if (field != NULL) {
		set_path(sub, sizeof(sub), "%s.args", path);
		void *args = NULL;
		size_t n;
		if (array_begin(p, sub, field, "an array", sizeof(*rule->args), &args, &n) < 0)
			return -1;
		rule->args = args;
		for (; rule->n_args < n; rule->n_args++) {
			set_path(sub, sizeof(sub), "%s.args[%zu]", path, rule->n_args);
			if (parse_arg(p, sub, json_array_get(field, rule->n_args),
				      &rule->args[rule->n_args]) < 0)
				return -1;
		}
	}

	field = get_optional(v, "includes");
	set_path(sub, sizeof(sub), "%s.includes", path);
	if (field != NULL &&
	    parse_filter(p, sub, field, &rule->includes_caps, &rule->includes_arches) < 0)
		return -1;
	field = get_optional(v, "excludes");
	set_path(sub, sizeof(sub), "%s.excludes", path);
	if (field != NULL &&
	    parse_filter(p, sub, field, &rule->excludes_caps, &rule->excludes_arches) < 0)
		return -1;
	return 0;
}

static int parse_arch_map(struct parser *p, const json_t *v, struct engine_seccomp_profile *profile)
{
	char path[PATH_SIZE], sub[PATH_SIZE];
	void *entries = NULL;
	size_t n;
	if (array_begin(p, "archMap", v, "an array", sizeof(*profile->arch_map), &entries, &n) < 0)
		return -1;
	profile->arch_map = entries;
	/* n_arch_map counts the entries begun, so a half-parsed one is freed. */
	for (size_t i = 0; i < n; i++) {
		struct arch_map_entry *entry = &profile->arch_map[profile->n_arch_map++];
		const json_t *item = json_array_get(v, i);
		set_path(path, sizeof(path), "archMap[%zu]", i);
		if (expect_type(p, path, item, JSON_OBJECT, "an object") < 0)
			return -1;

		const json_t *field = json_object_get(item, "architecture");
		set_path(sub, sizeof(sub), "%s.architecture", path);
		if (field == NULL)
			return parse_fail(p, sub, "missing");
		if (expect_type(p, sub, field, JSON_STRING, "a string") < 0)
			return -1;
		if (json_string_length(field) == 0)
			return parse_fail(p, sub, "empty string");
		entry->arch = strdup(json_string_value(field));
		if (entry->arch == NULL)
			return engine_error_errno(p->err, ENOMEM, "%s: %s", p->label, sub);

		field = get_optional(item, "subArchitectures");
		set_path(sub, sizeof(sub), "%s.subArchitectures", path);
		if (field != NULL && parse_string_list(p, sub, field, &entry->sub_arches) < 0)
			return -1;
	}
	return 0;
}

static int parse_profile(struct parser *p, const json_t *root, struct engine_seccomp_profile *profile)
{
	if (expect_type(p, "top level", root, JSON_OBJECT, "an object") < 0)
		return -1;

	const json_t *field = json_object_get(root, "defaultAction");
	if (field == NULL)
		return parse_fail(p, "defaultAction", "missing");
	if (parse_action(p, "defaultAction", field, &profile->default_action) < 0)
		return -1;

	long long default_errno = EPERM;
	field = get_optional(root, "defaultErrnoRet");
	if (field != NULL && parse_int(p, "defaultErrnoRet", field, 0, ERRNO_MAX, &default_errno) < 0)
		return -1;
	profile->default_errno = (int)default_errno;

	field = get_optional(root, "architectures");
	if (field != NULL && parse_string_list(p, "architectures", field, &profile->architectures) < 0)
		return -1;
	field = get_optional(root, "archMap");
	if (field != NULL && parse_arch_map(p, field, profile) < 0)
		return -1;
	/* Docker refuses both: it cannot tell which one the author meant. */
	if (profile->architectures.n > 0 && profile->n_arch_map > 0)
		return parse_fail(p, "archMap", "\"architectures\" and \"archMap\" are both given; "
						"use one of them");

	field = get_optional(root, "syscalls");
	if (field == NULL)
		return 0;
	void *rules = NULL;
	size_t n;
	if (array_begin(p, "syscalls", field, "an array", sizeof(*profile->rules), &rules, &n) < 0)
		return -1;
	profile->rules = rules;
	/* n_rules counts the rules begun, so a half-parsed one is freed too. */
	for (size_t i = 0; i < n; i++) {
		profile->n_rules++;
		if (parse_rule(p, i, json_array_get(field, i), &profile->rules[i]) < 0)
			return -1;
	}
	return 0;
}

/* jansson's messages quote the input near the error; keep them on one line. */
static void make_printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

static int parse_buffer(const char *label, const char *buf, size_t len,
			struct engine_seccomp_profile **ret, struct engine_error **err)
{
	if (len > PROFILE_MAX_BYTES)
		return engine_error_set(err, EFBIG, "%s: %zu bytes is over the limit of %d bytes",
					label, len, PROFILE_MAX_BYTES);

	json_error_t json_err;
	cleanup_json json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &json_err);
	if (root == NULL) {
		make_printable(json_err.text);
		return engine_error_set(err, EINVAL, "%s: invalid JSON at line %d, column %d: %s",
					label, json_err.line, json_err.column, json_err.text);
	}

	cleanup_profile struct engine_seccomp_profile *profile = calloc(1, sizeof(*profile));
	if (profile == NULL)
		return engine_error_errno(err, ENOMEM, "%s", label);
	struct parser p = { .label = label, .err = err };
	if (parse_profile(&p, root, profile) < 0)
		return err != NULL && *err != NULL && (*err)->status != 0 ? -(*err)->status : -EINVAL;
	*ret = steal_pointer(&profile);
	return 0;
}

int engine_seccomp_profile_parse_json(const char *buf, size_t len,
				      struct engine_seccomp_profile **ret, struct engine_error **err)
{
	return parse_buffer("seccomp profile", buf, len, ret, err);
}

int engine_seccomp_profile_load_file(const char *path, struct engine_seccomp_profile **ret,
				     struct engine_error **err)
{
	/* O_NONBLOCK: a FIFO given by mistake must not hang the open; it is
	 * then refused as not a regular file. */
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return engine_error_errno(err, errno, "seccomp profile %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return engine_error_errno(err, errno, "seccomp profile %s: stat", path);
	if (!S_ISREG(st.st_mode))
		return engine_error_set(err, EINVAL, "seccomp profile %s: not a regular file", path);
	if (st.st_size > PROFILE_MAX_BYTES)
		return engine_error_set(err, EFBIG, "seccomp profile %s: %lld bytes is over the limit "
					"of %d bytes", path, (long long)st.st_size, PROFILE_MAX_BYTES);

	/* Read one byte past the limit so a file that grew after fstat is
	 * still caught as too large, and grow the buffer only if it did. */
	size_t size = (size_t)st.st_size + 1, len = 0;
	cleanup_free char *buf = malloc(size);
	if (buf == NULL)
		return engine_error_errno(err, ENOMEM, "seccomp profile %s", path);
	for (;;) {
		if (len == size) {
			if (size > PROFILE_MAX_BYTES)
				break;
			size_t bigger = size * 2 > PROFILE_MAX_BYTES + 1 ? PROFILE_MAX_BYTES + 1 : size * 2;
			char *grown = realloc(buf, bigger);
			if (grown == NULL)
				return engine_error_errno(err, ENOMEM, "seccomp profile %s", path);
			buf = grown;
			size = bigger;
		}
		ssize_t n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return engine_error_errno(err, errno, "seccomp profile %s: read", path);
		if (n == 0)
			break;
		len += (size_t)n;
	}

	cleanup_free char *label = NULL;
	if (asprintf(&label, "seccomp profile %s", path) < 0)
		return engine_error_errno(err, ENOMEM, "seccomp profile %s", path);
	return parse_buffer(label, buf, len, ret, err);
}
