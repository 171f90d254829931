import { inject } from 'vitest';
import { mapTestHostsToLoopback, trustTestCa } from '@ssohub/testkit';

// Integration and e2e tests address servers by the same unrelated host names a browser uses
// (login.sso.test, app-a.test, shop-b.example) over https with the test CA.
mapTestHostsToLoopback();
trustTestCa(inject('caPem'));
