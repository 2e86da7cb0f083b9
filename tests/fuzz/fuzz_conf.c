/*
 * Fuzz target: the configuration language.  What parses must print, and
 * the print must parse back to the same print (the normalised form is a
 * fixed point), or "show running-config" would lie.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_conf_print(const struct conf *c, struct buf *out)
{
	buf_init(out, 2 * CONF_FILE_MAX);
	if (conf_print(c, out, CONF_PRINT_SECRETS) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors errs;
	struct conf *c, *c2;
	struct buf a, b;

	if ((c = conf_parse("fuzz", (const char *)data, size, &errs)) == NULL) {
		if (errs.count == 0 || errs.total < errs.count)
			abort(); /* a refusal must say why */
		return 0;
	}
	fuzz_conf_print(c, &a);
	if ((c2 = conf_parse("print", (const char *)a.data, a.len, &errs)) ==
	    NULL)
		abort();
	fuzz_conf_print(c2, &b);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	buf_release(&a);
	buf_release(&b);
	conf_free(c);
	conf_free(c2);
	return 0;
}
