/*
 * Proposals and identities: what we put on the wire is what we select
 * from, the responder picks by its own configured order, lifetimes take
 * the shorter, PFS and encapsulation must agree, and proxy IDs round-trip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ike.h"
#include "str.h"

static const char conf_text[] =
    "ike proposal a\n encryption aes-256\n hash sha256\n group 19\n"
    " lifetime 4h\n"
    "ike proposal b\n encryption aes-128\n hash sha1\n group 14\n"
    "ike proposal c\n encryption 3des\n hash md5\n group 2\n"
    "ike peer ours\n address 192.0.2.1\n pre-shared-key k\n"
    " proposal a b\n"
    "ike peer theirs\n address 192.0.2.2\n pre-shared-key k\n"
    " proposal c b a\n"
    "ipsec proposal p2\n esp aes-256-gcm\n esp aes-128 sha256\n"
    " pfs group 14\n lifetime 30m\n"
    "ipsec proposal q2\n esp aes-128 sha256\n esp 3des sha1\n"
    " pfs group 14\n lifetime 2h\n"
    "ipsec proposal nopfs\n esp aes-128 sha256\n";

static struct conf *c;

/* The parsed SA points into its message: keep the message alive. */
static uint8_t keep[IKE_MSG_MAX];

/* Build an SA body, then parse it as the other side would. */
static void
parse_body(const struct buf *body, struct ike_sa_pld *sa)
{
	struct ike_build b;
	struct ike_hdr h;
	struct ike_msg m;
	enum ike_drop why;

	memset(&h, 0, sizeof(h));
	h.version = IKE_VERSION;
	h.exch = IKE_EXCH_ID_PROT;
	ike_build_init(&b, &h);
	ike_build_pld(&b, IKE_PLD_SA, body->data, body->len);
	assert_int_equal(ike_build_finish(&b), 0);
	memcpy(keep, b.b.data, b.b.len);
	memset(&m, 0, sizeof(m));
	assert_int_equal(ike_wire_chain(IKE_PLD_SA, keep + IKE_HDR_LEN,
					b.b.len - IKE_HDR_LEN, 0, &m, &why),
			 0);
	assert_int_equal(ike_wire_sa(&m.pld[0], sa, &why), 0);
	ike_build_release(&b);
}

static void
test_p1_responder_order(void **state)
{
	const struct conf_ike_peer *ours = conf_ike_peer_find(c, "ours");
	const struct conf_ike_peer *theirs = conf_ike_peer_find(c, "theirs");
	struct ike_p1_xform xf;
	struct ike_sa_pld sa;
	struct ike_choice ch;
	struct buf body;

	(void)state;
	/* "ours" offers a, b; "theirs" prefers c, then b, then a. */
	buf_init(&body, IKE_MSG_MAX);
	ike_prop_p1_build(&body, ours->props, ours->nprops);
	parse_body(&body, &sa);
	assert_int_equal(sa.prop[0].nxform, 2);
	assert_int_equal(ike_prop_p1_select(theirs, &sa, &xf, &ch), 0);
	assert_int_equal(xf.cipher, CRYPTO_AES128_CBC); /* b, their order */
	assert_int_equal(xf.group, 14);
	assert_int_equal(ch.xnum, 2);
	assert_int_equal(xf.life_s, 28800);
	/* The initiator accepts the echo and takes the shorter lifetime. */
	assert_int_equal(ike_prop_p1_select(ours, &sa, &xf, &ch), 0);
	assert_int_equal(xf.cipher, CRYPTO_AES256_CBC);
	assert_int_equal(xf.life_s, 14400);
	buf_release(&body);
}

static void
test_p1_mismatch_described(void **state)
{
	const struct conf_ike_proposal *cp = conf_ike_proposal_find(c, "c");
	struct conf_ike_proposal *only[1];
	struct ike_p1_xform xf;
	struct ike_sa_pld sa;
	struct ike_choice ch;
	char ours[IKE_DESCR_MAX], peer[IKE_DESCR_MAX];
	struct buf body;

	(void)state;
	only[0] = (struct conf_ike_proposal *)(uintptr_t)cp;
	buf_init(&body, IKE_MSG_MAX);
	ike_prop_p1_build(&body, only, 1);
	parse_body(&body, &sa);
	assert_int_equal(
	    ike_prop_p1_select(conf_ike_peer_find(c, "ours"), &sa, &xf, &ch),
	    -1);
	ike_prop_ours_p1(conf_ike_peer_find(c, "ours"), ours, sizeof(ours));
	ike_prop_p1_describe(&sa, peer, sizeof(peer));
	assert_string_equal(ours, "aes-256/sha256/group 19/14400s, "
				  "aes-128/sha1/group 14/28800s");
	assert_string_equal(peer, "3des/md5/group 2/28800s");
	buf_release(&body);
}

