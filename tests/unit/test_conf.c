/*
 * The configuration language: the example from docs/config.md, every file
 * of tests/data/conf-good (round trip through conf_print) and conf-bad
 * (first error as announced by its "# expect: LINE: TEXT" line), lexical
 * rules, limits, defaults and diagnostics.  Run from the repository root.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_int.h"
#include "str.h"

#define GOOD_DIR  "tests/data/conf-good"
#define BAD_DIR	  "tests/data/conf-bad"
#define EXAMPLE	  GOOD_DIR "/example-branch.conf"
#define BAD_MIN	  35
#define NAMES_MAX 512
#define PRINT_MAX (64u << 20)

/* Preamble that makes a block body valid on its own. */
#define IKEP "ike proposal p1\n encryption aes-128\n hash sha1\n group 14\n"
#define PEER                                                                   \
	"ike peer hq\n address 203.0.113.2\n pre-shared-key k\n proposal p1\n"
#define IPSP "ipsec proposal p2\n esp aes-128-gcm\n"
#define TUN                                                                    \
	"tunnel tun0\n peer hq\n proposal p2\n local-network 10.1.0.0/16\n"    \
	" remote-network 10.2.0.0/16\n"

static char *
read_file(const char *path, size_t *len)
{
	FILE *f;
	char *p;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (p = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	*len = fread(p, 1, (size_t)n, f);
	p[*len] = '\0';
	fclose(f);
	return p;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.conf files of a directory, sorted; the caller frees each. */
static int
list_dir(const char *dir, char **names, int max)
{
	struct dirent *de;
	DIR *d;
	int n = 0;
	size_t l;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL && n < max) {
		l = strlen(de->d_name);
		if (l > 5 && strcmp(de->d_name + l - 5, ".conf") == 0)
			assert_non_null(names[n++] = strdup(de->d_name));
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), name_cmp);
	return n;
}

static char *
print_conf(const struct conf *c, int flags)
{
	struct buf b;
	char *s;

	buf_init(&b, PRINT_MAX);
	assert_int_equal(conf_print(c, &b, flags), 0);
	assert_non_null(s = strdup(buf_cstr(&b)));
	buf_release(&b);
	return s;
}

static struct conf *
parse_str(const char *text, struct conf_errors *e)
{
	return conf_parse("t.conf", text, strlen(text), e);
}

/* The text must fail, the first error naming line and text. */
static void
expect_error(const char *text, int line, const char *want)
{
	struct conf_errors e;
	char prefix[64];

	if (parse_str(text, &e) != NULL)
		fail_msg("parsed, but expected \"%s\"", want);
	assert_true(e.count >= 1);
	snprintf(prefix, sizeof(prefix), "t.conf:%d: ", line);
	if (strncmp(e.msg[0], prefix, strlen(prefix)) != 0 ||
	    strstr(e.msg[0], want) == NULL)
		fail_msg("got \"%s\", want \"%s...%s\"", e.msg[0], prefix,
			 want);
}

static struct conf *
expect_ok(const char *text)
{
	struct conf_errors e;
	struct conf *c;

	if ((c = parse_str(text, &e)) == NULL)
		fail_msg("unexpected error: %s", e.count ? e.msg[0] : "?");
	assert_int_equal(e.total, 0);
	return c;
}

static void
assert_addr(const struct addr *a, const char *want)
{
	char s[ADDR_STR_MAX];

	assert_string_equal(addr_fmt(a, s, sizeof(s)), want);
}

static void
assert_prefix(const struct prefix *p, const char *want)
{
	char s[PREFIX_STR_MAX];

	assert_string_equal(prefix_fmt(p, s, sizeof(s)), want);
}

static void
check_example_globals(const struct conf *c)
{
	int i;

	assert_string_equal(c->path, EXAMPLE);
	assert_string_equal(c->hostname, "branch-01");
	assert_string_equal(c->ctl_path, "/run/fleetvpn/branch-01.sock");
	assert_string_equal(c->ctl_group, "");
	assert_string_equal(c->pid_path, "/run/fleetvpn/branch-01.pid");
	assert_string_equal(c->state_dir, CONF_STATE_DEFAULT);
	assert_string_equal(c->spool_dir, CONF_STATE_DEFAULT "/spool");
	assert_int_equal(c->log_buffered, 2000);
	for (i = 0; i < LOG_SUB_COUNT; i++)
		assert_int_equal(c->log_level[i], i == LOG_SUB_IKE
						      ? LOG_LVL_INFO
						      : LOG_LEVEL_DEFAULT);
}

