/*
 * The anti-replay window of esp_replay.c (RFC 4303 3.4.3): in and out of
 * order, its edges for every size, the wrap of its ring, the top of the
 * 32-bit space, duplicates, the window turned off, and a random walk
 * against a plain model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "esp/esp.h"

static void
test_replay_in_order(void **state)
{
	struct esp_replay r;
	uint32_t s;

	(void)state;
	esp_replay_init(&r, 64);
	assert_int_equal(esp_replay_check(&r, 0), -1); /* never valid */
	for (s = 1; s <= 10000; s++) {
		assert_int_equal(esp_replay_check(&r, s), 0);
		esp_replay_update(&r, s);
		assert_int_equal(esp_replay_check(&r, s), -1);
		assert_int_equal(r.top, s);
	}
	assert_int_equal(esp_replay_check(&r, 10001), 0);
	assert_int_equal(esp_replay_check(&r, 1), -1);
	assert_int_equal(esp_replay_check(NULL, 5), -1);
	esp_replay_update(NULL, 5);
}

/* Check does not modify; arrivals in any order inside the window. */
static void
test_replay_out_of_order(void **state)
{
	static const uint32_t order[] = {5, 3,	9,  1,	2,  8,	4, 7,
					 6, 70, 10, 11, 69, 40, 7};
	static const int ok[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
	struct esp_replay r, copy;
	size_t i;

	(void)state;
	esp_replay_init(&r, 64);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		copy = r;
		assert_int_equal(esp_replay_check(&r, order[i]),
				 ok[i] ? 0 : -1);
		assert_memory_equal(&copy, &r, sizeof(r));
		if (ok[i])
			esp_replay_update(&r, order[i]);
	}
	/* top 70, window 64: 6 and older are out, 7, 10 and 11 seen. */
	assert_int_equal(r.top, 70);
	assert_int_equal(esp_replay_check(&r, 6), -1);
	assert_int_equal(esp_replay_check(&r, 7), -1);
	assert_int_equal(esp_replay_check(&r, 10), -1);
	assert_int_equal(esp_replay_check(&r, 12), 0);
	assert_int_equal(esp_replay_check(&r, 69), -1);
	assert_int_equal(esp_replay_check(&r, 68), 0);
}

/* The edges of windows of 32, 64, 1024, 4096 and the clamp above. */
static void
test_replay_edges(void **state)
{
	static const uint32_t sizes[] = {1, 32, 64, 1024, 4096, 4097, 100000};
	struct esp_replay r;
	uint32_t w, top = 100000;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		esp_replay_init(&r, sizes[i]);
		w = r.window;
		assert_int_equal(w, sizes[i] > ESP_REPLAY_MAX ? ESP_REPLAY_MAX
							      : sizes[i]);
		esp_replay_update(&r, top);
		assert_int_equal(esp_replay_check(&r, top), -1);
		assert_int_equal(esp_replay_check(&r, top + 1), 0);
		assert_int_equal(esp_replay_check(&r, top - w), -1);
		if (w == 1)
			continue;
		assert_int_equal(esp_replay_check(&r, top - w + 1), 0);
		esp_replay_update(&r, top - w + 1);
		assert_int_equal(esp_replay_check(&r, top - w + 1), -1);
		/* One step right: the oldest falls out, the next stays. */
		esp_replay_update(&r, top + 1);
		assert_int_equal(esp_replay_check(&r, top - w + 1), -1);
		assert_int_equal(esp_replay_check(&r, top - w + 2), 0);
		/* An update outside the window changes nothing. */
		esp_replay_update(&r, top - w);
		assert_int_equal(esp_replay_check(&r, top - w + 2), 0);
		assert_int_equal(r.top, top + 1);
	}
}

/*
 * The ring wraps: a number shares its bit with one ESP_REPLAY_MAX lower,
 * which must have been forgotten when the window reached it.
 */
