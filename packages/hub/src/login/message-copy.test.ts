import { describe, expect, it } from 'vitest';
import { hasMessage } from '../i18n/translate.ts';
import { LOCALES, type Locale } from '../i18n/locales.ts';
import { HubRequest, runHubRequest } from '../request/hub-request.ts';
import { KRATOS_TEXT_IDS } from './kratos-text-ids.ts';
import { copyFor } from './message-copy.ts';

const inLocale = <T>(locale: Locale, fn: () => T): T => runHubRequest(fn, new HubRequest('id', { acceptLanguage: locale }));
const inGerman = <T>(fn: () => T): T => inLocale('de', fn);

describe('copyFor', () => {
  it('has a catalog entry for every text id Kratos v1.3.1 defines', () => {
    const missing = Object.keys(KRATOS_TEXT_IDS).filter((id) => !hasMessage(`kratos.${id}`));
    expect(missing).toEqual([]);
  });

  it('speaks the language of the request', () => {
    const invalid = { id: 4000006, text: 'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.', type: 'error' };
    expect(copyFor(invalid)).toBe('The email address or password is not correct. Check both and try again.');
    expect(inGerman(() => copyFor(invalid))).toBe('Die E-Mail-Adresse oder das Passwort ist nicht korrekt. Prüfen Sie beides und versuchen Sie es erneut.');
    expect(inGerman(() => copyFor({ id: 1070001, text: 'Password' }))).toBe('Passwort');
    expect(inLocale('fr', () => copyFor({ id: 1010022, text: 'Sign in with password' }))).toBe('Se connecter');
    expect(inLocale('es', () => copyFor({ id: 1010022, text: 'Sign in with password' }))).toBe('Iniciar sesión');
  });

  it('fills the message with the values of the Kratos text\'s context', () => {
    const tooShort = {
      id: 4000032,
      text: 'The password must be at least 8 characters long, but got 3.',
      type: 'error',
      context: { min_length: 8, actual_length: 3 },
    };
    expect(copyFor(tooShort)).toBe('Your password needs at least 8 characters (you entered 3).');
    expect(inGerman(() => copyFor(tooShort))).toBe('Ihr Passwort muss mindestens 8 Zeichen lang sein (Sie haben 3 eingegeben).');
    const provider = { id: 1010002, text: 'Sign in with GitHub', context: { provider: 'GitHub', provider_id: 'github' } };
    expect(inGerman(() => copyFor(provider))).toBe('Mit GitHub anmelden');
    const removeKey = { id: 1050018, text: 'Remove security key "YubiKey"', context: { display_name: 'YubiKey', added_at_unix: 1764900000 } };
    expect(inLocale('fr', () => copyFor(removeKey))).toBe('Supprimer la clé de sécurité « YubiKey »');
  });

  it('shows dates and lists from the context in the request\'s language', () => {
    const used = { id: 1050014, text: 'Secret was used at 2026-12-04 10:00:00 +0000 UTC', context: { used_at: '2026-12-04T10:00:00Z', used_at_unix: Date.UTC(2026, 11, 4, 10) / 1000 } };
    expect(copyFor(used)).toBe('Used on December 4, 2026');
    expect(inGerman(() => copyFor(used))).toBe('Verwendet am 4. Dezember 2026');
    const list = { id: 1050015, text: 'abcd, used', context: { secrets: [{ id: 1050009, text: 'abcd', context: { secret: 'abcd' } }, used] } };
    expect(inGerman(() => copyFor(list))).toBe('abcd, Verwendet am 4. Dezember 2026');
  });

  it('keeps Kratos\' text when the context lacks a value the message needs', () => {
    expect(inGerman(() => copyFor({ id: 1010002, text: 'Sign in with GitHub' }))).toBe('Sign in with GitHub');
  });

  it('picks a more precise message from the context where there is one', () => {
    const badEmail = { id: 4000001, text: '"ada@" is not valid "email"', context: { reason: '"ada@" is not valid "email"' } };
    expect(inGerman(() => copyFor(badEmail))).toBe('Geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.com.');
    const other = { id: 4000001, text: 'something else', context: { reason: 'something else' } };
    expect(copyFor(other)).toBe('something else');
    expect(inGerman(() => copyFor({ id: 1070002, text: 'Email address', context: { title: 'Email address' } }))).toBe('E-Mail-Adresse');
    expect(inGerman(() => copyFor({ id: 1070002, text: 'Nickname', context: { title: 'Nickname' } }))).toBe('Nickname');
    expect(copyFor({ id: 4000028, text: 'You tried…', context: { credential_identifier_hint: '' } })).toBe(
      'This is already used by another account. Sign in to that account the way you usually do.',
    );
  });

  // Decision 0013 (amendment, issue #20): copy for "no such account" errors never confirms that.
  const REVEALING: Record<Locale, RegExp> = {
    en: /exist|not setup|no account|does not belong|not registered/i,
    de: /existiert|kein Konto|gibt es nicht|nicht registriert|gehört zu keinem/i,
    fr: /existe|aucun compte|pas inscrit|n’appartient/i,
    es: /existe|ninguna cuenta|no está registrad|no pertenece/i,
  };
  describe.each([...LOCALES])('in %s', (locale) => {
    it.each([
      [4000035, 'This account does not exist or has not setup sign in with code.'],
      [4000037, 'This account does not exist or has no login method configured.'],
      [4000015, 'This account does not exist or has no security key set up.'],
    ])('Kratos %i does not reveal whether an account exists', (id, text) => {
      const copy = inLocale(locale, () => copyFor({ id, text, type: 'error' }));
      expect(copy).not.toBe(text);
      expect(copy).not.toMatch(REVEALING[locale]);
    });
  });

  it('a group-specific entry wins over the plain id; unknown ids keep Kratos\' text, in English', () => {
    expect(copyFor({ id: 1040001, text: 'Sign up' }, 'password')).toBe('Create account');
    expect(copyFor({ id: 1040001, text: 'Sign up' }, 'profile')).toBe('Continue');
    expect(inGerman(() => copyFor({ id: 1040001, text: 'Sign up' }, 'profile'))).toBe('Weiter');
    expect(copyFor({ id: 1040001, text: 'Sign up' }, 'oidc')).toBe('Create account');
    expect(copyFor({ id: 9999999, text: 'Kratos says' })).toBe('Kratos says');
    expect(inGerman(() => copyFor({ id: 9999999, text: 'Kratos says' }))).toBe('Kratos says');
  });
});
