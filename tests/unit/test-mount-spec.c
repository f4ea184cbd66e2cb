/* test-mount-spec.c: the syntax of -v, --mount, --tmpfs and --device
 * (libengine/runtime/mount-spec.c): what is accepted, how it reads, and that every
 * hostile or malformed spec is refused with one line naming the flag. */
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "libengine/runtime/mount-spec.h"
#include "tap.h"
#include "common/cleanup.h"
#include "cmd/setting-flags.h"

static int vol(const char *spec, struct engine_mount *m)
{
	struct engine_error *err = NULL;
	memset(m, 0, sizeof(*m));
	int r = engine_mount_parse_volume(spec, m, &err);
	engine_error_free(&err);
	return r;
}

/* Refused, with a message that names the flag and the spec. */
static void refused(int (*parse)(const char *, struct engine_mount *, struct engine_error **),
		    const char *flag, const char *spec)
{
	struct engine_mount m = { 0 };
	struct engine_error *err = NULL;
	int r = parse(spec, &m, &err);
	char want[512];
	snprintf(want, sizeof(want), "%s %s: ", flag, spec);
	cleanup_free char *msg = err != NULL ? cmd_error_text(err) : NULL;
	ok(r < 0 && msg != NULL && strncmp(msg, want, strlen(want)) == 0 && strchr(msg, '\n') == NULL,
	   "%s '%s' refused (%s)", flag, spec, msg ? msg : "accepted");
	engine_error_free(&err);
	engine_mount_clear(&m);
}

