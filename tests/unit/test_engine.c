/*
 * The IKE engine end to end, in one process: two engines on one event
 * loop negotiate over loopback inside a private network namespace (the
 * test unshares one, so it needs root and touches nothing outside).  The
 * event stream, the counters and the SAD must agree on both sides, and a
 * Delete must travel.  Run under valgrind by "make check", it also checks
 * the engine's memory handling across a whole SA life.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ike.h"

static const char conf_fmt[] =
    "hostname %s\n"
    "ike retransmit 1s 2\n"
    "ike proposal p1\n%s"
    "ike peer peer\n address 127.0.0.%d\n local-address 127.0.0.%d\n"
    " mode %s\n pre-shared-key \"engine-test-key\"\n proposal p1\n"
    "%s"
    "ipsec proposal p2\n esp %s\n pfs %s\n"
    "tunnel tun0\n peer peer\n proposal p2\n"
    " local-network 10.%d.0.0/16\n remote-network 10.%d.0.0/16\n"
    " initiate %s\n";

#define EVENTS_MAX 32

struct side {
	struct conf *conf;
	struct ike *ike;
	enum engine_event_type ev[EVENTS_MAX];
	int nev;
};

static void
on_event(const struct engine_event *ev, void *arg)
{
	struct side *s = arg;

	if (s->nev < EVENTS_MAX)
		s->ev[s->nev++] = ev->type;
}

static int
count(const struct side *s, enum engine_event_type t)
{
	int i, n = 0;

	for (i = 0; i < s->nev; i++)
		n += s->ev[i] == t;
	return n;
}

static void
side_new(struct side *s, struct ev_loop *loop, int me, const char *mode,
	 const char *p1, const char *esp, const char *pfs, const char *extra,
	 const char *initiate)
{
	struct conf_errors errs;
	char text[2048], err[128];
	int other = me == 1 ? 2 : 1;

	memset(s, 0, sizeof(*s));
	snprintf(text, sizeof(text), conf_fmt, me == 1 ? "a" : "b", p1, other,
		 me, mode, extra, esp, pfs, me, other, initiate);
	if ((s->conf = conf_parse("engine.conf", text, strlen(text), &errs)) ==
	    NULL)
		fail_msg("%s", errs.msg[0]);
	if ((s->ike = ike_new(loop, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	s->ike->subs[0].fn = on_event;
	s->ike->subs[0].arg = s;
	s->ike->nsubs = 1;
	assert_int_equal(ike_apply(s->ike, s->conf), 0);
	assert_int_equal(s->ike->nsocks, 2); /* UDP 500 and 4500 */
}

static void
side_free(struct side *s)
{
	ike_free(s->ike);
	conf_free(s->conf);
}

static int
run_until(struct ev_loop *loop, int (*done)(void *), void *arg, int ms)
{
	uint64_t end = ev_time_ms() + (uint64_t)ms;

	while (!done(arg) && ev_time_ms() < end)
		ev_run_once(loop, 50);
	return done(arg);
}

static int
both_up(void *arg)
{
	struct side *s = arg;

	return count(&s[0], ENGINE_EV_TUNNEL_UP) > 0 &&
	       count(&s[1], ENGINE_EV_TUNNEL_UP) > 0;
}

/* The two SAD entries of a direction carry the same keys. */
static void
same_keys(const struct ike *a, uint32_t spi_a_out, const struct ike *b)
{
	const struct sad_entry *out = sad_lookup(a->sad, spi_a_out, SAD_OUT);
	const struct sad_entry *in = sad_lookup(b->sad, spi_a_out, SAD_IN);

	assert_non_null(out);
	assert_non_null(in);
	assert_int_equal(out->enckeylen, in->enckeylen);
	assert_memory_equal(out->enckey, in->enckey, in->enckeylen);
	assert_int_equal(out->authkeylen, in->authkeylen);
	assert_memory_equal(out->authkey, in->authkey, in->authkeylen);
	assert_true(addr_eq(&out->src, &in->src));
}

static const struct ipsec_sa *
child_of(const struct side *s)
{
	const struct ike_tunnel *t = TAILQ_FIRST(&s->ike->tunnels);

	return TAILQ_FIRST(&t->sas);
}

/* " encryption E\n hash H\n group G\n": an ike proposal's body. */
static const char *
p1_body(const char *enc, const char *hash, int group)
{
	static char b[128];

	snprintf(b, sizeof(b), " encryption %s\n hash %s\n group %d\n", enc,
		 hash, group);
	return b;
}

