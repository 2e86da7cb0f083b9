/*
 * The control server: a UNIX stream socket (mode 0660) that takes framed
 * JSON requests (lib/ctl.h), runs them through the command table and the
 * handlers, and answers with framed JSON.  Clients are untrusted input:
 * every frame is checked before its body is read, and a malformed one is
 * answered with an error, counted and the connection closed.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "ctl.h"
#include "daemon.h"
#include "str.h"

#define CONTROL_CLIENTS_MAX 64
#define CONTROL_IDLE_MS	    30000
#define CONTROL_IN_MAX	    (CTL_HDR_LEN + CTL_REQ_MAX + 4096)
#define CONTROL_LINE_MAX    256
#define CONTROL_OUT_MAX	    (CTL_HDR_LEN + CTL_REPLY_MAX)

struct control_client {
	LIST_ENTRY(control_client) entry;
	struct control *ctl;
	int fd;
	uid_t uid;
	struct ev_io *io;
	struct ev_timer *idle;
	struct buf in;
	struct buf out;
	int closing; /* close once "out" is written */
};

struct control {
	struct daemon *d;
	int fd;
	char path[CONF_PATH_MAX];
	struct ev_io *io;
	LIST_HEAD(, control_client) clients;
	struct control_stats st;
};

static void control_client_free(struct control_client *);

/* --- replies --- */

/*
 * Write what the socket takes.  Returns -1 when the client is finished
 * (an error, or "closing" and all written): the caller frees it.  Only
 * the I/O callback frees clients, so nothing below it holds a stale one.
 */
static int
control_flush(struct control_client *c)
{
	ssize_t n;

	while (c->out.len > 0) {
		n = write(c->fd, c->out.data, c->out.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0)
			return -1;
		buf_consume(&c->out, (size_t)n);
	}
	if (c->out.len == 0 && c->closing)
		return -1;
	return ev_io_set(c->io, (c->closing ? 0 : EPOLLIN) |
				    (c->out.len > 0 ? EPOLLOUT : 0));
}

static void
control_reply(struct control_client *c, enum ctl_type type,
	      const struct buf *body)
{
	static const char big[] = "{\"error\":\"reply too large\"}";

	if (ctl_frame(&c->out, type, body->data, body->len) == -1) {
		/* Only a reply over the ceiling gets here. */
		buf_reset(&c->out);
		ctl_frame(&c->out, CTL_ERROR, big, sizeof(big) - 1);
	}
}

static void
control_bad(struct control_client *c, const char *why)
{
	struct json_w w;
	struct buf body;

	c->ctl->st.bad_requests++;
	log_event(EV_CTL_BADREQ, "malformed control request from uid %u: %s",
		  (unsigned)c->uid, why);
	buf_init(&body, 1024);
	json_w_init(&w, &body, 0);
	json_obj_open(&w);
	json_kv_str(&w, "error", "malformed request");
	json_kv_str(&w, "reason", why);
	json_obj_close(&w);
	json_w_done(&w);
	c->closing = 1;
	control_reply(c, CTL_ERROR, &body);
	buf_release(&body);
}

/* --- dispatch --- */

/* The command line as typed, for messages; long lines are cut. */
static void
control_join(int argc, char **argv, char *out, size_t len)
{
	size_t off = 0;
	int k;

	out[0] = '\0';
	for (k = 0; k < argc && off < len; k++)
		off += (size_t)snprintf(out + off, len - off, "%s%s",
					k ? " " : "", argv[k]);
}

static void
control_unknown(struct json_w *w, int argc, char **argv, const char *why)
{
	char line[CONTROL_LINE_MAX];
	size_t i;

	control_join(argc, argv, line, sizeof(line));
	json_obj_open(w);
	json_key(w, "error");
	json_str(w, why);
	json_kv_str(w, "command", line);
	json_key(w, "commands");
	json_arr_open(w);
	for (i = 0; i < cmd_count(); i++) {
		const struct cmd_def *c = cmd_at(i);

		json_obj_open(w);
		json_kv_str(w, "command", c->words);
		json_kv_str(w, "args", c->args ? c->args : "");
		json_kv_str(w, "help", c->help);
		json_obj_close(w);
	}
	json_arr_close(w);
	json_obj_close(w);
}

/*
 * Run one command into "body".  *is_error tells which frame type to
 * send.  Exposed for the unit tests, which drive handlers without a
 * socket.
 */
int
control_dispatch(struct daemon *d, int argc, char **argv, uid_t uid,
		 struct buf *body, int *is_error)
{
	const struct cmd_def *cmd;
	struct buf err;
	struct json_w w;
	handlers_fn *fn;
	char why[128];
	int nwords, rv;

