/* Freeing a list of checker configurations (model.c).  Apart from model.h
 * so that what only owns checks (a pool's source, source.c) need not
 * include the whole model, which includes it. */
#ifndef FC_MODEL_CHECK_CONF_H
#define FC_MODEL_CHECK_CONF_H

struct check_conf;

/* Frees c and every check_conf chained after it; NULL is a no-op. */
void check_conf_free(struct check_conf *c);

#endif