static void
negotiate(const char *mode, const char *p1, const char *esp, const char *pfs)
{
	struct ev_loop *loop = ev_loop_new();
	const struct ipsec_sa *ca, *cb;
	struct side s[2];

	side_new(&s[1], loop, 2, mode, p1, esp, pfs, "", "never");
	side_new(&s[0], loop, 1, mode, p1, esp, pfs, "", "always");
	assert_true(run_until(loop, both_up, s, 10000));
	assert_int_equal(count(&s[0], ENGINE_EV_IKE_UP), 1);
	assert_int_equal(count(&s[1], ENGINE_EV_IPSEC_UP), 1);
	assert_int_equal(s[0].ike->st.p1.success, 1);
	assert_int_equal(s[1].ike->st.p2.success, 1);
	ca = child_of(&s[0]);
	cb = child_of(&s[1]);
	assert_int_equal(ca->spi_in, cb->spi_out);
	assert_int_equal(ca->spi_out, cb->spi_in);
	same_keys(s[0].ike, ca->spi_out, s[1].ike);
	same_keys(s[1].ike, cb->spi_out, s[0].ike);
	/* No NAT on loopback: raw ESP, and IKE stayed on port 500. */
	assert_false(ca->encap);
	assert_int_equal(TAILQ_FIRST(&s[0].ike->sas)->local.port, 500);
	side_free(&s[0]); /* shutdown: Deletes go out */
	run_until(loop, both_up, s, 200);
	side_free(&s[1]);
	ev_loop_free(loop);
}

static void
test_main_mode_cbc(void **state)
{
	(void)state;
	negotiate("main", p1_body("aes-256", "sha256", 14), "aes-128 sha256",
		  "none");
}

static void
test_aggressive_gcm_pfs(void **state)
{
	(void)state;
	negotiate("aggressive", p1_body("aes-256", "sha256", 19), "aes-256-gcm",
		  "group 19");
}

/*
 * Every phase-1 group, cipher and hash, and every ESP transform, end to
 * end: both sides must derive the same keys for each.
 */
