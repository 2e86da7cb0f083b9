/*
 * lib/ building blocks: bounded buffers, strict number parsing, durations,
 * addresses and prefixes, the command table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "cmd.h"
#include "str.h"

static void
test_buf_ceiling(void **state)
{
	struct buf b;
	int i;

	(void)state;
	buf_init(&b, 10);
	assert_int_equal(buf_adds(&b, "0123456789"), 0);
	assert_int_equal(b.len, 10);
	assert_string_equal(buf_cstr(&b), "0123456789");
	assert_int_equal(buf_addc(&b, 'x'), -1);
	assert_true(b.err);
	/* The error latches: later small appends fail too. */
	buf_consume(&b, 5);
	assert_int_equal(buf_addc(&b, 'x'), -1);
	buf_reset(&b);
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "ab"), 0);
	assert_string_equal(buf_cstr(&b), "42-ab");
	assert_int_equal(buf_printf(&b, "%s", "too long!"), -1);
	buf_release(&b);

	buf_init(&b, 1 << 20);
	for (i = 0; i < 100000; i++)
		assert_int_equal(buf_addc(&b, 'a'), 0);
	assert_int_equal(b.len, 100000);
	buf_consume(&b, 99999);
	assert_int_equal(b.len, 1);
	buf_consume(&b, 10);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_cstr(&b), "");
	buf_release(&b);
}

