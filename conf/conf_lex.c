/*
 * The lexer: splits the text into lines and a line into tokens.  It is the
 * only code that looks at raw bytes, so it refuses everything that could
 * hide from an operator reading the file (NUL, control characters) before
 * the parser sees a token.
 *
 * Messages never quote the line: it may hold a pre-shared key.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"

void
conf_lex_init(struct conf_lex *lx, const char *text, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->text = text;
	lx->len = len;
}

static int
lex_check_bytes(const char *p, size_t n, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\0') {
			snprintf(err, errlen, "NUL byte in column %zu", i + 1);
			return -1;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			snprintf(err, errlen,
				 "control character 0x%02x in column %zu", c,
				 i + 1);
			return -1;
		}
	}
	return 0;
}

static int
lex_space(char c)
{
	return c == ' ' || c == '\t';
}

/* A bare word runs to the next blank; a quote inside one is a typo. */
static int
lex_word(const char *p, size_t n, size_t *ip, char *out, size_t *op, char *err,
	 size_t errlen)
{
	size_t i = *ip, o = *op;

	for (; i < n && !lex_space(p[i]); i++) {
		if (p[i] == '"') {
			snprintf(err, errlen,
				 "'\"' inside a word in column "
				 "%zu (quote the whole value)",
				 i + 1);
			return -1;
		}
		out[o++] = p[i];
	}
	*ip = i;
	*op = o;
	return 0;
}

static int
lex_quoted(const char *p, size_t n, size_t *ip, char *out, size_t *op,
	   char *err, size_t errlen)
{
	size_t i = *ip + 1, o = *op, start = *ip + 1;

	for (;;) {
		if (i >= n) {
			snprintf(err, errlen,
				 "unterminated quoted string "
				 "starting in column %zu",
				 start);
			return -1;
		}
		if (p[i] == '"')
			break;
		if (p[i] == '\\' && i + 1 < n) {
			if (p[i + 1] != '"' && p[i + 1] != '\\') {
				snprintf(err, errlen,
					 "invalid escape in column "
					 "%zu (only \\\" and \\\\ are allowed)",
					 i + 1);
				return -1;
			}
			i++;
		}
		out[o++] = p[i++];
	}
	if (++i < n && !lex_space(p[i])) {
		snprintf(err, errlen,
			 "no space after the closing quote in "
			 "column %zu",
			 i + 1);
		return -1;
	}
	*ip = i;
	*op = o;
	return 0;
}

/*
 * Each token is copied into ln->buf with its NUL; a token never needs more
 * bytes than it and the blank after it take in the line, so the buffer
 * (line length + one NUL per token) cannot overflow.
 */
static int
lex_split(const char *p, size_t n, struct conf_line *ln, char *err,
	  size_t errlen)
{
	size_t i = 0, o = 0;
	int rv;

	for (;;) {
		while (i < n && lex_space(p[i]))
			i++;
		if (i == n || p[i] == '#' || p[i] == '!')
			return 1;
		if (ln->ntok == CONF_TOKENS_MAX) {
			snprintf(err, errlen,
				 "too many tokens (at most %d on "
				 "a line)",
				 CONF_TOKENS_MAX);
			return -1;
		}
		ln->tok[ln->ntok++] = ln->buf + o;
		if (p[i] == '"')
			rv = lex_quoted(p, n, &i, ln->buf, &o, err, errlen);
		else
			rv = lex_word(p, n, &i, ln->buf, &o, err, errlen);
		if (rv == -1) {
			ln->ntok--;
			return -1;
		}
		ln->buf[o++] = '\0';
	}
}

/*
 * The next line: 1 with its tokens (maybe none), 0 at the end of the text,
 * -1 with a message when the line is unusable.  A CR before the LF is part
 * of the line ending, so files edited on Windows load.
 */
int
conf_lex_next(struct conf_lex *lx, struct conf_line *ln, char *err,
	      size_t errlen)
{
	const char *p, *nl;
	size_t n;

	if (lx->off >= lx->len)
		return 0;
	p = lx->text + lx->off;
	nl = memchr(p, '\n', lx->len - lx->off);
	n = nl != NULL ? (size_t)(nl - p) : lx->len - lx->off;
	lx->off += n + (nl != NULL);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	ln->lineno = ++lx->lineno;
	ln->ntok = 0;
	ln->indented = n > 0 && lex_space(p[0]);
	if (n > CONF_LINE_MAX) {
		snprintf(err, errlen,
			 "line too long (%zu characters, at most "
			 "%d)",
			 n, CONF_LINE_MAX);
		return -1;
	}
	if (lex_check_bytes(p, n, err, errlen) == -1)
		return -1;
	return lex_split(p, n, ln, err, errlen);
}
