import type { DomainEvent } from '../../domain/events';
import { given } from '../support/spec';

const joined = (over: Partial<Extract<DomainEvent, { type: 'MemberJoined' }>['data']> = {}): DomainEvent => ({
  type: 'MemberJoined',
  data: { member: '212000-1124', kind: 'municipality', name: 'Malmö stad', kommunkod: '1280', date: '2020-01-01', decisionRef: 'S 1', rejoin: false, ...over },
});
const left = (date: string): DomainEvent => ({ type: 'MemberLeft', data: { member: '212000-1124', date, reason: 'ingen tjänst' } });
const join = (over: Record<string, unknown> = {}) => ({
  type: 'member.join', orgnr: '2120001124', kind: 'municipality', name: 'Malmö stad', kommunkod: '1280', date: '2020-01-01', decisionRef: 'S 1', ...over,
});

describe('member.join', () => {
  test('a new municipality joins; its orgnr is stored in canonical form', () => {
    given().when(join()).then([joined()], 'member-212000-1124');
  });

  test('an invalid organisationsnummer is refused, naming the check digit', () => {
    given().when(join({ orgnr: '212000-1125' })).thenError(/ogiltigt organisationsnummer "212000-1125": kontrollsiffran är 5 men ska vara 4/);
  });

  test('a second join of a current member is refused', () => {
    given(joined()).when(join({ date: '2021-05-01' })).thenError('Malmö stad (212000-1124) är redan medlem sedan 2020-01-01');
  });

  test('a second join under another name names the member that already holds the organisationsnummer', () => {
    given(joined()).when(join({ date: '2021-05-01', name: 'Test kommun' })).thenError('Malmö stad (212000-1124) är redan medlem sedan 2020-01-01 (angivet namn: Test kommun)');
  });

  test('a member that left rejoins: the event says rejoin, so the joining contribution is the re-entry share', () => {
    given(joined(), left('2022-12-31')).when(join({ date: '2024-03-01' })).then([joined({ date: '2024-03-01', rejoin: true })]);
  });

  test('given a member with an address on record that left, when it rejoins without an address, then the rejoin keeps that address; given one, the new one', () => {
    const address = { street: 'Box 1', postalCode: '205 80', city: 'Malmö' };
    given(joined({ address }), left('2022-12-31')).when(join({ date: '2024-03-01' })).then([joined({ date: '2024-03-01', rejoin: true, address })]);
    const moved = { street: 'Box 9', postalCode: '205 81', city: 'Malmö' };
    given(joined({ address }), left('2022-12-31')).when(join({ date: '2024-03-01', address: moved })).then([joined({ date: '2024-03-01', rejoin: true, address: moved })]);
  });

  test('given 2023 closed, when a member leaves on 31 December 2023, then it is stored: the change begins in 2024; on 30 December, then it is refused', () => {
    const closed: DomainEvent = { type: 'YearClosed', data: { year: 2023, date: '2024-02-15' } };
    given(joined(), closed).when({ type: 'member.leave', member: '1280', date: '2023-12-31', reason: 'x' })
      .then([{ type: 'MemberLeft', data: { member: '212000-1124', date: '2023-12-31', reason: 'x', decisionRef: undefined } }]);
    given(joined(), closed).when({ type: 'member.leave', member: '1280', date: '2023-12-30', reason: 'x' })
      .thenError('member.leave: året 2023 stängdes 2024-02-15; dess siffror kan inte längre ändras');
  });

  test('a rejoin dated before the exit is refused', () => {
    given(joined(), left('2022-12-31')).when(join({ date: '2022-06-01' })).thenError('gick ur 2022-12-31; ett återinträde måste dateras efter det');
  });

  test('a municipality without kommunkod, and a federation without the municipalities it covers, are refused', () => {
    given().when(join({ kommunkod: undefined })).thenError('en kommun måste anges med sin kommunkod');
    given().when(join({ kind: 'federation', kommunkod: undefined, name: 'GR' })).thenError('ett kommunalförbund måste ange vilka kommuner det omfattar');
  });

  test('a kommunkod held by another current member is refused', () => {
    given(joined()).when(join({ orgnr: '212000-0142', name: 'Dubblett' })).thenError('kommunkod 1280 tillhör redan medlemmen Malmö stad');
  });

  test('a date that is not on the calendar is refused', () => {
    given().when(join({ date: '2023-02-30' })).thenError('date: ska vara ett giltigt datum ÅÅÅÅ-MM-DD');
  });

  test('given any state, when a join is dated outside the years 1990–2100 (2999 for 2024), then it is refused as bad input, naming the date', () => {
    given().when(join({ date: '2999-01-01' })).thenError('date: ska vara ett datum ÅÅÅÅ-MM-DD mellan 1990-01-01 och 2100-12-31, inte "2999-01-01"');
    given().when(join({ date: '1989-12-31' })).thenError('date: ska vara ett datum ÅÅÅÅ-MM-DD mellan 1990-01-01 och 2100-12-31, inte "1989-12-31"');
  });

  test('given today is 2024-06-01, when a join is dated 2025-12-31, then it is stored: a council decides in autumn to join from next January', () => {
    given().when(join({ date: '2025-12-31' }), '2024-06-01').then([joined({ date: '2025-12-31' })]);
  });

  test('given today is 2024-06-01, when a join is dated 2026-01-01 or 2100-12-31, then it is refused naming the date and the latest one allowed', () => {
    given().when(join({ date: '2026-01-01' }), '2024-06-01')
      .thenError('member.join: inträdesdatumet 2026-01-01 ligger för långt fram; senast 2025-12-31 (31 december året efter i dag) kan anges');
    given().when(join({ date: '2100-12-31' }), '2024-06-01').thenError('inträdesdatumet 2100-12-31 ligger för långt fram; senast 2025-12-31');
  });
});

