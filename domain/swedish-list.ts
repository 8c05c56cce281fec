/** Items as a Swedish sentence lists them: "a", "a och b", "a, b och c". */
export const listed = (items: readonly string[]): string =>
  (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} och ${items[items.length - 1]}`);