	*is_error = 1;
	json_w_init(&w, body, 0);
	if ((cmd = cmd_match(argc, argv, &nwords, why, sizeof(why))) == NULL ||
	    (fn = handlers_get(cmd->id)) == NULL) {
		control_unknown(&w, argc, argv, cmd ? "not implemented" : why);
		return json_w_done(&w);
	}
	buf_init(&err, 1024);
	rv = fn(d, argc - nwords, argv + nwords, &w, &err);
	if (rv == -1 && body->len == 0) {
		json_obj_open(&w);
		json_kv_str(&w, "error", err.len ? buf_cstr(&err) : "failed");
		json_obj_close(&w);
	}
	if (cmd->flags & CMD_F_MODIFY) {
		char line[CONTROL_LINE_MAX];

		control_join(argc, argv, line, sizeof(line));
		log_event(EV_CTL_COMMAND, "uid %u: %s: %s", (unsigned)uid, line,
			  rv == 0 ? "ok" : "failed");
	}
	buf_release(&err);
	*is_error = rv == -1;
	if (json_w_done(&w) == -1) {
		buf_reset(body);
		buf_adds(body, "{\"error\":\"reply too large\"}");
		*is_error = 1;
	}
	return 0;
}

/* Pull argv out of {"argv": ["show", "status"]}; say what is wrong. */
static int
control_argv(const struct json_val *root, char **argv, int *argc,
	     const char **why)
{
	const struct json_val *a, *v;
	int n = 0;

	if (root->type != JSON_OBJECT || (a = json_get(root, "argv")) == NULL ||
	    a->type != JSON_ARRAY) {
		*why = "no \"argv\" array";
		return -1;
	}
	if (a->count == 0 || a->count > CTL_ARGV_MAX) {
		*why = "argv must hold 1 to 32 words";
		return -1;
	}
	for (v = a->child; v != NULL; v = v->next) {
		if (v->type != JSON_STRING || v->len == 0 ||
		    v->len > CTL_ARG_MAX || strlen(v->str) != v->len) {
			*why =
			    "argv words must be non-empty strings of at most "
			    "256 bytes";
			return -1;
		}
		argv[n++] = (char *)(uintptr_t)v->str;
	}
	*argc = n;
	return 0;
}

static void
control_request(struct control_client *c, const uint8_t *p, size_t len)
{
	char *argv[CTL_ARGV_MAX], jerr[96], why[160];
	struct json_doc *doc;
	const char *reason;
	struct buf body;
	int argc, is_error;

	if ((doc = json_parse((const char *)p, len, jerr, sizeof(jerr))) ==
	    NULL) {
		snprintf(why, sizeof(why), "bad JSON: %s", jerr);
		control_bad(c, why);
		return;
	}
	if (control_argv(json_root(doc), argv, &argc, &reason) == -1) {
		json_doc_free(doc);
		control_bad(c, reason);
		return;
	}
	c->ctl->st.requests++;
	buf_init(&body, CTL_REPLY_MAX);
	control_dispatch(c->ctl->d, argc, argv, c->uid, &body, &is_error);
	if (is_error)
		c->ctl->st.errors++;
	json_doc_free(doc);
	control_reply(c, is_error ? CTL_ERROR : CTL_REPLY, &body);
	buf_release(&body);
}

/* Answer every complete frame in the input; keep a partial one. */
static void
control_frames(struct control_client *c)
{
	struct ctl_hdr h;
	const char *why;
	char msg[96];

	while (!c->closing && c->in.len >= CTL_HDR_LEN) {
		if (ctl_hdr_decode(c->in.data, c->in.len, &h, &why) == -1) {
			control_bad(c, why);
			return;
		}
		if (h.type != CTL_REQUEST) {
			control_bad(c, "not a request");
			return;
		}
		if (h.len > CTL_REQ_MAX) {
			snprintf(msg, sizeof(msg),
				 "request too large (%u bytes, max %d)", h.len,
				 CTL_REQ_MAX);
			control_bad(c, msg);
			return;
		}
		if (c->in.len - CTL_HDR_LEN < h.len)
			return;
		control_request(c, c->in.data + CTL_HDR_LEN, h.len);
		buf_consume(&c->in, CTL_HDR_LEN + h.len);
	}
}

/* --- clients --- */

static void
control_client_free(struct control_client *c)
{
	LIST_REMOVE(c, entry);
	c->ctl->st.clients--;
	ev_io_free(c->io);
	ev_timer_free(c->idle);
	if (c->fd != -1)
		close(c->fd);
	buf_release(&c->in);
	buf_release(&c->out);
	free(c);
}

static void
control_idle(struct ev_timer *t, void *arg)
{
	(void)t;
	control_client_free(arg);
}

static void
control_client_io(struct ev_io *io, int fd, uint32_t events, void *arg)
{
	struct control_client *c = arg;
	uint8_t tmp[4096];
	ssize_t n;

	(void)io;
	if (events & EPOLLIN) {
		n = read(fd, tmp, sizeof(tmp));
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
			control_client_free(c);
			return;
		}
		if (n > 0) {
			ev_timer_start(c->idle, CONTROL_IDLE_MS);
			if (buf_add(&c->in, tmp, (size_t)n) == -1)
				control_bad(c, "too much unread data");
			else
				control_frames(c);
		}
	} else if (events & (EPOLLERR | EPOLLHUP)) {
		control_client_free(c);
		return;
	}
	if (control_flush(c) == -1)
		control_client_free(c);
}

