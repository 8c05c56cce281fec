import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Child processes run the compiled JS (`npm test` builds first), as a real second process would. */
export function compiled(relative: string): string {
  const path = join(__dirname, '..', '..', '..', 'dist', relative);
  const alt = join(__dirname, '..', '..', 'dist', relative);
  const found = [path, alt].find((p) => existsSync(p));
  if (!found) throw new Error(`${relative} is not built: run \`npm run build\` (npm test does it)`);
  return found;
}

export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function spawnNode(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}
