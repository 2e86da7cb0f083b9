/*
 * The daemon's command handlers and the CLI's renderers, driven
 * in-process: every command of the table has both; replies carry what the
 * renderers print; reload keeps the running configuration on error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ctl.h"
#include "daemon.h"
#include "str.h"

static const char conf_fmt[] = "hostname unit-01\n"
			       "control socket %s/ctl.sock\n"
			       "state-directory %s\n"
			       "logging buffered 50\n"
			       "logging level ike %s\n"
			       "ike proposal p1\n"
			       " encryption aes-128\n hash sha1\n group 14\n"
			       "ike peer hq\n"
			       " address 203.0.113.2\n"
			       " pre-shared-key \"unit-secret-psk\"\n"
			       " proposal p1\n"
			       "ipsec proposal p2\n"
			       " esp aes-128-gcm\n"
			       "tunnel tun0\n"
			       " peer hq\n proposal p2\n"
			       " local-network 192.168.10.0/24\n"
			       " remote-network 192.168.20.0/24\n";

struct fixture {
	char dir[64];
	char path[128];
	struct daemon d;
};

static void
write_conf(struct fixture *f, const char *level, const char *extra)
{
	FILE *fp = fopen(f->path, "w");

	assert_non_null(fp);
	fprintf(fp, conf_fmt, f->dir, f->dir, level);
	fputs(extra, fp);
	fclose(fp);
}

static int
setup(void **state)
{
	struct conf_errors errs;
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	str_lcpy(f->dir, "/tmp/fleetvpn-unit.XXXXXX", sizeof(f->dir));
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/fleetvpnd.conf", f->dir);
	write_conf(f, "info", "");
	memset(&errs, 0, sizeof(errs));
	f->d.conf = conf_load(f->path, &errs);
	if (f->d.conf == NULL)
		fail_msg("%s", errs.msg[0]);
	f->d.conf_path = f->path;
	f->d.pid = getpid();
	f->d.loop = ev_loop_new();
	log_init();
	reload_initial(&f->d, f->path);
	f->d.ctl =
	    control_open(&f->d, f->d.conf->ctl_path, "", err, sizeof(err));
	if (f->d.ctl == NULL)
		fail_msg("%s", err);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char sock[160];

	snprintf(sock, sizeof(sock), "%s", f->d.conf->ctl_path);
	control_close(f->d.ctl);
	assert_int_equal(access(sock, F_OK), -1); /* socket removed */
	conf_free(f->d.conf);
	ev_loop_free(f->d.loop);
	log_shutdown();
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Run a command line; return the parsed reply (caller frees). */
static struct json_doc *
run(struct fixture *f, const char *line, int *is_error)
{
	char copy[256], *argv[16], *save = NULL, *w, err[64];
	struct json_doc *doc;
	struct buf body;
	int argc = 0;

	str_lcpy(copy, line, sizeof(copy));
	for (w = strtok_r(copy, " ", &save); w != NULL;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	buf_init(&body, CTL_REPLY_MAX);
	assert_int_equal(
	    control_dispatch(&f->d, argc, argv, 0, &body, is_error), 0);
	doc = json_parse((char *)body.data, body.len, err, sizeof(err));
	if (doc == NULL)
		fail_msg("bad JSON from '%s': %s", line, err);
	buf_release(&body);
	return doc;
}

/* Render a reply to text the way the CLI does. */
static char *
render(enum cmd_id id, const struct json_doc *doc, int error)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	if (error)
		render_error(fp, json_root(doc));
	else
		render_get(id)(fp, json_root(doc));
	fclose(fp);
	return text;
}

static void
test_every_command_served_and_rendered(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < cmd_count(); i++) {
		if (handlers_get((int)i) == NULL)
			fail_msg("no handler for '%s'", cmd_at(i)->words);
		if (render_get((enum cmd_id)i) == NULL)
			fail_msg("no renderer for '%s'", cmd_at(i)->words);
	}
}

static void
test_show_status(void **state)
{
	struct fixture *f = *state;
	struct json_doc *doc;
	char *text;
	int err;

	doc = run(f, "show status", &err);
	assert_false(err);
	assert_string_equal(json_get_str(json_root(doc), "hostname", ""),
			    "unit-01");
	assert_int_equal(
	    json_get_int(json_get(json_root(doc), "tunnels"), "configured", -1),
	    1);
	text = render(CMD_SHOW_STATUS, doc, 0);
	assert_non_null(strstr(text, "Tunnels: 1 configured, 0 up, 0 "
				     "shutdown"));
	assert_non_null(strstr(text, "last load ok"));
	free(text);
	json_doc_free(doc);
}

