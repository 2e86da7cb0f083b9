/*
 * lib/ctl.c: frames are checked before their body is trusted, and a call
 * round-trips over a real socket pair with deadlines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl.h"
#include "json.h"

static void
test_header(void **state)
{
	uint8_t h[CTL_HDR_LEN];
	struct ctl_hdr hd;
	const char *why;

	(void)state;
	ctl_hdr_encode(h, CTL_REPLY, 0x01020304);
	assert_int_equal(ctl_hdr_decode(h, sizeof(h), &hd, &why), 0);
	assert_int_equal(hd.type, CTL_REPLY);
	assert_int_equal(hd.len, 0x01020304);
	assert_int_equal(ctl_hdr_decode(h, 7, &hd, &why), -1);
	assert_string_equal(why, "short header");
	h[0] = 'X';
	assert_int_equal(ctl_hdr_decode(h, sizeof(h), &hd, &why), -1);
	assert_string_equal(why, "bad magic");
	h[0] = CTL_MAGIC0;
	h[2] = 9;
	assert_int_equal(ctl_hdr_decode(h, sizeof(h), &hd, &why), -1);
	assert_string_equal(why, "unsupported protocol version");
	h[2] = CTL_VERSION;
	h[3] = 0;
	assert_int_equal(ctl_hdr_decode(h, sizeof(h), &hd, &why), -1);
	assert_string_equal(why, "unknown message type");
}

static void
test_request_encode(void **state)
{
	char w0[] = "show", w1[] = "log\"ging", wx[] = "x";
	char *argv[CTL_ARGV_MAX + 1] = {w0, w1};
	const struct json_val *a;
	struct json_doc *d;
	struct ctl_hdr h;
	const char *why;
	struct buf b;
	char err[64];
	int i;

	(void)state;
	buf_init(&b, CTL_HDR_LEN + CTL_REQ_MAX);
	assert_int_equal(ctl_request_encode(&b, 2, argv), 0);
	assert_int_equal(ctl_hdr_decode(b.data, b.len, &h, &why), 0);
	assert_int_equal(h.type, CTL_REQUEST);
	assert_int_equal(h.len, b.len - CTL_HDR_LEN);
	d = json_parse((char *)b.data + CTL_HDR_LEN, h.len, err, sizeof(err));
	assert_non_null(d);
	a = json_get(json_root(d), "argv");
	assert_int_equal(a->count, 2);
	assert_string_equal(json_at(a, 1)->str, "log\"ging");
	json_doc_free(d);
	for (i = 0; i <= CTL_ARGV_MAX; i++)
		argv[i] = wx;
	buf_reset(&b);
	assert_int_equal(ctl_request_encode(&b, CTL_ARGV_MAX + 1, argv), -1);
	buf_release(&b);
}

struct peer {
	int fd;
	int mode; /* 0 answer, 1 silent, 2 garbage, 3 close */
};

static void *
server(void *arg)
{
	struct peer *p = arg;
	uint8_t in[256], out[64];
	static const char body[] = "{\"ok\":true}";

	if (read(p->fd, in, sizeof(in)) <= 0)
		return NULL;
	switch (p->mode) {
	case 0:
		ctl_hdr_encode(out, CTL_REPLY, sizeof(body) - 1);
		memcpy(out + CTL_HDR_LEN, body, sizeof(body) - 1);
		(void)!write(p->fd, out, CTL_HDR_LEN + sizeof(body) - 1);
		break;
	case 1:
		usleep(300000);
		break;
	case 2:
		(void)!write(p->fd, "garbage!", 8);
		break;
	default:
		break;
	}
	return NULL;
}

static int
call(int mode, char *err, size_t errlen, struct buf *reply)
{
	char w0[] = "show", w1[] = "status";
	char *argv[] = {w0, w1};
	struct peer p = {.mode = mode};
	enum ctl_type type;
	struct buf req;
	pthread_t th;
	int sv[2], rv;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p.fd = sv[1];
	pthread_create(&th, NULL, server, &p);
	buf_init(&req, 1024);
	ctl_request_encode(&req, 2, argv);
	rv = ctl_call(sv[0], &req, reply, &type, 100, err, errlen);
	if (mode == 3)
		close(sv[1]);
	pthread_join(th, NULL);
	close(sv[0]);
	if (mode != 3)
		close(sv[1]);
	buf_release(&req);
	if (rv == 0)
		assert_int_equal(type, CTL_REPLY);
	return rv;
}

static void
test_call(void **state)
{
	struct buf reply;
	char err[128];

	(void)state;
	buf_init(&reply, CTL_REPLY_MAX);
	assert_int_equal(call(0, err, sizeof(err), &reply), 0);
	assert_string_equal(buf_cstr(&reply), "{\"ok\":true}");
	assert_int_equal(call(1, err, sizeof(err), &reply), -1);
	assert_string_equal(err, "no reply within 100 ms");
	assert_int_equal(call(2, err, sizeof(err), &reply), -1);
	assert_string_equal(err, "bad reply: bad magic");
	buf_release(&reply);
}

static void
test_connect_errors(void **state)
{
	char err[256], longp[200];

	(void)state;
	assert_int_equal(
	    ctl_connect("/nonexistent/fleetvpn.sock", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory"));
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(ctl_connect(longp, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "socket path too long"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_request_encode),
	    cmocka_unit_test(test_call),
	    cmocka_unit_test(test_connect_errors),
	};

	return cmocka_run_group_tests_name("ctl", tests, NULL, NULL);
}
