/* idmap.h: the user namespace's id mappings, and the one place that decides
 * privilege (real root, subordinate ranges, or a single id). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

/* The kernel accepts at most 340 lines in uid_map since 4.15. */
#define ENGINE_IDMAP_MAX 340

enum engine_idmap_mode {
	ENGINE_IDMAP_ROOT,   /* real root: no user namespace, ids as on the host */
	ENGINE_IDMAP_SUBID,  /* 0 = the user, 1..N = /etc/subuid ranges via newuidmap */
	ENGINE_IDMAP_SINGLE, /* 0 = the user only, written directly (setgroups deny) */
};

struct engine_idmap_range {
	uint32_t container; /* first id inside */
	uint32_t host;      /* first id outside */
	uint32_t count;
};

struct engine_id_range {
	unsigned long start;
	unsigned long count;
};

struct engine_idmap {
	enum engine_idmap_mode mode;
	uid_t uid;
	gid_t gid;
	struct engine_idmap_range uids[ENGINE_IDMAP_MAX];
	struct engine_idmap_range gids[ENGINE_IDMAP_MAX];
	size_t n_uids, n_gids;
	char newuidmap[64], newgidmap[64]; /* helper paths (SUBID mode) */
	char warning[512]; /* a fallback the CLI must report in one line, or "" */
};

/* Pure: build one direction's mapping.  The first line maps container id 0 to
 * `own`; the ranges follow from container id 1 in the order given.  Ranges
 * containing `own`, empty ones and ones that would overflow 32 bits are cut.
 * Returns the number of lines: 0 only when `own` is the invalid id -1. */
size_t engine_idmap_compute(uint32_t own, const struct engine_id_range *ranges, size_t n_ranges,
			    struct engine_idmap_range *out, size_t max_out);

/* Decide the mapping for the calling user (reads /etc/subuid through
 * libsubid and looks for newuidmap/newgidmap). */
int engine_idmap_detect(struct engine_idmap *map, struct engine_error **err);

/* Write the mapping for process PID (a child in a new user namespace):
 * newuidmap and newgidmap run in parallel in SUBID mode. */
int engine_idmap_apply(const struct engine_idmap *map, pid_t pid, struct engine_error **err);

/* Format a mapping as uid_map text ("0 1001 1\n1 100000 65536\n"). */
int engine_idmap_format(const struct engine_idmap_range *r, size_t n, char *buf, size_t size);

/* Total ids mapped in one direction (container ids 0..total-1 are usable). */
uint64_t engine_idmap_total(const struct engine_idmap_range *r, size_t n);

/* --userns=keep-id: the user's own uid and gid keep their numbers inside
 * (U maps to U); with subordinate ranges they fill container ids 0..U-1 and
 * U+1.. in order, as Podman's keep-id.  Rootless only (-EINVAL as root). */
int engine_idmap_keep_id(struct engine_idmap *map, struct engine_error **err);
/* Pure: the keep-id lines for one direction, from a default mapping's
 * lines (0 = own, then the subordinate ranges).  Returns the line count. */
size_t engine_idmap_keep_id_compute(uint32_t own, const struct engine_idmap_range *in, size_t n_in,
				    struct engine_idmap_range *out, size_t max_out);
/* One past the highest container id mapped (the ids below it are usable
 * when the mapping has no holes, as every mapping we make but a
 * single-id keep-id has). */
uint64_t engine_idmap_span(const struct engine_idmap_range *r, size_t n);
/* --userns=auto: container ids 0..SIZE-1 onto the default mapping's ids
 * START..START+SIZE-1 (its subordinate ones), and nothing else. */
int engine_idmap_auto(struct engine_idmap *map, uint32_t start, uint32_t size,
		      struct engine_error **err);
/* Pure: how the ids of one namespace read in another.  A and B map their
 * container ids onto the same host ids; the lines out say which container
 * id of B each container id of A is (.container = A's id, .host = B's id),
 * wherever both map the host id.  Sorted by A's ids; at most MAX_OUT lines
 * (the count is returned).  --userns=keep-id reads the store's layers,
 * made under the default mapping, through this. */
size_t engine_idmap_compose(const struct engine_idmap_range *a, size_t n_a,
			    const struct engine_idmap_range *b, size_t n_b,
			    struct engine_idmap_range *out, size_t max_out);
/* Whether container id ID is mapped. */
bool engine_idmap_contains(const struct engine_idmap_range *r, size_t n, uint32_t id);
