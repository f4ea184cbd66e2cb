/* test-idmap.c: the id-map computation that decides what uid 1000 in the
 * container is on the host. */
#include <stdint.h>
#include <string.h>

#include "libengine/userns/idmap.h"
#include "tap.h"

int main(void)
{
	struct engine_idmap_range out[ENGINE_IDMAP_MAX];
	struct engine_id_range one = { 100000, 65536 };
	size_t n = engine_idmap_compute(1001, &one, 1, out, ENGINE_IDMAP_MAX);
	is_int(n, 2, "one subuid range gives two lines");
	is_int(out[0].container, 0, "container 0 ...");
	is_int(out[0].host, 1001, "... is the user");
	is_int(out[0].count, 1, "... alone");
	is_int(out[1].container, 1, "container 1 ...");
	is_int(out[1].host, 100000, "... is the first subuid");
	is_int(out[1].count, 65536, "... for the whole range");
	/* uid 1000 inside = 100000 + 999 outside: the acceptance test's rule. */
	is_int(out[1].host + (1000 - out[1].container), 100999, "uid 1000 maps to start+999");

	char buf[256];
	engine_idmap_format(out, n, buf, sizeof(buf));
	is_str(buf, "0 1001 1\n1 100000 65536\n", "formatted as uid_map text");
	is_int(engine_idmap_total(out, n), 65537, "total ids mapped");

	struct engine_id_range two[] = { { 100000, 10 }, { 200000, 5 } };
	n = engine_idmap_compute(1001, two, 2, out, ENGINE_IDMAP_MAX);
	is_int(n, 3, "two ranges give three lines");
	is_int(out[2].container, 11, "the second range continues after the first");
	is_int(out[2].host, 200000, "second range start");

	/* A range that contains the user's own uid must not map it twice. */
	struct engine_id_range overlap = { 1000, 10 };
	n = engine_idmap_compute(1005, &overlap, 1, out, ENGINE_IDMAP_MAX);
	is_int(n, 3, "a range containing the user is split around it");
	is_int(out[1].host, 1000, "part before");
	is_int(out[1].count, 5, "part before has 5 ids");
	is_int(out[2].host, 1006, "part after starts after the user");
	is_int(out[2].count, 4, "part after has 4 ids");
	is_int(out[2].container, 6, "container ids stay contiguous");

	struct engine_id_range empty[] = { { 100000, 0 }, { UINT32_MAX, 10 } };
	n = engine_idmap_compute(1001, empty, 2, out, ENGINE_IDMAP_MAX);
	is_int(n, 1, "empty and out-of-range ranges are dropped");

	struct engine_id_range huge = { 10, UINT32_MAX };
	n = engine_idmap_compute(1, &huge, 1, out, ENGINE_IDMAP_MAX);
	ok(n == 2 && (uint64_t)out[1].container + out[1].count <= UINT32_MAX,
	   "a huge range is clipped to 32 bits");

	struct engine_id_range many[400];
	for (int i = 0; i < 400; i++)
		many[i] = (struct engine_id_range){ 100000 + (unsigned long)i * 100, 10 };
	n = engine_idmap_compute(1001, many, 400, out, ENGINE_IDMAP_MAX);
	is_int(n, ENGINE_IDMAP_MAX, "no more lines than the kernel accepts");

	is_int(engine_idmap_compute(UINT32_MAX, &one, 1, out, ENGINE_IDMAP_MAX), 0,
	       "uid -1 is never mapped (found by fuzz-idmap)");
	is_int(engine_idmap_format(out, n, buf, 16), -28, "format reports a short buffer (ENOSPC)");

	/* --userns=keep-id: the user keeps its number, the subordinate ids
	 * fill the rest in order around it. */
	struct engine_idmap_range def[ENGINE_IDMAP_MAX], kid[ENGINE_IDMAP_MAX];
	size_t nd = engine_idmap_compute(1001, &one, 1, def, ENGINE_IDMAP_MAX);
	n = engine_idmap_keep_id_compute(1001, def, nd, kid, ENGINE_IDMAP_MAX);
	engine_idmap_format(kid, n, buf, sizeof(buf));
	is_str(buf, "1001 1001 1\n0 100000 1001\n1002 101001 64535\n", "keep-id lines");
	is_int(engine_idmap_total(kid, n), 65537, "keep-id maps as many ids as the default");
	is_int(engine_idmap_span(kid, n), 65537, "keep-id ids are contiguous from 0");
	ok(engine_idmap_contains(kid, n, 5) && engine_idmap_contains(kid, n, 1001) &&
		   !engine_idmap_contains(kid, n, 65537),
	   "contains: inside and past the end");
	n = engine_idmap_keep_id_compute(1001, def, nd, kid, 2);
	is_int(n, 2, "keep-id stays within max_out");
	/* Two ranges, the user's id falling in the second. */
	nd = engine_idmap_compute(15, two, 2, def, ENGINE_IDMAP_MAX);
	n = engine_idmap_keep_id_compute(15, def, nd, kid, ENGINE_IDMAP_MAX);
	engine_idmap_format(kid, n, buf, sizeof(buf));
	is_str(buf, "15 15 1\n0 100000 10\n10 200000 5\n", "keep-id across two ranges");
	nd = engine_idmap_compute(12, two, 2, def, ENGINE_IDMAP_MAX);
	n = engine_idmap_keep_id_compute(12, def, nd, kid, ENGINE_IDMAP_MAX);
	engine_idmap_format(kid, n, buf, sizeof(buf));
	is_str(buf, "12 12 1\n0 100000 10\n10 200000 2\n13 200002 3\n",
	       "keep-id splits a range around the user's id");
	is_int(engine_idmap_keep_id_compute(UINT32_MAX, def, nd, kid, ENGINE_IDMAP_MAX), 0,
	       "keep-id of uid -1 maps nothing");

	/* keep-id reads the default mapping's files: image uid 0 (the user
	 * on the host) is the user's uid in keep-id's namespace, image uids
	 * 1..1001 its 0..1000, and the rest the same number. */
	struct engine_idmap_range both[ENGINE_IDMAP_MAX];
	nd = engine_idmap_compute(1001, &one, 1, def, ENGINE_IDMAP_MAX);
	n = engine_idmap_keep_id_compute(1001, def, nd, kid, ENGINE_IDMAP_MAX);
	size_t nb = engine_idmap_compose(def, nd, kid, n, both, ENGINE_IDMAP_MAX);
	engine_idmap_format(both, nb, buf, sizeof(buf));
	is_str(buf, "0 1001 1\n1 0 1001\n1002 1002 64535\n", "compose: default read under keep-id");
	/* And the other way: where an image id must be stored for keep-id's
	 * namespace to see it unchanged. */
	nb = engine_idmap_compose(kid, n, def, nd, both, ENGINE_IDMAP_MAX);
	engine_idmap_format(both, nb, buf, sizeof(buf));
	is_str(buf, "0 1 1001\n1001 0 1\n1002 1002 64535\n", "compose: keep-id stored under default");
	is_int(engine_idmap_compose(kid, n, def, nd, both, 2), 2, "compose stays within max_out");
	struct engine_idmap_range disjoint = { 0, 5, 3 };
	is_int(engine_idmap_compose(&disjoint, 1, def, nd, both, ENGINE_IDMAP_MAX), 0,
	       "compose: no common host ids, no lines");

	/* --userns=auto: a slice of the default mapping's ids, from 0. */
	struct engine_idmap m;
	memset(&m, 0, sizeof(m));
	m.mode = ENGINE_IDMAP_SUBID;
	m.n_uids = engine_idmap_compute(1001, &one, 1, m.uids, ENGINE_IDMAP_MAX);
	m.n_gids = engine_idmap_compute(1001, &one, 1, m.gids, ENGINE_IDMAP_MAX);
	struct engine_error *err = NULL;
	ok(engine_idmap_auto(&m, 1025, 1024, &err) == 0, "auto slice");
	engine_idmap_format(m.uids, m.n_uids, buf, sizeof(buf));
	is_str(buf, "0 101024 1024\n", "auto: container 0 is the slice's first subuid");
	m.n_uids = engine_idmap_compute(1001, two, 2, m.uids, ENGINE_IDMAP_MAX);
	m.n_gids = engine_idmap_compute(1001, two, 2, m.gids, ENGINE_IDMAP_MAX);
	ok(engine_idmap_auto(&m, 5, 10, &err) == 0, "auto slice across two ranges");
	engine_idmap_format(m.uids, m.n_uids, buf, sizeof(buf));
	is_str(buf, "0 100004 6\n6 200000 4\n", "auto: split where the ranges are");
	ok(engine_idmap_auto(&m, 10, 100, &err) < 0, "auto: a slice past the subordinate ids");
	engine_error_free(&err);
	ok(engine_idmap_auto(&m, 0, 2, &err) < 0, "auto: never the user's own id");
	engine_error_free(&err);
	return done_testing();
}
