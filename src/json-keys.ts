/**
 * The first key given twice in one object of a JSON text that JSON.parse accepted, or undefined. JSON.parse
 * keeps the last of two values silently: `{"amount":"1.00","amount":"9999.00"}` recorded a payment of
 * 9 999,00 kr, where what was meant cannot be known. Keys are compared as parsed ("a" and "\u0061" are one).
 * No parser at hand reports it (fastify's, secure-json-parse, only guards __proto__), and a scan of the text
 * is a few lines. The text must be valid JSON: call it after JSON.parse.
 */
export function duplicateKey(text: string): string | undefined {
  // One entry per open object (its keys) or array (null).
  const open: (Set<string> | null)[] = [];
  let atKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      if (atKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        atKey = false;
      }
      i = end;
    } else if (c === '{') {
      open.push(new Set());
      atKey = true;
    } else if (c === '[') {
      open.push(null);
      atKey = false;
    } else if (c === '}' || c === ']') {
      open.pop();
      atKey = false;
    } else if (c === ',') {
      atKey = open[open.length - 1] instanceof Set;
    }
  }
  return undefined;
}

/** A refusal of a key given twice, in the user's words. */
export const duplicateKeyWords = (key: string): string => `fältet "${key}" står två gånger i samma objekt; ange det en gång, eftersom det inte går att veta vilket värde som menas`;
