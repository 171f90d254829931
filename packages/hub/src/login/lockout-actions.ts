import type { ErrorAction } from '../errors/ssohub-error.ts';
import type { HubContext } from '../hub-context.ts';
import { t } from '../i18n/translate.ts';
import { keepReturnTo } from './check-return-to.ts';

interface LoginFlowFacts {
  return_to?: string;
  ui?: { nodes?: { group?: string }[] };
}

/**
 * The ways on from the "Too many attempts" page of a refused sign-in (issue #20): back to sign-in
 * after the wait, a recovery code, and a sign-in code when the login flow offers that method
 * (Kratos' `code` method: its nodes are in the flow, so the hub follows Kratos' own config). Each
 * keeps the login flow's return_to (else the refused request's own), so the user still lands in
 * the app they came from rather than on the hub. A flow Kratos will not hand back (expired,
 * unknown, Kratos down) only loses the code link: the page must show whatever happens.
 */
export async function lockoutActions(
  ctx: Pick<HubContext, 'kratos' | 'config'>,
  { flowId, cookie, requestReturnTo }: { flowId: string | undefined; cookie: string | undefined; requestReturnTo: string | undefined },
): Promise<ErrorAction[]> {
  const flow = flowId && flowId.length <= 64 ? ((await ctx.kratos.getFlow('login', flowId, cookie).catch(() => undefined)) as LoginFlowFacts | undefined) : undefined;
  const returnTo = keepReturnTo(flow?.return_to, ctx.config) ?? keepReturnTo(requestReturnTo, ctx.config);
  const query = (params: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
    const s = q.toString();
    return s ? `?${s}` : '';
  };
  const withCode = flowId !== undefined && (flow?.ui?.nodes ?? []).some((n) => n.group === 'code');
  return [
    { href: `/login${query({ return_to: returnTo })}`, text: t('flows.lockout.sign_in'), id: 'login' },
    ...(withCode ? [{ href: `/login${query({ flow: flowId, return_to: returnTo })}`, text: t('flows.lockout.sign_in_code'), id: 'login-code' }] : []),
    { href: `/recovery${query({ return_to: returnTo })}`, text: t('flows.lockout.recovery'), id: 'recovery' },
  ];
}
