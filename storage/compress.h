/* compress.h: layer tarballs between their stored form (a gzip blob, as a
 * registry serves it) and their uncompressed form (what a docker-archive
 * carries and what a diff_id names).
 *
 * `save` needs the uncompressed tar back from a stored blob, byte for byte,
 * so that it hashes to the diff_id; `load` of a docker-archive and `import`
 * need a gzip blob (and its digest) for the manifest they write.  Both go
 * through libarchive's raw reader, which undoes whatever compression the
 * input has (gzip, zstd, xz, bzip2, or none), so an import of a .tar.xz or a
 * docker-archive whose layer.tar is itself compressed works too. */
#pragma once

#include <stdint.h>

#include "storage/digest.h"
#include "common/error.h"

/* Receives the uncompressed bytes in order; 0 to go on, negative to stop. */
typedef int (*storage_data_sink)(void *userdata, const void *buf, size_t len);

/* Read IN_FD to its end, undo its compression, and feed the bytes to SINK.
 * Fills RET_DIFF_ID with "sha256:..." of those bytes and *RET_SIZE with
 * their count.  More than MAX_BYTES (0 = 64 GiB) is an error (gzip bombs). */
int storage_decompress(int in_fd, uint64_t max_bytes, storage_data_sink sink, void *userdata,
		       char ret_diff_id[STORAGE_DIGEST_MAX], uint64_t *ret_size,
		       struct engine_error **err);

/* Read IN_FD (compressed or not, as above) and write it gzip-compressed to
 * OUT_FD.  RET_DIFF_ID: the digest of the uncompressed bytes;
 * RET_DIGEST: the digest of what was written; sizes likewise.  The gzip
 * header carries no timestamp or name, so the same input gives the same
 * blob. */
int storage_gzip(int in_fd, int out_fd, uint64_t max_bytes, char ret_diff_id[STORAGE_DIGEST_MAX],
		 uint64_t *ret_size, char ret_digest[STORAGE_DIGEST_MAX], uint64_t *ret_compressed_size,
		 struct engine_error **err);