static void
check_example_ike(const struct conf *c)
{
	const struct conf_ike_proposal *p1;
	const struct conf_ike_peer *hq;

	assert_non_null(p1 = conf_ike_proposal_find(c, "p1"));
	assert_ptr_equal(p1, TAILQ_FIRST(&c->ike_proposals));
	assert_null(TAILQ_NEXT(p1, entry));
	assert_int_equal(p1->line, 7);
	assert_int_equal(p1->enc, CONF_IKE_AES128);
	assert_int_equal(p1->hash, CONF_HASH_SHA1);
	assert_int_equal(p1->group, 14);
	assert_int_equal(p1->lifetime.seconds, 8 * 3600);
	assert_int_equal(p1->lifetime.kilobytes, 0);

	assert_non_null(hq = conf_ike_peer_find(c, "hq"));
	assert_null(TAILQ_NEXT(hq, entry));
	assert_int_equal(hq->line, 13);
	assert_int_equal(hq->any, 0);
	assert_addr(&hq->addr, "203.0.113.2");
	assert_addr(&hq->local_addr, "203.0.113.1");
	assert_int_equal(hq->mode, CONF_MODE_MAIN);
	assert_string_equal(hq->psk, "lab-only-psk");
	assert_int_equal(hq->psk_len, 12);
	assert_int_equal(hq->nprops, 1);
	assert_ptr_equal(hq->props[0], p1);
	assert_int_equal(hq->dpd_interval, 10);
	assert_int_equal(hq->dpd_retries, 3);
	assert_int_equal(hq->dpd_action, CONF_DPD_CLEAR);
	assert_int_equal(hq->natt, CONF_NATT_ON);
	assert_int_equal(hq->natt_keepalive, 20);
	assert_int_equal(hq->initial_contact, 1);
	assert_int_equal(hq->local_id.type, CONF_ID_DEFAULT);
	assert_int_equal(hq->remote_id.type, CONF_ID_DEFAULT);
}

static void
check_example_tunnel(const struct conf *c)
{
	const struct conf_ipsec_proposal *p2;
	const struct conf_tunnel *t;

	assert_non_null(p2 = conf_ipsec_proposal_find(c, "p2"));
	assert_null(TAILQ_NEXT(p2, entry));
	assert_int_equal(p2->nesp, 1);
	assert_int_equal(p2->esp[0].enc, CONF_ESP_AES128GCM);
	assert_int_equal(p2->esp[0].integ, CONF_INTEG_NONE);
	assert_int_equal(p2->pfs_group, 0);
	assert_int_equal(p2->lifetime.seconds, 3600);
	assert_int_equal(p2->lifetime.kilobytes, 0);

	assert_int_equal(c->ntunnels, 1);
	assert_non_null(t = conf_tunnel_find(c, "tun0"));
	assert_int_equal(t->line, 26);
	assert_ptr_equal(t->peer, conf_ike_peer_find(c, "hq"));
	assert_ptr_equal(t->proposal, p2);
	assert_int_equal(t->nlocal, 1);
	assert_prefix(&t->local[0], "192.168.10.0/24");
	assert_int_equal(t->nremote, 1);
	assert_prefix(&t->remote[0], "192.168.20.0/24");
	assert_int_equal(t->mtu, 1400);
	assert_int_equal(t->mss, CONF_MSS_AUTO);
	assert_int_equal(t->frag, CONF_FRAG_POST);
	assert_int_equal(t->df, CONF_DF_COPY);
	assert_int_equal(t->replay_window, 1024);
	assert_int_equal(t->initiate, CONF_INIT_ON_DEMAND);
	assert_int_equal(t->shutdown, 0);
	assert_string_equal(t->description, "");
	assert_null(conf_tunnel_find(c, "tun1"));
	assert_null(conf_ike_peer_find(c, "p1"));
}

static void
test_example(void **state)
{
	struct conf_errors e;
	struct conf *c;

	(void)state;
	if ((c = conf_load(EXAMPLE, &e)) == NULL)
		fail_msg("%s", e.count ? e.msg[0] : "no message");
	assert_int_equal(e.total, 0);
	check_example_globals(c);
	check_example_ike(c);
	check_example_tunnel(c);
	conf_free(c);
}

