/* The haproxy.cfg reader's files and what they share:
 *   haproxy.c       the reader (probe, load), sections, defaults, where a
 *                   line goes, and the end of the read (names resolved,
 *                   services and checks built);
 *   haproxy_lex.c   words of a line (quotes, escapes, ${ENV}), the .if
 *                   blocks, time and size units;
 *   haproxy_kw.c    the keywords of global and of the proxy sections;
 *   haproxy_srv.c   bind, server, default-server, balance;
 *   haproxy_chk.c   the checks of the servers (option httpchk, tcp-check...);
 *   haproxy_ssl.c   bind's ssl, crt, alpn, verify...; global crt-base, ca-base, ssl-default-bind-*.
 *   haproxy_crtlist.c  bind's crt-list FILE.
 * doc/config.md "haproxy.cfg" is the user's side of it. */
#ifndef FC_CONF_HAPROXY_H
#define FC_CONF_HAPROXY_H

#include <stddef.h>

#include "conf/haproxy-t.h"

/* ---- haproxy_lex.c ---- */
/* Split one line (n bytes, no '\n') into words: blanks separate, '#'
 * starts a comment, "..." (with \ escapes and ${VAR} expanded), '...'
 * literal, \ escapes outside quotes, ${VAR} / ${VAR-default} expanded
 * (unset: empty; an unquoted word that expands to nothing is no word).
 * 0, or -1 with err. */
int hp_split(const char *line, size_t n, struct hp_words *w, char *err, size_t errlen);
void hp_words_free(struct hp_words *w);
/* A .if/.elif/.else/.endif/.diag/.notice/.warning/.alert line (w->args[0]
 * starts with '.'): handled, reported through r; returns 1.  0 if the word
 * is none of them. */
int hp_directive(struct hp_read *r, const struct hp_words *w);
/* Whether lines are read (every enclosing .if branch is true). */
int hp_cond_active(const struct hp_read *r);
/* haproxy's time: a number with an optional unit us ms s m h d (default
 * `unit_ms`: 1 = milliseconds), into milliseconds (us rounded up).  0 or
 * -1 with err. */
int hp_time_ms(const char *s, unsigned *ms, char *err, size_t errlen);
/* A size with k m g (powers of 1024). */
int hp_size(const char *s, unsigned long long *out, char *err, size_t errlen);
/* An unsigned decimal in [min, max]; `what` names it in err. */
int hp_uint(const char *what, const char *s, unsigned min, unsigned max, unsigned *out, char *err,
	    size_t errlen);