static void test_volume(void)
{
	struct engine_mount m;
	is_int(vol("/host/dir:/data", &m), 0, "bind");
	is_int(m.type, ENGINE_MOUNT_BIND, "bind: type");
	is_str(m.source, "/host/dir", "bind: source");
	is_str(m.target, "/data", "bind: target");
	ok(!m.readonly, "bind: rw by default");
	engine_mount_clear(&m);

	is_int(vol("/h:/a//b/./c/:ro,rshared,z", &m), 0, "bind with options");
	is_str(m.target, "/a/b/c", "target normalised");
	ok(m.readonly, "ro");
	ok(m.relabel, "z accepted");
	is_int(m.propagation, MS_SHARED | MS_REC, "rshared");
	engine_mount_clear(&m);

	is_int(vol("myvol:/data:nocopy,U", &m), 0, "named volume");
	is_int(m.type, ENGINE_MOUNT_VOLUME, "named: type");
	is_str(m.source, "myvol", "named: name");
	ok(m.nocopy && m.chown && !m.anonymous, "nocopy, U");
	engine_mount_clear(&m);

	is_int(vol("/data", &m), 0, "anonymous volume");
	ok(m.type == ENGINE_MOUNT_VOLUME && m.anonymous && m.source == NULL, "anonymous: no name yet");
	engine_mount_clear(&m);

	const char *bad[] = {
		"/h:data",            /* relative target */
		"/h:/a/../b",         /* .. */
		"/h:/..",             /* .. at the root */
		"/h:/",               /* the root itself */
		":/b",                /* empty source */
		"/h:",                /* empty target */
		"/h:/b:",             /* empty options */
		"/h:/b:ro,,rw",       /* empty option */
		"/h:/b:rw,dev,exec,suid", /* injected mount options */
		"/h:/b:exec",
		"/h:/b:size=1",
		"/h:/b:ro:extra",     /* too many colons */
		"a/b:/b",             /* '/' in a volume name */
		"..:/b",              /* .. as a volume name */
		".hidden:/b",
		"-x:/b",
		"vol:/b:rshared",     /* propagation is for binds */
		"/h:/b,exec",         /* a comma in a -v path */
		"/h:/proc",           /* over /proc or into it */
		"/h:/proc/sys/kernel",
		"/h,x:/b",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(engine_mount_parse_volume, "--volume", bad[i]);
}

static void test_mount(void)
{
	struct engine_mount m = { 0 };
	struct engine_error *err = NULL;
	is_int(engine_mount_parse_mount("type=bind,source=/h,target=/t,readonly", &m, &err), 0,
	       "--mount bind");
	ok(m.type == ENGINE_MOUNT_BIND && m.readonly && strcmp(m.source, "/h") == 0 &&
		   strcmp(m.target, "/t") == 0,
	   "bind fields");
	engine_mount_clear(&m);
	is_int(engine_mount_parse_mount("type=volume,src=v1,dst=/d,volume-nocopy,ro=false", &m, &err), 0,
	       "--mount volume");
	ok(m.type == ENGINE_MOUNT_VOLUME && m.nocopy && !m.readonly && strcmp(m.source, "v1") == 0,
	   "volume fields");
	engine_mount_clear(&m);
	is_int(engine_mount_parse_mount("destination=/anon", &m, &err), 0, "type defaults to volume");
	ok(m.type == ENGINE_MOUNT_VOLUME && m.anonymous, "anonymous");
	engine_mount_clear(&m);
	is_int(engine_mount_parse_mount("type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=700", &m, &err), 0,
	       "--mount tmpfs");
	ok(m.tmpfs_size == 64u << 20 && m.tmpfs_mode == 0700, "tmpfs size and mode");
	engine_mount_clear(&m);
	is_int(engine_mount_parse_mount("type=bind,\"source=/a,b\",target=/t,bind-propagation=rslave",
					&m, &err),
	       0, "quoted field");
	is_str(m.source, "/a,b", "quoted source keeps its comma");
	is_int(m.propagation, MS_SLAVE | MS_REC, "bind-propagation");
	engine_mount_clear(&m);
	engine_error_free(&err);

	const char *bad[] = {
		"type=bind,target=/t",              /* no source */
		"type=bind,source=rel,target=/t",   /* relative source */
		"type=bind,source=/h",              /* no target */
		"type=bind,source=/h,target=/a/../b",
		"type=tmpfs,source=/h,target=/t",
		"type=nfs,target=/t",
		"type=volume,source=a/b,target=/t",
		"type=volume,target=/t,bind-propagation=shared",
		"type=bind,source=/h,target=/t,tmpfs-size=1m",
		"type=bind,source=/h,target=/t,options=exec",
		"type=bind,source=/h,target=/t,readonly=maybe",
		"type=bind,source=\"/h,target=/t",
		"type=bind,sou\"rce=/h,target=/t",
		"type",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(engine_mount_parse_mount, "--mount", bad[i]);
}

static void test_tmpfs_device(void)
{
	struct engine_mount m = { 0 };
	struct engine_error *err = NULL;
	is_int(engine_mount_parse_tmpfs("/run", &m, &err), 0, "--tmpfs");
	is_int(m.flags, MS_NOSUID | MS_NODEV | MS_NOEXEC, "Docker's defaults: noexec,nosuid,nodev");
	engine_mount_clear(&m);
	is_int(engine_mount_parse_tmpfs("/t:size=1g,mode=1777,exec,ro", &m, &err), 0, "--tmpfs opts");
	ok(m.tmpfs_size == 1ull << 30 && m.tmpfs_mode == 01777 && !(m.flags & MS_NOEXEC) &&
		   (m.flags & MS_RDONLY) && m.readonly,
	   "size, mode, exec, ro");
	engine_mount_clear(&m);
	const char *bad_tmpfs[] = { "t", "/t:", "/t:size=", "/t:uid=0", "/t:size=1m,,ro", "/t:ro,",
				    "/a/../t", "/t:mode=9" };
	for (size_t i = 0; i < sizeof(bad_tmpfs) / sizeof(bad_tmpfs[0]); i++)
		refused(engine_mount_parse_tmpfs, "--tmpfs", bad_tmpfs[i]);

	is_int(engine_mount_parse_device("/dev/null", &m, &err), 0, "--device HOST");
	ok(strcmp(m.target, "/dev/null") == 0 && strcmp(m.perms, "rwm") == 0, "same path, rwm");
	engine_mount_clear(&m);
	is_int(engine_mount_parse_device("/dev/null:/dev/mynull:r", &m, &err), 0, "--device H:C:P");
	ok(strcmp(m.target, "/dev/mynull") == 0 && m.readonly, "read-only without w");
	engine_mount_clear(&m);
	is_int(engine_mount_parse_device("/dev/null:rw", &m, &err), 0, "--device H:PERMS");
	ok(strcmp(m.target, "/dev/null") == 0 && strcmp(m.perms, "rw") == 0, "perms");
	engine_mount_clear(&m);
	engine_error_free(&err);
	const char *bad_dev[] = { "null", "/dev/null:dev/x", "/dev/null:/x:rwx", "/dev/null:/a/../x",
				  "/dev/null:/x:rr", "/a:/b:r:w" };
	for (size_t i = 0; i < sizeof(bad_dev) / sizeof(bad_dev[0]); i++)
		refused(engine_mount_parse_device, "--device", bad_dev[i]);
}

static void test_list_json_size(void)
{
	struct engine_mount *list = NULL, m;
	size_t n = 0;
	struct engine_error *err = NULL;
	vol("/a:/x", &m);
	is_int(engine_mount_list_add(&list, &n, &m, &err), 0, "first /x");
	vol("v:/x/", &m);
	ok(engine_mount_list_add(&list, &n, &m, &err) < 0 && err &&
		   strstr(err->msg, "Duplicate mount point: /x") != NULL,
	   "duplicate target refused");
	engine_error_free(&err);
	vol("/a:/b:ro,rslave", &m);
	engine_mount_list_add(&list, &n, &m, &err);
	json_t *j = engine_mount_to_json(&list[1]);
	struct engine_mount back = { 0 };
	is_int(engine_mount_from_json(j, &back, &err), 0, "json round trip");
	ok(back.type == ENGINE_MOUNT_BIND && back.readonly && back.propagation == (MS_SLAVE | MS_REC) &&
		   strcmp(back.target, "/b") == 0,
	   "json keeps type, ro, propagation, target");
	json_decref(j);
	engine_mount_clear(&back);
	j = json_pack("{s:s,s:s,s:s}", "Type", "volume", "Source", "../x", "Target", "/d");
	ok(engine_mount_from_json(j, &back, &err) < 0, "a recorded volume name is checked again");
	engine_error_free(&err);
	json_decref(j);
	engine_mount_list_free(list, n);

	struct engine_mount junk = { 0 };
	ok(engine_mount_parse_volume("/h:/a\nb", &junk, &err) < 0 && err &&
		   strchr(err->msg, '\n') == NULL,
	   "a control character is refused, and not echoed");
	engine_error_free(&err);
	ok(engine_mount_parse_volume("/h:/\xff\xfe", &junk, &err) < 0 && err &&
		   strstr(err->msg, "UTF-8") != NULL,
	   "invalid UTF-8 is refused (config.json could not hold it)");
	engine_error_free(&err);
	ok(engine_mount_parse_volume("/h:/caf\xc3\xa9", &junk, &err) == 0 &&
		   strcmp(junk.target, "/caf\xc3\xa9") == 0,
	   "UTF-8 targets are fine");
	engine_mount_clear(&junk);

	uint64_t v = 0;
	ok(engine_size_parse("64m", &v) == 0 && v == 64u << 20, "64m");
	ok(engine_size_parse("1024", &v) == 0 && v == 1024, "bytes");
	ok(engine_size_parse("2GB", &v) == 0 && v == 2ull << 30, "2GB");
	ok(engine_size_parse("1.5g", &v) < 0, "fractions refused");
	ok(engine_size_parse("-1", &v) < 0 && engine_size_parse("", &v) < 0 &&
		   engine_size_parse("99999999999999999999", &v) < 0 &&
		   engine_size_parse("99999999999t", &v) < 0,
	   "negative, empty, overflow refused");
	ok(engine_volume_name_check("a.b_c-1", NULL) == 0, "volume name");
	ok(engine_volume_name_check("a/b", NULL) < 0 && engine_volume_name_check("..", NULL) < 0 &&
		   engine_volume_name_check("", NULL) < 0,
	   "bad volume names");
}

int main(void)
{
	test_volume();
	test_mount();
	test_tmpfs_device();
	test_list_json_size();
	return done_testing();
}
