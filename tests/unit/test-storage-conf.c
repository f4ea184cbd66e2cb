/* test-storage-conf.c: the storage.conf parser (strict: every mistake is one
 * line naming the file and line), driver names and families, the store's
 * ROOT/driver record, and the vfs chain id. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf-parse.h"
#include "storage/driver.h"
#include "storage/storage-conf.h"
#include "tap.h"
#include "storage/vfs.h"

/* Parse TEXT as f.conf: 0 with *OUT filled, or -1 with MSG set. */
static int parse(const char *text, struct storage_config *out, char *msg, size_t msg_size)
{
	struct engine_error *err = NULL;
	msg[0] = '\0';
	if (storage_config_parse(text, strlen(text), "f.conf", out, &err) < 0) {
		snprintf(msg, msg_size, "%s", err->msg);
		engine_error_free(&err);
		return -1;
	}
	return 0;
}

static void good(const char *text, enum storage_driver want, const char *what)
{
	char msg[512];
	struct storage_config c = { .driver = (enum storage_driver)99 };
	int r = parse(text, &c, msg, sizeof(msg));
	is_int(r == 0 ? (int)c.driver : -1, want, "parses: %s", what);
	if (msg[0])
		printf("#   error: %s\n", msg);
	if (r == 0)
		storage_config_clear(&c);
}

static bool same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* TEXT parses to these locations (NULL: not set). */
static void good_paths(const char *text, const char *root, const char *runroot, const char *what)
{
	char msg[512];
	struct storage_config c;
	int r = parse(text, &c, msg, sizeof(msg));
	ok(r == 0 && same(c.root, root) && same(c.runroot, runroot), "parses: %s", what);
	if (r < 0)
		printf("#   error: %s\n", msg);
	else if (!same(c.root, root) || !same(c.runroot, runroot))
		printf("#   got root %s, runroot %s\n", c.root ? c.root : "(none)",
		       c.runroot ? c.runroot : "(none)");
	if (r == 0)
		storage_config_clear(&c);
}

/* storage_config_parse as conf-parse.h calls it. */
static int parse_only(const char *text, size_t len, struct engine_error **err)
{
	struct storage_config c;
	int r = storage_config_parse(text, len, "f.conf", &c, err);
	if (r == 0)
		storage_config_clear(&c);
	return r;
}

static void bad(const char *text, const char *want_msg, const char *what)
{
	conf_refused(parse_only, text, want_msg, what);
}

