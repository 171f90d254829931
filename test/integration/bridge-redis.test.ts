import { describeBridgeSuite } from '../support/bridge-suite.ts';

// The bridge against real Kratos and real Redis.
describeBridgeSuite('redis');
