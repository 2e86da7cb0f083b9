/*
 * Control protocol framing and the client side of a call; see ctl.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "json.h"
#include "str.h"

void
ctl_hdr_encode(uint8_t *p, enum ctl_type type, uint32_t len)
{
	p[0] = CTL_MAGIC0;
	p[1] = CTL_MAGIC1;
	p[2] = CTL_VERSION;
	p[3] = (uint8_t)type;
	p[4] = (uint8_t)(len >> 24);
	p[5] = (uint8_t)(len >> 16);
	p[6] = (uint8_t)(len >> 8);
	p[7] = (uint8_t)len;
}

/*
 * Validate a header before anything else is read.  The caller still checks
 * the length against its own limit, which differs by direction.
 */
int
ctl_hdr_decode(const uint8_t *p, size_t left, struct ctl_hdr *h,
	       const char **why)
{
	if (left < CTL_HDR_LEN) {
		*why = "short header";
		return -1;
	}
	if (p[0] != CTL_MAGIC0 || p[1] != CTL_MAGIC1) {
		*why = "bad magic";
		return -1;
	}
	if (p[2] != CTL_VERSION) {
		*why = "unsupported protocol version";
		return -1;
	}
	h->version = p[2];
	h->type = p[3];
	if (h->type < CTL_REQUEST || h->type > CTL_ERROR) {
		*why = "unknown message type";
		return -1;
	}
	h->len = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
		 (uint32_t)p[6] << 8 | p[7];
	return 0;
}

int
ctl_frame(struct buf *out, enum ctl_type type, const void *body, size_t len)
{
	uint8_t hdr[CTL_HDR_LEN];

	if (len > UINT32_MAX)
		return -1;
	ctl_hdr_encode(hdr, type, (uint32_t)len);
	if (buf_add(out, hdr, sizeof(hdr)) == -1 ||
	    buf_add(out, body, len) == -1)
		return -1;
	return 0;
}

/* {"argv":[...]} framed as a request. */
int
ctl_request_encode(struct buf *out, int argc, char *const *argv)
{
	struct buf body;
	struct json_w w;
	int i, rv = -1;

	if (argc > CTL_ARGV_MAX)
		return -1;
	buf_init(&body, CTL_REQ_MAX);
	json_w_init(&w, &body, 0);
	json_obj_open(&w);
	json_key(&w, "argv");
	json_arr_open(&w);
	for (i = 0; i < argc; i++)
		json_str(&w, argv[i]);
	json_arr_close(&w);
	json_obj_close(&w);
	if (json_w_done(&w) == 0)
		rv = ctl_frame(out, CTL_REQUEST, body.data, body.len);
	buf_release(&body);
	return rv;
}

int
ctl_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (str_lcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
ctl_wait(int fd, short events, int64_t deadline_ms)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	struct timespec ts;
	int64_t now;
	int n;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		if (now >= deadline_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&pfd, 1, (int)(deadline_ms - now));
		if (n > 0)
			return 0;
		if (n == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

static int
ctl_read_full(int fd, void *p, size_t len, int64_t deadline)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		if (ctl_wait(fd, POLLIN, deadline) == -1)
			return -1;
		n = read(fd, (uint8_t *)p + off, len - off);
		if (n == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/*
 * Send one framed request and read one reply frame into "reply" (body
 * only).  A blocking call with an overall deadline: the CLI's whole life.
 */
int
ctl_call(int fd, const struct buf *req, struct buf *reply, enum ctl_type *type,
	 int timeout_ms, char *err, size_t errlen)
{
	uint8_t hdr[CTL_HDR_LEN];
	struct ctl_hdr h;
	struct timespec ts;
	const char *why;
	int64_t deadline;
	size_t off = 0;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline =
	    (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + timeout_ms;
	while (off < req->len) {
		if (ctl_wait(fd, POLLOUT, deadline) == -1)
			goto timeout;
		n = write(fd, req->data + off, req->len - off);
		if (n == -1 && errno != EINTR && errno != EAGAIN) {
			snprintf(err, errlen, "write: %s", strerror(errno));
			return -1;
		}
		if (n > 0)
			off += (size_t)n;
	}
	if (ctl_read_full(fd, hdr, sizeof(hdr), deadline) == -1)
		goto readerr;
	if (ctl_hdr_decode(hdr, sizeof(hdr), &h, &why) == -1) {
		snprintf(err, errlen, "bad reply: %s", why);
		return -1;
	}
	if (h.len > reply->max || h.type == CTL_REQUEST) {
		snprintf(err, errlen, "bad reply: %s",
			 h.type == CTL_REQUEST ? "unexpected type"
					       : "too large");
		return -1;
	}
	buf_reset(reply);
	if (buf_reserve(reply, h.len) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (ctl_read_full(fd, reply->data, h.len, deadline) == -1)
		goto readerr;
	reply->len = h.len;
	reply->data[h.len] = '\0';
	*type = (enum ctl_type)h.type;
	return 0;
readerr:
	if (errno != ETIMEDOUT) {
		snprintf(err, errlen, "read: %s",
			 errno == ECONNRESET ? "connection closed by fleetvpnd"
					     : strerror(errno));
		return -1;
	}
timeout:
	snprintf(err, errlen, "no reply within %d ms", timeout_ms);
	return -1;
}
