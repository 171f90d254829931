import type { Page } from 'playwright-core';

/**
 * Locators for the hub's flow pages, by the stable test ids the generic node renderer writes
 * (`node/<group>/<name>`), so e2e tests never depend on English copy.
 */
export const node = (page: Page, id: string) => page.locator(`[data-testid="node/${id}"]`);

/** A submit node: Kratos' method and resend choices are buttons sharing a name. */
export const button = (page: Page, group: string, name: string) => page.locator(`button[data-testid="node/${group}/${name}"]`);

/** The Kratos flow id of the page the browser is on. */
export const flowIdOf = (page: Page) => new URL(page.url()).searchParams.get('flow') ?? '';
