/* struct fulcrum moved to model/fulcrum-t.h (below the parts it is handed
 * to); this name stays for the daemon's and control commands' files and the
 * tests that include it. */
#ifndef FC_DAEMON_FULCRUM_T_H
#define FC_DAEMON_FULCRUM_T_H

#include "model/fulcrum-t.h"

#endif