static void
test_every_transform(void **state)
{
	static const struct {
		const char *enc, *hash;
		int group;
		const char *esp;
	} t[] = {
	    {"3des", "md5", 2, "aes-128 md5"},
	    {"aes-128", "sha1", 5, "aes-192 sha1"},
	    {"aes-192", "sha256", 14, "aes-256 sha384"},
	    {"aes-256", "sha384", 15, "3des sha512"},
	    {"aes-128", "sha512", 16, "aes-128-gcm"},
	    {"3des", "sha1", 19, "aes-192-gcm"},
	    {"aes-192", "sha384", 20, "aes-256-gcm"},
	    {"aes-256", "sha512", 21, "aes-128 sha256"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		negotiate(i % 2 ? "aggressive" : "main",
			  p1_body(t[i].enc, t[i].hash, t[i].group), t[i].esp,
			  i % 3 == 0 ? "group 14" : "none");
}

static int
deleted(void *arg)
{
	struct side *s = arg;

	return count(&s[1], ENGINE_EV_TUNNEL_DOWN) > 0;
}

static void
test_delete_travels(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct side s[2];

	(void)state;
	side_new(&s[1], loop, 2, "main", p1_body("aes-128", "sha1", 14),
		 "aes-128-gcm", "none", "", "never");
	side_new(&s[0], loop, 1, "main", p1_body("aes-128", "sha1", 14),
		 "aes-128-gcm", "none", "", "on-demand");
	ike_tunnel_want(TAILQ_FIRST(&s[0].ike->tunnels));
	assert_true(run_until(loop, both_up, s, 10000));
	assert_int_equal(s[0].ike->st.delete_tx, 0);
	/* Clearing on one side removes the pair on the other. */
	while (!TAILQ_EMPTY(&TAILQ_FIRST(&s[0].ike->tunnels)->sas))
		ipsec_sa_delete(
		    TAILQ_FIRST(&TAILQ_FIRST(&s[0].ike->tunnels)->sas),
		    "cleared by operator", 1);
	assert_true(run_until(loop, deleted, s, 3000));
	assert_int_equal(s[1].ike->st.delete_rx, 1);
	assert_int_equal(count(&s[1], ENGINE_EV_IPSEC_DOWN), 1);
	side_free(&s[0]);
	side_free(&s[1]);
	ev_loop_free(loop);
}

/* Hand "ike" a copy of the message in "m", as from its SA's peer. */
static void
replay(struct ike *ike, const struct ike_sa *sa, const struct buf *m)
{
	uint8_t copy[IKE_MSG_MAX];

	assert_true(m->len > 0 && m->len <= sizeof(copy));
	memcpy(copy, m->data, m->len);
	ike_recv(ike, &sa->local, &sa->remote, copy, m->len);
}

/*
 * A resent message is answered with our reply to it, once per
 * IKE_DUP_MS, and never with a message that was not a reply to it: the
 * initiator does not answer a second copy of the final main-mode
 * message, or the two sides would play the pair back and forth forever.
 */
static void
test_duplicates_answered_once(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct ike_sa *ia, *ra;
	struct side s[2];
	uint64_t tx0, tx1, dup0, dup1;

	(void)state;
	side_new(&s[1], loop, 2, "main", p1_body("aes-128", "sha1", 14),
		 "aes-128-gcm", "none", "", "never");
	side_new(&s[0], loop, 1, "main", p1_body("aes-128", "sha1", 14),
		 "aes-128-gcm", "none", "", "always");
	assert_true(run_until(loop, both_up, s, 10000));
	ia = TAILQ_FIRST(&s[0].ike->sas);
	ra = TAILQ_FIRST(&s[1].ike->sas);
	tx0 = s[0].ike->st.tx;
	tx1 = s[1].ike->st.tx;
	dup0 = s[0].ike->st.drops[IKE_DROP_DUPLICATE];
	dup1 = s[1].ike->st.drops[IKE_DROP_DUPLICATE];
	/* The responder's last message (MM6) again: no answer. */
	replay(s[0].ike, ia, &ra->last_out);
	assert_int_equal(s[0].ike->st.drops[IKE_DROP_DUPLICATE], dup0 + 1);
	assert_int_equal(s[0].ike->st.tx, tx0);
	/* The initiator's (MM5) again: MM6 is resent, but only once. */
	replay(s[1].ike, ra, &ia->last_out);
	replay(s[1].ike, ra, &ia->last_out);
	assert_int_equal(s[1].ike->st.drops[IKE_DROP_DUPLICATE], dup1 + 2);
	assert_int_equal(s[1].ike->st.tx, tx1 + 1);
	/* The resent MM6 reaches the initiator, which stays quiet. */
	run_until(loop, deleted, s, 300);
	assert_int_equal(s[0].ike->st.drops[IKE_DROP_DUPLICATE], dup0 + 2);
	assert_int_equal(s[0].ike->st.tx, tx0);
	assert_int_equal(s[1].ike->st.tx, tx1 + 1);
	side_free(&s[0]);
	side_free(&s[1]);
	ev_loop_free(loop);
}

static int
failed(void *arg)
{
	struct side *s = arg;

	return count(&s[0], ENGINE_EV_NEG_FAIL) > 0 &&
	       count(&s[1], ENGINE_EV_NEG_FAIL) > 0;
}

static void
test_phase1_mismatch_counted(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct side s[2];

	(void)state;
	side_new(&s[1], loop, 2, "main", p1_body("aes-128", "sha1", 14),
		 "aes-128-gcm", "none", "", "never");
	side_new(&s[0], loop, 1, "main", p1_body("aes-128", "sha1", 19),
		 "aes-128-gcm", "none", "", "always");
	assert_true(run_until(loop, failed, s, 5000));
	assert_int_equal(s[1].ike->st.p1.failure, 1);
	assert_int_equal(s[0].ike->st.p1.failure, 1);
	assert_int_equal(s[0].ike->st.notify_rx, 1);
	assert_int_equal(s[1].ike->st.p1.success, 0);
	side_free(&s[0]);
	side_free(&s[1]);
	ev_loop_free(loop);
}

/* A network of our own: loopback only, gone with the process. */
static int
setup(void **state)
{
	struct ifreq ifr;
	int fd;

	(void)state;
	if (unshare(CLONE_NEWNET) == -1) {
		fprintf(stderr, "test_engine: unshare(CLONE_NEWNET) needs "
				"root\n");
		return -1;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	ifr.ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	log_init();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	log_shutdown();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_main_mode_cbc),
	    cmocka_unit_test(test_aggressive_gcm_pfs),
	    cmocka_unit_test(test_every_transform),
	    cmocka_unit_test(test_delete_travels),
	    cmocka_unit_test(test_duplicates_answered_once),
	    cmocka_unit_test(test_phase1_mismatch_counted),
	};

	return cmocka_run_group_tests_name("engine", tests, setup, teardown);
}
