/*
 * lib/json.c: the writer escapes and nests correctly within its ceiling;
 * the parser accepts RFC 8259 documents and refuses everything else with
 * a position, within its depth and size limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static void
test_writer(void **state)
{
	struct json_w w;
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	json_w_init(&w, &b, 0);
	json_obj_open(&w);
	json_kv_str(&w, "s", "a\"b\\c\n\t\x01\x7f");
	json_kv_int(&w, "i", -42);
	json_kv_uint(&w, "u", UINT64_MAX);
	json_kv_bool(&w, "t", 1);
	json_key(&w, "n");
	json_null(&w);
	json_key(&w, "a");
	json_arr_open(&w);
	json_int(&w, 1);
	json_str(&w, "x");
	json_obj_open(&w);
	json_obj_close(&w);
	json_arr_open(&w);
	json_arr_close(&w);
	json_arr_close(&w);
	json_kv_str(&w, "utf8", "caf\xc3\xa9");
	json_kv_str(&w, "bad",
		    "a\xff"
		    "b");
	json_obj_close(&w);
	assert_int_equal(json_w_done(&w), 0);
	assert_string_equal(
	    buf_cstr(&b),
	    "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\",\"i\":-42,"
	    "\"u\":18446744073709551615,\"t\":true,\"n\":null,"
	    "\"a\":[1,\"x\",{},[]],\"utf8\":\"caf\xc3\xa9\","
	    "\"bad\":\"a\\ufffdb\"}");
	buf_release(&b);
}

static void
test_writer_pretty_and_limits(void **state)
{
	struct json_w w;
	struct buf b;
	int i;

	(void)state;
	buf_init(&b, 4096);
	json_w_init(&w, &b, 1);
	json_obj_open(&w);
	json_kv_int(&w, "a", 1);
	json_key(&w, "b");
	json_arr_open(&w);
	json_arr_close(&w);
	json_obj_close(&w);
	assert_int_equal(json_w_done(&w), 0);
	assert_string_equal(buf_cstr(&b), "{\n  \"a\": 1,\n  \"b\": []\n}\n");

	/* Unbalanced, too deep, too big: all refused. */
	buf_reset(&b);
	json_w_init(&w, &b, 0);
	json_obj_open(&w);
	assert_int_equal(json_w_done(&w), -1);
	buf_reset(&b);
	json_w_init(&w, &b, 0);
	for (i = 0; i < JSON_DEPTH_MAX + 1; i++)
		json_arr_open(&w);
	assert_int_equal(json_w_done(&w), -1);
	buf_release(&b);

	buf_init(&b, 16);
	json_w_init(&w, &b, 0);
	json_str(&w, "this string is longer than sixteen bytes");
	assert_int_equal(json_w_done(&w), -1);
	buf_release(&b);
}

static void
test_parser_ok(void **state)
{
	static const char doc[] =
	    " {\"argv\": [\"show\", \"status\"], "
	    "\"n\": -12, \"big\": 18446744073709551615, \"f\": 1.5e3, "
	    "\"t\": true, \"z\": null, \"e\": \"\\u00e9\\ud83d\\ude00\\n\","
	    "\"o\": {}} ";
	const struct json_val *r, *a;
	struct json_doc *d;
	char err[64];
	int64_t i;

	(void)state;
	d = json_parse(doc, strlen(doc), err, sizeof(err));
	assert_non_null(d);
	r = json_root(d);
	assert_int_equal(r->type, JSON_OBJECT);
	assert_int_equal(r->count, 8);
	a = json_get(r, "argv");
	assert_int_equal(a->type, JSON_ARRAY);
	assert_int_equal(a->count, 2);
	assert_string_equal(json_at(a, 1)->str, "status");
	assert_null(json_at(a, 2));
	assert_int_equal(json_get_int(r, "n", 0), -12);
	assert_true(json_get_uint(r, "big", 0) == UINT64_MAX);
	assert_int_equal(json_to_i64(json_get(r, "f"), &i), -1);
	assert_true(json_get_bool(r, "t", 0));
	assert_int_equal(json_get(r, "z")->type, JSON_NULL);
	assert_string_equal(json_get_str(r, "e", ""),
			    "\xc3\xa9\xf0\x9f\x98\x80\n");
	assert_string_equal(json_get_str(r, "missing", "dflt"), "dflt");
	assert_int_equal(json_get_uint(r, "n", 7), 7);
	json_doc_free(d);
}

static void
test_parser_bad(void **state)
{
	static const char *const bad[] = {
	    "",
	    " ",
	    "{",
	    "}",
	    "[1,]",
	    "[,1]",
	    "{\"a\" 1}",
	    "{\"a\":}",
	    "{a:1}",
	    "[01]",
	    "[-]",
	    "[1.]",
	    "[1e]",
	    "[.5]",
	    "\"abc",
	    "\"a\\x\"",
	    "\"\\u12\"",
	    "\"\\ud800\"",
	    "\"\\udc00\"",
	    "\"a\nb\"",
	    "tru",
	    "nul",
	    "[true false]",
	    "{} {}",
	    "[1] x",
	    "{\"a\":1,}",
	    "\"\\ud800\\u0041\"",
	    "\"\xff\"",
	    "\"\xc3\"",
	    "\"\xed\xa0\x80\"",
	    "\"\xc0\xaf\"",
	};
	struct json_doc *d;
	char err[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		d = json_parse(bad[i], strlen(bad[i]), err, sizeof(err));
		if (d != NULL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(strncmp(err, "offset ", 7) == 0);
	}
}

static void
test_parser_depth(void **state)
{
	char deep[JSON_DEPTH_MAX * 2 + 4];
	struct json_doc *d;
	char err[64];
	int n;

	(void)state;
	for (n = JSON_DEPTH_MAX - 1; n <= JSON_DEPTH_MAX + 1; n++) {
		memset(deep, '[', (size_t)n);
		memset(deep + n, ']', (size_t)n);
		d = json_parse(deep, (size_t)(2 * n), err, sizeof(err));
		if (n <= JSON_DEPTH_MAX) {
			assert_non_null(d);
		} else {
			assert_null(d);
			assert_non_null(strstr(err, "nested too deeply"));
		}
		json_doc_free(d);
	}
}

/* Parse, write back, parse again: same text. */
static void
test_round_trip(void **state)
{
	static const char doc[] = "{\"a\":[1,-2,3.25,\"x\\\"y\",{\"b\":null}],"
				  "\"c\":false,\"d\":\"\xe2\x82\xac\"}";
	struct json_doc *d;
	struct json_w w;
	struct buf b;
	char err[64];

	(void)state;
	d = json_parse(doc, strlen(doc), err, sizeof(err));
	assert_non_null(d);
	buf_init(&b, 1024);
	json_w_init(&w, &b, 0);
	assert_int_equal(json_write_val(&w, json_root(d)), 0);
	assert_int_equal(json_w_done(&w), 0);
	assert_string_equal(buf_cstr(&b), doc);
	buf_release(&b);
	json_doc_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_writer),
	    cmocka_unit_test(test_writer_pretty_and_limits),
	    cmocka_unit_test(test_parser_ok),
	    cmocka_unit_test(test_parser_bad),
	    cmocka_unit_test(test_parser_depth),
	    cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
