/**
 * Why a file could not be read or written, in the user's words: the system's error code ("ENOENT") says
 * nothing to a finance officer. An error without a known code keeps its own message.
 */
const WHY: Record<string, string> = {
  ENOENT: 'filen eller katalogen finns inte',
  EISDIR: 'det är en katalog, inte en fil',
  ENOTDIR: 'en del av sökvägen är ingen katalog',
  EACCES: 'behörighet saknas',
  EPERM: 'behörighet saknas',
  ENOSPC: 'disken är full',
  EROFS: 'filsystemet är skrivskyddat',
  EMFILE: 'för många öppna filer',
  ENAMETOOLONG: 'sökvägen är för lång',
  EBUSY: 'filen används av ett annat program',
};

export function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && WHY[code]) || (err as Error).message;
}
