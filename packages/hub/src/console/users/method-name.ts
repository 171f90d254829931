import { type MessageKey, t } from '../../i18n/translate.ts';

const METHODS: Record<string, MessageKey> = {
  password: 'console-users.method.password',
  code: 'console-users.method.code',
  totp: 'console-users.method.totp',
  webauthn: 'console-users.method.webauthn',
  passkey: 'console-users.method.passkey',
  lookup_secret: 'console-users.method.lookup_secret',
  oidc: 'console-users.method.oidc',
  saml: 'console-users.method.saml',
};

/** A Kratos credential or authentication method in words; one the console does not know keeps its name. */
export function methodName(method: string): string {
  const key = METHODS[method];
  return key ? t(key) : method;
}