/** An SCB table at 31 December of `year` with these kommunkoder (populations made up). */
const scb = (year: number, ...codes: string[]): DomainEvent => ({
  type: 'PopulationRecorded',
  data: { year, referenceDate: `${year}-12-31`, source: 'SCB', rows: codes.map((code, i) => ({ code, name: `Kommun ${code}`, population: 10000 + i })) },
});
const federation = (over: Record<string, unknown> = {}) => ({
  type: 'member.join', orgnr: '222000-1230', kind: 'federation', name: 'Höglandets kommunalförbund', covers: ['0604', '0686'], date: '2024-01-01', decisionRef: 'S 2', ...over,
});

describe('member.join: a kommunkod, or a code a federation covers, must be one SCB knows once a population table is recorded', () => {
  test('given no population table yet, when a municipality joins with any well-formed kommunkod, then it is stored: there is nothing to check it against', () => {
    given().when(join({ kommunkod: '9999' })).then([joined({ kommunkod: '9999' })]);
  });

  test('given SCB tables for 2022 and 2023, when a municipality joins with kommunkod 9999, then it is refused naming the code and the latest table', () => {
    given(scb(2022, '1280'), scb(2023, '1280', '0180')).when(join({ kommunkod: '9999' }))
      .thenError('member.join: kommunkod 9999 finns inte i någon registrerad SCB-tabell (senast 2023-12-31); kontrollera koden eller importera en nyare tabell');
  });

  test('given a code that is only in an older table (a municipality since merged), when it joins, then it is stored: it is in a recorded table', () => {
    given(scb(2022, '1280'), scb(2023, '0180')).when(join()).then([joined()]);
  });

  test('given SCB tables, when a federation joins covering 9999 and 9998, then it is refused naming both codes', () => {
    given(scb(2023, '0604', '0686')).when(federation({ covers: ['0604', '9999', '9998'] }))
      .thenError('member.join: kommunkoderna 9999, 9998 finns inte i någon registrerad SCB-tabell (senast 2023-12-31); kontrollera koderna eller importera en nyare tabell');
  });

  test('given SCB tables, when a federation joins covering codes SCB knows, then it is stored', () => {
    given(scb(2023, '0604', '0686')).when(federation()).then([{
      type: 'MemberJoined',
      data: { member: '222000-1230', kind: 'federation', name: 'Höglandets kommunalförbund', kommunkod: undefined, covers: ['0604', '0686'], date: '2024-01-01', decisionRef: 'S 2', address: undefined, rejoin: false },
    }]);
  });

  test('when a federation lists a municipality twice, then it is refused: its population would be counted twice', () => {
    given().when(federation({ covers: ['0604', '0686', '0604'] })).thenError('member.join: kommunkod 0604 står två gånger bland de kommuner Höglandets kommunalförbund omfattar');
  });
});

