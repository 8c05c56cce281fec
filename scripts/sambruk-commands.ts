/**
 * The Sambruk 2023 data set as the commands a user would give: `node dist/scripts/sambruk-commands.js`
 * writes scripts/data/sambruk-2023/commands.ndjson (committed; a test keeps it current). Members and
 * participants come from dataset.json (the annual report), pricing, budgets and actual costs from
 * services.json (illustrative), populations from the shipped SCB table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { projectRoot } from './paths';
import { join } from 'node:path';

const DIR = join(projectRoot(), 'scripts', 'data', 'sambruk-2023');

interface DatasetMember { name: string; kind: string; kommunkod: string | null; orgnr: string; joined: string; left: string | null; leftReason: string | null; covers: string[] | null }
interface DatasetParticipant { member: string; covers: string[] | null; module: string | null; from: string }
interface DatasetService { id: string; name: string; area: string; participants: DatasetParticipant[] }
interface ServiceSettings { cadence: string; pricing: unknown; modules?: string[]; budget: { text: string; amount: string }[]; actual: string }

/** The day before an ISO date: the data set gives the first day outside; a leave is dated by its last day in. */
function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

export function sambrukCommands(): Record<string, unknown>[] {
  const dataset = JSON.parse(readFileSync(join(DIR, 'dataset.json'), 'utf8')) as { members: DatasetMember[]; services: DatasetService[] };
  const settings = JSON.parse(readFileSync(join(DIR, 'services.json'), 'utf8')) as { overheadRate: string; councilDecision: { decidedOn: string; minutesRef: string }; services: Record<string, ServiceSettings> };
  const cmds: Record<string, unknown>[] = [
    { type: 'population.import', file: '../scb/scb-folkmangd-kommuner-2013-2023.csv' },
    { type: 'schedule.adopt', file: '../schedules/sambruk-2020.json', year: 2023, decisionRef: 'Årsmöte 2023: 2020 års avgiftsmodell gäller (illustrativt)', decidedOn: '2022-12-01' },
  ];
  for (const m of dataset.members) {
    cmds.push({
      type: 'member.join', orgnr: m.orgnr, kind: m.kind, name: m.name, ...(m.kommunkod ? { kommunkod: m.kommunkod } : {}), ...(m.covers ? { covers: m.covers } : {}),
      date: m.joined, decisionRef: m.joined >= '2023-01-01' ? `Styrelsen ${m.joined} (illustrativt datum; inträde enligt ÅR 2023 §3)` : 'Medlem före 2023 (ÅR 2023)',
    });
  }
  for (const s of dataset.services) {
    const cfg = settings.services[s.id];
    if (!cfg) throw new Error(`services.json has no settings for ${s.id}`);
    cmds.push({
      type: 'service.establish', serviceId: s.id, name: s.name, area: s.area, pricing: cfg.pricing, overheadRate: settings.overheadRate,
      cadence: cfg.cadence, ...(cfg.modules ? { modules: cfg.modules } : {}), decisionRef: 'Tjänst i föreningens förvaltning (ÅR 2023 §5)', date: '2022-01-01',
    });
    if (cfg.budget.length) {
      cmds.push({ type: 'budget.decide', serviceId: s.id, year: 2023, lines: cfg.budget, decidedOn: settings.councilDecision.decidedOn, minutesRef: settings.councilDecision.minutesRef.replace('%s', s.name) });
    }
    for (const p of s.participants) {
      // A cluster of one (Haparanda alone in Provisum) is the municipality's own enrolment, which
      // enrolment.start takes without --covers (it refuses a municipality covering only itself).
      const own = dataset.members.find((m) => m.orgnr === p.member)?.kommunkod;
      const covers = p.covers && !(p.covers.length === 1 && p.covers[0] === own) ? p.covers : undefined;
      cmds.push({ type: 'enrolment.start', serviceId: s.id, member: p.member, from: p.from, ...(p.module ? { module: p.module } : {}), ...(covers ? { covers } : {}) });
    }
  }
  for (const m of dataset.members.filter((x) => x.left)) {
    cmds.push({ type: 'member.leave', member: m.orgnr, date: dayBefore(m.left as string), reason: m.leftReason ?? 'ingen tjänst' });
  }
  return cmds;
}

/** Actual costs recorded at year end (illustrative), one supplier invoice per service. */
export function sambrukActualCosts(): Record<string, unknown>[] {
  const settings = JSON.parse(readFileSync(join(DIR, 'services.json'), 'utf8')) as { services: Record<string, ServiceSettings> };
  return Object.entries(settings.services).map(([id, cfg]) => ({
    type: 'cost.record', serviceId: id, year: 2023, amount: cfg.actual, supplier: `Leverantör ${id} (illustrativt)`, reference: `LF-2023-${id}`, date: '2023-12-31',
  }));
}

export const COMMANDS_FILE = join(DIR, 'commands.ndjson');
export const renderNdjson = (cmds: Record<string, unknown>[]) => `${cmds.map((c) => JSON.stringify(c)).join('\n')}\n`;

if (require.main === module) {
  writeFileSync(COMMANDS_FILE, renderNdjson(sambrukCommands()));
  process.stdout.write(`wrote ${COMMANDS_FILE}\n`);
}