/* The normalised form, pinned: the operator's view must not drift. */
static void
test_example_print(void **state)
{
	static const char want[] =
	    "hostname branch-01\n"
	    "control socket /run/fleetvpn/branch-01.sock\n"
	    "pid-file /run/fleetvpn/branch-01.pid\n"
	    "state-directory /var/lib/fleetvpn\n"
	    "spool-directory /var/lib/fleetvpn/spool\n"
	    "ike retransmit 2s 5\n"
	    "logging buffered 2000\n"
	    "logging level ike info\n"
	    "\nike proposal p1\n encryption aes-128\n hash sha1\n group 14\n"
	    " lifetime 8h\n"
	    "\nike peer hq\n address 203.0.113.2\n local-address 203.0.113.1\n"
	    " mode main\n pre-shared-key ********\n proposal p1\n"
	    " dpd 10s 3 clear\n nat-traversal on\n nat-keepalive 20s\n"
	    " initial-contact on\n"
	    "\nipsec proposal p2\n esp aes-128-gcm\n pfs none\n lifetime 1h\n"
	    "\ntunnel tun0\n peer hq\n proposal p2\n"
	    " local-network 192.168.10.0/24\n remote-network 192.168.20.0/24\n"
	    " mtu 1400\n tcp-mss auto\n fragment post\n df-bit copy\n"
	    " replay-window 1024\n initiate on-demand\n";
	struct conf *c;
	char *s;

	(void)state;
	assert_non_null(c = conf_load(EXAMPLE, NULL));
	s = print_conf(c, 0);
	assert_string_equal(s, want);
	free(s);
	conf_free(c);
}

static void
check_masked(const struct conf *c, const char *masked)
{
	const struct conf_ike_peer *pe;

	const char *l;

	/* Every key line is masked, and no key of some length leaks. */
	for (l = strstr(masked, "pre-shared-key"); l != NULL;
	     l = strstr(l + 1, "pre-shared-key"))
		assert_true(strncmp(l, "pre-shared-key ********\n", 24) == 0);
	TAILQ_FOREACH(pe, &c->ike_peers, entry) {
		if (pe->psk_len >= 6 && strstr(masked, pe->psk) != NULL)
			fail_msg("peer %s: key in the masked print", pe->name);
	}
	if (!TAILQ_EMPTY(&c->ike_peers))
		assert_non_null(strstr(masked, " pre-shared-key ********\n"));
}

static void
check_good(const char *name)
{
	struct conf_errors e;
	struct conf *c, *c2;
	char path[512], *p1, *p2, *masked;

	snprintf(path, sizeof(path), "%s/%s", GOOD_DIR, name);
	if ((c = conf_load(path, &e)) == NULL)
		fail_msg("%s: %s", path, e.count ? e.msg[0] : "?");
	p1 = print_conf(c, CONF_PRINT_SECRETS);
	if ((c2 = conf_parse("printed", p1, strlen(p1), &e)) == NULL)
		fail_msg("%s: reparse: %s\n%s", path, e.msg[0], p1);
	p2 = print_conf(c2, CONF_PRINT_SECRETS);
	assert_string_equal(p1, p2);
	masked = print_conf(c, 0);
	check_masked(c, masked);
	if (!TAILQ_EMPTY(&c->ike_peers)) {
		assert_null(conf_parse("masked", masked, strlen(masked), &e));
		assert_non_null(strstr(e.msg[0], "looks masked"));
	}
	free(masked);
	free(p1);
	free(p2);
	conf_free(c2);
	conf_free(c);
}

static void
test_good_files(void **state)
{
	char *names[NAMES_MAX];
	int i, n;

	(void)state;
	n = list_dir(GOOD_DIR, names, NAMES_MAX);
	assert_true(n >= 5);
	for (i = 0; i < n; i++) {
		check_good(names[i]);
		free(names[i]);
	}
}

/* "# expect: LINE: TEXT" */
static void
bad_header(const char *path, int *line, char *text, size_t len)
{
	char hdr[CONF_LINE_MAX + 2], *colon;
	uint32_t v;
	FILE *f;

	assert_non_null(f = fopen(path, "rb"));
	assert_non_null(fgets(hdr, sizeof(hdr), f));
	fclose(f);
	hdr[strcspn(hdr, "\r\n")] = '\0';
	if (strncmp(hdr, "# expect: ", 10) != 0 ||
	    (colon = strstr(hdr + 10, ": ")) == NULL)
		fail_msg("%s: no '# expect: LINE: TEXT' line", path);
	*colon = '\0';
	if (str_to_u32(hdr + 10, 1, 1000000, &v) == -1)
		fail_msg("%s: bad line number in the expect line", path);
	*line = (int)v;
	str_lcpy(text, colon + 2, len);
}

