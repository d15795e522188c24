/* The VRRP configuration's helpers moved to model/vrrp_model.h (they are
 * part of the model); this name stays for the reader's files and the tests
 * that include it. */
#ifndef FC_VRRP_VRRP_MODEL_H
#define FC_VRRP_VRRP_MODEL_H

#include "model/vrrp_model.h"

#endif
