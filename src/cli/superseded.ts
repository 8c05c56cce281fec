import type { Command } from '../../domain/commands';
import { formatSek } from '../../domain/money';
import { costBase } from '../../projections/splits';
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
  // Opening balances and SCB tables name their own way back (another --reason, another --source).
  if (command.type === 'ledger.opening.correct') return openingReplacedSince(was, state);
  if (command.type === 'population.import') return tablesReplacedSince(command.tables.map((t) => t.year), r, state);
  const replaced = replacement(command, was, state);
  return replaced === undefined ? '' : `. Men ${replaced}. ${command.type === 'enrolment.start' ? ENROL_AGAIN : AGAIN}`;
}

const ENROL_AGAIN = 'För att ansluta medlemmen igen: samkost enrolment start med ett eget --id (anslutningens id), eller en annan startdag';

function replacement(command: Command, was: ExecuteResult['events'][number], state: State): string | undefined {
  switch (command.type) {
    case 'budget.decide': {
      const svc = state.services.get(command.serviceId);
      const inForce = svc?.budgets.get(command.year)?.at(-1);
      if (!svc || !inForce || inForce.ref.eventId === was.id) return undefined;
      const total = formatSek(costBase(svc, command.year, 'budget').base);
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

/**
 * The same correction given again after another replaced it is the same command, recorded once; but the set
 * in force is not the one it gives, and whoever meant to bring that set back learns how.
 */
function openingReplacedSince(was: ExecuteResult['events'][number], state: State): string {
  const inForce = state.openingBalances;
  if (!inForce || inForce.ref.eventId === was.id) return '';
  return `. Den registrerades i ${was.streamId}@${was.revision}; i kraft är ${inForce.ref.streamId}@${inForce.ref.revision} (${inForce.value.reference}). `
    + 'För att ta tillbaka uppsättningen: ge rättelsen ett eget --reason eller --command-id';
}

/**
 * The same SCB table imported again after another replaced it is the same command, recorded once (its id is
 * its content's); but the table in force for its year is then not the one it gives, and whoever meant to put
 * it back learns that nothing changed and how to do it.
 */
function tablesReplacedSince(years: readonly number[], r: ExecuteResult, state: State): string {
  // The command's tables were recorded one event each, in its order (decideImportPopulation).
  const replaced = r.events.flatMap((e, i) => {
    const year = years[i];
    const inForce = year === undefined ? undefined : state.populations.get(year);
    return e.type === 'PopulationRecorded' && inForce && inForce.ref.eventId !== e.id
      ? [`för ${year} är ${inForce.ref.streamId}@${inForce.ref.revision} (${inForce.table.source}) i kraft, inte den här tabellen (${e.streamId}@${e.revision})`]
      : [];
  });
  return replaced.length === 0 ? '' : `. Men ${replaced.join('; ')}. För att ta tillbaka den: importera den med ett eget --source eller --command-id`;
}
