import { ZodError } from 'zod';
import { CommandValidationError } from '../../domain/commands';
import { DomainError } from '../../domain/errors';
import { MoneyFormatError } from '../../domain/money';
import { OrgnrError } from '../../domain/orgnr';
import { PricingError } from '../../domain/pricing';
import { HeadsFileError } from '../app/stream-heads';
import { ConfigError } from '../config';
import { PeppolExportError } from '../export/peppol';
import { SieError } from '../export/sie';
import { ConcurrencyError, EventDecodeError, StoreError } from '../store/port';
import { UsageError } from './io';

/** Errors that refuse what was asked (bad input, a rule, a conflict), as opposed to a fault in samkost. */
const REFUSALS = [
  UsageError, DomainError, CommandValidationError, ZodError, ConcurrencyError, EventDecodeError, PeppolExportError, SieError,
  PricingError, OrgnrError, MoneyFormatError, HeadsFileError, ConfigError,
];

export const isRefusal = (err: unknown): boolean => REFUSALS.some((k) => err instanceof k);

/**
 * An error as the one line a user reads: a refusal or a store that cannot serve says what is wrong in its
 * own words; anything else is a fault in samkost, and says so.
 */
export function errorLine(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  return isRefusal(err) || err instanceof StoreError ? message : `oväntat fel i samkost: ${message}`;
}