static void
test_p2_select(void **state)
{
	const struct conf_ipsec_proposal *p2 =
					     conf_ipsec_proposal_find(c, "p2"),
					 *q2 =
					     conf_ipsec_proposal_find(c, "q2");
	struct ipsec_sa out;
	struct ike_sa_pld sa;
	struct ike_choice ch;
	struct buf body;

	(void)state;
	buf_init(&body, IKE_MSG_MAX);
	ike_prop_p2_build(&body, p2, 0x11223344, 1, 1);
	parse_body(&body, &sa);
	memset(&out, 0, sizeof(out));
	/* q2's first choice is the common one, lifetime the shorter. */
	assert_int_equal(ike_prop_p2_select(q2, &sa, 1, &out, &ch), 0);
	assert_int_equal(out.enc, CONF_ESP_AES128);
	assert_int_equal(out.integ, CONF_INTEG_SHA256);
	assert_int_equal(out.pfs_group, 14);
	assert_int_equal(out.life_s, 1800);
	assert_int_equal(out.spi_out, 0x11223344);
	assert_true(out.encap);
	/* Encapsulation must fit the NAT state, PFS must agree. */
	assert_int_equal(ike_prop_p2_select(q2, &sa, 0, &out, &ch), -1);
	assert_int_equal(
	    ike_prop_p2_select(conf_ipsec_proposal_find(c, "nopfs"), &sa, 1,
			       &out, &ch),
	    -1);
	buf_release(&body);
}

static void
test_keylens(void **state)
{
	(void)state;
	assert_int_equal(ike_prop_esp_keylen(CONF_ESP_AES128GCM), 20);
	assert_int_equal(ike_prop_esp_keylen(CONF_ESP_AES256), 32);
	assert_int_equal(ike_prop_esp_keylen(CONF_ESP_3DES), 24);
	assert_int_equal(ike_prop_esp_authlen(CONF_INTEG_SHA1), 20);
	assert_int_equal(ike_prop_esp_authlen(CONF_INTEG_NONE), 0);
}

static void
test_proxy_ids(void **state)
{
	static const char *const nets[] = {"192.168.10.0/24", "10.1.2.3/32",
					   "0.0.0.0/0", "2001:db8:10::/48",
					   "2001:db8::1/128"};
	struct ike_id_pld id;
	struct ike_build b;
	struct ike_hdr h;
	struct ike_msg m;
	struct prefix p, q;
	enum ike_drop why;
	size_t i;
	int hb;

	(void)state;
	for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		memset(&h, 0, sizeof(h));
		h.version = IKE_VERSION;
		ike_build_init(&b, &h);
		assert_int_equal(prefix_parse(nets[i], &p, &hb), 0);
		ike_id_p2_build(&b, &p);
		assert_int_equal(ike_build_finish(&b), 0);
		memset(&m, 0, sizeof(m));
		assert_int_equal(
		    ike_wire_chain(IKE_PLD_ID, b.b.data + IKE_HDR_LEN,
				   b.b.len - IKE_HDR_LEN, 0, &m, &why),
		    0);
		assert_int_equal(ike_wire_id(&m.pld[0], &id, &why), 0);
		assert_int_equal(ike_id_p2_parse(&id, &q), 0);
		assert_true(prefix_eq(&p, &q));
		ike_build_release(&b);
	}
	/* A port selector is refused: route-based tunnels carry all. */
	id.port = 80;
	assert_int_equal(ike_id_p2_parse(&id, &q), -1);
}

static void
test_identities(void **state)
{
	struct conf_id a, b;
	struct ike_id_pld id = {.type = IKE_ID_FQDN,
				.data = (const uint8_t *)"HQ.Example.NET",
				.len = 14};

	(void)state;
	assert_int_equal(ike_id_p1_parse(&id, &a), 0);
	memset(&b, 0, sizeof(b));
	b.type = CONF_ID_FQDN;
	str_lcpy(b.value, "hq.example.net", sizeof(b.value));
	assert_true(ike_id_p1_match(&b, &a)); /* host names: any case */
	b.type = CONF_ID_KEY_ID;
	assert_false(ike_id_p1_match(&b, &a));
	id.data = (const uint8_t *)"a\0b";
	id.len = 3;
	assert_int_equal(ike_id_p1_parse(&id, &a), -1); /* embedded NUL */
}

static int
setup(void **state)
{
	struct conf_errors errs;

	(void)state;
	if ((c = conf_parse("t.conf", conf_text, strlen(conf_text), &errs)) ==
	    NULL) {
		fprintf(stderr, "%s\n", errs.msg[0]);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	conf_free(c);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_p1_responder_order),
	    cmocka_unit_test(test_p1_mismatch_described),
	    cmocka_unit_test(test_p2_select),
	    cmocka_unit_test(test_keylens),
	    cmocka_unit_test(test_proxy_ids),
	    cmocka_unit_test(test_identities),
	};

	return cmocka_run_group_tests_name("ike_prop", tests, setup, teardown);
}