describe('population.import: a table for a year replaces the recorded one whole, so it must hold every municipality the recorded one has', () => {
  const table = (year: number, rows: [string, string, number][]) => ({ year, referenceDate: `${year}-12-31`, rows: rows.map(([code, name, population]) => ({ code, name, population })) });
  /** SCB publishes the population at 31 December in the next year: a table is imported after its day. */
  const AFTER_2024 = '2025-02-20';
  const recorded: DomainEvent = { type: 'PopulationRecorded', data: { ...table(2024, [['0180', 'Stockholm', 988943], ['0380', 'Uppsala', 240000], ['1280', 'Malmö', 362133]]), source: 'SCB' } };

  test('given a row of 0 inhabitants (a missing figure), then the table is refused naming the municipality', () => {
    given().when({ type: 'population.import', source: 'sv.csv', tables: [table(2024, [['0180', 'Stockholm', 988943], ['0380', 'Uppsala', 0]])] }, AFTER_2024)
      .thenError('population.import 2024: kommunkod 0380 (Uppsala) har folkmängd 0; en kommun har invånare, så raden saknar sin siffra');
  });

  test('given a 2024 table of three, when a table of Uppsala alone is imported for 2024, then it is refused naming the year, the count and the two missing', () => {
    given(recorded).when({ type: 'population.import', source: 'sv.csv', tables: [table(2024, [['0380', 'Uppsala', 250000]])] }, AFTER_2024)
      .thenError('population.import: tabellen för 2024 saknar 2 kommuner av de 3 i den registrerade tabellen för 2024 (0180 Stockholm, 1280 Malmö); en ny tabell ersätter hela årets registrerade, så importera hela tabellen för 2024, med de rättade uppgifterna i den');
  });

  test('given the same, when one of them is missing, then the count says "1 kommun"', () => {
    given(recorded).when({ type: 'population.import', source: 'x', tables: [table(2024, [['0180', 'Stockholm', 1], ['0380', 'Uppsala', 1]])] }, AFTER_2024).thenError('saknar 1 kommun av de 3');
  });

  test('given the same, when every municipality is imported again, one corrected and one added, then the table is recorded', () => {
    const whole = table(2024, [['0180', 'Stockholm', 988943], ['0380', 'Uppsala', 250000], ['1280', 'Malmö', 362133], ['0381', 'Enköping', 46000]]);
    given(recorded).when({ type: 'population.import', source: 'x', tables: [whole] }, AFTER_2024).then([{ type: 'PopulationRecorded', data: { ...whole, source: 'x' } }], 'population');
  });

  test('given a 2024 table, when a table of one municipality is imported for 2025, then it is recorded: the first table of a year may be any size', () => {
    const first = table(2025, [['0380', 'Uppsala', 250000]]);
    given(recorded).when({ type: 'population.import', source: 'x', tables: [first] }, '2026-02-20').then([{ type: 'PopulationRecorded', data: { ...first, source: 'x' } }]);
  });
});

describe('population.import: a table is dated on its count\'s day, which has passed', () => {
  test('given a table for 2026 dated 2025-12-31 (an apply line or an HTTP body), then it is refused: a year\'s table is its count at 31 December', () => {
    given().when({ type: 'population.import', source: 'x', tables: [{ year: 2026, referenceDate: '2025-12-31', rows: [{ code: '0180', name: 'Stockholm', population: 1 }] }] }, '2026-06-01')
      .thenError('population.import 2026: tabellens mätdag 2025-12-31 är inte 31 december 2026; en tabell för ett år är folkmängden den 31 december det året');
  });

  test('given today is 2024-06-01, when a table at 2024-12-31 is imported (2024 mistyped for 2023), then it is refused naming the day', () => {
    given().when({ type: 'population.import', source: 'x', tables: [{ year: 2024, referenceDate: '2024-12-31', rows: [{ code: '0180', name: 'Stockholm', population: 1 }] }] }, '2024-06-01')
      .thenError('population.import 2024: tabellens mätdag 2024-12-31 ligger efter i dag (2024-06-01); SCB:s folkmängd den 31 december ett år publiceras året därpå; kontrollera årtalet');
  });
});

