/** One line of the doctor's report. `fix` says in one line what to do when the verdict is not ok. */
export interface DoctorCheck {
  /** Stable dot.case id, e.g. `kratos.database`; scripts match on it. */
  id: string;
  verdict: 'ok' | 'warn' | 'fail';
  /** What was found, in one line, without secrets. */
  detail: string;
  fix?: string;
}

export const ok = (id: string, detail: string): DoctorCheck => ({ id, verdict: 'ok', detail });
export const warn = (id: string, detail: string, fix: string): DoctorCheck => ({ id, verdict: 'warn', detail, fix });
export const fail = (id: string, detail: string, fix: string): DoctorCheck => ({ id, verdict: 'fail', detail, fix });
