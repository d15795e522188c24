/* The ldirectord.cf reader's files and what they share:
 *   ldirectord.c        the reader (probe, load), the line reader, where
 *                       each line goes, and the model built at the end;
 *   ldirectord_kw.c     the keyword tables: global, per virtual, both;
 *   ldirectord_real.c   addresses and ports, virtual=, real=, fallback=;
 *   ldirectord_check.c  checktype/service to fulcrum's checkers;
 *   ldirectord_source.c pacemaker_* and real_server_script: servers from
 *                       the cluster or a script.
 * doc/config.md "ldirectord.cf" is the user's side of it. */
#ifndef FC_CONF_LDIRECTORD_H
#define FC_CONF_LDIRECTORD_H

#include "conf/ldirectord-t.h"
#include "kw/kw.h"

/* The reader's state of a kw_ctx being read by this reader. */
#define LD(c) ((struct ld_read *)(c)->reader)

/* ldirectord_kw.c.  Each table's object: ld_kw_global a struct global_defs
 * (the model's), ld_kw_settings a struct ld_settings (global or a
 * virtual's), ld_kw_virtual a struct ld_virtual.  The blocks name them in
 * messages and for "did you mean". */
extern const struct kw ld_kw_global[], ld_kw_settings[], ld_kw_virtual[];
extern const struct kw_block ld_blk_global, ld_blk_virtual;
void ld_settings_init(struct ld_settings *s);
/* A receive= pattern PCRE2 compiles: 0, or -1 with the reason. */
int ld_regex_check(const char *kw, const char *re_text, char *err, size_t errlen);
void ld_settings_free(struct ld_settings *s);

/* ldirectord_real.c */
/* A port: a number (1..65535) or a service name of /etc/services for
 * `protocol` (IPPROTO_TCP/UDP). */
int ld_port(const char *s, int protocol, uint16_t *port, char *err, size_t errlen);
/* gate, masq, ipip into *fwd (enum fwd_method); -1 for another word. */
int ld_method(const char *s, int *fwd);
/* fallback= / fallback6= (af: AF_INET / AF_INET6) into f. */
int ld_fallback_parse(const char *value, int af, struct ld_fallback *f, char *err, size_t errlen);
/* virtual= / virtual6=: the address and port (or the firewall mark) of v
 * into vs, once its protocol is known.  0, or -1 reported. */
int ld_virtual_addr(struct kw_ctx *c, const struct ld_virtual *v, struct virtual_server *vs);
/* Every real= line of v into vs (ranges expanded), each with its checks
 * (ld_rs_checks); the forwarding method of the first becomes the
 * virtual's, and any other is a file:line error. */
void ld_reals(struct kw_ctx *c, const struct ld_virtual *v, struct virtual_server *vs);
/* The fallback in force for v (its own, else the global one of its
 * family) as vs->pool->sorry.  0, or -1 reported. */
int ld_sorry(struct kw_ctx *c, const struct ld_virtual *v, struct virtual_server *vs);

/* ldirectord_check.c */
/* The checks of v on real server rs of vs; request / receive: the real=
 * line's own pair, or NULL for the virtual's. */
void ld_rs_checks(struct kw_ctx *c, const struct ld_virtual *v, const struct virtual_server *vs,
		  struct real_server *rs, const char *request, const char *receive);
/* The service ldirectord guesses for a virtual port (21 ftp, 80 http...;
 * LD_SVC_NONE for the others). */
int ld_service_of_port(unsigned port);

/* ldirectord_source.c: the keys pacemaker_* and real_server_script of a
 * virtual section (obj: its struct ld_virtual); ld_source_finish gives the
 * pool built from v its source, with the checks the section's real= lines
 * get. */
int ld_pacemaker_key(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
		     size_t errlen);
int ld_real_server_script(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err,
			  size_t errlen);
/* forward=gate|masq|ipip: the section's method without real= lines */
int ld_forward(struct kw_ctx *c, void *obj, const struct kw_stmt *st, char *err, size_t errlen);
void ld_source_finish(struct kw_ctx *c, struct ld_virtual *v, struct virtual_server *vs);

#endif
