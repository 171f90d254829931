import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './free-port.ts';

export interface CapturedMail {
  to: string[];
  subject: string;
  text: string;
  /**
   * The HTML part, '' when the mail has none. Kratos renders it only at send time and sends the
   * mail without it when its template fails, so tests of templates look at it.
   */
  html: string;
  receivedAt: number;
}

export interface SmtpCapture {
  port: number;
  messages: CapturedMail[];
  /** Waits for a mail to `email` that arrived after `since` (ms epoch) and returns it. */
  waitForMail(email: string, options?: { since?: number; timeoutMs?: number }): Promise<CapturedMail>;
  /**
   * Returns the 6-digit code of the newest mail to `email` that arrived after `since`, waiting
   * for it if needed. Kratos sends 6-digit codes for registration, login, verification and recovery.
   */
  latestCode(email: string, options?: { since?: number; timeoutMs?: number }): Promise<string>;
  stop(): Promise<void>;
}

/** An SMTP server on 127.0.0.1 that keeps every mail in memory, for Kratos' courier in tests. */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const port = await freePort();
  const messages: CapturedMail[] = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            receivedAt: Date.now(),
          });
          for (const w of waiters) w();
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  const waitForMail: SmtpCapture['waitForMail'] = async (email, { since = 0, timeoutMs = 20_000 } = {}) => {
    const address = email.toLowerCase();
    const find = () => messages.filter((m) => m.receivedAt >= since && m.to.includes(address)).at(-1);
    const found = find();
    if (found) return found;
    return await new Promise<CapturedMail>((resolve, reject) => {
      const check = () => {
        const m = find();
        if (m) {
          cleanup();
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no mail to ${email} within ${timeoutMs} ms (${messages.length} captured in all)`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
    });
  };

  return {
    port,
    messages,
    waitForMail,
    async latestCode(email, options) {
      const mail = await waitForMail(email, options);
      const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
      if (!code) throw new Error(`mail to ${email} ("${mail.subject}") carries no 6-digit code`);
      return code;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
