import { ZodError } from 'zod';
import { CommandValidationError } from '../../domain/commands';
import { DomainError } from '../../domain/errors';
import { PeppolExportError } from '../export/peppol';
import { ConcurrencyError, EventDecodeError } from '../store/port';
import { UsageError } from './io';

/** Errors that refuse what was asked (bad input, a rule, a conflict), as opposed to a fault in samkost. */
const REFUSALS = [UsageError, DomainError, CommandValidationError, ZodError, ConcurrencyError, EventDecodeError, PeppolExportError];

export const isRefusal = (err: unknown): boolean => REFUSALS.some((k) => err instanceof k);