static void
test_replay_wrap(void **state)
{
	static const uint32_t jumps[] = {1, 63, 64, 65, 4095, 4096, 4097, 9000};
	struct esp_replay r;
	uint32_t s, base;
	size_t j;

	(void)state;
	esp_replay_init(&r, ESP_REPLAY_MAX);
	for (s = 1; s <= ESP_REPLAY_MAX; s++)
		esp_replay_update(&r, s); /* every bit set */
	esp_replay_update(&r, ESP_REPLAY_MAX + 100);
	for (s = ESP_REPLAY_MAX + 1; s < ESP_REPLAY_MAX + 100; s++)
		assert_int_equal(esp_replay_check(&r, s), 0);
	for (s = 101; s <= ESP_REPLAY_MAX; s++)
		assert_int_equal(esp_replay_check(&r, s), -1);
	assert_int_equal(esp_replay_check(&r, 100), -1); /* too old */
	/* Jumps of every kind from a full window, window 64. */
	for (j = 0; j < sizeof(jumps) / sizeof(jumps[0]); j++) {
		esp_replay_init(&r, 64);
		base = 50000 + (uint32_t)j * 7;
		for (s = base - 63; s <= base; s++)
			esp_replay_update(&r, s);
		esp_replay_update(&r, base + jumps[j]);
		for (s = base + jumps[j] - 63; s < base + jumps[j]; s++)
			assert_int_equal(esp_replay_check(&r, s),
					 s <= base ? -1 : 0);
	}
	/* The top of the 32-bit space. */
	esp_replay_init(&r, 1024);
	esp_replay_update(&r, 0xfffffff0u);
	assert_int_equal(esp_replay_check(&r, 0xffffffffu), 0);
	esp_replay_update(&r, 0xffffffffu);
	assert_int_equal(esp_replay_check(&r, 0xffffffffu), -1);
	assert_int_equal(esp_replay_check(&r, 0xfffffff0u), -1);
	assert_int_equal(esp_replay_check(&r, 0xfffffff1u), 0);
	assert_int_equal(esp_replay_check(&r, 0xffffffffu - 1024), -1);
}

static void
test_replay_duplicates(void **state)
{
	struct esp_replay r;
	uint32_t s;
	int i;

	(void)state;
	esp_replay_init(&r, 1024);
	for (s = 1; s <= 3000; s += 3) {
		esp_replay_update(&r, s);
		for (i = 0; i < 3; i++) {
			assert_int_equal(esp_replay_check(&r, s), -1);
			esp_replay_update(&r, s); /* idempotent */
		}
	}
	for (s = 3000 - 1023; s <= 3000; s++)
		assert_int_equal(esp_replay_check(&r, s), s % 3 == 1 ? -1 : 0);
}

/* Window 0: off, every number but 0 passes, replays included. */
static void
test_replay_off(void **state)
{
	struct esp_replay r;

	(void)state;
	esp_replay_init(&r, 0);
	esp_replay_update(&r, 5);
	assert_int_equal(esp_replay_check(&r, 5), 0);
	assert_int_equal(esp_replay_check(&r, 1), 0);
	esp_replay_update(&r, 100000);
	assert_int_equal(esp_replay_check(&r, 5), 0);
	assert_int_equal(esp_replay_check(&r, 0), -1);
	assert_int_equal(r.top, 100000);
}

static uint32_t rng = 0x2545f491;

static uint32_t
xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/*
 * Against a model that remembers every number it accepted: random
 * walks forward with jumps and look-backs, for several window sizes.
 */
#define MODEL_MAX 400000

static void
test_replay_model(void **state)
{
	static const uint32_t sizes[] = {1, 7, 32, 64, 100, 1024, 4096};
	static uint8_t seen[MODEL_MAX + 1];
	struct esp_replay r;
	uint32_t top, s, w;
	size_t i;
	int step, want;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		w = sizes[i];
		esp_replay_init(&r, w);
		memset(seen, 0, sizeof(seen));
		top = 0;
		for (step = 0; step < 60000 && top < MODEL_MAX - 10000;
		     step++) {
			switch (xorshift() % 4) {
			case 0: /* a jump ahead, up to twice the ring */
				s = top + 1 + xorshift() % (2 * ESP_REPLAY_MAX);
				break;
			case 1: /* the next one */
				s = top + 1;
				break;
			default: /* a look back, around the window edge */
				s = xorshift() % (w + 8) + 1;
				s = s > top ? 1 : top - s + 1;
				break;
			}
			want = s > top || (top - s < w && !seen[s]);
			assert_int_equal(esp_replay_check(&r, s),
					 want ? 0 : -1);
			if (want) {
				esp_replay_update(&r, s);
				seen[s] = 1;
				top = s > top ? s : top;
			}
		}
		assert_int_equal(r.top, top);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replay_in_order),
	    cmocka_unit_test(test_replay_out_of_order),
	    cmocka_unit_test(test_replay_edges),
	    cmocka_unit_test(test_replay_wrap),
	    cmocka_unit_test(test_replay_duplicates),
	    cmocka_unit_test(test_replay_off),
	    cmocka_unit_test(test_replay_model),
	};

	return cmocka_run_group_tests_name("esp_replay", tests, NULL, NULL);
}
