/* manifest-platform.c: platforms ("linux/arm64/v8"): parsed, normalised,
 * this machine's, and the one picked from an image index.
 *
 * Platform selection follows containerd's default matcher, since that is
 * what Docker, nerdctl and (near enough) Podman do: after normalisation an
 * exact match is preferred, then the platforms this machine can also run. */
#include "storage/manifest-platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "common/cleanup.h"

/* ------------------------------------------------------- platform names */

static void lowercase(char *s)
{
	for (; s && *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

int storage_platform_normalize(struct storage_platform *p)
{
	const char *arch = NULL, *variant = p->variant;
	char vbuf[16];
	lowercase(p->os);
	lowercase(p->architecture);
	lowercase(p->variant);
	if (p->os != NULL && strcmp(p->os, "macos") == 0) {
		free(p->os);
		p->os = strdup("darwin");
		if (p->os == NULL)
			return -ENOMEM;
	}
	const char *a = p->architecture ? p->architecture : "";
	const char *v = p->variant ? p->variant : "";
	if (strcmp(a, "i386") == 0 || strcmp(a, "i486") == 0 || strcmp(a, "i586") == 0 ||
	    strcmp(a, "i686") == 0 || strcmp(a, "386") == 0) {
		arch = "386";
		variant = NULL;
	} else if (strcmp(a, "x86_64") == 0 || strcmp(a, "x86-64") == 0 || strcmp(a, "amd64") == 0) {
		arch = "amd64";
		if (strcmp(v, "v1") == 0 || v[0] == '\0')
			variant = NULL;
	} else if (strcmp(a, "aarch64") == 0 || strcmp(a, "arm64") == 0) {
		arch = "arm64";
		if (v[0] == '\0' || strcmp(v, "8") == 0 || strcmp(v, "v8") == 0 ||
		    strcmp(v, "v8.0") == 0)
			variant = "v8";
	} else if (strcmp(a, "armhf") == 0) {
		arch = "arm";
		variant = "v7";
	} else if (strcmp(a, "armel") == 0) {
		arch = "arm";
		variant = "v6";
	} else if (strcmp(a, "arm") == 0) {
		arch = "arm";
		if (v[0] == '\0')
			variant = "v7";
		else if (v[0] >= '5' && v[0] <= '8' && v[1] == '\0') {
			snprintf(vbuf, sizeof(vbuf), "v%c", v[0]);
			variant = vbuf;
		}
	}
	if (arch != NULL && strcmp(arch, a) != 0) {
		char *n = strdup(arch);
		if (n == NULL)
			return -ENOMEM;
		free(p->architecture);
		p->architecture = n;
	}
	if (variant != p->variant) {
		char *n = NULL;
		if (variant != NULL && (n = strdup(variant)) == NULL)
			return -ENOMEM;
		free(p->variant);
		p->variant = n;
	}
	if (p->variant != NULL && p->variant[0] == '\0') {
		free(p->variant);
		p->variant = NULL;
	}
	return 0;
}

void storage_platform_clear(struct storage_platform *p)
{
	if (p == NULL)
		return;
	free(p->os);
	free(p->architecture);
	free(p->variant);
	free(p->os_version);
	*p = (struct storage_platform){ 0 };
}

int storage_platform_format(const struct storage_platform *p, char **ret)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%s%s%s", p->os ? p->os : "?", p->architecture ? p->architecture : "?",
		     p->variant ? "/" : "", p->variant ? p->variant : "") < 0)
		return -ENOMEM;
	*ret = s;
	return 0;
}

