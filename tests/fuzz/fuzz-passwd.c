/* fuzz-passwd.c: libFuzzer harness for the passwd/group parsers.  The input
 * is split at the first NUL into a passwd part and a group part; the user
 * spec tried against them comes from the first line. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "libengine/runtime/passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	const char *nul = memchr(buf, '\0', size);
	size_t plen = nul ? (size_t)(nul - buf) : size;
	const char *group = nul ? nul + 1 : NULL;
	size_t glen = nul ? size - plen - 1 : 0;

	char spec[64] = "root";
	const char *nl = memchr(buf, '\n', plen);
	size_t sl = nl ? (size_t)(nl - buf) : plen;
	if (sl > 0 && sl < sizeof(spec)) {
		memcpy(spec, buf, sl);
		spec[sl] = '\0';
	}
	struct engine_passwd_entry pw;
	engine_passwd_lookup(buf, plen, spec, 0, &pw);
	engine_passwd_lookup(buf, plen, NULL, 1000, &pw);
	gid_t gid;
	char name[32];
	if (group != NULL) {
		engine_group_lookup(group, glen, spec, 0, &gid, name, sizeof(name));
		engine_group_lookup(group, glen, NULL, 1000, &gid, name, sizeof(name));
	}
	struct engine_creds creds;
	struct engine_error *err = NULL;
	engine_creds_resolve(spec, buf, plen, group, glen, &creds, &err);
	engine_error_free(&err);
	return 0;
}
