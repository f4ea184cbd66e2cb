/* fuzz-seccomp-json.c: libFuzzer harness for the seccomp profile parser.
 *
 * Profiles come from users (--security-opt seccomp=FILE) and from images'
 * annotations, so the parser sees untrusted bytes.  Every input that parses
 * is also compiled, because the compiler walks the parsed structure (arch
 * names, argument lists, capability masks) and hands it to libseccomp: a
 * profile the parser accepts but the compiler mishandles is as much a bug.
 * Compiling is for the default capability set, as most containers run. */
#include <stddef.h>
#include <stdint.h>

#include "libengine/runtime/caps.h"
#include "libengine/runtime/seccomp-profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_seccomp_profile *profile = NULL;
	struct engine_error *err = NULL;

	if (engine_seccomp_profile_parse_json((const char *)data, size, &profile, &err) == 0) {
		void *ctx = NULL;
		if (engine_seccomp_compile(profile, engine_caps_default(), &ctx, &err) == 0)
			engine_seccomp_release(ctx);
		engine_seccomp_profile_free(profile);
	}
	engine_error_free(&err);
	return 0;
}