static bool valid_platform_word(const char *s)
{
	if (s == NULL || s[0] == '\0' || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

int storage_platform_parse(const char *s, struct storage_platform *ret,
			   struct engine_error **err)
{
	const char *fmt_hint = "expected OS/ARCH[/VARIANT], e.g. linux/arm64/v8";
	if (s == NULL || strlen(s) > 200)
		return engine_error_set(err, EINVAL, "invalid platform: %s", fmt_hint);
	cleanup_free char *copy = strdup(s);
	if (copy == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	char *parts[4] = { 0 };
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (n == 3)
			return engine_error_set(err, EINVAL, "invalid platform \"%s\": %s", s, fmt_hint);
		parts[n++] = t;
	}
	if (n < 2 || strstr(s, "//") != NULL || s[strlen(s) - 1] == '/')
		return engine_error_set(err, EINVAL, "invalid platform \"%s\": %s", s, fmt_hint);
	for (size_t i = 0; i < n; i++)
		if (!valid_platform_word(parts[i]))
			return engine_error_set(err, EINVAL, "invalid platform \"%s\": bad character",
						s);
	struct storage_platform p = { 0 };
	p.os = strdup(parts[0]);
	p.architecture = strdup(parts[1]);
	p.variant = n == 3 ? strdup(parts[2]) : NULL;
	if (p.os == NULL || p.architecture == NULL || (n == 3 && p.variant == NULL) ||
	    storage_platform_normalize(&p) < 0) {
		storage_platform_clear(&p);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	*ret = p;
	return 0;
}

int storage_platform_host(struct storage_platform *ret, struct engine_error **err)
{
	struct utsname u;
	if (uname(&u) < 0)
		return engine_error_errno(err, errno, "uname");
	/* uname's machine names, as the kernel reports them, to GOARCH names. */
	static const struct {
		const char *machine, *arch, *variant;
	} table[] = {
		{ "x86_64", "amd64", NULL },  { "i386", "386", NULL },	     { "i486", "386", NULL },
		{ "i586", "386", NULL },      { "i686", "386", NULL },	     { "aarch64", "arm64", "v8" },
		{ "arm64", "arm64", "v8" },   { "armv8l", "arm", "v8" },     { "armv7l", "arm", "v7" },
		{ "armv7", "arm", "v7" },     { "armv6l", "arm", "v6" },     { "armv5tel", "arm", "v5" },
		{ "armv5l", "arm", "v5" },    { "ppc64le", "ppc64le", NULL }, { "ppc64", "ppc64", NULL },
		{ "s390x", "s390x", NULL },   { "riscv64", "riscv64", NULL }, { "mips64", "mips64", NULL },
		{ "loongarch64", "loong64", NULL },
	};
	const char *arch = u.machine, *variant = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		if (strcmp(u.machine, table[i].machine) == 0) {
			arch = table[i].arch;
			variant = table[i].variant;
			break;
		}
	}
	struct storage_platform p = { 0 };
	p.os = strdup("linux");
	p.architecture = strdup(arch);
	p.variant = variant ? strdup(variant) : NULL;
	if (p.os == NULL || p.architecture == NULL || (variant && p.variant == NULL)) {
		storage_platform_clear(&p);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	*ret = p;
	return 0;
}

/* ------------------------------------------------------ platform matching */

#define VECTOR_MAX 12

struct wanted {
	const char *arch;
	char variant[16]; /* "" for none */
};

static bool parse_version(const char *variant, int *ret)
{
	if (variant == NULL || variant[0] != 'v' || variant[1] < '1' || variant[1] > '9' ||
	    variant[2] != '\0')
		return false;
	*ret = variant[1] - '0';
	return true;
}

static void add_wanted(struct wanted *v, size_t *n, const char *arch, const char *variant)
{
	if (*n >= VECTOR_MAX)
		return;
	v[*n].arch = arch;
	snprintf(v[*n].variant, sizeof(v[*n].variant), "%s", variant ? variant : "");
	(*n)++;
}

/* The platforms a machine of ARCH/VARIANT runs, best first, as containerd's
 * platformVector lists them. */
static size_t platform_vector(const char *arch, const char *variant, struct wanted *v)
{
	size_t n = 0;
	int version;
	add_wanted(v, &n, arch, variant);
	if (strcmp(arch, "amd64") == 0) {
		if (parse_version(variant, &version))
			for (version--; version >= 1; version--) {
				char b[8];
				snprintf(b, sizeof(b), "v%d", version);
				add_wanted(v, &n, "amd64", version == 1 ? NULL : b);
			}
		add_wanted(v, &n, "386", NULL);
	} else if (strcmp(arch, "arm") == 0 || strcmp(arch, "arm64") == 0) {
		/* arm64 runs 32-bit arm code of the same (or an older) level. */
		if (strcmp(arch, "arm64") == 0)
			add_wanted(v, &n, "arm", variant);
		if (parse_version(variant, &version))
			for (version--; version >= 5; version--) {
				char b[8];
				snprintf(b, sizeof(b), "v%d", version);
				add_wanted(v, &n, "arm", b);
			}
	}
	return n;
}

static bool is_manifest_media_type(const char *mt)
{
	return storage_manifest_kind_from_media_type(mt) != STORAGE_KIND_UNKNOWN;
}

int storage_index_select(const struct storage_index *index, const char *os, const char *arch,
			 const char *variant, const struct storage_descriptor **ret,
			 struct engine_error **err)
{
	struct storage_platform want = { 0 };
	want.os = strdup(os ? os : "linux");
	want.architecture = strdup(arch ? arch : "");
	want.variant = variant && variant[0] ? strdup(variant) : NULL;
	if (want.os == NULL || want.architecture == NULL || (variant && variant[0] && !want.variant) ||
	    storage_platform_normalize(&want) < 0) {
		storage_platform_clear(&want);
		return engine_error_set(err, ENOMEM, "out of memory");
	}
	struct wanted vec[VECTOR_MAX];
	size_t nvec = platform_vector(want.architecture, want.variant, vec);

	size_t best = index->n_manifests, best_rank = VECTOR_MAX + 1;
	for (size_t i = 0; i < index->n_manifests; i++) {
		const struct storage_descriptor *d = &index->manifests[i];
		size_t rank = VECTOR_MAX + 1;
		if (!d->has_platform) {
			/* containerd takes platform-less entries, after all others. */
			if (is_manifest_media_type(d->media_type))
				rank = VECTOR_MAX;
		} else if (d->platform.os != NULL && strcmp(d->platform.os, want.os) == 0) {
			const char *dv = d->platform.variant ? d->platform.variant : "";
			for (size_t k = 0; k < nvec; k++) {
				if (strcmp(d->platform.architecture, vec[k].arch) == 0 &&
				    strcmp(dv, vec[k].variant) == 0) {
					rank = k;
					break;
				}
			}
		}
		if (rank < best_rank) {
			best_rank = rank;
			best = i;
		}
	}
	if (best < index->n_manifests) {
		storage_platform_clear(&want);
		*ret = &index->manifests[best];
		return 0;
	}

	/* None fits: say what there is, so the user can pass --platform. */
	cleanup_free char *wanted_s = NULL;
	if (storage_platform_format(&want, &wanted_s) < 0)
		wanted_s = NULL;
	storage_platform_clear(&want);
	size_t cap = 1024, used = 0;
	cleanup_free char *list = calloc(1, cap);
	if (list == NULL)
		return engine_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < index->n_manifests && used + 64 < cap; i++) {
		cleanup_free char *p = NULL;
		const struct storage_descriptor *d = &index->manifests[i];
		if (d->has_platform && storage_platform_format(&d->platform, &p) < 0)
			return engine_error_set(err, ENOMEM, "out of memory");
		int w = snprintf(list + used, cap - used, "%s%.60s", used ? ", " : "",
				 p ? p : "(no platform)");
		if (w > 0)
			used += (size_t)w < cap - used ? (size_t)w : cap - used - 1;
	}
	return engine_error_set(err, ENOENT, "no image for %s in the index (available: %s)",
				wanted_s ? wanted_s : "this platform",
				used ? list : "none");
}

