/* names.c: container names (names.h): Docker's
 * rule, the generated "adjective_noun" names, and the store's
 * container-names/NAME files that make a name unique. */
#include "libengine/container/names.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/hex.h"
#include "common/docker-name.h"

/* A short list in Docker's spirit (moby's namesgenerator): enough words
 * for thousands of names; a collision just draws again. */
static const char *const adjectives[] = {
	"admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome",
	"blissful", "bold", "boring", "brave", "busy", "charming", "clever", "cool",
	"compassionate", "competent", "confident", "cranky", "crazy", "dazzling", "determined",
	"distracted", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent",
	"epic", "exciting", "fervent", "festive", "flamboyant", "focused", "friendly", "frosty",
	"funny", "gallant", "gifted", "goofy", "gracious", "great", "happy", "hardcore",
	"heuristic", "hopeful", "hungry", "infallible", "inspiring", "intelligent", "interesting",
	"jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical", "modest",
	"musing", "mystifying", "naughty", "nervous", "nice", "nifty", "nostalgic", "objective",
	"optimistic", "peaceful", "pedantic", "pensive", "practical", "priceless", "quirky",
	"quizzical", "recursing", "relaxed", "reverent", "romantic", "sad", "serene", "sharp",
	"silly", "sleepy", "stoic", "strange", "stupefied", "suspicious", "sweet", "tender",
	"thirsty", "trusting", "unruffled", "upbeat", "vibrant", "vigilant", "vigorous",
	"wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen",
};
static const char *const nouns[] = {
	"agnesi", "albattani", "allen", "almeida", "archimedes", "ardinghelli", "aryabhata",
	"austin", "babbage", "banach", "bardeen", "bartik", "bassi", "bell", "bhabha", "blackwell",
	"bohr", "booth", "borg", "bose", "brahmagupta", "brattain", "brown", "carson", "cerf",
	"chandrasekhar", "chatelet", "clarke", "cohen", "curie", "darwin", "davinci", "diffie",
	"dijkstra", "dirac", "driscoll", "dubinsky", "easley", "edison", "einstein", "elion",
	"engelbart", "euclid", "euler", "faraday", "fermat", "fermi", "feynman", "franklin",
	"galileo", "gates", "goldberg", "goldstine", "goldwasser", "goodall", "hamilton",
	"hawking", "heisenberg", "hermann", "hodgkin", "hopper", "hypatia", "jackson", "jang",
	"jennings", "johnson", "kalam", "kapitsa", "keller", "kepler", "khorana", "kilby",
	"knuth", "kowalevski", "lalande", "lamarr", "lamport", "leakey", "leavitt", "lewin",
	"liskov", "lovelace", "lumiere", "mayer", "mccarthy", "mcclintock", "meitner", "mendel",
	"merkle", "mirzakhani", "moore", "morse", "napier", "nash", "newton", "nobel", "noether",
	"pare", "pascal", "pasteur", "payne", "perlman", "pike", "poincare", "ptolemy", "raman",
	"ride", "ritchie", "robinson", "rosalind", "shannon", "shaw", "shockley", "sinoussi",
	"snyder", "spence", "stonebraker", "swanson", "tesla", "thompson", "torvalds", "turing",
	"villani", "wescoff", "wiles", "williams", "wilson", "wing", "wozniak", "wright", "yalow",
};

void engine_container_name_generate(uint32_t random, char *out, size_t size)
{
	const char *a = adjectives[random % ARRAY_SIZE(adjectives)];
	const char *n = nouns[(random / ARRAY_SIZE(adjectives)) % ARRAY_SIZE(nouns)];
	/* Moby never names a container after Steve Wozniak being boring. */
	if (strcmp(a, "boring") == 0 && strcmp(n, "wozniak") == 0)
		a = "bold";
	snprintf(out, size, "%s_%s", a, n);
}

int engine_container_name_check(const char *name, struct engine_error **err)
{
	/* Docker accepts a leading "/" (its internal spelling) and drops it. */
	if (!engine_docker_name_valid(name[0] == '/' ? name + 1 : name, 253))
		return engine_error_set(err, EINVAL,
					"Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
					name);
	return 0;
}

/* The name comes into being with its owner written: the ID goes into a
 * temp file that is then linked to the name (EEXIST when it is taken), so
 * a create killed at any moment leaves either no name or a whole one.
 * Temp names start with '.', which no container name may. */
int engine_container_name_reserve(struct storage_store *store, const char *name, const char *id,
				  struct engine_error **err)
{
	if (mkdirat(store->rootfd, "container-names", 0700) < 0 && errno != EEXIST)
		return engine_error_errno(err, errno, "create %s/container-names", store->root);
	char rel[300], tmp[128];
	snprintf(rel, sizeof(rel), "container-names/%s", name);
	snprintf(tmp, sizeof(tmp), "container-names/.tmp-%s", id);
	int fd = openat(store->rootfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return engine_error_errno(err, errno, "create %s/%s", store->root, tmp);
	int r = engine_write_all(fd, id, 64);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	if (r == 0 && linkat(store->rootfd, tmp, store->rootfd, rel, 0) < 0)
		r = -errno;
	unlinkat(store->rootfd, tmp, 0);
	if (r == -EEXIST)
		return r;
	if (r < 0)
		return engine_error_errno(err, -r, "write %s/%s", store->root, rel);
	return 0;
}

int engine_container_name_owner(struct storage_store *store, const char *name, char id[65])
{
	char rel[300];
	snprintf(rel, sizeof(rel), "container-names/%s", name);
	cleanup_free char *buf = NULL;
	if (engine_read_file(store->rootfd, rel, ENGINE_RESOLVE_BENEATH | ENGINE_RESOLVE_NO_SYMLINKS, 128,
			     &buf, NULL, NULL) < 0)
		return -1;
	snprintf(id, 65, "%.64s", buf);
	return engine_is_hex(id, 64, 64) ? 0 : -1;
}

/* A name whose container has no config.json, seen under the store lock:
 * its create was killed or failed between the two (create holds the lock
 * from the name to the record), so nobody owns it. */
bool engine_container_name_stale(struct storage_store *store, const char *name)
{
	char owner[65], rel[128];
	/* A name file without a whole owner (one left by a create killed
	 * while it wrote it) names nobody either. */
	if (engine_container_name_owner(store, name, owner) < 0) {
		snprintf(rel, sizeof(rel), "container-names/%s", name);
		return faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	}
	snprintf(rel, sizeof(rel), "containers/%s/config.json", owner);
	return faccessat(store->rootfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}
