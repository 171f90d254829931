import { describeBridgeSuite } from '../support/bridge-suite.ts';

// The same bridge suite on the memory store (the demo's), against real Kratos.
describeBridgeSuite('memory');
