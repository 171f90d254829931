/** The console's addresses for a user's sessions (the list and the two ways to end them). */
export const SESSIONS_PATH = '/console/sessions';
export const sessionsOfPath = (user: string) => `${SESSIONS_PATH}?user=${encodeURIComponent(user)}`;
export const endSessionPath = (userId: string, sessionId: string) => `${SESSIONS_PATH}/${encodeURIComponent(userId)}/${encodeURIComponent(sessionId)}/end`;
export const endAllPath = (userId: string) => `${SESSIONS_PATH}/${encodeURIComponent(userId)}/end-all`;
