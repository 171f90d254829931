/**
 * `node --import <this file>`: a child process (a hub installed outside the repository, a client
 * team's app) resolves the test host names to loopback, as a hosts file would on a real machine.
 */
import { mapTestHostsToLoopback } from './test-hosts.ts';

mapTestHostsToLoopback();
