/* test-passwd.c: --user resolution against an image's passwd and group. */
#include <errno.h>
#include <string.h>

#include "libengine/runtime/passwd.h"
#include "tap.h"

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/sh\n"
	"# a comment\n"
	"broken line without fields\n"
	"bad:x:notanumber:1::/:/bin/sh\n"
	"tester:x:1000:1000:Test:/home/tester:/bin/sh\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
	"nohome:x:1200:1200::"; /* last line without newline, empty home */

static const char group[] =
	"root:x:0:\n"
	"tester:x:1000:\n"
	"extra:x:2000:root,tester\n"
	"spaced:x:2001: tester , other\n"
	"other:x:3000:nottester\n"
	"nogroup:x:65534:\n";

int main(void)
{
	struct engine_passwd_entry pw;
	ok(engine_passwd_lookup(passwd, strlen(passwd), "tester", 0, &pw) == 1, "find by name");
	is_int(pw.uid, 1000, "uid");
	is_int(pw.gid, 1000, "gid");
	is_str(pw.home, "/home/tester", "home");
	ok(engine_passwd_lookup(passwd, strlen(passwd), NULL, 65534, &pw) == 1, "find by uid");
	is_str(pw.name, "nobody", "name by uid");
	ok(engine_passwd_lookup(passwd, strlen(passwd), "bad", 0, &pw) == 0, "malformed uid skipped");
	ok(engine_passwd_lookup(passwd, strlen(passwd), "broken line without fields", 0, &pw) == 0,
	   "short line skipped");
	ok(engine_passwd_lookup(passwd, strlen(passwd), "nohome", 0, &pw) == 1,
	   "last line without newline");
	ok(engine_passwd_lookup(passwd, 10, "tester", 0, &pw) == 0, "length is respected");

	gid_t gid;
	char name[64];
	ok(engine_group_lookup(group, strlen(group), "extra", 0, &gid, name, sizeof(name)) == 1 &&
		   gid == 2000,
	   "group by name");
	ok(engine_group_lookup(group, strlen(group), NULL, 65534, &gid, name, sizeof(name)) == 1,
	   "group by gid");
	is_str(name, "nogroup", "group name by gid");

	struct engine_creds c;
	struct engine_error *err = NULL;
	ok(engine_creds_resolve("tester", passwd, strlen(passwd), group, strlen(group), &c, &err) == 0,
	   "resolve a name");
	ok(c.uid == 1000 && c.gid == 1000, "name gives uid and primary gid");
	is_str(c.home, "/home/tester", "and HOME");
	is_int(c.n_groups, 3, "primary gid plus two member groups");
	ok(c.groups[0] == 1000 && c.groups[1] == 2000 && c.groups[2] == 2001,
	   "groups: primary first, then membership (whitespace trimmed)");

	ok(engine_creds_resolve("1000:2000", passwd, strlen(passwd), group, strlen(group), &c, &err) ==
		   0 && c.uid == 1000 && c.gid == 2000 && c.n_groups == 1,
	   "explicit uid:gid gives exactly that group");
	ok(engine_creds_resolve("4242", passwd, strlen(passwd), group, strlen(group), &c, &err) == 0 &&
		   c.uid == 4242 && c.gid == 0,
	   "an unknown numeric uid is allowed, gid 0");
	is_str(c.home, "/", "with HOME=/");
	ok(engine_creds_resolve("tester:extra", passwd, strlen(passwd), group, strlen(group), &c,
				&err) == 0 && c.gid == 2000,
	   "name:groupname");
	ok(engine_creds_resolve(NULL, passwd, strlen(passwd), group, strlen(group), &c, &err) == 0 &&
		   c.uid == 0 && strcmp(c.home, "/root") == 0,
	   "no --user is root with root's home");

	ok(engine_creds_resolve("ghost", passwd, strlen(passwd), group, strlen(group), &c, &err) < 0,
	   "an unknown name fails");
	ok(err && strstr(err->msg, "unable to find user ghost") != NULL, "naming the user");
	engine_error_free(&err);
	ok(engine_creds_resolve("tester:ghosts", passwd, strlen(passwd), group, strlen(group), &c,
				&err) < 0 &&
		   strstr(err->msg, "unable to find group ghosts") != NULL,
	   "an unknown group fails, naming it");
	engine_error_free(&err);
	ok(engine_creds_resolve("tester", NULL, 0, NULL, 0, &c, &err) < 0,
	   "a name without a passwd file fails");
	engine_error_free(&err);
	ok(engine_creds_resolve("99999999999", passwd, strlen(passwd), NULL, 0, &c, &err) < 0,
	   "an id over 32 bits fails");
	engine_error_free(&err);

	/* Group add: names from the image's group file or gids, appended
	 * once each and counted as required. */
	char *added[] = { "nogroup", "4242", "extra" };
	ok(engine_creds_resolve("tester", passwd, strlen(passwd), group, strlen(group), &c, &err) == 0 &&
		   engine_creds_add_groups_from(group, strlen(group), added, 3, &c, &err) == 0,
	   "group add by name and gid");
	is_int((long long)c.n_groups, 5, "primary, extra, spaced, then nogroup and 4242");
	is_int((long long)c.n_required, 2, "the groups it added are required");
	ok(c.groups[3] == 65534 && c.groups[4] == 4242, "added groups in order");
	ok(!c.keep_groups, "no keep-groups");
	char *ghost[] = { "ghosts" };
	ok(engine_creds_add_groups_from(group, strlen(group), ghost, 1, &c, &err) < 0 &&
		   strstr(err->msg, "Unable to find group ghosts") != NULL,
	   "an unknown group is an error naming it");
	engine_error_free(&err);
	ok(engine_creds_add_groups_from(NULL, 0, ghost, 1, &c, &err) < 0,
	   "a name without a group file is unknown");
	engine_error_free(&err);
	char *keep[] = { "keep-groups" };
	ok(engine_creds_resolve(NULL, passwd, strlen(passwd), group, strlen(group), &c, &err) == 0 &&
		   engine_creds_add_groups_from(NULL, 0, keep, 1, &c, &err) == 0 && c.keep_groups &&
		   c.n_required == 0,
	   "keep-groups alone");
	char *keep_and[] = { "keep-groups", "5" };
	ok(engine_creds_add_groups_from(NULL, 0, keep_and, 2, &c, &err) < 0,
	   "keep-groups with another group fails");
	engine_error_free(&err);
	char *too_big[] = { "99999999999" };
	ok(engine_creds_add_groups_from(NULL, 0, too_big, 1, &c, &err) < 0,
	   "a gid over 32 bits fails");
	engine_error_free(&err);
	return done_testing();
}
