import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeOutputDirectory, writeOutputFile } from '../../src/cli/output-files';

// renameSync as the real one, but that a test can make it fail once: what a full disk or a kill between
// the write and the rename leaves.
jest.mock('node:fs', () => {
  const actual = jest.requireActual<typeof import('node:fs')>('node:fs');
  return { ...actual, renameSync: jest.fn(actual.renameSync) };
});
const renameSync = jest.mocked(jest.requireMock<typeof import('node:fs')>('node:fs').renameSync);

describe('an output file is written whole or not at all', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'samkost-out-'));

  test('given a new path, then the file holds the bytes and nothing else is left beside it', () => {
    const d = dir();
    writeOutputFile(join(d, 'bok.se'), 'åäö\n');
    expect(readFileSync(join(d, 'bok.se'), 'utf8')).toBe('åäö\n');
    expect(readdirSync(d)).toEqual(['bok.se']);
  });

  test('given an earlier file, then it is replaced whole', () => {
    const d = dir();
    writeFileSync(join(d, 'bok.se'), 'förra versionen, som är längre\n');
    writeOutputFile(join(d, 'bok.se'), Buffer.from('ny\n'));
    expect(readFileSync(join(d, 'bok.se'), 'utf8')).toBe('ny\n');
    expect(readdirSync(d)).toEqual(['bok.se']);
  });

  test('given a write that fails after its bytes are out (the rename: a full disk, a killed process), then the earlier file stays as it was and no partial file is left', () => {
    const d = dir();
    writeFileSync(join(d, 'bok.se'), 'förra versionen\n');
    renameSync.mockImplementationOnce(() => {
      throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
    });
    expect(() => writeOutputFile(join(d, 'bok.se'), 'ny version\n')).toThrow(`kan inte skriva ${join(d, 'bok.se')}: disken är full`);
    expect(readFileSync(join(d, 'bok.se'), 'utf8')).toBe('förra versionen\n');
    expect(readdirSync(d)).toEqual(['bok.se']);
  });

  test('given a partial file left by a killed process (its pid no longer runs), when the name is written again, then it is removed; one of a running process is left', () => {
    const d = dir();
    // A pid above the kernel's pid_max (4 194 304) is no process; this process's parent runs.
    writeFileSync(join(d, '.bok.se.4999999.partial'), 'avbruten\n');
    writeFileSync(join(d, `.bok.se.${process.ppid}.partial`), 'pågår\n');
    writeFileSync(join(d, '.annan.se.4999999.partial'), 'en annan fil\n');
    writeOutputFile(join(d, 'bok.se'), 'hel\n');
    expect(readdirSync(d).sort()).toEqual(['.annan.se.4999999.partial', `.bok.se.${process.ppid}.partial`, 'bok.se']);
  });

  test('given a directory that does not exist, or a directory in the file\'s place, then it is refused by name', () => {
    const d = dir();
    expect(() => writeOutputFile(join(d, 'saknas', 'bok.se'), 'x')).toThrow(`kan inte skriva ${join(d, 'saknas', 'bok.se')}: filen eller katalogen finns inte`);
    expect(() => writeOutputFile(d, 'x')).toThrow(`kan inte skriva ${d}: det är en katalog, inte en fil`);
    expect(readdirSync(d)).toEqual([]);
  });

  test('given a device or a symlink, then it is written through, not replaced by a file', () => {
    writeOutputFile('/dev/null', 'x');
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    const d = dir();
    writeFileSync(join(d, 'mål.se'), 'gammalt\n');
    symlinkSync(join(d, 'mål.se'), join(d, 'länk.se'));
    writeOutputFile(join(d, 'länk.se'), 'nytt\n');
    expect(lstatSync(join(d, 'länk.se')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(d, 'mål.se'), 'utf8')).toBe('nytt\n');
  });
});

describe('an output directory is made in a directory that is there', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'samkost-out-'));

  test('given a directory that is there, when a directory in it is named, then that one is made; named again, it is found there', () => {
    const d = dir();
    makeOutputDirectory(join(d, 'påminnelser'));
    makeOutputDirectory(`${join(d, 'påminnelser')}/`);
    expect(lstatSync(join(d, 'påminnelser')).isDirectory()).toBe(true);
    mkdirSync(join(d, 'egen'));
    writeFileSync(join(d, 'egen', 'anteckning.txt'), 'x');
    makeOutputDirectory(join(d, 'egen'));
    expect(readdirSync(join(d, 'egen'))).toEqual(['anteckning.txt']);
  });

  test('given a path whose parent is not there (a mistyped directory), then it is refused naming the parent, and nothing is made', () => {
    const d = dir();
    const wanted = join(d, 'saknas', 'påminnelser');
    expect(() => makeOutputDirectory(`${wanted}/`)).toThrow(`kan inte skriva ${wanted}/: katalogen ${join(d, 'saknas')} som den ska ligga i finns inte; bara den sista katalogen i sökvägen skapas`);
    expect(readdirSync(d)).toEqual([]);
  });

  test('given a file in the directory\'s place, or a file in its path, then it is refused by name', () => {
    const d = dir();
    writeFileSync(join(d, 'fil'), 'x');
    expect(() => makeOutputDirectory(join(d, 'fil'))).toThrow(`kan inte skriva ${join(d, 'fil')}: det finns redan och är ingen katalog`);
    expect(() => makeOutputDirectory(join(d, 'fil', 'under'))).toThrow(`kan inte skriva ${join(d, 'fil', 'under')}: en del av sökvägen är ingen katalog`);
    expect(readdirSync(d)).toEqual(['fil']);
  });
});
