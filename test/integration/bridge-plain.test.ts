import { describeBridgeSuite } from '../support/bridge-suite.ts';

// The bridge against real Kratos and Redis on its plain path (bridge.shortcuts: false): no shared
// reads, no deferred writes, no read-ahead, every account lookup asks Kratos. The same suite as
// bridge-redis.test.ts must pass: each shortcut only saves work, it never changes an answer.
describeBridgeSuite('redis', { shortcuts: false });
