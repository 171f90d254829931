import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/password.ts';

export default {
  'password.common_refused':
    'Dieses Passwort steht auf einer Liste häufiger und geleakter Passwörter, die Angreifer zuerst ausprobieren, und ist daher nicht sicher. Bitte wählen Sie ein anderes: Einige Wörter ohne Zusammenhang ergeben ein starkes Passwort, das leicht zu merken ist.',
  'password.backup.intro': 'Mit Backup-Codes schließen Sie die Anmeldung ab, wenn Sie Ihre Authenticator-App nicht verwenden können. Jeder Code funktioniert einmal.',
  'password.backup.replace_hint': 'Verloren oder fast aufgebraucht? Erstellen Sie neue: Ihre bisherigen Codes funktionieren dann nicht mehr.',
  'password.backup.shown_once': 'Speichern Sie diese Codes jetzt, etwa in einem Passwort-Manager oder auf Papier: Sie werden nur dieses eine Mal angezeigt.',
  'password.backup.list_label': 'Ihre Backup-Codes',
} satisfies CatalogOf<typeof en>;
