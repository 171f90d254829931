import nock from 'nock';

// Unit tests never reach the network: outbound HTTP is mocked with nock, and only in-process
// servers on loopback are allowed.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