static void
test_running_config_masks_secret(void **state)
{
	struct fixture *f = *state;
	struct json_doc *doc;
	char *text;
	int err;

	doc = run(f, "sh run", &err);
	assert_false(err);
	text = render(CMD_SHOW_RUNNING_CONFIG, doc, 0);
	assert_non_null(strstr(text, "hostname unit-01"));
	assert_null(strstr(text, "unit-secret-psk"));
	free(text);
	json_doc_free(doc);
}

static void
test_logging_and_debug(void **state)
{
	struct fixture *f = *state;
	const struct json_val *e;
	struct json_doc *doc;
	char *text;
	int err;

	assert_int_equal(log_level_get(LOG_SUB_IKE), LOG_LVL_INFO);
	doc = run(f, "debug ike debug", &err);
	assert_false(err);
	json_doc_free(doc);
	assert_int_equal(log_level_get(LOG_SUB_IKE), LOG_LVL_DEBUG);
	log_debug(LOG_SUB_IKE, "a trace line");

	doc = run(f, "show logging ike", &err);
	assert_false(err);
	e = json_get(json_root(doc), "entries");
	assert_int_equal(e->count, 1);
	assert_string_equal(json_get_str(json_at(e, 0), "code", ""), "IKE.000");
	text = render(CMD_SHOW_LOGGING, doc, 0);
	assert_non_null(strstr(text, "IKE.000 ike debug: a trace line"));
	assert_non_null(strstr(text, "ike debug (debug)"));
	free(text);
	json_doc_free(doc);

	doc = run(f, "show logging last 2", &err);
	assert_int_equal(json_get(json_root(doc), "entries")->count, 2);
	json_doc_free(doc);

	doc = run(f, "debug ike default", &err);
	assert_false(err);
	json_doc_free(doc);
	assert_int_equal(log_level_get(LOG_SUB_IKE), LOG_LVL_INFO);

	doc = run(f, "debug bogus info", &err);
	assert_true(err);
	json_doc_free(doc);
	doc = run(f, "debug ike loud", &err);
	assert_true(err);
	json_doc_free(doc);
	doc = run(f, "show logging last x", &err);
	assert_true(err);
	json_doc_free(doc);

	doc = run(f, "clear logging", &err);
	assert_false(err);
	json_doc_free(doc);
	doc = run(f, "show logging", &err);
	/* What remains: the "cleared" event and the audit line of it. */
	e = json_get(json_root(doc), "entries");
	assert_int_equal(e->count, 2);
	assert_string_equal(json_get_str(json_at(e, 0), "code", ""), "LOG.003");
	assert_string_equal(json_get_str(json_at(e, 1), "code", ""), "CTL.003");
	json_doc_free(doc);
}

static void
test_unknown_command(void **state)
{
	struct fixture *f = *state;
	struct json_doc *doc;
	char *text;
	int err;

	doc = run(f, "show bogus", &err);
	assert_true(err);
	assert_int_equal(json_get(json_root(doc), "commands")->count,
			 CMD_COUNT);
	text = render(CMD_COUNT, doc, 1);
	assert_non_null(strstr(text, "unknown command: 'show bogus'"));
	assert_non_null(strstr(text, "show running-config"));
	free(text);
	json_doc_free(doc);
}

static void
test_reload(void **state)
{
	struct fixture *f = *state;
	struct json_doc *doc;
	struct conf *before = f->d.conf;
	char *text;
	int err;

	/* Broken: rejected with FILE:LINE, the running config stays. */
	write_conf(f, "info", "bogus-keyword 1\n");
	doc = run(f, "reload", &err);
	assert_true(err);
	text = render(CMD_RELOAD, doc, 1);
	assert_non_null(strstr(text, "running configuration kept"));
	assert_non_null(strstr(text, "fleetvpnd.conf:21: unknown keyword "
				     "'bogus-keyword'"));
	free(text);
	json_doc_free(doc);
	assert_ptr_equal(f->d.conf, before);
	doc = run(f, "show status", &err);
	text = render(CMD_SHOW_STATUS, doc, 0);
	assert_non_null(strstr(text, "last reload FAILED"));
	free(text);
	json_doc_free(doc);

	/* Fixed: applied, the change is reported and in force. */
	write_conf(f, "debug", "");
	doc = run(f, "reload", &err);
	assert_false(err);
	text = render(CMD_RELOAD, doc, 0);
	assert_non_null(strstr(text, "logging level ike debug (was info)"));
	free(text);
	json_doc_free(doc);
	assert_ptr_not_equal(f->d.conf, before);
	assert_int_equal(log_level_get(LOG_SUB_IKE), LOG_LVL_DEBUG);

	/* Unchanged: nothing to do. */
	doc = run(f, "reload", &err);
	text = render(CMD_RELOAD, doc, 0);
	assert_non_null(strstr(text, "no change"));
	free(text);
	json_doc_free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_command_served_and_rendered),
	    cmocka_unit_test_setup_teardown(test_show_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_running_config_masks_secret,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_logging_and_debug, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_command, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
	};

	return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}