/* ---- haproxy.c ---- */
void hp_error(struct hp_read *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hp_warn(struct hp_read *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Keep a defaults section's line for the proxies that take it. */
int hp_defer(struct hp_read *r, const struct hp_words *w);

/* ---- haproxy_kw.c ---- */
/* strdup(s) into *dst (the old value freed): 0, or -1 with err. */
int hp_set_str(char **dst, const char *s, char *err, size_t errlen);
/* Appends s to the string vector *v (n entries): 0, or -1 with err. */
int hp_strv_add(char ***v, unsigned *n, const char *s, char *err, size_t errlen);
/* Whether keyword k is in list (NULL-ended; an entry ending in '.' or '-'
 * is a prefix). */
int hp_tunes(const char *const *list, const char *k);
/* A line for the HTTP modules (rules, error files) of hp, at file:line:
 * 0, or -1 reported. */
int hp_http_line(struct hp_read *r, struct http_proxy *hp, char **args, int nargs,
		 const char *file, int line);
/* A line of a proxy or defaults section. */
void hp_proxy_line(struct hp_read *r, struct hp_words *w);
/* `log ...` into *list (0, or -1 reported); `global_ok`: `log global`
 * allowed (sets *log_global). */
int hp_log_parse(struct hp_read *r, struct hp_words *w, struct hp_log **list, int *log_global);

/* ---- haproxy_global.c ---- */
/* A line of `global`. */
void hp_global_line(struct hp_read *r, struct hp_words *w);

/* ---- haproxy_srv.c ---- */
int hp_bind_parse(struct hp_read *r, struct hp_px *px, struct hp_words *w);
int hp_server_parse(struct hp_read *r, struct hp_px *px, struct hp_words *w, int is_default);
int hp_balance_parse(struct hp_read *r, struct hp_px *px, struct hp_words *w);
/* The end of a backend: its scheduler (balance and hash-type, wherever
 * they stand) and the checks of every server with `check`. */
void hp_finish_servers(struct hp_read *r, struct hp_px *px);
void hp_srv_list_free(struct hp_srv *s);

/* ---- haproxy_ssl.c ---- */
/* A bind line's TLS words: hp_bind_ssl_word at w->args[k] returns how many
 * words it took (0: not a TLS word, -1: reported); hp_bind_ssl_done, at the
 * end of the line, loads the certificates (NULL: a plain listener, or an
 * error reported and *failed set) and frees b's words (hp_bind_ssl_free:
 * only that, for a line refused before its end). */
void hp_bind_ssl_init(struct hp_read *r, struct hp_bind_ssl *b);
int hp_bind_ssl_word(struct hp_read *r, struct hp_words *w, int k, struct hp_bind_ssl *b);
struct tls_srv *hp_bind_ssl_done(struct hp_read *r, struct hp_bind_ssl *b, int *failed);
void hp_bind_ssl_free(struct hp_bind_ssl *b);
/* global crt-base, ca-base, ssl-default-bind-*, ssl-default-server-*,
 * ssl-server-verify: 1 if the line was one (handled). */
int hp_global_ssl(struct hp_read *r, struct hp_words *w);
/* One TLS option a bind and a server share (versions, ciphers, suites,
 * curves, tickets, alpn) at w->args[k] into o: the words taken, 0 if not
 * one, -1 reported. */
int hp_ssl_opt_word(struct hp_read *r, struct hp_words *w, int k, struct tls_bind_opts *o);
/* A word about the clients' certificates (verify, ca-file, ca-verify-file,
 * crl-file, no-ca-names; with bind, ca-ignore-err and crt-ignore-err too)
 * into o: the words taken, 0 if not one, -1 reported. */
int hp_verify_word(struct hp_read *r, struct hp_words *w, int k, struct tls_bind_opts *o, int bind);

/* ---- haproxy_crtlist.c ---- */
/* crt-list FILE's lines into l, each line's options over bind's: 0, or -1
 * reported at FILE:LINE (nothing read when fuzzing).  hp_crtlist_parse:
 * the same from text (named name in the errors).  hp_crtlist_add: one
 * certificate (path, options and filters copied). */
int hp_crtlist_load(struct hp_read *r, const char *path, const struct tls_bind_opts *bind, struct hp_crtlist *l);
int hp_crtlist_parse(struct hp_read *r, const char *name, const char *text, size_t len,
		     const struct tls_bind_opts *bind, struct hp_crtlist *l);
int hp_crtlist_add(struct hp_read *r, struct hp_crtlist *l, const char *path, const struct tls_bind_opts *o,
		   char *const *sni, unsigned nsni);
void hp_crtlist_free(struct hp_crtlist *l);

/* ---- haproxy_srv_ssl.c ---- */
/* v into dst (size bytes), under base when relative (not @system-ca): 0,
 * or -1 with err (too long). */
int hp_ssl_path(char *dst, size_t size, const char *base, const char *kw, const char *v, char *err,
		size_t errlen);
/* A server's TLS word at w->args[k] (ssl, verify, ca-file, crt, sni...):
 * the words taken, 0 if not one, -1 with err (err "": already reported). */
int hp_srv_ssl_word(struct hp_read *r, struct hp_words *w, int k, struct hp_srv *s, char *err,
		    size_t errlen);
/* The context of server s with `ssl` (NULL: plain); -1 with err when it
 * cannot be made (a file, verify required without a CA). */
int hp_srv_ssl_done(struct hp_read *r, struct hp_srv *s, struct real_server *rs, char *err,
		    size_t errlen);

/* ---- haproxy_source.c ---- */
/* fulcrum-pacemaker-servers and fulcrum-server-script lines of a backend
 * (0, or -1 with err); hp_source_finish, at the end of the backend, gives
 * its source the default-server options and checks its servers get. */
int hp_pacemaker_servers(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
			 size_t errlen);
int hp_server_script(struct hp_read *r, struct hp_px *px, struct hp_words *w, char *err,
		     size_t errlen);
void hp_source_finish(struct hp_read *r, struct hp_px *px);

/* ---- haproxy_chk.c ---- */
/* option httpchk / tcp-check / pgsql-check..., http-check, tcp-check:
 * 1 if w was one of them (handled, errors reported), else 0. */
int hp_check_line(struct hp_read *r, struct hp_px *px, struct hp_words *w, int no);
/* The checks of server s of px (it has `check`, `agent-check` or both):
 * the regular one as px's options say, then the agent. */
void hp_build_checks(struct hp_read *r, struct hp_px *px, struct hp_srv *s);

#endif
