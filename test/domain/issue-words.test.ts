import { parseCommand } from '../../domain/commands';
import { checkEventData } from '../../domain/events';

describe('a command that does not validate is refused in Swedish, naming the field', () => {
  const refusal = (input: Record<string, unknown>): string => {
    try {
      parseCommand(input);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('expected a refusal');
  };
  const payment = { type: 'payment.record', invoice: 'T2024-0001', amount: '5.00', date: '2024-01-01', reference: 'x' };

  test.each([
    [{ type: 'payment.record' }, 'payment.record: invoice: saknas (ska vara en text)'],
    [{ ...payment, amount: 5 }, 'payment.record: amount: ska vara en text, inte talet 5'],
    [{ ...payment, invoice: '' }, 'payment.record: invoice: får inte vara tom'],
    [{ ...payment, amount: '5,00' }, 'payment.record: amount: ska vara ett belopp som "1234.50"'],
    [{ type: 'year.close', year: 1900, date: '2024-01-01' }, 'year.close: year: måste vara minst 1990'],
    [{ type: 'year.close', year: 2024.5, date: '2024-01-01' }, 'year.close: year: ska vara ett heltal, inte talet 2024.5'],
    [
      { type: 'member.join', orgnr: '212000-1124', kind: 'city', name: 'X', date: '2024-01-01', decisionRef: 'd' },
      'member.join: kind: ska vara "municipality", "region", "federation" eller "organisation"',
    ],
    [
      { type: 'member.join', orgnr: '212000-1124', kind: 'federation', name: 'X', date: '2024-01-01', decisionRef: 'd', covers: [] },
      'member.join: covers: måste ha minst 1 post',
    ],
    [
      { type: 'enrolment.start', serviceId: 'egil', member: '0180', from: '2024-01-01', enrolmentId: 'a b' },
      'enrolment.start: enrolmentId: har fel form (ska matcha /^[A-Za-z0-9-]+$/)',
    ],
    [{ type: 'year.open', year: 2024 }, expect.stringMatching(/^year\.open: type: ska vara något av 'member\.join' \| 'member\.leave' \| .* \| 'year\.close' \| 'ledger\.opening' \| 'ledger\.opening\.correct'$/)],
  ])('%j', (input, message) => {
    expect(refusal(input)).toEqual(message);
  });
});

describe('an event that does not validate (a store refusing a write, verify reading an altered row) is named in Swedish', () => {
  const refusal = (type: string, schemaVersion: number, data: unknown): string => {
    try {
      checkEventData(type, schemaVersion, data);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('expected a refusal');
  };

  test.each([
    ['MemberJoined', 1, {}, 'ogiltiga data i member: saknas (ska vara en text)'],
    ['MemberJoined', 1, 'x', 'ogiltiga data i (roten): ska vara ett objekt, inte texten "x"'],
    ['MemberRenamed', 1, {}, 'okänd händelsetyp "MemberRenamed"'],
    ['MemberJoined', 2, {}, 'schemaversion 2 av MemberJoined stöds inte'],
  ])('%s v%d %j', (type, version, data, message) => {
    expect(refusal(type, version, data)).toBe(message);
  });
});