describe('member.leave', () => {
  test('a member with an enrolment running past its exit is refused until the enrolment is ended: services are billed by enrolment, not membership', () => {
    const service: DomainEvent = { type: 'ServiceEstablished', data: { serviceId: 'uka', name: 'UKA', area: 'x', pricing: { kind: 'equal' }, overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2020-01-01' } } as DomainEvent;
    const enrolled: DomainEvent = { type: 'EnrolmentStarted', data: { serviceId: 'uka', enrolmentId: 'uka-malmo', member: '212000-1124', from: '2021-01-01' } };
    given(joined(), service, enrolled).when({ type: 'member.leave', member: '1280', date: '2023-12-31', reason: 'x' })
      .thenError('member.leave: Malmö stad (212000-1124) har anslutningar som gäller efter 2023-12-31: uka (uka-malmo); avsluta dem först, t.ex. `samkost enrolment end --service uka --enrolment uka-malmo --to 2023-12-31`');
    const ended: DomainEvent = { type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: 'uka-malmo', to: '2023-12-31' } };
    given(joined(), service, enrolled, ended).when({ type: 'member.leave', member: '1280', date: '2023-12-31', reason: 'ingen tjänst' }).then([left('2023-12-31')]);
  });

  test('an enrolment that begins after the exit is named with the end that withdraws it, the day before it begins', () => {
    const service: DomainEvent = { type: 'ServiceEstablished', data: { serviceId: 'uka', name: 'UKA', area: 'x', pricing: { kind: 'equal' }, overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2020-01-01' } } as DomainEvent;
    const later: DomainEvent = { type: 'EnrolmentStarted', data: { serviceId: 'uka', enrolmentId: 'uka-malmo', member: '212000-1124', from: '2024-03-01' } };
    given(joined(), service, later).when({ type: 'member.leave', member: '1280', date: '2023-12-31', reason: 'x' })
      .thenError('`samkost enrolment end --service uka --enrolment uka-malmo --to 2024-02-29`');
  });

  test('a member leaves, named by kommunkod', () => {
    given(joined()).when({ type: 'member.leave', member: '1280', date: '2023-12-31', reason: 'ingen tjänst' }).then([left('2023-12-31')], 'member-212000-1124');
  });

  test('leaving before joining is refused', () => {
    given(joined()).when({ type: 'member.leave', member: '212000-1124', date: '2019-12-31', reason: 'x' }).thenError('gick med 2020-01-01; utträdet kan inte ske före det (2019-12-31)');
  });

  test('an unknown member is refused', () => {
    given().when({ type: 'member.leave', member: '0180', date: '2023-12-31', reason: 'x' }).thenError('okänd medlem: ingen kommun med kommunkod 0180 har gått med');
    given().when({ type: 'member.leave', member: '212000-0142', date: '2023-12-31', reason: 'x' }).thenError('okänd medlem: 212000-0142 har aldrig gått med');
  });

  test('given today is 2024-06-01, when a member leaves on 2025-12-31, then it is stored; on 2026-01-01, then it is refused naming the date and the latest one allowed', () => {
    given(joined()).when({ type: 'member.leave', member: '1280', date: '2025-12-31', reason: 'x' }, '2024-06-01')
      .then([{ type: 'MemberLeft', data: { member: '212000-1124', date: '2025-12-31', reason: 'x' } }]);
    given(joined()).when({ type: 'member.leave', member: '1280', date: '2026-01-01', reason: 'x' }, '2024-06-01')
      .thenError('member.leave: utträdesdatumet 2026-01-01 ligger för långt fram; senast 2025-12-31 (31 december året efter i dag) kan anges');
  });

  test('a member that has left cannot leave again', () => {
    given(joined(), left('2022-12-31')).when({ type: 'member.leave', member: '1280', date: '2023-12-31', reason: 'x' }).thenError('är inte medlem; den gick ur 2022-12-31');
  });
});

describe('schedule.adopt and levy.decide', () => {
  const tiers = [
    { id: 'small', label: '< 10 000', max: 9999, joiningContribution: '5000.00', annualFee: '8000.00' },
    { id: 'large', label: '≥ 10 000', min: 10000, joiningContribution: '10000.00', annualFee: '16000.00' },
    { id: 'org', label: 'Organisationer', organisation: true as const, joiningContribution: '5000.00', annualFee: '8000.00' },
  ];
  const adopt = (t: unknown[]) => ({ type: 'schedule.adopt', year: 2024, decisionRef: 'Årsmöte 2024 §7', decidedOn: '2024-04-25', tiers: t, firstYear: 'from-entry-month', reentryPercent: 50 });

  test('a schedule covering every population once is adopted for its year', () => {
    given().when(adopt(tiers)).then([{ type: 'FeeScheduleAdopted', data: { year: 2024, decisionRef: 'Årsmöte 2024 §7', decidedOn: '2024-04-25', tiers, firstYear: 'from-entry-month', reentryPercent: 50 } }], 'schedule-2024');
  });

  test('overlapping tiers are refused', () => {
    given().when(adopt([tiers[0], { ...tiers[1], min: 9000 }, tiers[2]])).thenError('nivåerna överlappar: "large" börjar vid 9000, inom "small"');
  });

  test('a gap between tiers is refused', () => {
    given().when(adopt([tiers[0], { ...tiers[1], min: 12000 }, tiers[2]])).thenError('lucka mellan nivåerna: ingen nivå täcker 10000–11999');
  });

  test('a schedule without an organisation tier is refused', () => {
    given().when(adopt([tiers[0], tiers[1]])).thenError('ingen organisationsnivå');
  });

  test('a negative fee is refused', () => {
    given().when(adopt([{ ...tiers[0], annualFee: '-1.00' }, tiers[1], tiers[2]])).thenError('beloppet får inte vara negativt');
  });

  test('given a schedule for 2024 decided 2024-04-25, when one decided 2024-01-10 is adopted after it, then it is refused: the latest recorded is in force', () => {
    const { type: _t, ...data } = adopt(tiers);
    given({ type: 'FeeScheduleAdopted', data: data as never }).when({ ...adopt(tiers), decidedOn: '2024-01-10', decisionRef: 'Styrelsen 2024-01-10' })
      .thenError('schedule.adopt 2024: beslutet 2024-01-10 är äldre än den avgiftstabell som gäller, beslutad 2024-04-25 (Årsmöte 2024 §7)');
  });

  test('given a schedule for 2024 decided 2024-04-25, when one decided later is adopted, then it replaces it', () => {
    const { type: _t, ...data } = adopt(tiers);
    given({ type: 'FeeScheduleAdopted', data: data as never }).when({ ...adopt(tiers), decidedOn: '2024-05-30' })
      .then([{ type: 'FeeScheduleAdopted', data: { ...data, decidedOn: '2024-05-30' } as never }], 'schedule-2024');
  });

  test('given today is 2024-06-01, when a schedule or a levy for 2026 (a year mistyped) is decided, then it is refused; a schedule for 2025 is stored', () => {
    given().when({ ...adopt(tiers), year: 2026, decidedOn: '2024-05-01' }, '2024-06-01').thenError('schedule.adopt 2026: avgiftsåret 2026 ligger för långt fram; beslut fattas för senast 2025 (året efter i dag)');
    given().when({ ...adopt(tiers), year: 2025, decidedOn: '2024-05-01' }, '2024-06-01').then([{ type: 'FeeScheduleAdopted', data: { year: 2025, decisionRef: 'Årsmöte 2024 §7', decidedOn: '2024-05-01', tiers, firstYear: 'from-entry-month', reentryPercent: 50 } }]);
    const levy = { type: 'levy.decide', year: 2026, levyId: 'e-arkiv', purpose: 'E-arkiv', decisionRef: 'Stämma', decidedOn: '2024-05-01', tiers: tiers.map(({ id, label, min, max, organisation }) => ({ id, label, min, max, organisation, amount: '7500.00' })) };
    given().when(levy, '2024-06-01').thenError('levy.decide e-arkiv: året 2026 ligger för långt fram; beslut fattas för senast 2025 (året efter i dag)');
  });

  test('given today is 2024-04-24, when a schedule or a levy decided 2024-04-25 is recorded, then it is refused', () => {
    given().when(adopt(tiers), '2024-04-24').thenError('schedule.adopt 2024: beslutsdatumet 2024-04-25 ligger efter i dag (2024-04-24); ange dagen stämman beslutade');
    const levy = { type: 'levy.decide', year: 2024, levyId: 'e-arkiv', purpose: 'E-arkiv', decisionRef: 'Stämma', decidedOn: '2024-04-25', tiers: tiers.map(({ id, label, min, max, organisation }) => ({ id, label, min, max, organisation, amount: '7500.00' })) };
    given().when(levy, '2024-04-24').thenError('levy.decide e-arkiv: beslutsdatumet 2024-04-25 ligger efter i dag (2024-04-24); ange dagen stämman beslutade');
  });

  test('a levy id can be decided once per year', () => {
    const levy = { type: 'levy.decide', year: 2024, levyId: 'e-arkiv', purpose: 'E-arkiv', decisionRef: 'Stämma', decidedOn: '2024-04-25', tiers: tiers.map(({ id, label, min, max, organisation }) => ({ id, label, min, max, organisation, amount: '7500.00' })) };
    const { type: _t, ...data } = levy;
    given({ type: 'ExtraLevyDecided', data: data as never }).when(levy).thenError('en extra utdebitering "e-arkiv" är redan beslutad för 2024');
  });
});

describe('member.details', () => {
  const details = (over: Record<string, unknown> = {}) => ({ type: 'member.details', member: '1280', date: '2024-03-01', ...over });
  const changed = (data: Record<string, unknown>): DomainEvent =>
    ({ type: 'MemberDetailsChanged', data: { member: '212000-1124', date: '2024-03-01', ...data } }) as DomainEvent;

  test('a member gives the reference its invoices must carry; the address it joined with stays', () => {
    given(joined({ address: { street: 'August Palms plats 1', postalCode: '205 80', city: 'Malmö' } }))
      .when(details({ invoiceReference: 'KS-4711' }))
      .then([changed({ address: { street: 'August Palms plats 1', postalCode: '205 80', city: 'Malmö' }, invoiceReference: 'KS-4711' })], 'member-212000-1124');
  });

  test('an address given in part changes only that part; the reference stays', () => {
    given(joined({ address: { street: 'Gamla gatan 1', postalCode: '205 80', city: 'Malmö' } }), changed({ address: { street: 'Gamla gatan 1', postalCode: '205 80', city: 'Malmö' }, invoiceReference: 'KS-4711' }))
      .when(details({ address: { street: 'Nya gatan 2' } }))
      .then([changed({ address: { street: 'Nya gatan 2', postalCode: '205 80', city: 'Malmö' }, invoiceReference: 'KS-4711' })]);
  });

  test('a member that has left can still be given a reference (its settlement is invoiced later)', () => {
    given(joined(), left('2023-12-31')).when(details({ date: '2024-02-01', invoiceReference: 'R1' })).then([changed({ date: '2024-02-01', invoiceReference: 'R1' })]);
  });

  test('a command that changes nothing is refused, so a retry is not recorded twice', () => {
    given(joined(), changed({ invoiceReference: 'KS-4711' })).when(details({ invoiceReference: 'KS-4711' })).thenError('har redan denna adress och fakturareferens; inget att ändra');
    given(joined()).when(details()).thenError('member.details: ange en ny adress eller fakturareferens för Malmö stad (212000-1124)');
  });

  test('an unknown member, and an empty reference, are refused', () => {
    given().when(details({ invoiceReference: 'X' })).thenError('okänd medlem: ingen kommun med kommunkod 1280 har gått med');
    given(joined()).when(details({ invoiceReference: '  ' })).thenError(/invoiceReference/);
  });
});
