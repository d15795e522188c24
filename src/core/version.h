/* fulcrum's version: the daemon, fulcrumctl, the control socket's replies
 * and the man pages print it (core/, so that every part may). */
#ifndef FC_CORE_VERSION_H
#define FC_CORE_VERSION_H

#define FC_VERSION "0.1.0"

#endif
