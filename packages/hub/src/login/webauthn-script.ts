import { createHash } from 'node:crypto';

/**
 * The hub's only script: the WebAuthn ceremony behind Kratos' passkey and security-key buttons.
 * Kratos sends its own script (/.well-known/ory/webauthn.js) and inline `onclick` handlers; the
 * hub runs neither (the CSP forbids inline code, and Kratos' script alerts and cannot be told
 * what to say). This one does what the handlers would: reads the options Kratos put in the form,
 * asks the browser's authenticator, writes the answer in the field Kratos reads, and submits the
 * form (submit(), not requestSubmit(): another method's required fields must not block it).
 *
 * Buttons are rendered disabled with a "needs JavaScript" note (render-nodes.ts,
 * webauthn-nodes.ts); the script enables them, so without it they never look usable. Which
 * ceremony a button starts is its `data-webauthn`, Kratos' `onclickTrigger` name.
 */
export const WEBAUTHN_SCRIPT_SOURCE = `(function () {
  'use strict';
  var buttons = document.querySelectorAll('button[data-webauthn]');
  if (!buttons.length) return;
  var supported = !!(window.PublicKeyCredential && navigator.credentials);
  function bytes(s) {
    return Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), function (c) { return c.charCodeAt(0); });
  }
  function text(buf) {
    var s = '';
    new Uint8Array(buf).forEach(function (b) { s += String.fromCharCode(b); });
    return btoa(s).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  }
  function decode(options) {
    var pk = options.publicKey;
    pk.challenge = bytes(pk.challenge);
    if (pk.user && pk.user.id) pk.user.id = bytes(pk.user.id);
    ['allowCredentials', 'excludeCredentials'].forEach(function (k) {
      if (pk[k]) pk[k] = pk[k].map(function (c) { return Object.assign({}, c, { id: bytes(c.id) }); });
    });
    return { publicKey: pk };
  }
  function value(form, name) {
    var el = form.querySelector('[name="' + name + '"]');
    return el ? el.value : '';
  }
  // Per Kratos trigger: the options, the ceremony (get or create) and the field for the answer.
  var CEREMONIES = {
    oryPasskeyLogin: function (b, f) { return { get: JSON.parse(value(f, 'passkey_challenge')), result: 'passkey_login' }; },
    oryPasskeyRegistration: function (b, f) {
      var data = JSON.parse(value(f, 'passkey_create_data'));
      var name = value(f, data.displayNameFieldName);
      data.credentialOptions.publicKey.user.name = name;
      data.credentialOptions.publicKey.user.displayName = name;
      return { create: data.credentialOptions, result: 'passkey_register' };
    },
    oryPasskeySettingsRegistration: function (b, f) { return { create: JSON.parse(value(f, 'passkey_create_data')), result: 'passkey_settings_register' }; },
    oryWebAuthnLogin: function (b) { return { get: JSON.parse(b.value), result: 'webauthn_login' }; },
    oryWebAuthnRegistration: function (b) { return { create: JSON.parse(b.value), result: 'webauthn_register' }; }
  };
  function answer(c) {
    var r = c.response;
    var out = { id: c.id, rawId: text(c.rawId), type: c.type, response: { clientDataJSON: text(r.clientDataJSON) } };
    if (r.attestationObject) out.response.attestationObject = text(r.attestationObject);
    if (r.authenticatorData) {
      out.response.authenticatorData = text(r.authenticatorData);
      out.response.signature = text(r.signature);
      out.response.userHandle = r.userHandle ? text(r.userHandle) : '';
    }
    return JSON.stringify(out);
  }
  function show(button, which) {
    var box = button.parentNode;
    box.querySelectorAll('[data-webauthn-note]').forEach(function (p) { p.hidden = p.getAttribute('data-webauthn-note') !== which; });
  }
  buttons.forEach(function (button) {
    var ceremony = CEREMONIES[button.getAttribute('data-webauthn')];
    if (!ceremony) return;
    if (!supported) { show(button, 'unsupported'); return; }
    show(button, '');
    button.disabled = false;
    button.addEventListener('click', function () {
      var form = button.form;
      var step;
      try { step = ceremony(button, form); } catch (e) { show(button, 'failed'); return; }
      var field = form.querySelector('[name="' + step.result + '"]');
      if (!field) { show(button, 'failed'); return; }
      show(button, '');
      button.disabled = true;
      var asked = step.get ? navigator.credentials.get(decode(step.get)) : navigator.credentials.create(decode(step.create));
      asked.then(function (credential) {
        field.value = answer(credential);
        form.submit();
      }, function () {
        button.disabled = false;
        show(button, 'failed');
      });
    });
  });
})();
`;

/** `sha384-…`: the script's SRI integrity, also what names it in the page's script tag. */
export const WEBAUTHN_SCRIPT_INTEGRITY = `sha384-${createHash('sha384').update(WEBAUTHN_SCRIPT_SOURCE).digest('base64')}`;

/** Named by its content hash, so it may be cached for good: a new script is a new address. */
export const WEBAUTHN_SCRIPT_PATH = `/assets/webauthn-${createHash('sha256').update(WEBAUTHN_SCRIPT_SOURCE).digest('hex').slice(0, 16)}.js`;