static void
check_bad(const char *name)
{
	struct conf_errors e;
	char path[512], text[CONF_LINE_MAX], prefix[600];
	int line;

	snprintf(path, sizeof(path), "%s/%s", BAD_DIR, name);
	bad_header(path, &line, text, sizeof(text));
	if (conf_load(path, &e) != NULL)
		fail_msg("%s: loaded, expected an error", path);
	assert_true(e.count >= 1 && e.count <= e.total);
	snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
	if (strncmp(e.msg[0], prefix, strlen(prefix)) != 0 ||
	    strstr(e.msg[0], text) == NULL)
		fail_msg("%s:\n  got  %s\n  want %s...%s", name, e.msg[0],
			 prefix, text);
}

static void
test_bad_files(void **state)
{
	char *names[NAMES_MAX];
	int i, n;

	(void)state;
	n = list_dir(BAD_DIR, names, NAMES_MAX);
	if (n < BAD_MIN)
		fail_msg("only %d files in %s, want %d", n, BAD_DIR, BAD_MIN);
	for (i = 0; i < n; i++) {
		check_bad(names[i]);
		free(names[i]);
	}
}

/* Each prefix in an exactly sized heap block, so ASan sees any overread. */
static void
test_truncation(void **state)
{
	struct conf_errors e;
	struct conf *c;
	size_t len = 0, off;
	char *text, *cut;
	int loaded = 0;

	(void)state;
	assert_non_null(text = read_file(EXAMPLE, &len));
	for (off = 0; off <= len; off++) {
		assert_non_null(cut = malloc(off ? off : 1));
		memcpy(cut, text, off);
		c = conf_parse("cut", cut, off, &e);
		if (c != NULL) {
			assert_int_equal(e.total, 0);
			loaded++;
		} else {
			assert_true(e.count > 0);
			assert_true(strncmp(e.msg[0], "cut:", 4) == 0);
		}
		conf_free(c);
		free(cut);
	}
	assert_true(loaded > 0);
	free(text);
}

static void
check_lifetime(const char *block, const char *value, long want_s,
	       long long want_kb)
{
	struct conf_errors e;
	const struct conf_ike_proposal *ip;
	const struct conf_ipsec_proposal *sp;
	struct conf *c;
	char text[512];
	int ike = strcmp(block, "ike") == 0;

	snprintf(text, sizeof(text), "%s%s lifetime %s\n",
		 ike ? IKEP : PEER IKEP IPSP, "", value);
	c = parse_str(text, &e);
	if (want_s < 0) {
		if (c != NULL)
			fail_msg("%s lifetime %s: accepted", block, value);
		assert_non_null(strstr(e.msg[0], "lifetime: "));
		return;
	}
	if (c == NULL)
		fail_msg("%s lifetime %s: %s", block, value, e.msg[0]);
	ip = TAILQ_FIRST(&c->ike_proposals);
	sp = TAILQ_FIRST(&c->ipsec_proposals);
	assert_int_equal(ike ? ip->lifetime.seconds : sp->lifetime.seconds,
			 want_s);
	assert_int_equal(ike ? ip->lifetime.kilobytes : sp->lifetime.kilobytes,
			 want_kb);
	conf_free(c);
}

static void
test_lifetimes(void **state)
{
	(void)state;
	check_lifetime("ike", "60", 60, 0);
	check_lifetime("ike", "60s", 60, 0);
	check_lifetime("ike", "1m", 60, 0);
	check_lifetime("ike", "59", -1, 0);
	check_lifetime("ike", "0", -1, 0);
	check_lifetime("ike", "7d", 604800, 0);
	check_lifetime("ike", "168h", 604800, 0);
	check_lifetime("ike", "604800", 604800, 0);
	check_lifetime("ike", "604801", -1, 0);
	check_lifetime("ike", "8d", -1, 0);
	check_lifetime("ike", "08h", 28800, 0);
	check_lifetime("ipsec", "2d", 172800, 0);
	check_lifetime("ipsec", "2880m", 172800, 0);
	check_lifetime("ipsec", "172801s", -1, 0);
	check_lifetime("ipsec", "3d", -1, 0);
	check_lifetime("ipsec", "10 kilobytes", 3600, 10);
	check_lifetime("ipsec", "9 kilobytes", -1, 0);
	check_lifetime("ike", "4294967295 kilobytes", 28800, 4294967295LL);
	check_lifetime("ike", "4294967296 kilobytes", -1, 0);
	check_lifetime("ike", "1h\n lifetime 100 kilobytes", 3600, 100);
	check_lifetime("ike", "100 kilobyte", -1, 0);
}

