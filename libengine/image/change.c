/* change.c: the Dockerfile instructions that `import -c` and
 * `commit -c` (Docker's --change) apply to an image config's "config"
 * object, parsed as the builder parses them. */
#include "libengine/image/change.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"

/* Dockerfile arguments: a JSON array, or (shell form) the rest of the line
 * run by /bin/sh -c, as the builder reads CMD and ENTRYPOINT. */
static json_t *command_value(const char *args, bool shell)
{
	json_error_t je;
	json_t *v = args[0] == '[' ? json_loads(args, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (v != NULL) {
		size_t i;
		json_t *e;
		bool ok = json_is_array(v);
		json_array_foreach(v, i, e) ok = ok && json_is_string(e);
		if (ok)
			return v;
		json_decref(v);
	}
	if (!shell)
		return json_pack("[s]", args);
	return json_pack("[s,s,s]", "/bin/sh", "-c", args);
}

/* One word of a KEY=VALUE list: quotes removed, backslash escapes, up to
 * an unquoted STOP (or a blank).  Returns where it stopped, NULL when a
 * quote is left open. */
static const char *word(const char *p, char stop, char *out, size_t size)
{
	size_t n = 0;
	char quote = 0;
	for (; *p && (quote || (*p != stop && *p != ' ' && *p != '\t')); p++) {
		if ((*p == '"' || *p == '\'') && (quote == 0 || quote == *p)) {
			quote = quote ? 0 : *p;
			continue;
		}
		if (*p == '\\' && p[1] != '\0' && quote != '\'')
			p++;
		if (n < size - 1)
			out[n++] = *p;
	}
	out[n] = '\0';
	return quote ? NULL : p;
}

/* ENV and LABEL: "KEY=VALUE KEY2="two words"", or the old "KEY VALUE"
 * form (one key, the rest of the line its value).  Into OBJ, or for ENV
 * as "KEY=VALUE" strings into ARRAY, a later key replacing an earlier. */
static int key_values(const char *args, json_t *obj, json_t *array, const char *what,
		      struct engine_error **err)
{
	char key[1024], value[4096];
	/* The old form when the first unquoted '=' or blank is a blank. */
	char first[1024];
	const char *end = word(args, '=', first, sizeof(first));
	bool legacy = end == NULL || *end != '=';
	const char *p = args;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		p = word(p, legacy ? ' ' : '=', key, sizeof(key));
		if (p == NULL)
			return engine_error_set(err, EINVAL, "%s %s: unterminated quote", what, args);
		if (key[0] == '\0' || (legacy ? (*p != ' ' && *p != '\t') : *p != '='))
			return engine_error_set(err, EINVAL, "%s %s: expected KEY=VALUE", what, args);
		if (legacy) {
			while (*p == ' ' || *p == '\t')
				p++;
			snprintf(value, sizeof(value), "%s", p);
			p += strlen(p);
		} else if ((p = word(p + 1, ' ', value, sizeof(value))) == NULL) {
			return engine_error_set(err, EINVAL, "%s %s: unterminated quote", what, args);
		}
		if (obj != NULL) {
			json_object_set_new(obj, key, json_string(value));
			continue;
		}
		cleanup_free char *kv = NULL;
		if (asprintf(&kv, "%s=%s", key, value) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		size_t i, kl = strlen(key);
		json_t *e;
		json_array_foreach(array, i, e) {
			const char *s = json_string_value(e);
			if (s && strncmp(s, key, kl) == 0 && s[kl] == '=') {
				json_array_remove(array, i);
				break;
			}
		}
		json_array_append_new(array, json_string(kv));
	}
	return 0;
}

static json_t *object_field(json_t *config, const char *key)
{
	json_t *o = json_object_get(config, key);
	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(config, key, o);
	}
	return o;
}

int engine_image_config_change(json_t *config, const char *change, struct engine_error **err)
{
	while (*change == ' ' || *change == '\t')
		change++;
	size_t kl = strcspn(change, " \t");
	char instr[16];
	if (kl == 0 || kl >= sizeof(instr))
		return engine_error_setting(err, "change", EINVAL, "change \"%.100s\": expected a Dockerfile instruction",
					change);
	for (size_t i = 0; i < kl; i++)
		instr[i] = (char)(change[i] >= 'a' && change[i] <= 'z' ? change[i] - 32 : change[i]);
	instr[kl] = '\0';
	const char *args = change + kl;
	while (*args == ' ' || *args == '\t')
		args++;
	if (*args == '\0')
		return engine_error_set(err, EINVAL, "%s requires at least one argument", instr);
	if (strcmp(instr, "CMD") == 0 || strcmp(instr, "ENTRYPOINT") == 0) {
		json_t *v = command_value(args, true);
		if (v == NULL)
			return engine_error_set(err, ENOMEM, "out of memory");
		json_object_set_new(config, instr[0] == 'C' ? "Cmd" : "Entrypoint", v);
		return 0;
	}
	if (strcmp(instr, "ENV") == 0) {
		json_t *env = json_object_get(config, "Env");
		if (!json_is_array(env))
			json_object_set_new(config, "Env", env = json_array());
		return key_values(args, NULL, env, instr, err);
	}
	if (strcmp(instr, "LABEL") == 0)
		return key_values(args, object_field(config, "Labels"), NULL, instr, err);
	if (strcmp(instr, "USER") == 0 || strcmp(instr, "WORKDIR") == 0 ||
	    strcmp(instr, "STOPSIGNAL") == 0) {
		const char *key = instr[0] == 'U' ? "User" : instr[0] == 'W' ? "WorkingDir" : "StopSignal";
		if (instr[0] == 'W' && args[0] != '/')
			return engine_error_set(err, EINVAL, "WORKDIR %s: not an absolute path", args);
		json_object_set_new(config, key, json_string(args));
		return 0;
	}
	if (strcmp(instr, "EXPOSE") == 0 || strcmp(instr, "VOLUME") == 0) {
		bool expose = instr[0] == 'E';
		json_t *o = object_field(config, expose ? "ExposedPorts" : "Volumes");
		cleanup_json json_t *list = expose ? NULL : command_value(args, false);
		if (list != NULL && json_array_size(list) == 1 && args[0] != '[')
			list = (json_decref(list), NULL);
		if (list != NULL) {
			size_t i;
			json_t *e;
			json_array_foreach(list, i, e) json_object_set_new(o, json_string_value(e), json_object());
			return 0;
		}
		cleanup_free char *words = strdup(args);
		char *save = NULL;
		for (char *w = strtok_r(words, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
			char port[64];
			if (expose && strspn(w, "0123456789-") == 0)
				return engine_error_set(err, EINVAL, "EXPOSE %s: invalid port", w);
			snprintf(port, sizeof(port), "%s%s", w, expose && !strchr(w, '/') ? "/tcp" : "");
			json_object_set_new(o, expose ? port : w, json_object());
		}
		return 0;
	}
	return engine_error_set(err, EINVAL, "%s is not a Dockerfile instruction import can apply "
				"(CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)",
				instr);
}
