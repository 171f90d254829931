import type { CatalogOf } from '../catalog-of.ts';
import type en from '../en/password.ts';

export default {
  'password.common_refused':
    'Esta contraseña figura en una lista de contraseñas comunes y filtradas que los atacantes prueban primero, por lo que no es segura. Elija otra: unas cuantas palabras sin relación entre sí forman una contraseña robusta y fácil de recordar.',
  'password.backup.intro': 'Los códigos de respaldo le permiten completar el inicio de sesión cuando no puede usar su aplicación de autenticación. Cada código funciona una sola vez.',
  'password.backup.replace_hint': '¿Los ha perdido o ha usado casi todos? Cree otros nuevos: sus códigos actuales dejarán de funcionar.',
  'password.backup.shown_once': 'Guarde estos códigos ahora, por ejemplo en un gestor de contraseñas o en papel: solo se muestran esta vez.',
  'password.backup.list_label': 'Sus códigos de respaldo',
} satisfies CatalogOf<typeof en>;
