/* AGENT_CHECK: HAProxy's agent-check -- an agent on (or for) the server
 * answers one line that sets the server's health, administrative state,
 * weight and maxconn (check_agent.c runs it, agent_reply.c reads the line,
 * health_agent.c applies it). */
#ifndef FC_CHECK_CHECK_AGENT_T_H
#define FC_CHECK_CHECK_AGENT_T_H

/* The checker's own configuration (check_conf.spec) is EXPECT_CHECK's
 * struct check_expect_conf, only its `send` used (agent-send). */

enum agent_health { AGENT_H_NONE, AGENT_H_UP, AGENT_H_DOWN };
enum agent_admin { AGENT_A_NONE, AGENT_A_READY, AGENT_A_DRAIN, AGENT_A_MAINT };

/* One reply line, read by agent_reply_parse().  A field the agent did not
 * give is left as none (HAProxy: "parameters which are not advertised by
 * the agent are not changed").  Within a category the last word wins. */
struct agent_reply {
	enum agent_health health;
	char health_word[8];  /* "up", "down", "stopped", "fail" as written */
	enum agent_admin admin;
	long weight_pct;      /* "NN%": 0..25600, -1 = not given */
	long maxconn;         /* "maxconn:N", -1 = not given */
	int maxconn_bad;      /* "maxconn:" without a number or with trailing bytes */
	char first_unknown[32]; /* the first word not understood, "" = none */
	char desc[96];        /* after '#', blanks skipped, "" = none */
};

#endif
