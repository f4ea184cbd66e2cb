/* volume-options.c: `volume create -o` as Docker's local driver reads it.
 *
 * A volume with options is not its _data directory: type=tmpfs is a fresh
 * tmpfs each time a container mounts it (its content goes with the
 * container, as Docker's does), type=none,o=bind,device=DIR binds the
 * user's own host directory, and another type mounts DEVICE as that file
 * system.  The options are checked at create, stored in the volume's
 * record, and read back by the container's mount setup, so a change of
 * rules never strands a volume that was once accepted.
 *
 * A user namespace may mount tmpfs and bind what its user can open, but
 * no nfs, cifs or block file system (they lack FS_USERNS_MOUNT): rootless
 * refuses those at create, naming the option, instead of at every start. */
#include "libengine/container/volume-options.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/volume.h"

/* The o= words that are mount flags (Docker's mount.ParseOptions); the
 * rest is the file system's own data (size=64m, uid=1000, addr=...). */
static const struct {
	const char *name;
	unsigned long set;
	unsigned long clear;
} mount_flags[] = {
	{ "ro", MS_RDONLY, 0 },          { "rw", 0, MS_RDONLY },
	{ "nosuid", MS_NOSUID, 0 },      { "suid", 0, MS_NOSUID },
	{ "nodev", MS_NODEV, 0 },        { "dev", 0, MS_NODEV },
	{ "noexec", MS_NOEXEC, 0 },      { "exec", 0, MS_NOEXEC },
	{ "sync", MS_SYNCHRONOUS, 0 },   { "async", 0, MS_SYNCHRONOUS },
	{ "noatime", MS_NOATIME, 0 },    { "atime", 0, MS_NOATIME },
	{ "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
	{ "relatime", MS_RELATIME, 0 },  { "norelatime", 0, MS_RELATIME },
	{ "strictatime", MS_STRICTATIME, 0 },
	{ "bind", MS_BIND, 0 },          { "rbind", MS_BIND | MS_REC, 0 },
	{ "defaults", 0, 0 },
};

/* Split O into flags and the comma-joined rest (*RET_DATA, malloc'd). */
static int split_o(const char *o, unsigned long *ret_flags, char **ret_data,
		   struct engine_error **err)
{
	*ret_flags = 0;
	*ret_data = NULL;
	size_t len = o ? strlen(o) : 0;
	cleanup_free char *data = calloc(1, len + 1);
	cleanup_free char *copy = strdup(o ? o : "");
	if (data == NULL || copy == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	char *save = NULL;
	for (char *w = strtok_r(copy, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
		bool flag = false;
		for (size_t i = 0; i < sizeof(mount_flags) / sizeof(mount_flags[0]); i++)
			if (strcmp(w, mount_flags[i].name) == 0) {
				*ret_flags = (*ret_flags | mount_flags[i].set) & ~mount_flags[i].clear;
				flag = true;
			}
		if (flag)
			continue;
		if (*data != '\0')
			strcat(data, ",");
		strcat(data, w);
	}
	*ret_data = steal_pointer(&data);
	return 0;
}

static const char *opt(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int engine_volume_options_parse(char *const *kv, size_t n, bool rootless, json_t **ret,
				struct engine_error **err)
{
	static const char *const keys[] = { "type", "device", "o" };
	cleanup_json json_t *o = json_object();
	if (o == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		if (eq == NULL || eq == kv[i])
			return engine_error_set(err, EINVAL, "invalid option \"%s\": expected KEY=VALUE",
						kv[i]);
		size_t kl = (size_t)(eq - kv[i]);
		const char *key = NULL;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strlen(keys[k]) == kl && strncmp(kv[i], keys[k], kl) == 0)
				key = keys[k];
		if (key == NULL && kl == 4 && strncmp(kv[i], "size", 4) == 0)
			return engine_error_set(err, EINVAL,
						"invalid option \"size\": a size limit needs quota "
						"support, which this driver lacks (type=tmpfs,o=size=N "
						"limits a tmpfs volume)");
		if (key == NULL)
			return engine_error_set(err, EINVAL, "invalid option: \"%.*s\"", (int)kl, kv[i]);
		if (json_object_set_new(o, key, json_string(eq + 1)) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
	}
	/* Docker's mandatory pairs: device and type name each other, o
	 * means nothing without both. */
	static const char *const needs[][3] = {
		{ "device", "type", NULL }, { "type", "device", NULL }, { "o", "device", "type" }
	};
	for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
		for (size_t k = 1; k < 3 && opt(o, needs[i][0]) != NULL && needs[i][k] != NULL; k++)
			if (opt(o, needs[i][k]) == NULL)
				return engine_error_set(err, EINVAL, "missing required option: \"%s\"",
							needs[i][k]);
	const char *type = opt(o, "type");
	if (type != NULL) {
		const char *device = opt(o, "device");
		unsigned long flags;
		cleanup_free char *data = NULL;
		if (*type == '\0' || *device == '\0')
			return engine_error_set(err, EINVAL, "type and device must not be empty");
		if (split_o(opt(o, "o"), &flags, &data, err) < 0)
			return -1;
		bool bind = (flags & MS_BIND) != 0;
		if (strcmp(type, "none") == 0 && !bind)
			return engine_error_set(err, EINVAL,
						"type=none needs o=bind (a bind of the device directory)");
		if (bind && device[0] != '/')
			return engine_error_set(err, EINVAL,
						"device=%s: a bind needs an absolute host path", device);
		if (rootless && !bind && strcmp(type, "tmpfs") != 0)
			return engine_error_set(err, EPERM,
						"type=%s: a rootless engine cannot mount %s (only "
						"type=tmpfs and type=none,o=bind volumes)",
						type, type);
	}
	*ret = steal_pointer(&o);
	return 0;
}

void engine_volume_source_clear(struct engine_volume_source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->fstype);
	free(s->device);
	free(s->data);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

int engine_volume_source_open(const char *store_root, const struct engine_mount *m,
			      struct engine_volume_source *ret, struct engine_error **err)
{
	memset(ret, 0, sizeof(*ret));
	ret->fd = -1;
	if (store_root == NULL || m->source == NULL)
		return engine_error_set(err, EINVAL, "volume for %s has no store", m->target);
	cleanup_close int rootfd = open(store_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return engine_error_errno(err, errno, "open %s", store_root);
	struct storage_volume *v = NULL;
	if (storage_volume_get_at(rootfd, store_root, m->source, &v, err) < 0)
		return engine_error_prefix(err, "volume %s", m->source);
	const char *type = opt(v->options, "type");
	const char *device = opt(v->options, "device");
	int r = 0;
	if (type == NULL || device == NULL) {
		ret->fd = open(v->mountpoint, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (ret->fd < 0)
			r = engine_error_errno(err, errno, "volume %s (%s)", m->source, v->mountpoint);
		storage_volume_free(v);
		return r;
	}
	if (split_o(opt(v->options, "o"), &ret->flags, &ret->data, err) < 0) {
		storage_volume_free(v);
		return -1;
	}
	if (ret->flags & MS_BIND) {
		/* The user's own host path, as -v would bind it: opened once,
		 * and that directory is what gets bound (no second lookup). */
		ret->fd = open(device, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (ret->fd < 0)
			r = engine_error_errno(err, errno, "volume %s: device %s", m->source, device);
	} else {
		ret->fstype = strdup(type);
		ret->device = strdup(device);
		if (ret->fstype == NULL || ret->device == NULL)
			r = engine_error_set(err, ENOMEM, "out of memory");
	}
	storage_volume_free(v);
	if (r < 0)
		engine_volume_source_clear(ret);
	return r;
}

int engine_volume_mount_fs(const struct engine_volume_source *s, const struct engine_mount *m,
			   int fd, struct engine_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	unsigned long flags = s->flags | (m->readonly ? MS_RDONLY : 0);
	if (mount(s->device, path, s->fstype, flags, s->data) < 0)
		return engine_error_errno(err, errno, "mount volume %s (type=%s, device=%s) on %s",
					  m->source, s->fstype, s->device, m->target);
	return 0;
}