static void test_parser(void)
{
	good("", STORAGE_DRIVER_NONE, "empty file");
	good("# nothing\n\n   \n", STORAGE_DRIVER_NONE, "comments and blank lines");
	good("driver = \"overlay\"\n", STORAGE_DRIVER_OVERLAY, "driver = \"overlay\"");
	good("[storage]\ndriver=\"vfs\"", STORAGE_DRIVER_VFS, "[storage] table, no spaces, no newline");
	good("  driver   =\t\"fuse-overlayfs\"  # mine\n", STORAGE_DRIVER_FUSE_OVERLAYFS,
	     "blanks and a trailing comment");
	good("driver = \"vfs\"\r\n", STORAGE_DRIVER_VFS, "CRLF line ending");

	bad("driver = \"zfs\"\n", "f.conf:1: unknown storage driver \"zfs\"", "unknown driver");
	bad("driver = overlay\n", "f.conf:1: the driver must be a quoted string", "unquoted value");
	bad("driver = \"overlay\n", "f.conf:1: the driver must be a quoted string", "unterminated quote");
	bad("driver = \"overlay\"\ndriver = \"vfs\"\n", "f.conf:2: driver is set twice", "set twice");
	bad("# c\n[storage.options]\n", "f.conf:2: unknown table [storage.options]", "another table");
	bad("graphroot = \"/x\"\n", "f.conf:1: expected driver = ", "another key");
	bad("drivers = \"vfs\"\n", "f.conf:1: expected driver = ", "a key that starts like driver");
	bad("driver\n", "f.conf:1: expected driver = ", "no value");
	bad("driver = \"vfs\" extra\n", "f.conf:1: unexpected text after the driver", "trailing text");
	bad("driver = \"\"\n", "unknown storage driver \"\"", "empty name");

	/* Storage locations. */
	good_paths("", NULL, NULL, "no locations");
	good_paths("[storage]\nroot = \"/srv/engine\"\n", "/srv/engine", NULL, "root");
	good_paths("runroot=\"/run/user/7/e\"  # mine\n", NULL, "/run/user/7/e", "runroot, a comment");
	good_paths("root = \"/a b/c\"\nrunroot = \"/r\"\ndriver = \"vfs\"\n", "/a b/c", "/r",
		   "all three keys, a space in a path");
	good("root = \"/x\"\n", STORAGE_DRIVER_NONE, "a root sets no driver");
	bad("root = \"relative/store\"\n",
	    "f.conf:1: root must be an absolute path without escapes (~ is not expanded), got "
	    "\"relative/store\"",
	    "a relative root");
	bad("runroot = \"~/run\"\n", "f.conf:1: runroot must be an absolute path", "~ is not expanded");
	bad("root = \"\"\n", "f.conf:1: root must be an absolute path", "an empty root");
	bad("root = \"/a\\\\b\"\n", "f.conf:1: root must be an absolute path without escapes",
	    "a backslash (TOML would read an escape)");
	bad("root = /srv\n", "f.conf:1: the root must be a quoted string", "an unquoted root");
	bad("root = \"/a\"\nroot = \"/b\"\n", "f.conf:2: root is set twice", "root set twice");
	bad("runroot = \"/a\"\n\nrunroot = \"/a\"\n", "f.conf:3: runroot is set twice",
	    "runroot set twice, even to the same path");
	bad("root = \"/a\" x\n", "f.conf:1: unexpected text after the root", "text after a root");
	bad("roots = \"/a\"\n", "f.conf:1: expected driver = ", "a key that starts like root");
	bad("driver = \"vfs\"\nruntroot = \"/x\"\n", "f.conf:2: expected driver = ", "a typo in runroot");
	bad("graphroot = \"/a\"\n", "root = \"/PATH\" or runroot = \"/PATH\", got: graphroot",
	    "Podman's graphroot names the keys we read");
	bad("root = \"/ok\"\nrunroot = \"rel\"\n", "f.conf:2: runroot must be an absolute path",
	    "a bad line after a good one (nothing leaks)");

	conf_limits(parse_only, "driver = \"vfs\"\n", 0);

	char line[700];
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	bad(line, "f.conf:1: line too long", "a line too long");
}

static void test_files(const char *dir)
{
	char path[512];
	struct engine_error *err = NULL;
	struct storage_config d = { .driver = STORAGE_DRIVER_VFS };
	snprintf(path, sizeof(path), "%s/missing.conf", dir);
	ok(storage_config_load(path, &d, &err) == 0 && d.driver == STORAGE_DRIVER_NONE &&
		   d.root == NULL && d.runroot == NULL,
	   "a missing file sets nothing");
	snprintf(path, sizeof(path), "%s/storage.conf", dir);
	FILE *f = fopen(path, "w");
	fputs("[storage]\ndriver = \"fuse-overlayfs\"\nroot = \"/srv/engine\"\n", f);
	fclose(f);
	ok(storage_config_load(path, &d, &err) == 0 && d.driver == STORAGE_DRIVER_FUSE_OVERLAYFS &&
		   same(d.root, "/srv/engine") && d.runroot == NULL,
	   "a file is read");
	storage_config_clear(&d);
	f = fopen(path, "w");
	fputs("\n\ndriver = 1\n", f);
	fclose(f);
	char want[600];
	snprintf(want, sizeof(want), "%s:3: ", path);
	ok(storage_config_load(path, &d, &err) < 0 && strncmp(err->msg, want, strlen(want)) == 0,
	   "a bad file's error names path and line");
	engine_error_free(&err);

	char *p = NULL;
	if (geteuid() == 0) {
		ok(storage_config_path(&p, &err) == 0 && strcmp(p, "/etc/engine/storage.conf") == 0,
		   "root reads /etc/engine/storage.conf");
	} else {
		setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
		ok(storage_config_path(&p, &err) == 0 && strcmp(p, "/x/cfg/engine/storage.conf") == 0,
		   "a user reads $XDG_CONFIG_HOME/engine/storage.conf");
		free(p);
		setenv("XDG_CONFIG_HOME", "relative", 1);
		setenv("HOME", "/home/u", 1);
		ok(storage_config_path(&p, &err) == 0 &&
			   strcmp(p, "/home/u/.config/engine/storage.conf") == 0,
		   "else ~/.config/engine/storage.conf");
	}
	free(p);
}