/*
 * Take a connected stream socket as a client.  Used by accept, and by the
 * fuzz target, which pushes its input through a socket pair.
 */
int
control_adopt(struct control *ctl, int fd, uid_t uid)
{
	struct control_client *c;

	if (ctl->st.clients >= CONTROL_CLIENTS_MAX ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		ctl->st.rejected++;
		log_event(EV_CTL_LIMIT,
			  "control client refused: %u clients "
			  "connected (max %d)",
			  ctl->st.clients, CONTROL_CLIENTS_MAX);
		return -1;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->uid = uid;
	buf_init(&c->in, CONTROL_IN_MAX);
	buf_init(&c->out, CONTROL_OUT_MAX);
	LIST_INSERT_HEAD(&ctl->clients, c, entry);
	ctl->st.clients++;
	ctl->st.accepted++;
	c->io = ev_io_new(ctl->d->loop, fd, EPOLLIN, control_client_io, c);
	c->idle = ev_timer_new(ctl->d->loop, control_idle, c);
	if (c->io == NULL || c->idle == NULL) {
		c->fd = -1; /* the caller still owns it */
		control_client_free(c);
		return -1;
	}
	ev_timer_start(c->idle, CONTROL_IDLE_MS);
	return 0;
}

static void
control_accept(struct ev_io *io, int fd, uint32_t events, void *arg)
{
	struct control *ctl = arg;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uid_t uid;
	int cfd;

	(void)io;
	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) !=
	       -1) {
		uid = (uid_t)-1;
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			uid = cred.uid;
		if (control_adopt(ctl, cfd, uid) == -1)
			close(cfd);
	}
}

/* --- the listening socket --- */

/*
 * A socket file left by a crashed daemon is removed; one a live daemon
 * answers on is not: that would steal another instance's socket.
 */
static int
control_claim(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char cerr[64];
	int fd;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	if ((fd = ctl_connect(path, cerr, sizeof(cerr))) != -1) {
		close(fd);
		snprintf(err, errlen, "%s is in use by a running fleetvpnd",
			 path);
		return -1;
	}
	if (unlink(path) == -1) {
		snprintf(err, errlen, "%s: cannot remove stale socket: %s",
			 path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
control_mkdir(const char *path, char *err, size_t errlen)
{
	char dir[CONF_PATH_MAX];

	str_lcpy(dir, path, sizeof(dir));
	if (mkdir(dirname(dir), 0755) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int
control_bind(const char *path, const char *group, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct group *gr;
	mode_t old;
	int fd, rv;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	str_lcpy(sun.sun_path, path, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	old = umask(0117);
	rv = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rv == -1 || chmod(path, 0660) == -1)
		goto fail;
	if (group[0] != '\0') {
		if ((gr = getgrnam(group)) == NULL) {
			snprintf(err, errlen,
				 "control group '%s': no such "
				 "group",
				 group);
			goto out;
		}
		if (chown(path, (uid_t)-1, gr->gr_gid) == -1)
			goto fail;
	}
	if (listen(fd, 32) == -1)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
out:
	if (fd != -1) {
		close(fd);
		unlink(path);
	}
	return -1;
}

struct control *
control_open(struct daemon *d, const char *path, const char *group, char *err,
	     size_t errlen)
{
	struct control *ctl;

	if ((ctl = calloc(1, sizeof(*ctl))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->d = d;
	ctl->fd = -1;
	LIST_INIT(&ctl->clients);
	str_lcpy(ctl->path, path, sizeof(ctl->path));
	if (control_mkdir(path, err, errlen) == -1 ||
	    control_claim(path, err, errlen) == -1 ||
	    (ctl->fd = control_bind(path, group, err, errlen)) == -1)
		goto fail;
	if ((ctl->io = ev_io_new(d->loop, ctl->fd, EPOLLIN, control_accept,
				 ctl)) == NULL) {
		snprintf(err, errlen, "%s: cannot watch socket", path);
		unlink(path);
		goto fail;
	}
	log_event(EV_CTL_LISTEN, "control socket %s", path);
	return ctl;
fail:
	if (ctl->fd != -1)
		close(ctl->fd);
	free(ctl);
	return NULL;
}

void
control_close(struct control *ctl)
{
	struct control_client *c;

	if (ctl == NULL)
		return;
	/* control_client_free() unlinks c, so LIST_FIRST moves on. */
	while ((c = LIST_FIRST(&ctl->clients)) != NULL)
		control_client_free(c); // NOLINT(clang-analyzer-unix.Malloc)
	ev_io_free(ctl->io);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl);
}

const char *
control_path(const struct control *ctl)
{
	return ctl->path;
}

void
control_stats(const struct control *ctl, struct control_stats *st)
{
	*st = ctl->st;
}