static void
test_duration_syntax(void **state)
{
	static const char *const bad[] = {"8 h",
					  "h",
					  "-1h",
					  "+5m",
					  "1.5h",
					  "1h30m",
					  "8H",
					  "1w",
					  "s1",
					  "",
					  "99999999999999999999999"};
	char text[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s lifetime \"%s\"\n", IKEP,
			 bad[i]);
		expect_error(text, 5, "lifetime: ");
	}
	expect_error(IKEP " lifetime 1w\n", 5, "invalid duration '1w'");
	expect_error(IKEP " lifetime 99999999999999999999999\n", 5,
		     "is out of range (1m..7d)");
}

static void
test_duration_print(void **state)
{
	static const struct {
		uint64_t s;
		const char *want;
	} t[] = {
	    {28800, "8h"}, {90, "90s"},	    {60, "1m"},	    {5400, "90m"},
	    {86400, "1d"}, {3601, "3601s"}, {172800, "2d"}, {90000, "25h"},
	    {0, "0s"},	   {1, "1s"},
	};
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_string_equal(
		    conf_print_duration(buf, sizeof(buf), t[i].s), t[i].want);
}

/* More errors than are kept: the first ones in line order, total exact. */
static void
test_error_cap(void **state)
{
	struct conf_errors e;
	char text[4096];
	size_t off;
	int i;

	(void)state;
	/* Line 3's dangling peer is found last but must sort first. */
	off = (size_t)snprintf(
	    text, sizeof(text), "%s%s",
	    "tunnel t\n proposal p2\n peer nope\n local-network 10.1.0.0/16\n"
	    " remote-network 10.2.0.0/16\n",
	    IPSP);
	for (i = 0; i < 30; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"bogus%d\n", i);
	assert_null(parse_str(text, &e));
	assert_int_equal(e.count, CONF_ERRORS_MAX);
	assert_int_equal(e.total, 31);
	assert_non_null(strstr(e.msg[0], "t.conf:3: tunnel 't': ike peer "
					 "'nope' is not defined"));
	assert_non_null(strstr(e.msg[1], "t.conf:8: unknown keyword 'bogus0'"));
	assert_non_null(strstr(e.msg[CONF_ERRORS_MAX - 1],
			       "t.conf:26: unknown keyword 'bogus18'"));
}

static void
test_crlf(void **state)
{
	struct conf *c;

	(void)state;
	c = expect_ok("hostname a\r\nlogging buffered 5\r\n" IKEP);
	assert_string_equal(c->hostname, "a");
	assert_int_equal(c->log_buffered, 5);
	conf_free(c);
	c = expect_ok("hostname b\r");
	assert_string_equal(c->hostname, "b");
	conf_free(c);
	expect_error("hostname a\r\r\n", 1, "control character 0x0d");
	expect_error("hostname\ta\nhostname b\r\n", 2, "duplicate 'hostname'");
}

static void
test_comments(void **state)
{
	struct conf *c;

	(void)state;
	c = expect_ok("# comment\n! bang comment\n   # indented comment\n"
		      "hostname h # trailing\nlogging buffered 7 ! trailing\n"
		      "\n\t\n" IKEP "# between\n lifetime 1h ! still ike\n");
	assert_string_equal(c->hostname, "h");
	assert_int_equal(c->log_buffered, 7);
	assert_int_equal(TAILQ_FIRST(&c->ike_proposals)->lifetime.seconds,
			 3600);
	conf_free(c);
	/* '#' inside a word is part of it. */
	expect_error("logging buffered 5#6\n", 1, "'5#6' is not a number");
	expect_error("hostname a\n\n# c\n  \n mtu 1\n", 5,
		     "indented line outside a block");
}

static void
test_quoted(void **state)
{
	struct conf *c;
	const struct conf_ike_peer *pe;
	const struct conf_tunnel *t;

	(void)state;
	c = expect_ok(IKEP IPSP "ike peer \"hq\"\n address 203.0.113.2\n"
				"  pre-shared-key \"a \\\"b\\\" \\\\c # !d\"\n"
				" proposal \"p1\"\n" TUN
				" description \"x  \\\"y\\\"\"\n");
	pe = conf_ike_peer_find(c, "hq");
	assert_string_equal(pe->psk, "a \"b\" \\c # !d");
	assert_int_equal(pe->psk_len, strlen("a \"b\" \\c # !d"));
	t = conf_tunnel_find(c, "tun0");
	assert_string_equal(t->description, "x  \"y\"");
	conf_free(c);
	c = expect_ok(IKEP PEER IPSP TUN " \n description one  two\tthree\n");
	assert_string_equal(conf_tunnel_find(c, "tun0")->description,
			    "one two three");
	conf_free(c);
	expect_error("hostname \"abc\n", 1, "unterminated quoted string");
	expect_error("hostname \"abc\\\"\n", 1, "unterminated quoted string");
	expect_error("hostname \"ab\\c\"\n", 1, "invalid escape in column 13");
	expect_error("hostname \"\"\n", 1, "invalid host name ''");
}

