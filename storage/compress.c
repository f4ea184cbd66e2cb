/* compress.c: decompressing stored layer blobs and gzip-compressing layer
 * tarballs, both with libarchive (already our tar reader), so no second
 * compression library is linked.
 *
 * Reading uses the "raw" format: libarchive detects and undoes the outer
 * compression and hands back the bytes as they are, without parsing them as
 * a tar (the unpacker does that, with its own checks).  Writing uses the raw
 * format again with the gzip filter, without a timestamp, and without the
 * block padding libarchive adds by default (padding would end up inside the
 * blob and change its digest). */
#include "storage/compress.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "storage/unpack.h"

#define READ_BLOCK (64u << 10)

static struct archive *raw_reader(int in_fd, struct engine_error **err)
{
	struct archive *a = archive_read_new();
	if (a == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	/* The filters the unpacker takes, plus what `docker import` takes. */
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    archive_read_support_filter_xz(a) != ARCHIVE_OK ||
	    archive_read_support_filter_bzip2(a) != ARCHIVE_OK ||
	    archive_read_support_format_raw(a) != ARCHIVE_OK ||
	    archive_read_open_fd(a, in_fd, READ_BLOCK) != ARCHIVE_OK) {
		engine_error_set(err, EINVAL, "%s",
				 archive_error_string(a) ? archive_error_string(a) : "cannot read the input");
		archive_read_free(a);
		return NULL;
	}
	struct archive_entry *e;
	int r = archive_read_next_header(a, &e);
	if (r != ARCHIVE_OK) {
		/* The raw format bids on anything but empty input. */
		engine_error_set(err, EINVAL, "%s",
				 r == ARCHIVE_EOF || archive_error_string(a) == NULL
					 ? "empty input: not a tar archive"
					 : archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

int storage_decompress(int in_fd, uint64_t max_bytes, storage_data_sink sink, void *userdata,
		       char ret_diff_id[STORAGE_DIGEST_MAX], uint64_t *ret_size,
		       struct engine_error **err)
{
	if (max_bytes == 0)
		max_bytes = STORAGE_UNPACK_DEFAULT_MAX_BYTES;
	struct archive *a = raw_reader(in_fd, err);
	if (a == NULL)
		return -1;
	struct storage_hasher *h = storage_hasher_new("sha256");
	cleanup_free char *buf = malloc(READ_BLOCK);
	int rc = -1;
	uint64_t total = 0;
	if (h == NULL || buf == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, READ_BLOCK);
		if (n < 0) {
			engine_error_set(err, EIO, "%s",
					 archive_error_string(a) ? archive_error_string(a) : "read error");
			goto out;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		if (total > max_bytes) {
			engine_error_set(err, EFBIG, "more than %llu bytes uncompressed",
					 (unsigned long long)max_bytes);
			goto out;
		}
		if (storage_hasher_update(h, buf, (size_t)n) < 0) {
			engine_error_set(err, EIO, "hashing failed");
			goto out;
		}
		int r = sink(userdata, buf, (size_t)n);
		if (r < 0) {
			if (r < -1)
				engine_error_errno(err, -r, "write");
			else
				engine_error_set(err, EIO, "write failed");
			goto out;
		}
	}
	if (storage_hasher_final(h, ret_diff_id) < 0) {
		engine_error_set(err, EIO, "hashing failed");
		goto out;
	}
	if (ret_size != NULL)
		*ret_size = total;
	rc = 0;
out:
	storage_hasher_free(h);
	archive_read_free(a);
	return rc;
}

struct gzip_out {
	int fd;
	struct storage_hasher *hasher;
	uint64_t written;
	int error; /* errno of a failed write */
};

static la_ssize_t gzip_write(struct archive *a, void *data, const void *buf, size_t len)
{
	struct gzip_out *o = data;
	if (storage_hasher_update(o->hasher, buf, len) < 0) {
		o->error = EIO;
		return -1;
	}
	const char *p = buf;
	size_t left = len;
	while (left > 0) {
		ssize_t w = write(o->fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->error = errno;
			return -1;
		}
		p += w;
		left -= (size_t)w;
	}
	o->written += len;
	return (la_ssize_t)len;
}

struct gzip_in {
	struct archive *w;
};

static int gzip_sink(void *userdata, const void *buf, size_t len)
{
	struct gzip_in *in = userdata;
	la_ssize_t n = archive_write_data(in->w, buf, len);
	return n < 0 || (size_t)n != len ? -1 : 0;
}

int storage_gzip(int in_fd, int out_fd, uint64_t max_bytes, char ret_diff_id[STORAGE_DIGEST_MAX],
		 uint64_t *ret_size, char ret_digest[STORAGE_DIGEST_MAX], uint64_t *ret_compressed_size,
		 struct engine_error **err)
{
	struct gzip_out o = { .fd = out_fd, .hasher = storage_hasher_new("sha256") };
	struct archive *w = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	int rc = -1;
	if (o.hasher == NULL || w == NULL || e == NULL) {
		engine_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	archive_entry_set_pathname(e, "layer");
	archive_entry_set_filetype(e, AE_IFREG);
	if (archive_write_add_filter_gzip(w) != ARCHIVE_OK ||
	    archive_write_set_filter_option(w, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_set_format_raw(w) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w, 1) != ARCHIVE_OK ||
	    archive_write_open(w, &o, NULL, gzip_write, NULL) != ARCHIVE_OK ||
	    archive_write_header(w, e) != ARCHIVE_OK) {
		engine_error_set(err, EIO, "gzip: %s",
				 archive_error_string(w) ? archive_error_string(w) : "cannot start");
		goto out;
	}
	struct gzip_in in = { .w = w };
	struct engine_error *derr = NULL;
	if (storage_decompress(in_fd, max_bytes, gzip_sink, &in, ret_diff_id, ret_size, &derr) < 0) {
		/* A failed write is the real cause when there was one. */
		if (o.error != 0) {
			engine_error_free(&derr);
			engine_error_errno(err, o.error, "write");
		} else if (err != NULL && *err == NULL) {
			*err = derr;
		} else {
			engine_error_free(&derr);
		}
		goto out;
	}
	if (archive_write_close(w) != ARCHIVE_OK) {
		if (o.error != 0)
			engine_error_errno(err, o.error, "write");
		else
			engine_error_set(err, EIO, "gzip: %s",
					 archive_error_string(w) ? archive_error_string(w) : "cannot finish");
		goto out;
	}
	if (storage_hasher_final(o.hasher, ret_digest) < 0) {
		engine_error_set(err, EIO, "hashing failed");
		goto out;
	}
	if (ret_compressed_size != NULL)
		*ret_compressed_size = o.written;
	rc = 0;
out:
	if (w != NULL)
		archive_write_free(w);
	archive_entry_free(e);
	storage_hasher_free(o.hasher);
	return rc;
}
