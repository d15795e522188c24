/* `fulcrum realserver start|stop|status`: the LVS-DR / LVS-TUN real-server
 * setup that realserver.sh scripts do by hand (VIPs on lo, ARP sysctls, and
 * for TUN fulcrum's XDP decapsulator).  doc/realserver.md is the user guide. */
#ifndef FC_REALSERVER_REALSERVER_H
#define FC_REALSERVER_REALSERVER_H

/* argv[0] is "realserver".  Returns the process exit status: 0 done / all in
 * place, 1 failed / not in place, 2 usage error. */
int realserver_main(int argc, char **argv);

#endif