static void
test_forward_refs(void **state)
{
	struct conf *c;
	const struct conf_ike_peer *pe;
	const struct conf_tunnel *t;

	(void)state;
	assert_non_null(
	    c = conf_load(GOOD_DIR "/forward-references.conf", NULL));
	pe = conf_ike_peer_find(c, "later");
	t = conf_tunnel_find(c, "tun7");
	assert_ptr_equal(t->peer, pe);
	assert_ptr_equal(t->proposal, conf_ipsec_proposal_find(c, "esp-later"));
	assert_int_equal(pe->nprops, 2);
	assert_ptr_equal(pe->props[0], conf_ike_proposal_find(c, "ike-later"));
	assert_ptr_equal(pe->props[1], conf_ike_proposal_find(c, "ike-first"));
	conf_free(c);
}

static void
check_defaults(const struct conf *c)
{
	char host[256];
	int i;

	memset(host, 0, sizeof(host));
	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	host[strcspn(host, ".")] = '\0';
	if (conf_parse_is_hostname(host))
		assert_string_equal(c->hostname, host);
	else
		assert_string_equal(c->hostname, "fleetvpn");
	assert_string_equal(c->ctl_path, CONF_CTL_DEFAULT);
	assert_string_equal(c->pid_path, "/run/fleetvpn/fleetvpnd.pid");
	assert_string_equal(c->state_dir, CONF_STATE_DEFAULT);
	assert_string_equal(c->spool_dir, CONF_STATE_DEFAULT "/spool");
	assert_string_equal(c->ctl_group, "");
	assert_int_equal(c->log_buffered, LOG_RING_DEFAULT);
	for (i = 0; i < LOG_SUB_COUNT; i++)
		assert_int_equal(c->log_level[i], LOG_LEVEL_DEFAULT);
	assert_true(TAILQ_EMPTY(&c->ike_proposals));
	assert_true(TAILQ_EMPTY(&c->ike_peers));
	assert_true(TAILQ_EMPTY(&c->ipsec_proposals));
	assert_true(TAILQ_EMPTY(&c->tunnels));
	assert_int_equal(c->ntunnels, 0);
}

static void
test_defaults(void **state)
{
	struct conf *c;

	(void)state;
	assert_non_null(c = conf_new());
	check_defaults(c);
	conf_free(c);
	c = expect_ok("");
	check_defaults(c);
	conf_free(c);
	assert_non_null(c = conf_parse(NULL, NULL, 0, NULL));
	conf_free(c);
	conf_free(NULL);
}

static void
test_derived_paths(void **state)
{
	struct conf *c;

	(void)state;
	c = expect_ok("control socket /x/ctl\nstate-directory /srv/f//\n");
	assert_string_equal(c->pid_path, "/x/ctl.pid");
	assert_string_equal(c->state_dir, "/srv/f");
	assert_string_equal(c->spool_dir, "/srv/f/spool");
	conf_free(c);
	c = expect_ok("spool-directory /q\ncontrol socket /a.sock\n"
		      "pid-file /p/f.pid\nstate-directory /s\n");
	assert_string_equal(c->pid_path, "/p/f.pid");
	assert_string_equal(c->spool_dir, "/q");
	conf_free(c);
	expect_error("state-directory /\n", 1, "is the root directory");
}

static void
test_logging(void **state)
{
	struct conf *c;
	int i;

	(void)state;
	/* Specific lines win over "all" wherever they are. */
	c = expect_ok("logging level ike error\nlogging level all debug\n"
		      "logging level esp warn\nno logging buffered\n");
	for (i = 0; i < LOG_SUB_COUNT; i++)
		assert_int_equal(c->log_level[i],
				 i == LOG_SUB_IKE   ? LOG_LVL_ERROR
				 : i == LOG_SUB_ESP ? LOG_LVL_WARN
						    : LOG_LVL_DEBUG);
	assert_int_equal(c->log_buffered, 0);
	conf_free(c);
	expect_error("logging level all info\nlogging level all warn\n", 2,
		     "duplicate 'logging level all' (first set on line 1)");
	expect_error("logging buffered\n", 1, "missing argument");
	expect_error("logging\n", 1, "unknown keyword 'logging'");
}

