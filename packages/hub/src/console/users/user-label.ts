/** How the console names an account in headings and messages: its email address, else its id. */
export function userLabel(user: { id: string; email: string | undefined }): string {
  return user.email ?? user.id;
}

/** The console's address of an account's page. */
export const userPath = (id: string) => `/console/users/${encodeURIComponent(id)}`;
