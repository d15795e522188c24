/* The checker registry: the list CHECK_REGISTRY (check.h) names. */
#include <stddef.h>
#include <string.h>

#include "check/check.h"

#define CHECK_OPS_PTR(id, word, rule) &check_##id##_ops,
static const struct check_ops *const check_all[] = {CHECK_REGISTRY(CHECK_OPS_PTR)};
#undef CHECK_OPS_PTR

#define CHECK_N (sizeof(check_all) / sizeof(check_all[0]))

const struct check_ops *check_ops_at(size_t i)
{
	return i < CHECK_N ? check_all[i] : NULL;
}

const struct check_ops *check_ops_for(enum check_type type)
{
	size_t i;

	for (i = 0; i < CHECK_N; i++)
		if (check_all[i]->type == type)
			return check_all[i];
	return NULL;
}

const struct check_ops *check_ops_named(const char *name)
{
	size_t i;

	for (i = 0; i < CHECK_N; i++)
		if (!strcmp(check_all[i]->name, name))
			return check_all[i];
	return NULL;
}