static void
test_address_any(void **state)
{
	struct conf *c;
	const struct conf_ike_peer *pe;

	(void)state;
	c = expect_ok(IKEP IPSP TUN
		      "ike peer hq\n address any\n"
		      " mode aggressive\n pre-shared-key k\n"
		      " proposal p1\n remote-id fqdn:a.example\n");
	pe = conf_ike_peer_find(c, "hq");
	assert_int_equal(pe->any, 1);
	assert_int_equal(pe->addr.family, AF_UNSPEC);
	assert_int_equal(pe->remote_id.type, CONF_ID_FQDN);
	assert_string_equal(pe->remote_id.value, "a.example");
	assert_int_equal(conf_tunnel_find(c, "tun0")->initiate,
			 CONF_INIT_RESPOND);
	conf_free(c);
	expect_error(IKEP IPSP TUN "ike peer hq\n address any\n"
				   " mode aggressive\n pre-shared-key k\n"
				   " proposal p1\n remote-id fqdn:a.example\n"
				   " initiate on-demand\n",
		     18, "unknown keyword 'initiate' in ike peer block");
}

static void
test_ids(void **state)
{
	struct conf *c;
	const struct conf_ike_peer *pe;

	(void)state;
	c = expect_ok(IKEP "ike peer hq\n address 2001:db8::1\n"
			   " pre-shared-key k\n proposal p1\n"
			   " local-id 2001:db8::2\n"
			   " remote-id \"key-id:a b\"\n");
	pe = conf_ike_peer_find(c, "hq");
	assert_int_equal(pe->local_id.type, CONF_ID_ADDRESS);
	assert_addr(&pe->local_id.addr, "2001:db8::2");
	assert_int_equal(pe->remote_id.type, CONF_ID_KEY_ID);
	assert_string_equal(pe->remote_id.value, "a b");
	conf_free(c);
	expect_error(IKEP PEER " local-id fqdn:\n", 9, "identity is 1 to 127");
	expect_error(IKEP PEER " local-id fqdn:a/b\n", 9, "invalid fqdn 'a/b'");
	expect_error(IKEP PEER " local-id address:1.2.3\n", 9,
		     "invalid IP address '1.2.3'");
}

static void
test_esp_and_pfs(void **state)
{
	struct conf *c;
	const struct conf_ipsec_proposal *sp;

	(void)state;
	c = expect_ok("ipsec proposal x\n esp aes-256 sha512\n"
		      " esp aes-256-gcm\n esp 3des md5\n pfs group 21\n");
	sp = conf_ipsec_proposal_find(c, "x");
	assert_int_equal(sp->nesp, 3);
	assert_int_equal(sp->esp[0].enc, CONF_ESP_AES256);
	assert_int_equal(sp->esp[0].integ, CONF_INTEG_SHA512);
	assert_int_equal(sp->esp[1].enc, CONF_ESP_AES256GCM);
	assert_int_equal(sp->esp[1].integ, CONF_INTEG_NONE);
	assert_int_equal(sp->esp[2].enc, CONF_ESP_3DES);
	assert_int_equal(sp->pfs_group, 21);
	conf_free(c);
	expect_error("ipsec proposal x\n esp aes-256-gcm\n pfs group\n", 3,
		     "pfs: missing group number");
	expect_error("ipsec proposal x\n esp aes-256-gcm\n pfs none 5\n", 3,
		     "pfs: unknown value 'none'");
}

static void
test_tunnel_settings(void **state)
{
	struct conf *c;
	const struct conf_tunnel *t;

	(void)state;
	c = expect_ok(IKEP PEER IPSP TUN " tcp-mss 1360\n fragment pre\n"
					 " df-bit set\n replay-window 0\n"
					 " initiate always\n shutdown\n"
					 " local-network 10.3.0.1\n");
	t = conf_tunnel_find(c, "tun0");
	assert_int_equal(t->mss, CONF_MSS_FIXED);
	assert_int_equal(t->mss_value, 1360);
	assert_int_equal(t->frag, CONF_FRAG_PRE);
	assert_int_equal(t->df, CONF_DF_SET);
	assert_int_equal(t->replay_window, 0);
	assert_int_equal(t->initiate, CONF_INIT_ALWAYS);
	assert_int_equal(t->shutdown, 1);
	assert_int_equal(t->nlocal, 2);
	assert_prefix(&t->local[1], "10.3.0.1/32");
	conf_free(c);
	expect_error(IKEP PEER IPSP TUN " shutdown now\n", 16,
		     "shutdown: too many arguments");
	expect_error(
	    IKEP PEER IPSP TUN " local-network 10.0.0.0/8\n", 16,
	    "local-network: 10.0.0.0/8 overlaps local-network 10.1.0.0/16");
}

