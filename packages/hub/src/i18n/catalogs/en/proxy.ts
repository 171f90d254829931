/** English messages: proxy (ICU MessageFormat). The reference every other catalog is checked against. */
export default {
  'proxy.bad_address': 'This address is not valid on the login domain.',
  'proxy.api_flow_refused':
    'Kratos API flows are not available on the login domain. Browsers use browser flows (/self-service/<flow>/browser); apps sign in through OpenID Connect.',
  'proxy.body_not_json': 'The request body is not valid JSON.',
} as const satisfies Record<string, string>;
