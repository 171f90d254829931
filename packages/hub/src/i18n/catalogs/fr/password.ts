import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/password.ts';

export default {
  'password.common_refused':
    'Ce mot de passe figure sur une liste de mots de passe courants et divulgués que les attaquants essaient en premier : il n’est donc pas sûr. Veuillez en choisir un autre : quelques mots sans rapport entre eux forment un mot de passe solide et facile à retenir.',
  'password.backup.intro': 'Les codes de secours vous permettent de terminer la connexion lorsque vous ne pouvez pas utiliser votre application d’authentification. Chaque code ne fonctionne qu’une fois.',
  'password.backup.replace_hint': 'Vous les avez perdus ou presque tous utilisés ? Créez-en de nouveaux : vos codes actuels cesseront alors de fonctionner.',
  'password.backup.shown_once': 'Enregistrez ces codes maintenant, par exemple dans un gestionnaire de mots de passe ou sur papier : ils ne sont affichés qu’une seule fois.',
  'password.backup.list_label': 'Vos codes de secours',
} satisfies CatalogOf<typeof en>;