static void
test_load_errors(void **state)
{
	struct conf_errors e;
	char path[] = "/tmp/test_conf.XXXXXX";
	int fd;

	(void)state;
	assert_null(conf_load("/nonexistent/fleetvpn.conf", &e));
	assert_int_equal(e.count, 1);
	assert_int_equal(e.total, 1);
	assert_string_equal(e.msg[0], "/nonexistent/fleetvpn.conf: cannot "
				      "open: No such file or directory");
	assert_null(conf_load("tests/data", &e));
	assert_string_equal(e.msg[0], "tests/data: not a regular file");
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(ftruncate(fd, (off_t)CONF_FILE_MAX + 1), 0);
	close(fd);
	assert_null(conf_load(path, &e));
	assert_non_null(strstr(e.msg[0], ": file too large (4194305 bytes"));
	unlink(path);
	assert_null(conf_parse("big", "", (size_t)CONF_FILE_MAX + 1, &e));
	assert_non_null(strstr(e.msg[0], "big: file too large"));
	assert_null(conf_load("/nonexistent", NULL));
}

static void
test_long_lines(void **state)
{
	char text[CONF_LINE_MAX + 64];

	(void)state;
	memset(text, 0, sizeof(text));
	text[0] = '#';
	memset(text + 1, 'x', CONF_LINE_MAX - 1);
	text[CONF_LINE_MAX] = '\n';
	free(expect_ok(text));
	text[CONF_LINE_MAX] = 'x';
	text[CONF_LINE_MAX + 1] = '\n';
	expect_error(text, 1, "line too long (1025 characters, at most 1024)");
	expect_error("a b c d e f g h i j k l m n o p\nq\n", 1,
		     "unknown keyword 'a'");
	expect_error("a b c d e f g h i j k l m n o p q\n", 1,
		     "too many tokens");
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(conf_ike_enc_name(CONF_IKE_3DES), "3des");
	assert_string_equal(conf_hash_name(CONF_HASH_SHA384), "sha384");
	assert_string_equal(conf_esp_enc_name(CONF_ESP_AES192GCM),
			    "aes-192-gcm");
	assert_string_equal(conf_esp_integ_name(CONF_INTEG_NONE), "none");
	assert_string_equal(conf_esp_integ_name(CONF_INTEG_SHA1), "sha1");
	assert_string_equal(conf_mode_name(CONF_MODE_AGGRESSIVE), "aggressive");
	assert_string_equal(conf_id_type_name(CONF_ID_USER_FQDN), "user-fqdn");
	assert_string_equal(conf_dpd_action_name(CONF_DPD_RESTART), "restart");
	assert_string_equal(conf_natt_name(CONF_NATT_FORCE), "force");
	assert_string_equal(conf_frag_name(CONF_FRAG_OFF), "off");
	assert_string_equal(conf_df_name(CONF_DF_CLEAR), "clear");
	assert_string_equal(conf_initiate_name(CONF_INIT_RESPOND), "never");
	assert_string_equal(conf_initiate_name((enum conf_initiate)42), "?");
	assert_true(conf_group_valid(14));
	assert_false(conf_group_valid(1));
	assert_false(conf_group_valid(0));
	assert_true(conf_esp_is_aead(CONF_ESP_AES256GCM));
	assert_false(conf_esp_is_aead(CONF_ESP_AES256));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_example),
	    cmocka_unit_test(test_example_print),
	    cmocka_unit_test(test_good_files),
	    cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_lifetimes),
	    cmocka_unit_test(test_duration_syntax),
	    cmocka_unit_test(test_duration_print),
	    cmocka_unit_test(test_error_cap),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_comments),
	    cmocka_unit_test(test_quoted),
	    cmocka_unit_test(test_forward_refs),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_derived_paths),
	    cmocka_unit_test(test_logging),
	    cmocka_unit_test(test_address_any),
	    cmocka_unit_test(test_ids),
	    cmocka_unit_test(test_esp_and_pfs),
	    cmocka_unit_test(test_tunnel_settings),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_long_lines),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
