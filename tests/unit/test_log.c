/*
 * lib/log.c: the event catalogue is consistent, levels filter per
 * subsystem, the ring keeps the newest N with an exact overwrite count,
 * and sinks see structured data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "log.h"

struct walk {
	uint64_t seq[128];
	char last[LOG_MSG_MAX];
	size_t n;
};

static void
collect(const struct log_rec *r, void *arg)
{
	struct walk *w = arg;

	if (w->n < 128)
		w->seq[w->n] = r->seq;
	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", r->msg);
}

static int
setup(void **state)
{
	(void)state;
	log_init();
	log_ring_resize(LOG_RING_DEFAULT);
	log_ring_clear();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	log_shutdown();
	return 0;
}

/* Codes are unique, numbered from 1, and map to their subsystem. */
static void
test_catalogue(void **state)
{
	char a[LOG_CODE_MAX], b[LOG_CODE_MAX];
	int i, j;

	(void)state;
	for (i = 0; i < LOG_EV_COUNT; i++) {
		log_code(a, sizeof(a), (enum log_event)i, LOG_SUB_DAEMON);
		assert_string_not_equal(strchr(a, '.'), ".000");
		assert_true(log_event_title((enum log_event)i)[0] != '\0');
		assert_true(log_event_level((enum log_event)i) < LOG_LVL_COUNT);
		for (j = 0; j < i; j++) {
			log_code(b, sizeof(b), (enum log_event)j,
				 LOG_SUB_DAEMON);
			assert_string_not_equal(a, b);
		}
	}
	assert_string_equal(log_code(a, sizeof(a), EV_CFG_LOADED, 0),
			    "CFG.001");
	assert_string_equal(log_code(a, sizeof(a), LOG_EV_DEBUG, LOG_SUB_IKE),
			    "IKE.000");
	assert_int_equal(log_event_sub(EV_CTL_BADREQ), LOG_SUB_CONTROL);
}

static void
test_names(void **state)
{
	enum log_level l;
	enum log_sub s;

	(void)state;
	assert_int_equal(log_level_parse("info", &l), 0);
	assert_int_equal(l, LOG_LVL_INFO);
	assert_int_equal(log_level_parse("INFO", &l), -1);
	assert_int_equal(log_sub_parse("ike", &s), 0);
	assert_int_equal(s, LOG_SUB_IKE);
	assert_int_equal(log_sub_parse("all", &s), -1);
	assert_string_equal(log_level_name(LOG_LVL_WARN), "warn");
	assert_string_equal(log_sub_name(LOG_SUB_BACKUP), "backup");
}

static void
test_levels_filter(void **state)
{
	struct log_stats st;
	struct walk w;

	(void)state;
	memset(&w, 0, sizeof(w));
	log_level_set(LOG_SUB_CONFIG, LOG_LVL_WARN);
	log_event(EV_CFG_LOADED, "notice: filtered");
	log_event(EV_CFG_REJECTED, "warn: kept");
	log_debug(LOG_SUB_CONFIG, "debug: filtered");
	assert_false(log_enabled(LOG_SUB_CONFIG, LOG_LVL_NOTICE));
	log_level_set(LOG_SUB_CONFIG, LOG_LVL_DEBUG);
	log_debug(LOG_SUB_CONFIG, "debug: kept %d", 1);
	assert_int_equal(log_level_get(LOG_SUB_CONFIG), LOG_LVL_DEBUG);
	log_ring_walk(collect, &w);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.last, "debug: kept 1");
	log_stats(&st);
	assert_true(st.filtered >= 1);
}

static void
test_ring_wrap_and_resize(void **state)
{
	struct log_stats st;
	struct walk w;
	size_t i;

	(void)state;
	assert_int_equal(log_ring_resize(10), 0);
	for (i = 0; i < 25; i++)
		log_event(EV_CFG_LOADED, "entry %zu", i);
	log_stats(&st);
	assert_int_equal(st.ring_size, 10);
	assert_int_equal(st.ring_used, 10);
	assert_int_equal(st.overwritten, 15);
	memset(&w, 0, sizeof(w));
	log_ring_walk(collect, &w);
	assert_int_equal(w.n, 10);
	assert_string_equal(w.last, "entry 24");
	for (i = 1; i < w.n; i++)
		assert_true(w.seq[i] == w.seq[i - 1] + 1);

	/* Shrinking keeps the newest; growing keeps all. */
	assert_int_equal(log_ring_resize(4), 0);
	memset(&w, 0, sizeof(w));
	log_ring_walk(collect, &w);
	assert_int_equal(w.n, 4);
	assert_string_equal(w.last, "entry 24");
	assert_int_equal(log_ring_resize(100), 0);
	log_event(EV_CFG_LOADED, "entry 25");
	memset(&w, 0, sizeof(w));
	log_ring_walk(collect, &w);
	assert_int_equal(w.n, 5);
	assert_true(w.seq[4] == w.seq[3] + 1);

	/* Off: nothing kept, but sinks and counters still run. */
	assert_int_equal(log_ring_resize(0), 0);
	log_event(EV_CFG_LOADED, "not kept");
	memset(&w, 0, sizeof(w));
	log_ring_walk(collect, &w);
	assert_int_equal(w.n, 0);
	assert_int_equal(log_ring_resize(LOG_RING_MAX + 1), -1);
}

static struct log_rec sunk;
static int nsunk;

static void
sink(const struct log_rec *r, void *arg)
{
	(void)arg;
	sunk = *r;
	nsunk++;
}

static void
test_sink_and_format(void **state)
{
	struct log_sink s = {"test", LOG_LVL_WARN, sink, NULL};
	struct log_sd sd[2] = {{"tunnel", "tun0"}, {"peer", "hq"}};
	char line[LOG_MSG_MAX + 256];

	(void)state;
	nsunk = 0;
	assert_int_equal(log_sink_add(&s), 0);
	log_event(EV_CFG_LOADED, "below the sink's level");
	assert_int_equal(nsunk, 0);
	log_event_sd(EV_CFG_REJECTED, sd, 2, "reload %s", "rejected");
	assert_int_equal(nsunk, 1);
	assert_int_equal(sunk.nsd, 2);
	assert_string_equal(sunk.sd[1].val, "hq");
	log_format_line(&sunk, line, sizeof(line));
	assert_non_null(strstr(line, " CFG.003 config warn: reload rejected "
				     "[tunnel=tun0 peer=hq]"));
	log_sink_remove("test");
	log_event(EV_CFG_REJECTED, "after removal");
	assert_int_equal(nsunk, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_catalogue, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_levels_filter, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_ring_wrap_and_resize, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_sink_and_format, setup,
					    teardown),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