static void
test_str_numbers(void **state)
{
	uint64_t v;
	uint32_t u;

	(void)state;
	assert_int_equal(str_to_u64("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(str_to_u64("18446744073709551615", 0, UINT64_MAX, &v),
			 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(str_to_u64("18446744073709551616", 0, UINT64_MAX, &v),
			 -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(str_to_u64("-1", 0, 10, &v), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(str_to_u64(" 1", 0, 10, &v), -1);
	assert_int_equal(str_to_u64("1 ", 0, 10, &v), -1);
	assert_int_equal(str_to_u64("+1", 0, 10, &v), -1);
	assert_int_equal(str_to_u64("", 0, 10, &v), -1);
	assert_int_equal(str_to_u64("0x10", 0, 100, &v), -1);
	assert_int_equal(str_to_u32("11", 0, 10, &u), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(str_to_u32("4", 5, 10, &u), -1);
	assert_int_equal(str_to_u32("7", 5, 10, &u), 0);
	assert_int_equal(u, 7);
}

static void
test_str_misc(void **state)
{
	struct timespec ts = {.tv_sec = 1795725567, .tv_nsec = 123456789};
	char out[64], small[4];

	(void)state;
	assert_int_equal(str_lcpy(small, "abcdef", sizeof(small)), 6);
	assert_string_equal(small, "abc");
	assert_int_equal(str_distance("mtu", "mtu"), 0);
	assert_int_equal(str_distance("mut", "mtu"), 2);
	assert_int_equal(str_distance("encryptoin", "encryption"), 2);
	assert_int_equal(str_distance("", "abc"), 3);
	assert_string_equal(str_time_utc(out, sizeof(out), &ts, 1),
			    "2026-11-26T20:39:27.123Z");
	assert_string_equal(str_time_utc(out, sizeof(out), &ts, 0),
			    "2026-11-26T20:39:27Z");
	assert_string_equal(str_duration(out, sizeof(out), 0), "0s");
	assert_string_equal(str_duration(out, sizeof(out), 61), "1m01s");
	assert_string_equal(str_duration(out, sizeof(out), 3600), "1h00m00s");
	assert_string_equal(str_duration(out, sizeof(out), 90061),
			    "1d01h01m01s");
	assert_true(str_prefix("logging", "log"));
	assert_false(str_prefix("log", "logging"));
	assert_true(str_is_printable("a b"));
	assert_false(str_is_printable("a\tb"));
}

static void
test_addr_prefix(void **state)
{
	struct prefix p, q;
	struct addr a;
	char out[PREFIX_STR_MAX];
	int hb;

	(void)state;
	assert_int_equal(addr_parse("203.0.113.2", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(addr_parse("2001:db8::1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(addr_parse("203.0.113", &a), -1);
	assert_int_equal(addr_parse("any", &a), -1);

	assert_int_equal(prefix_parse("192.168.10.0/24", &p, &hb), 0);
	assert_string_equal(prefix_fmt(&p, out, sizeof(out)),
			    "192.168.10.0/24");
	assert_int_equal(prefix_parse("192.168.10.1/24", &p, &hb), -1);
	assert_int_equal(hb, 1);
	assert_int_equal(prefix_parse("192.168.10.0/33", &p, &hb), -1);
	assert_int_equal(hb, 0);
	assert_int_equal(prefix_parse("10.1.2.3", &p, &hb), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(prefix_parse("0.0.0.0/0", &p, &hb), 0);
	assert_int_equal(prefix_parse("2001:db8:1::/48", &q, &hb), 0);
	assert_int_equal(prefix_parse("2001:db8:1::1/48", &q, &hb), -1);
	assert_int_equal(prefix_parse("192.168.10.0/", &p, &hb), -1);
	assert_int_equal(prefix_parse("192.168.10.0/2x", &p, &hb), -1);

	prefix_parse("192.168.0.0/16", &p, &hb);
	prefix_parse("192.168.20.0/24", &q, &hb);
	assert_true(prefix_overlaps(&p, &q));
	assert_true(prefix_overlaps(&q, &p));
	addr_parse("192.168.20.7", &a);
	assert_true(prefix_contains(&q, &a));
	addr_parse("192.168.21.7", &a);
	assert_false(prefix_contains(&q, &a));
	prefix_parse("192.168.10.0/24", &p, &hb);
	assert_false(prefix_overlaps(&p, &q));
	prefix_parse("2001:db8::/32", &p, &hb);
	assert_false(prefix_overlaps(&p, &q));
}

static const struct cmd_def *
match(const char *line, int *nw, char *err, size_t errlen)
{
	static char copy[256];
	char *argv[16], *save = NULL, *w;
	int argc = 0;

	str_lcpy(copy, line, sizeof(copy));
	for (w = strtok_r(copy, " ", &save); w != NULL && argc < 16;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return cmd_match(argc, argv, nw, err, errlen);
}

static void
test_cmd_match(void **state)
{
	const struct cmd_def *c;
	char err[128];
	int nw;

	(void)state;
	c = match("show status", &nw, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->id, CMD_SHOW_STATUS);
	assert_int_equal(nw, 2);
	c = match("sh run", &nw, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->id, CMD_SHOW_RUNNING_CONFIG);
	c = match("sh log ike last 5", &nw, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->id, CMD_SHOW_LOGGING);
	assert_int_equal(nw, 2);
	c = match("debug ike info", &nw, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->id, CMD_DEBUG);
	assert_int_equal(nw, 1);

	assert_null(match("show", &nw, err, sizeof(err)));
	assert_null(match("show nothing", &nw, err, sizeof(err)));
	assert_string_equal(err, "unknown command");
	assert_null(match("show version extra", &nw, err, sizeof(err)));
	assert_string_equal(err, "usage: show version");
	assert_null(match("debug ike", &nw, err, sizeof(err)));
	assert_string_equal(err, "usage: debug SUBSYSTEM|all LEVEL|default");
}

/* Every command needs a unique name, help text and sane argument counts. */
static void
test_cmd_table(void **state)
{
	size_t i, j;

	(void)state;
	assert_int_equal(cmd_count(), CMD_COUNT);
	for (i = 0; i < cmd_count(); i++) {
		const struct cmd_def *c = cmd_at(i);

		assert_int_equal(c->id, (int)i);
		assert_non_null(c->help);
		assert_true(c->minargs <= c->maxargs);
		assert_true((c->maxargs == 0) == (c->args == NULL));
		for (j = 0; j < i; j++)
			assert_string_not_equal(c->words, cmd_at(j)->words);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf_ceiling),
	    cmocka_unit_test(test_str_numbers),
	    cmocka_unit_test(test_str_misc),
	    cmocka_unit_test(test_addr_prefix),
	    cmocka_unit_test(test_cmd_match),
	    cmocka_unit_test(test_cmd_table),
	};

	return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
