/*
 * fleetvpn: ask fleetvpnd a question over its control socket and print the
 * answer as text, or as JSON with --json.
 *
 * Exit status: 0 answered; 1 the daemon answered with an error; 2 usage
 * or unknown command; 3 the daemon could not be reached.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "ctl.h"
#include "str.h"

#define MAIN_TIMEOUT_MS 30000

struct main_opts {
	int json;
	const char *socket;
	const char *config;
	int timeout_ms;
};

static void
main_commands(FILE *f)
{
	struct buf b;

	buf_init(&b, 16384);
	cmd_usage(&b);
	fprintf(f, "commands (words may be abbreviated):\n%s", buf_cstr(&b));
	buf_release(&b);
}

static void __attribute__((noreturn)) main_usage(int status)
{
	FILE *f = status ? stderr : stdout;

	fprintf(f,
		"usage: fleetvpn [-j] [-s SOCKET | -c CONFIG] [-t SECONDS] "
		"COMMAND [ARGS...]\n"
		"  -j, --json        print the reply as JSON\n"
		"  -s, --socket      control socket (default: "
		"$FLEETVPN_SOCKET, else %s)\n"
		"  -c, --config      take the control socket from this "
		"configuration file\n"
		"  -t, --timeout     seconds to wait for a reply (default "
		"%d)\n",
		CONF_CTL_DEFAULT, MAIN_TIMEOUT_MS / 1000);
	main_commands(f);
	exit(status);
}

static void
main_options(int argc, char *argv[], struct main_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"socket", required_argument, NULL, 's'},
	    {"config", required_argument, NULL, 'c'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0}};
	uint32_t secs;
	int ch;

	o->timeout_ms = MAIN_TIMEOUT_MS;
	while ((ch = getopt_long(argc, argv, "+js:c:t:hV", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'j':
			o->json = 1;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 't':
			if (str_to_u32(optarg, 1, 3600, &secs) == -1) {
				fprintf(stderr, "fleetvpn: -t: expected "
						"seconds from 1 to 3600\n");
				exit(2);
			}
			o->timeout_ms = (int)secs * 1000;
			break;
		case 'h':
			main_usage(0);
		case 'V':
			printf("fleetvpn %s\n", FLEETVPN_VERSION);
			exit(0);
		default:
			main_usage(2);
		}
	}
}

/* -s, then $FLEETVPN_SOCKET, then -c's "control socket", then default. */
static void
main_socket(const struct main_opts *o, char *out, size_t len)
{
	struct conf_errors errs;
	const char *env = getenv("FLEETVPN_SOCKET");
	struct conf *c;
	int i;

	if (o->socket != NULL) {
		str_lcpy(out, o->socket, len);
	} else if (o->config != NULL) {
		memset(&errs, 0, sizeof(errs));
		if ((c = conf_load(o->config, &errs)) == NULL) {
			for (i = 0; i < errs.count; i++)
				fprintf(stderr, "%s\n", errs.msg[i]);
			fprintf(stderr,
				"fleetvpn: cannot take the control "
				"socket from %s\n",
				o->config);
			exit(2);
		}
		str_lcpy(out, c->ctl_path, len);
		conf_free(c);
	} else if (env != NULL && env[0] != '\0') {
		str_lcpy(out, env, len);
	} else {
		str_lcpy(out, CONF_CTL_DEFAULT, len);
	}
}

static int
main_print(const struct main_opts *o, const struct cmd_def *cmd,
	   enum ctl_type type, const struct buf *reply)
{
	struct json_doc *doc;
	struct json_w w;
	struct buf out;
	char err[96];
	render_fn *fn;

	doc =
	    json_parse((const char *)reply->data, reply->len, err, sizeof(err));
	if (doc == NULL) {
		fprintf(stderr, "fleetvpn: unreadable reply: %s\n", err);
		return 1;
	}
	if (o->json) {
		buf_init(&out, (size_t)CTL_REPLY_MAX * 2);
		json_w_init(&w, &out, 1);
		json_write_val(&w, json_root(doc));
		json_w_done(&w);
		fwrite(out.data, 1, out.len, stdout);
		buf_release(&out);
	} else if (type == CTL_ERROR) {
		render_error(stderr, json_root(doc));
	} else if ((fn = render_get(cmd->id)) != NULL) {
		fn(stdout, json_root(doc));
	}
	json_doc_free(doc);
	return type == CTL_ERROR ? 1 : 0;
}

int
main(int argc, char *argv[])
{
	struct main_opts o = {0};
	const struct cmd_def *cmd;
	char path[CONF_PATH_MAX], err[CONF_PATH_MAX + 64];
	struct buf req, reply;
	enum ctl_type type;
	int fd, nwords, rv;

	main_options(argc, argv, &o);
	argc -= optind;
	argv += optind;
	if (argc == 0)
		main_usage(2);
	if (argc == 1 && strcmp(argv[0], "help") == 0)
		main_usage(0);
	if ((cmd = cmd_match(argc, argv, &nwords, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fleetvpn: %s: '%s%s'\n", err, argv[0],
			argc > 1 ? " ..." : "");
		main_commands(stderr);
		return 2;
	}
	main_socket(&o, path, sizeof(path));
	if ((fd = ctl_connect(path, err, sizeof(err))) == -1) {
		fprintf(stderr, "fleetvpn: cannot reach fleetvpnd: %s\n", err);
		return 3;
	}
	buf_init(&req, CTL_HDR_LEN + CTL_REQ_MAX);
	buf_init(&reply, CTL_REPLY_MAX);
	if (ctl_request_encode(&req, argc, argv) == -1) {
		fprintf(stderr, "fleetvpn: command line too long\n");
		rv = 2;
	} else if (ctl_call(fd, &req, &reply, &type, o.timeout_ms, err,
			    sizeof(err)) == -1) {
		fprintf(stderr, "fleetvpn: %s: %s\n", path, err);
		rv = 3;
	} else {
		rv = main_print(&o, cmd, type, &reply);
	}
	close(fd);
	buf_release(&req);
	buf_release(&reply);
	return rv;
}
