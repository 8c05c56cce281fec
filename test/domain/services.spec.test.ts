import type { DomainEvent } from '../../domain/events';
import { given } from '../support/spec';

const member: DomainEvent = { type: 'MemberJoined', data: { member: '212000-1124', kind: 'municipality', name: 'Malmö stad', kommunkod: '1280', date: '2020-01-01', decisionRef: 'S', rejoin: false } };
const established: DomainEvent = {
  type: 'ServiceEstablished',
  data: { serviceId: 'uka', name: 'UKA', area: 'Utbildning', pricing: { kind: 'equal' }, overheadRate: '0.05', cadence: 'yearly', modules: ['Beda'], decisionRef: 'S', date: '2020-01-01' },
};
const started = (over: Partial<Extract<DomainEvent, { type: 'EnrolmentStarted' }>['data']> = {}): DomainEvent => ({
  type: 'EnrolmentStarted', data: { serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', member: '212000-1124', from: '2024-01-01', ...over },
});


/**
 * Supplier costs and their payments are recorded once they exist, never dated after today: their
 * specifications are decided on a day after every date they name.
 */
const LATER = '2026-12-31';
const givenLater = (...events: Parameters<typeof given>) => ({
  when: (command: Record<string, unknown>, today = LATER, settings?: Parameters<ReturnType<typeof given>['when']>[2]) => given(...events).when(command, today, settings),
});

describe('enrolment.start', () => {
  test('a member enrols; the enrolment id says who, which module and from when', () => {
    given(member, established).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2024-01-01', module: 'Beda' })
      .then([started({ enrolmentId: '212000-1124-beda-2024-01-01', module: 'Beda' })], 'service-uka');
  });

  test('an enrolment with a known end records both its start and its end', () => {
    given(member, established).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2024-01-01', to: '2024-06-30' })
      .then([started(), { type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2024-06-30' } }]);
  });

  test('a non-member cannot enrol', () => {
    given(established).when({ type: 'enrolment.start', serviceId: 'uka', member: '212000-1124', from: '2024-01-01' }).thenError('okänd medlem: 212000-1124 har aldrig gått med');
  });

  test('a member cannot enrol before it joined', () => {
    given(member, established).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2019-01-01' }).thenError('Malmö stad (212000-1124) är inte medlem den 2019-01-01');
  });

  test('an overlapping enrolment in the same module is refused', () => {
    given(member, established, started()).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2024-03-01', enrolmentId: 'x' })
      .thenError('Malmö stad är redan ansluten till uka från 2024-01-01');
  });

  describe('a service is split by whole months: one member\'s enrolments in a module never share a month', () => {
    const endedAugust: DomainEvent = { type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2024-08-20' } };

    test('given an enrolment ended 2024-08-20, when the member enrols again from 2024-08-21, then it is refused: August would count it twice', () => {
      given(member, established, started(), endedAugust).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2024-08-21' })
        .thenError('enrolment.start: Malmö stad är ansluten till uka 2024-01-01–2024-08-20 (anslutning 212000-1124-2024-01-01), och tjänsten fördelas per hel månad: två anslutningar i samma månad räknas båda i den; låt den nya börja 2024-09-01');
    });

    test('given an enrolment from 2024-08-21, when an earlier one is recorded ending 2024-08-10, then it is refused, naming the end that parts them', () => {
      given(member, established, started({ enrolmentId: 'late', from: '2024-08-21' }))
        .when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2024-01-01', to: '2024-08-10' })
        .thenError('låt den nya sluta 2024-07-31');
    });

    test('given an enrolment ended 2024-08-20, when the member enrols again from 2024-09-01, then it is stored', () => {
      given(member, established, started(), endedAugust).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2024-09-01' })
        .then([started({ enrolmentId: '212000-1124-2024-09-01', from: '2024-09-01' })]);
    });

    test('given an enrolment withdrawn before it began (in force on no day), when the member enrols in its month, then it is stored', () => {
      const withdrawn: DomainEvent = { type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2023-12-31' } };
      given(member, established, started(), withdrawn).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2024-01-15' })
        .then([started({ enrolmentId: '212000-1124-2024-01-15', from: '2024-01-15' })]);
    });

    test('given an enrolment ended 2024-08-20 in one module, when the member enrols in another from 2024-08-21, then it is stored', () => {
      given(member, established, started(), endedAugust).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2024-08-21', module: 'Beda' })
        .then([started({ enrolmentId: '212000-1124-beda-2024-08-21', from: '2024-08-21', module: 'Beda' })]);
    });
  });
});

describe('enrolment.start and enrolment.end: a date that takes effect lies no later than 31 December of the year after today', () => {
  test('given today is 2024-06-01, when an enrolment starts 2025-12-31, then it is stored', () => {
    given(member, established).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2025-12-31' }, '2024-06-01')
      .then([started({ enrolmentId: '212000-1124-2025-12-31', from: '2025-12-31' })]);
  });

  test('given today is 2024-06-01, when an enrolment starts 2026-01-01 or ends 2026-01-01, then it is refused naming the date and the latest one allowed', () => {
    given(member, established).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2026-01-01' }, '2024-06-01')
      .thenError('enrolment.start: startdatumet 2026-01-01 ligger för långt fram; senast 2025-12-31 (31 december året efter i dag) kan anges');
    given(member, established).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2024-01-01', to: '2026-01-01' }, '2024-06-01')
      .thenError('enrolment.start: slutdatumet 2026-01-01 ligger för långt fram; senast 2025-12-31 (31 december året efter i dag) kan anges');
    given(member, established, started()).when({ type: 'enrolment.end', serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2026-01-01' }, '2024-06-01')
      .thenError('enrolment.end: slutdatumet 2026-01-01 ligger för långt fram; senast 2025-12-31 (31 december året efter i dag) kan anges');
  });

  test('given an enrolment stored before this rule with an end in 2999, when it is ended 2025-12-31, then the end is brought forward: the old date can be put right', () => {
    const farEnd: DomainEvent = { type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2999-12-31' } };
    given(member, established, started(), farEnd).when({ type: 'enrolment.end', serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2025-12-31' }, '2024-06-01')
      .then([{ type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2025-12-31' } }]);
  });

  test('given any state, when an enrolment is dated outside the years 1990–2100, then it is refused as bad input', () => {
    given(member, established).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2999-01-01' })
      .thenError('from: ska vara ett datum ÅÅÅÅ-MM-DD mellan 1990-01-01 och 2100-12-31, inte "2999-01-01"');
  });
});

describe('enrolment.start with covers: the municipalities that take part through the member, whose populations it is billed on', () => {
  const hoglandet: DomainEvent = {
    type: 'MemberJoined',
    data: { member: '222000-1230', kind: 'federation', name: 'Höglandets kommunalförbund', covers: ['0604', '0686', '0682', '0684', '0685'], date: '2020-01-01', decisionRef: 'S', rejoin: false },
  };
  const region: DomainEvent = { type: 'MemberJoined', data: { member: '232100-0016', kind: 'region', name: 'Region Jönköpings län', date: '2020-01-01', decisionRef: 'S', rejoin: false } };
  const scb: DomainEvent = {
    type: 'PopulationRecorded',
    data: { year: 2023, referenceDate: '2023-12-31', source: 'SCB', rows: ['0604', '0686', '0682', '0684', '0685', '0512', '1280', '1233'].map((code) => ({ code, name: code, population: 20000 })) },
  };
  const start = (member: string, covers?: string[]) => ({ type: 'enrolment.start', serviceId: 'uka', member, from: '2024-01-01', covers });
  const startedFor = (member: string, covers?: string[]): DomainEvent => ({
    type: 'EnrolmentStarted', data: { serviceId: 'uka', enrolmentId: `${member}-2024-01-01`, member, from: '2024-01-01', module: undefined, covers },
  });

  test('given a federation covering five municipalities, when it enrols for two of them, then the enrolment covers those two', () => {
    given(hoglandet, established, scb).when(start('222000-1230', ['0604', '0686'])).then([startedFor('222000-1230', ['0604', '0686'])]);
  });

  test('given a federation, when it enrols without covers, then the enrolment is the whole federation\'s', () => {
    given(hoglandet, established).when(start('222000-1230')).then([startedFor('222000-1230')]);
  });

  test('given a federation, when it enrols for Ydre (0512), which it does not cover, then it is refused naming the code and the federation\'s municipalities', () => {
    given(hoglandet, established, scb).when(start('222000-1230', ['0604', '0512']))
      .thenError('enrolment.start: Höglandets kommunalförbund (222000-1230) omfattar inte kommunkod 0512; förbundets kommuner är 0604, 0686, 0682, 0684, 0685');
  });

  test('given a municipality, when it enrols for a joint committee it is part of (Provisum), then the enrolment covers the committee\'s municipalities', () => {
    given(member, established, scb).when(start('1280', ['1280', '1233'])).then([startedFor('212000-1124', ['1280', '1233'])]);
  });

  test('given a municipality, when it enrols covering municipalities without itself, then it is refused: a joint committee\'s host takes part in it', () => {
    given(member, established, scb).when(start('1280', ['1233']))
      .thenError('enrolment.start: Malmö stad (kommunkod 1280) kan bara ansluta andra kommuner genom en gemensam nämnd som den själv ingår i; ta med 1280 i --covers eller låt kommunerna ansluta sig själva');
  });

  test('given a municipality, when it enrols covering only itself, then it is refused: that is its own enrolment, not a joint committee of one', () => {
    given(member, established, scb).when(start('1280', ['1280']))
      .thenError('enrolment.start: --covers 1280 är bara den egna kommunkoden för Malmö stad; en kommun som ansluter sig själv anges utan --covers');
  });

  test('given a municipality, when its joint committee lists a code in no recorded SCB table, then it is refused naming the code', () => {
    given(member, established, scb).when(start('1280', ['1280', '9999']))
      .thenError('enrolment.start: kommunkod 9999 finns inte i någon registrerad SCB-tabell (senast 2023-12-31); kontrollera koden eller importera en nyare tabell');
  });

  test('given a region, when it enrols with covers, then it is refused: only a federation or a joint committee\'s host municipality enrols for others', () => {
    given(region, established, scb).when(start('232100-0016', ['0604']))
      .thenError('enrolment.start: Region Jönköpings län (232100-0016) är av typen region och ansluter inga kommuner; --covers gäller ett kommunalförbund eller en kommun som är värd för en gemensam nämnd');
  });

  test('when covers names a municipality twice, then it is refused: its population would be counted twice', () => {
    given(hoglandet, established).when(start('222000-1230', ['0604', '0604'])).thenError('enrolment.start: kommunkod 0604 står två gånger i --covers');
  });
});

describe('enrolment.start under a per-capita rule: a municipality\'s inhabitants are counted by one enrolment at a time', () => {
  const hoglandet: DomainEvent = {
    type: 'MemberJoined',
    data: { member: '222000-1230', kind: 'federation', name: 'Höglandets kommunalförbund', covers: ['0604', '0686', '0682'], date: '2020-01-01', decisionRef: 'S', rejoin: false },
  };
  const eksjo: DomainEvent = { type: 'MemberJoined', data: { member: '212000-0563', kind: 'municipality', name: 'Eksjö kommun', kommunkod: '0686', date: '2020-01-01', decisionRef: 'S', rejoin: false } };
  const service = (pricing: Record<string, unknown>): DomainEvent => ({ type: 'ServiceEstablished', data: { ...(established.data as object), pricing } as never });
  const enrolled = (member: string, covers?: string[], to?: string): DomainEvent[] => [
    { type: 'EnrolmentStarted', data: { serviceId: 'uka', enrolmentId: `${member}-2024-01-01`, member, from: '2024-01-01', covers } },
    ...(to ? [{ type: 'EnrolmentEnded' as const, data: { serviceId: 'uka', enrolmentId: `${member}-2024-01-01`, to } }] : []),
  ];
  const start = (member: string, covers?: string[], from = '2024-01-01') => ({ type: 'enrolment.start', serviceId: 'uka', member, from, covers });

  test('given Höglandet enrolled for all its municipalities in a per-capita service, when Eksjö (0686) enrols on its own, then it is refused naming the enrolment that counts it', () => {
    given(hoglandet, eksjo, service({ kind: 'per-capita' }), ...enrolled('222000-1230')).when(start('0686'))
      .thenError('enrolment.start uka: kommunkod 0686 räknas redan i anslutningen 222000-1230-2024-01-01 för Höglandets kommunalförbund (från 2024-01-01); tjänsten fördelar per invånare, så invånarna skulle betalas två gånger');
  });

  test('given Eksjö enrolled in a base-plus-per-capita service, when Höglandet enrols for 0604 and 0686, then it is refused; for 0604 and 0682, then it is stored', () => {
    const history = [hoglandet, eksjo, service({ kind: 'base-plus-per-capita', base: '1000.00' }), ...enrolled('212000-0563')];
    given(...history).when(start('222000-1230', ['0604', '0686'])).thenError('kommunkod 0686 räknas redan i anslutningen 212000-0563-2024-01-01 för Eksjö kommun');
    given(...history).when(start('222000-1230', ['0604', '0682'])).then(enrolled('222000-1230', ['0604', '0682']));
  });

  test('given Höglandet\'s enrolment ended 2024-06-30, when Eksjö enrols from 2024-07-01, then it is stored: the two never count at once', () => {
    given(hoglandet, eksjo, service({ kind: 'per-capita' }), ...enrolled('222000-1230', undefined, '2024-06-30')).when(start('0686', undefined, '2024-07-01'))
      .then([{ type: 'EnrolmentStarted', data: { serviceId: 'uka', enrolmentId: '212000-0563-2024-07-01', member: '212000-0563', from: '2024-07-01', covers: undefined, module: undefined } }]);
  });

  test('given Höglandet\'s enrolment ended 2024-06-20, when Eksjö enrols from 2024-06-21, then it is refused: June would count 0686\'s inhabitants twice', () => {
    given(hoglandet, eksjo, service({ kind: 'per-capita' }), ...enrolled('222000-1230', undefined, '2024-06-20')).when(start('0686', undefined, '2024-06-21'))
      .thenError('för Höglandets kommunalförbund (2024-01-01–2024-06-20); tjänsten fördelar per invånare och hel månad, så invånarna skulle betalas två gånger: låt förbundets anslutning omfatta bara de andra kommunerna (--covers), eller låt den nya börja 2024-07-01');
  });

  test('given a per-capita or base-plus-per-capita service, when a region or an organisation enrols, then it is refused: it has no inhabitants to be billed on; in an equal split it is stored', () => {
    const region: DomainEvent = { type: 'MemberJoined', data: { member: '232100-0255', kind: 'region', name: 'Region Skåne', date: '2020-01-01', decisionRef: 'S', rejoin: false } };
    const skr: DomainEvent = { type: 'MemberJoined', data: { member: '222000-0315', kind: 'organisation', name: 'SKR', date: '2020-01-01', decisionRef: 'S', rejoin: false } };
    given(region, service({ kind: 'per-capita' })).when(start('232100-0255'))
      .thenError('enrolment.start uka: tjänsten fördelar sin kostnad per invånare, och Region Skåne (232100-0255) är en region, som deltar utan egna invånare; bara kommuner och kommunalförbund (efter sina kommuners invånare) kan delta i den');
    given(skr, service({ kind: 'base-plus-per-capita', base: '1000.00' })).when(start('222000-0315'))
      .thenError('SKR (222000-0315) är en organisation, som deltar utan egna invånare');
    given(skr, service({ kind: 'equal' })).when(start('222000-0315'))
      .then([{ type: 'EnrolmentStarted', data: { serviceId: 'uka', enrolmentId: '222000-0315-2024-01-01', member: '222000-0315', from: '2024-01-01', covers: undefined, module: undefined } }]);
  });

  test('given an equal split (participants, not inhabitants), when Eksjö enrols beside Höglandet, then it is stored, as Sambruk\'s EGIL has GR beside its municipalities', () => {
    given(hoglandet, eksjo, service({ kind: 'equal' }), ...enrolled('222000-1230')).when(start('0686'))
      .then([{ type: 'EnrolmentStarted', data: { serviceId: 'uka', enrolmentId: '212000-0563-2024-01-01', member: '212000-0563', from: '2024-01-01', covers: undefined, module: undefined } }]);
  });
});

describe('enrolment.end', () => {
  test('ends an open enrolment on its last day', () => {
    given(member, established, started()).when({ type: 'enrolment.end', serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2024-09-30' })
      .then([{ type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2024-09-30' } }]);
  });

  test('an end before the start is refused, but the day before it withdraws an enrolment that has not begun', () => {
    given(member, established, started()).when({ type: 'enrolment.end', serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2023-12-30' })
      .thenError('anslutningen slutar (2023-12-30) innan den börjar (2024-01-01); för att dra tillbaka den, avsluta den dagen innan: --to 2023-12-31');
    given(member, established, started()).when({ type: 'enrolment.end', serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2023-12-31' })
      .then([{ type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2023-12-31' } }]);
  });

  test('given 2023 closed, when an enrolment from 1 January 2024 is withdrawn (ended 2023-12-31), then it is stored: it changes nothing of 2023; so is an end on 31 December 2023, not one before it', () => {
    const closed: DomainEvent = { type: 'YearClosed', data: { year: 2023, date: '2024-02-15' } };
    given(member, established, started(), closed).when({ type: 'enrolment.end', serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2023-12-31' })
      .then([{ type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2023-12-31' } }]);
    // One in force in 2023 may end on its last day (the change begins in 2024), not before it.
    const earlier = started({ enrolmentId: '212000-1124-2023-06-01', from: '2023-06-01' });
    given(member, established, earlier, closed).when({ type: 'enrolment.end', serviceId: 'uka', enrolmentId: '212000-1124-2023-06-01', to: '2023-12-31' })
      .then([{ type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1124-2023-06-01', to: '2023-12-31' } }]);
    given(member, established, earlier, closed).when({ type: 'enrolment.end', serviceId: 'uka', enrolmentId: '212000-1124-2023-06-01', to: '2023-11-30' })
      .thenError('enrolment.end: året 2023 stängdes 2024-02-15; dess siffror kan inte längre ändras');
  });

  test('an end already set may be brought forward, never put off', () => {
    const ended: DomainEvent = { type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2025-12-31' } };
    given(member, established, started(), ended).when({ type: 'enrolment.end', serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2024-06-30' })
      .then([{ type: 'EnrolmentEnded', data: { serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2024-06-30' } }]);
    given(member, established, started(), ended).when({ type: 'enrolment.end', serviceId: 'uka', enrolmentId: '212000-1124-2024-01-01', to: '2026-06-30' })
      .thenError('anslutningen 212000-1124-2024-01-01 upphörde redan 2025-12-31');
  });
});

describe('service.establish', () => {
  test('a tier-weighted rule whose bands overlap is refused', () => {
    given().when({
      type: 'service.establish', serviceId: 'egil', name: 'EGIL', area: 'Skola', overheadRate: '0.05', cadence: 'quarterly', decisionRef: 'S', date: '2024-01-01',
      pricing: { kind: 'tier-weighted', bands: [{ id: 'a', label: 'a', max: 10000, weight: '1' }, { id: 'b', label: 'b', min: 10000, weight: '2' }] },
    }).thenError(/service.establish egil: .*överlappar/);
  });

  test('given today is 2024-06-01, when a service is established from 2099-01-01 (a year mistyped), then it is refused naming the latest date allowed', () => {
    given().when({ type: 'service.establish', serviceId: 'nytt', name: 'Nytt', area: 'IT', overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2099-01-01', pricing: { kind: 'equal' } })
      .thenError('service.establish nytt: datumet 2099-01-01 ligger för långt fram; senast 2025-12-31 (31 december året efter i dag) kan anges');
  });

  test('given tier-weighted bands with a gap between them (9 999, then from 12 000), then the service is refused naming the gap', () => {
    const svc = { type: 'service.establish', serviceId: 'nytt', name: 'Nytt', area: 'IT', overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2024-01-01' };
    const bands = [{ id: 's', label: 'S', max: 9999, weight: '1' }, { id: 'l', label: 'L', min: 12000, weight: '2' }];
    given().when({ ...svc, pricing: { kind: 'tier-weighted', bands } }, '2024-06-01')
      .thenError('service.establish nytt: lucka mellan nivåerna: ingen nivå täcker 10000–11999');
  });

  test('given an overhead of "5" (500 %, a percentage given as a share), then it is refused; "1" (100 %) is stored', () => {
    const svc = { type: 'service.establish', serviceId: 'nytt', name: 'Nytt', area: 'IT', cadence: 'yearly', decisionRef: 'S', date: '2024-01-01', pricing: { kind: 'equal' } };
    given().when({ ...svc, overheadRate: '5' }, '2024-06-01')
      .thenError('service.establish nytt: påslaget 5 är 500 %; ange det som andel av kostnaden, t.ex. 0.05 för 5 % (högst 1)');
    given().when({ ...svc, overheadRate: '1' }, '2024-06-01').then([{ type: 'ServiceEstablished', data: expect.objectContaining({ overheadRate: '1' }) as never }]);
  });

  test('a service id can be established once', () => {
    given(established).when({ type: 'service.establish', serviceId: 'uka', name: 'UKA', area: 'x', overheadRate: '0', cadence: 'yearly', decisionRef: 'S', date: '2024-01-01', pricing: { kind: 'equal' } })
      .thenError('tjänsten "uka" är redan inrättad');
  });
});

describe('budget.decide: the latest recorded decision is the budget in force, so a decision is dated no later than today and no earlier than the one in force', () => {
  const budget = (decidedOn: string, amount: string, minutesRef = `Rådet ${decidedOn}`) => ({ type: 'budget.decide', serviceId: 'uka', year: 2024, lines: [{ text: 'Drift', amount }], decidedOn, minutesRef });
  const decided = (decidedOn: string, amount: string): DomainEvent => {
    const { type: _t, ...data } = budget(decidedOn, amount);
    return { type: 'CouncilBudgetDecided', data: data as never };
  };

  test('given a service priced by a price list, when a budget is decided for it, then it is refused: a price list bills its prices, and a budget would change no fee', () => {
    const priceList: DomainEvent = { type: 'ServiceEstablished', data: { ...(established.data as object), pricing: { kind: 'price-list', bands: [{ id: 'all', label: 'Alla', price: '1000.00' }] } } as never };
    given(priceList).when(budget('2024-03-15', '200000.00'))
      .thenError('budget.decide uka 2024: UKA prissätts med en prislista (ett årspris per storleksklass), inte genom att en budget fördelas; en budget skulle inte ändra någon avgift');
  });

  test('given a budget whose lines name one text twice (in any case), then it is refused naming the text', () => {
    given(established).when({ ...budget('2024-03-15', '1.00'), lines: [{ text: 'Drift', amount: '100.00' }, { text: 'drift ', amount: '50.00' }] })
      .thenError('budget.decide uka 2024: budgetraden "drift" står två gånger; slå ihop beloppen på en rad eller ge raderna olika text');
  });

  test('given a budget decided 2024-03-15, when a revision decided 2024-05-20 is recorded, then it is stored', () => {
    given(established, decided('2024-03-15', '200000.00')).when(budget('2024-05-20', '250000.00'))
      .then([decided('2024-05-20', '250000.00')], 'service-uka');
  });

  test('given a budget decided 2024-03-15, when another decision of the same day is recorded, then it is stored (it replaces the first)', () => {
    given(established, decided('2024-03-15', '200000.00')).when(budget('2024-03-15', '150000.00'))
      .then([decided('2024-03-15', '150000.00')], 'service-uka');
  });

  test('given a budget decided 2024-03-15, when the original budget decided 2023-11-20 is recorded after it, then it is refused naming the decision in force', () => {
    given(established, decided('2024-03-15', '200000.00')).when(budget('2023-11-20', '100000.00'))
      .thenError('budget.decide uka 2024: beslutet 2023-11-20 är äldre än den budget som gäller, beslutad 2024-03-15 (Rådet 2024-03-15); det senast registrerade beslutet gäller, så ett äldre kan inte registreras efter det');
  });

  test('given another year\'s budget decided later, when a decision for 2024 is recorded, then only 2024\'s decisions count', () => {
    const { type: _t, ...data } = { ...budget('2024-11-20', '300000.00'), year: 2025 };
    given(established, { type: 'CouncilBudgetDecided', data: data as never }).when(budget('2024-03-15', '200000.00'))
      .then([decided('2024-03-15', '200000.00')], 'service-uka');
  });

  test('given today is 2024-06-01, when a budget for 2025 is decided, then it is stored; for 2026 (a year mistyped), then it is refused', () => {
    given(established).when({ ...budget('2024-05-20', '1.00'), year: 2025 }, '2024-06-01').then([{ type: 'CouncilBudgetDecided', data: { ...decided('2024-05-20', '1.00').data, year: 2025 } as never }]);
    given(established).when({ ...budget('2024-05-20', '1.00'), year: 2026 }, '2024-06-01')
      .thenError('budget.decide uka 2026: budgetåret 2026 ligger för långt fram; beslut fattas för senast 2025 (året efter i dag)');
  });

  test('given a service established 2020, when a budget for 2019 is decided, then it is refused: the service did not exist that year', () => {
    given(established).when({ ...budget('2018-11-20', '1.00'), year: 2019 })
      .thenError('budget.decide uka 2019: budgetåret 2019 ligger före 2020, då tjänsten inrättades (2020-01-01)');
  });

  test('when a budget for 2024 is decided 2022-01-01, then it is stored; decided 1995-01-10 (a year mistyped), then it is refused', () => {
    given(established).when(budget('2022-01-01', '1.00')).then([decided('2022-01-01', '1.00')]);
    given(established).when(budget('1995-01-10', '1.00'))
      .thenError('budget.decide uka 2024: beslutsdatumet 1995-01-10 ligger för långt före budgetåret; tidigast 2022-01-01 (två år före) kan anges');
  });

  test('given a base-plus-per-capita service with two participants, when a budget below their base fees is decided, or a third enrols beyond what the budget bears, then it is refused: the split, and every run, would stop', () => {
    const stockholm: DomainEvent = { type: 'MemberJoined', data: { member: '212000-0142', kind: 'municipality', name: 'Stockholms stad', kommunkod: '0180', date: '2020-01-01', decisionRef: 'S', rejoin: false } };
    const goteborg: DomainEvent = { type: 'MemberJoined', data: { member: '212000-1355', kind: 'municipality', name: 'Göteborgs Stad', kommunkod: '1480', date: '2020-01-01', decisionRef: 'S', rejoin: false } };
    const pop: DomainEvent = { type: 'PopulationRecorded', data: { year: 2023, referenceDate: '2023-12-31', source: 'SCB', rows: [{ code: '0180', name: 'Stockholm', population: 900000 }, { code: '1480', name: 'Göteborg', population: 600000 }, { code: '1280', name: 'Malmö', population: 350000 }] } } as never;
    const base: DomainEvent = { type: 'ServiceEstablished', data: { ...(established.data as object), pricing: { kind: 'base-plus-per-capita', base: '25000.00' }, overheadRate: '0' } as never };
    const enrolled = (orgnr: string): DomainEvent => ({ type: 'EnrolmentStarted', data: { serviceId: 'uka', enrolmentId: `${orgnr}-2024-01-01`, member: orgnr, from: '2024-01-01' } });
    const history = [member, stockholm, goteborg, pop, base, enrolled('212000-0142'), enrolled('212000-1355')];
    given(...history).when(budget('2023-11-20', '40000.00'))
      .thenError(/^budget\.decide uka 2024: månad 1: beloppet 3 333,34 kr är mindre än grundavgifterna 4 166,66 kr \(2 × 2 083,33 kr\); det skulle stoppa fördelningen av 2024 och varje fakturakörning, så det registreras inte$/);
    given(...history).when(budget('2023-11-20', '60000.00')).then([decided('2023-11-20', '60000.00')]);
    const budgeted = [...history, decided('2023-11-20', '60000.00')];
    given(...budgeted).when({ type: 'enrolment.start', serviceId: 'uka', member: '1280', from: '2024-01-01' })
      .thenError(/^enrolment\.start uka: månad 1: .*grundavgifterna.*; det skulle stoppa fördelningen av 2024/);
  });

  test('given today is 2024-06-01, when a decision dated 2024-06-02 is recorded, then it is refused: a decision is recorded once it is taken', () => {
    given(established).when(budget('2024-06-02', '200000.00'), '2024-06-01')
      .thenError('budget.decide uka 2024: beslutsdatumet 2024-06-02 ligger efter i dag (2024-06-01); ange dagen rådet beslutade');
  });
});

describe('cost.record: a supplier invoice, its amount excluding VAT and its input VAT', () => {
  const cost = { type: 'cost.record', serviceId: 'uka', year: 2024, amount: '100000.00', supplier: 'Leverantör AB', reference: 'F-1', date: '2024-06-30' };
  const recorded = (over: Record<string, unknown> = {}): DomainEvent => ({
    type: 'ActualCostRecorded', data: { serviceId: 'uka', year: 2024, amount: '100000.00', supplier: 'Leverantör AB', reference: 'F-1', date: '2024-06-30', ...over },
  } as DomainEvent);

  test('without VAT the event is what it always was: no vat field', () => {
    givenLater(established).when(cost).then([recorded()], 'service-uka');
  });

  test('the same supplier invoice again, every field alike (amounts by value), records nothing: a retry under a new key or a file imported twice does not book it twice', () => {
    givenLater(established, recorded({ vat: '25000.00' })).when({ ...cost, amount: '100000', vat: '25000.00' }).then([]);
    givenLater(established, recorded()).when(cost).then([]);
    // Another amount, date or VAT under the same reference is another record of it, added up as before.
    givenLater(established, recorded()).when({ ...cost, amount: '5000.00' }).then([recorded({ amount: '5000.00' })]);
    givenLater(established, recorded()).when({ ...cost, vat: '1.00' }).then([recorded({ vat: '1.00' })]);
  });

  test('once a year is closed, every year before it is final too: a cost dated in, or of, an earlier year is refused', () => {
    const closed: DomainEvent = { type: 'YearClosed', data: { year: 2025, date: '2026-02-15' } };
    givenLater(established, closed).when({ ...cost, year: 2026, date: '2024-06-30' })
      .thenError('cost.record uka 2026 F-1: daterad 2024-06-30, men året 2024 ligger före 2025, som stängdes 2026-02-15; dess siffror kan inte längre ändras');
    givenLater(established, closed).when({ ...cost, date: '2026-03-01' })
      .thenError('cost.record uka: året 2024 ligger före 2025, som stängdes 2026-02-15; dess siffror kan inte längre ändras');
  });

  test('a cost of a year before the service was established is refused', () => {
    givenLater(established).when({ ...cost, year: 1999 }).thenError('cost.record uka: kostnadsåret 1999 ligger före 2020, då tjänsten inrättades (2020-01-01)');
  });

  test('a cost of zero is refused', () => {
    givenLater(established).when({ ...cost, amount: '0.00' }).thenError('cost.record uka 2024 F-1: beloppet måste vara större än noll');
  });

  test('the input VAT is recorded beside the amount, with two decimals', () => {
    givenLater(established).when({ ...cost, vat: '25000' }).then([recorded({ vat: '25000.00' })]);
  });

  test('VAT at the highest configured rate is taken, rounded up to the öre', () => {
    givenLater(established).when({ ...cost, amount: '0.10', vat: '0.03' }).then([recorded({ amount: '0.10', vat: '0.03' })]);
  });

  test('VAT above the net amount × the highest configured rate is refused: likely the gross amount or a typo', () => {
    givenLater(established).when({ ...cost, vat: '25000.01' })
      .thenError('cost.record uka 2024 F-1: momsen 25 000,01 kr är mer än 25 % (den högsta momssatsen) av beloppet exklusive moms 100 000,00 kr, högst 25 000,00 kr; beloppet anges exklusive moms och momsen för sig');
  });

  test('the highest rate is configuration: with 12 % and 6 % only, 25 % VAT is refused', () => {
    givenLater(established).when({ ...cost, vat: '25000.00' }, LATER, { vatRates: ['0.12', '0.06'] }).thenError('är mer än 12 % (den högsta momssatsen)');
  });

  test('with no VAT rate configured a cost with VAT is refused; zero VAT needs none', () => {
    givenLater(established).when({ ...cost, vat: '1.00' }, LATER, {}).thenError('ingen momssats är konfigurerad (vatRates)');
    givenLater(established).when({ ...cost, vat: '0' }, LATER, {}).then([recorded({ vat: '0.00' })]);
  });

  test('a cost dated in a closed year is refused, whatever year it is the cost of (the ledger books it on its date); one dated after the close is recorded', () => {
    const closed: DomainEvent = { type: 'YearClosed', data: { year: 2023, date: '2024-02-15' } };
    givenLater(established, closed).when({ ...cost, date: '2023-12-20' })
      .thenError('cost.record uka 2024 F-1: daterad 2023-12-20, men året 2023 stängdes 2024-02-15; dess siffror kan inte längre ändras');
    givenLater(established, closed).when(cost).then([recorded({})]);
  });

  test('negative VAT, or VAT with more than two decimals, is refused by the command schema', () => {
    givenLater(established).when({ ...cost, vat: '-1.00' }).thenError('cost.record: vat: beloppet får inte vara negativt');
    givenLater(established).when({ ...cost, vat: '1.005' }).thenError('cost.record: vat: ska vara ett belopp som "1234.50"');
  });
});

describe('cost.record and cost.pay dated after today', () => {
  test('given today is 2024-06-29, then a cost dated 2024-06-30 is refused; its payment dated after today is refused too', () => {
    givenLater(established).when({ type: 'cost.record', serviceId: 'uka', year: 2024, amount: '100.00', supplier: 'L AB', reference: 'F-1', date: '2024-06-30' }, '2024-06-29')
      .thenError('cost.record uka: kostnadens datum 2024-06-30 ligger efter i dag (2024-06-29); ange dagen det hände');
    const recorded: DomainEvent = { type: 'ActualCostRecorded', data: { serviceId: 'uka', year: 2024, amount: '100.00', supplier: 'L AB', reference: 'F-1', date: '2024-06-30' } };
    givenLater(established, recorded).when({ type: 'cost.pay', serviceId: 'uka', year: 2024, reference: 'F-1', amount: '100.00', date: '2024-08-01' }, '2024-07-31')
      .thenError('cost.pay uka 2024 F-1: betalningsdagen 2024-08-01 ligger efter i dag (2024-07-31); ange dagen det hände');
  });
});

describe('cost.pay: a payment to the supplier of a recorded cost', () => {
  const cost = (over: Record<string, unknown> = {}): DomainEvent => ({
    type: 'ActualCostRecorded', data: { serviceId: 'uka', year: 2024, amount: '1000.00', vat: '250.00', supplier: 'Leverantör AB', reference: 'F-1', date: '2024-06-30', ...over },
  } as DomainEvent);
  const paid = (amount: string, date = '2024-07-31', reference = 'F-1'): DomainEvent => ({ type: 'SupplierPaymentRecorded', data: { serviceId: 'uka', year: 2024, reference, amount, date } });
  const pay = (amount: string, date = '2024-07-31', reference = 'F-1') => ({ type: 'cost.pay', serviceId: 'uka', year: 2024, reference, amount, date });

  test('a payment of the cost with its VAT is recorded on the service\'s stream, its amount with two decimals', () => {
    givenLater(established, cost()).when(pay('1250')).then([paid('1250.00')], 'service-uka');
  });

  test('part payments are recorded until nothing is owed; one öre more than is owed is refused', () => {
    givenLater(established, cost(), paid('1000.00')).when(pay('250.00', '2024-08-31')).then([paid('250.00', '2024-08-31')]);
    givenLater(established, cost(), paid('1000.00')).when(pay('250.01', '2024-08-31'))
      .thenError('cost.pay uka 2024 F-1: 250,01 kr är mer än det som återstår att betala (250,00 kr av 1 250,00 kr inklusive moms, 1 000,00 kr betalt tidigare)');
  });

  test('the same payment again (cost, amount and date) records nothing, however it is brought', () => {
    givenLater(established, cost(), paid('1250.00')).when(pay('1250')).then([]);
  });

  test('a reference recorded twice is one supplier invoice: what is owed is both', () => {
    givenLater(established, cost(), cost({ amount: '100.00', vat: '25.00', date: '2024-07-15' })).when(pay('1375.00')).then([paid('1375.00')]);
  });

  test('a cost that is not recorded is refused, naming the references that are', () => {
    givenLater(established, cost()).when(pay('10.00', '2024-07-31', 'F-2')).thenError('cost.pay: ingen kostnad för uka 2024 har referensen "F-2" (registrerade: F-1)');
    givenLater(established).when(pay('10.00')).thenError('cost.pay: ingen kostnad för uka 2024 har referensen "F-1" (ingen kostnad är registrerad för uka 2024)');
    givenLater(cost()).when(pay('10.00')).thenError('okänd tjänst "uka"');
  });

  test('zero is refused; a negative amount is refused by the command schema', () => {
    givenLater(established, cost()).when(pay('0')).thenError('cost.pay uka 2024 F-1: beloppet måste vara större än noll (0.00)');
    givenLater(established, cost()).when(pay('-1.00')).thenError('cost.pay: amount: beloppet får inte vara negativt');
  });

  test('a payment dated before the supplier invoice is refused', () => {
    givenLater(established, cost()).when(pay('10.00', '2024-06-29')).thenError('cost.pay uka 2024 F-1: betald 2024-06-29, innan leverantörsfakturan är daterad (2024-06-30)');
  });

  test('a payment dated in a closed year is refused; one of a closed year\'s cost dated in an open year is not', () => {
    const closed: DomainEvent = { type: 'YearClosed', data: { year: 2024, date: '2025-02-15' } };
    givenLater(established, cost(), closed).when(pay('10.00', '2024-12-30'))
      .thenError('cost.pay uka 2024 F-1: daterad 2024-12-30, men året 2024 stängdes 2025-02-15; dess siffror kan inte längre ändras');
    givenLater(established, cost(), closed).when(pay('1250.00', '2025-01-31')).then([paid('1250.00', '2025-01-31')]);
  });
});
