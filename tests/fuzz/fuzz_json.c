/*
 * Fuzz target: the JSON parser, and the writer on what it accepted (a
 * parsed document written back must parse again to the same text).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_json_write(const struct json_doc *d, struct buf *out)
{
	struct json_w w;

	buf_init(out, 4 << 20);
	json_w_init(&w, out, 0);
	if (json_write_val(&w, json_root(d)) == -1 || json_w_done(&w) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc *d, *d2;
	struct buf a, b;
	char err[96];

	if ((d = json_parse((const char *)data, size, err, sizeof(err))) ==
	    NULL)
		return 0;
	fuzz_json_write(d, &a);
	if ((d2 = json_parse((const char *)a.data, a.len, err, sizeof(err))) ==
	    NULL)
		abort();
	fuzz_json_write(d2, &b);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	buf_release(&a);
	buf_release(&b);
	json_doc_free(d);
	json_doc_free(d2);
	return 0;
}
