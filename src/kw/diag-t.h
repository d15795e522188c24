/* The reader's diagnostics channel: how every reader and the lexer report
 * "file:line: message".  A type of its own so that the lexer's types need
 * not include conf/conf.h (whose functions use the lexer). */
#ifndef FC_KW_DIAG_T_H
#define FC_KW_DIAG_T_H

#define DIAG_ERROR 0
#define DIAG_WARNING 1

struct conf_diag {
	/* msg is "file:line: message" without newline; NULL fn = silent */
	void (*fn)(void *ctx, int severity, const char *msg);
	void *ctx;
	unsigned errors;
	unsigned warnings;
};

#endif
