import type { Locale } from '../locales.ts';
import { de } from './de/index.ts';
import { en } from './en/index.ts';
import { es } from './es/index.ts';
import { fr } from './fr/index.ts';

/** A message's key: a key of the English catalog, the one every other is checked against. */
export type MessageKey = keyof typeof en;

/** Every shipped catalog, by locale. */
export const CATALOGS: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = { en, de, fr, es };
