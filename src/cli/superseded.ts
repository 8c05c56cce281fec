import Decimal from 'decimal.js';
import type { Command } from '../../domain/commands';
import { formatSek, sum } from '../../domain/money';
import type { EventRef } from '../../domain/event-ref';
import { resolveMember } from '../../domain/deciders/membership';
import type { State } from '../../domain/state';
import type { ExecuteResult } from '../app/engine';

/*
 * A command without an id of its own is known by its content, so the same command given again is answered
 * "redan registrerat" and stores nothing: a retry, or a file applied again, must never record twice. But a
 * decision given again after a later one replaced it (a budget corrected back from a typo, an invoice
 * reference set back, an enrolment started again after it was withdrawn) then leaves the later one in force,
 * and "redan registrerat" alone reads as if it were in force. These say what is in force instead, and how
 * to make the decision again: under an id of its own, which is then decided afresh (and refused where it
 * cannot be, an enrolment id already used, say). Deciding it again unasked would break the re-applied file:
 * its later lines replace its earlier ones by design.
 */

const at = (r: Pick<EventRef, 'streamId' | 'revision'>) => `${r.streamId}@${r.revision}`;

const AGAIN = 'För att fatta beslutet igen: ge kommandot ett eget --command-id (commandId i en fil eller ett HTTP-anrop)';

/** What replaced a recorded decision since, and how to make it again; '' when it is still in force (or is no such decision). */
export function supersededSince(command: Command, r: ExecuteResult, state: State | undefined): string {
  const was = r.events[0];
  if (!r.duplicate || !state || !was) return '';
  const replaced = replacement(command, was, state);
  return replaced === undefined ? '' : `. Men ${replaced}. ${command.type === 'enrolment.start' ? ENROL_AGAIN : AGAIN}`;
}

const ENROL_AGAIN = 'För att ansluta medlemmen igen: samkost enrolment start med ett eget --id (anslutningens id), eller en annan startdag';

function replacement(command: Command, was: ExecuteResult['events'][number], state: State): string | undefined {
  switch (command.type) {
    case 'budget.decide': {
      const inForce = state.services.get(command.serviceId)?.budgets.get(command.year)?.at(-1);
      if (!inForce || inForce.ref.eventId === was.id) return undefined;
      const total = formatSek(sum(inForce.value.lines.map((l) => new Decimal(l.amount))));
      return `för ${command.serviceId} ${command.year} är budgeten ${inForce.value.minutesRef} (${total}, beslutad ${inForce.value.decidedOn}, ${at(inForce.ref)}) i kraft, inte den här (${at(was)})`;
    }
    case 'schedule.adopt': {
      const inForce = state.schedules.get(command.year);
      if (!inForce || inForce.ref.eventId === was.id) return undefined;
      return `för ${command.year} är avgiftsplanen ${inForce.value.decisionRef} (beslutad ${inForce.value.decidedOn}, ${at(inForce.ref)}) i kraft, inte den här (${at(was)})`;
    }
    case 'levy.decide': {
      const inForce = state.levies.get(command.year)?.get(command.levyId);
      if (!inForce || inForce.ref.eventId === was.id) return undefined;
      return `utdebiteringen ${command.levyId} ${command.year} i kraft är ${inForce.value.decisionRef} (${at(inForce.ref)}), inte den här (${at(was)})`;
    }
    case 'member.details': {
      const m = resolveMember(state, command.member);
      const differs: string[] = [];
      if (command.invoiceReference !== undefined && m.invoiceReference !== command.invoiceReference) differs.push(`referensen är ${m.invoiceReference === undefined ? 'ingen' : `"${m.invoiceReference}"`}`);
      if (command.address !== undefined && JSON.stringify(m.address) !== JSON.stringify(command.address)) {
        differs.push(`adressen är ${m.address ? `${m.address.street}, ${m.address.postalCode} ${m.address.city}` : 'ingen'}`);
      }
      return differs.length === 0 ? undefined : `${m.name}s uppgifter ändrades senare: ${differs.join(' och ')} (inte som här, ${at(was)})`;
    }
    case 'enrolment.start': {
      const e = [...(state.services.get(command.serviceId)?.enrolments.values() ?? [])].find((x) => x.startedRef.eventId === was.id);
      if (!e?.endedRef || e.to === undefined || (command.to !== undefined && e.to === command.to)) return undefined;
      return `anslutningen ${e.enrolmentId} avslutades sedan (${e.to < e.from ? 'återtogs innan den började' : `sista dag ${e.to}`}, ${at(e.endedRef)})`;
    }
    case 'enrolment.end': {
      const e = state.services.get(command.serviceId)?.enrolments.get(command.enrolmentId);
      if (!e?.endedRef || e.endedRef.eventId === was.id) return undefined;
      return `anslutningens slut ändrades senare till ${e.to} (${at(e.endedRef)}), inte ${command.to} som här (${at(was)})`;
    }
    default:
      return undefined;
  }
}
