/** English messages: methods (ICU MessageFormat). The reference every other catalog is checked against. */
export default {
  // Passkey and security-key buttons (login/webauthn-nodes.ts), shown by the hub's script.
  'methods.webauthn.unsupported': 'This browser cannot use passkeys or security keys. Choose another way to continue.',
  'methods.webauthn.failed': 'That did not work: the passkey or security key was not used. Try again, or choose another way.',
} as const satisfies Record<string, string>;