static void test_names_and_record(const char *dir)
{
	static const enum storage_driver all[] = { STORAGE_DRIVER_OVERLAY,
						   STORAGE_DRIVER_FUSE_OVERLAYFS, STORAGE_DRIVER_VFS };
	for (size_t i = 0; i < 3; i++)
		is_int(storage_driver_from_name(storage_driver_name(all[i])), all[i], "name round trip: %s",
		       storage_driver_name(all[i]));
	is_int(storage_driver_from_name("Overlay"), STORAGE_DRIVER_NONE, "names are exact");
	is_int(storage_driver_from_name(NULL), STORAGE_DRIVER_NONE, "NULL names none");
	ok(storage_driver_compatible(STORAGE_DRIVER_OVERLAY, STORAGE_DRIVER_FUSE_OVERLAYFS),
	   "overlay and fuse-overlayfs share a store");
	ok(!storage_driver_compatible(STORAGE_DRIVER_VFS, STORAGE_DRIVER_OVERLAY) &&
		   !storage_driver_compatible(STORAGE_DRIVER_FUSE_OVERLAYFS, STORAGE_DRIVER_VFS),
	   "vfs shares with neither");

	struct engine_error *err = NULL;
	enum storage_driver d = STORAGE_DRIVER_VFS, rec = STORAGE_DRIVER_NONE;
	ok(storage_driver_read(dir, &d, &err) == 0 && d == STORAGE_DRIVER_NONE, "no record yet");
	ok(storage_driver_record(dir, STORAGE_DRIVER_FUSE_OVERLAYFS, &rec, &err) == 0 &&
		   rec == STORAGE_DRIVER_FUSE_OVERLAYFS,
	   "the first record is written");
	ok(storage_driver_record(dir, STORAGE_DRIVER_VFS, &rec, &err) == 0 &&
		   rec == STORAGE_DRIVER_FUSE_OVERLAYFS,
	   "a second record never replaces the first");
	char path[512];
	snprintf(path, sizeof(path), "%s/driver", dir);
	FILE *f = fopen(path, "w");
	fputs("btrfs\n", f);
	fclose(f);
	ok(storage_driver_read(dir, &d, &err) < 0 && strstr(err->msg, "btrfs") != NULL,
	   "a record naming no driver is an error");
	engine_error_free(&err);
	unlink(path);
}

static void test_chain_id(void)
{
	char a[80], b[80], out[STORAGE_DIGEST_MAX];
	snprintf(a, sizeof(a), "sha256:%064d", 0);
	memset(a + 7, 'a', 64);
	snprintf(b, sizeof(b), "sha256:%064d", 0);
	memset(b + 7, 'b', 64);
	char *one[] = { a }, *two[] = { a, b };
	ok(storage_vfs_chain_id(one, 1, out) == 0 && strcmp(out, a) == 0,
	   "chain id of one layer is its diff_id");
	ok(storage_vfs_chain_id(two, 2, out) == 0 &&
		   strcmp(out, "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd89e01ff116fd146c") == 0,
	   "chain id of two layers is sha256(\"A B\"), as the OCI spec defines it");
	ok(storage_vfs_chain_id(two, 0, out) < 0, "no layers, no chain id");
}

int main(void)
{
	char dir[] = "/tmp/test-storage-conf-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return 1;
	test_parser();
	test_files(dir);
	test_names_and_record(dir);
	test_chain_id();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
