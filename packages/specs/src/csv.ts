/**
 * Splits one CSV line into cells: commas separate cells; a double-quoted cell may hold commas, and
 * a doubled quote (`""`) inside it is one quote. Cells are not trimmed.
 */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const character = line[index];
    if (quoted) {
      if (character === '"' && line[index + 1] === '"') {
        current += '"';
        index++;
      } else if (character === '"') quoted = false;
      else current += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      cells.push(current);
      current = '';
    } else current += character;
  }
  cells.push(current);
  return cells;
}

/**
 * Parses CSV text with a header row into one record per row, keyed by the header's names (a
 * missing cell is `''`). Blank lines and lines starting with `#` (comments, e.g. a source note) are
 * skipped; cells are split by {@link splitCsvLine}.
 */
export function parseCsvRecords(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const [headerLine, ...rows] = lines;
  if (headerLine === undefined) return [];
  const header = splitCsvLine(headerLine);
  return rows.map((line) => {
    const cells = splitCsvLine(line);
    return Object.fromEntries(header.map((name, index) => [name, cells[index] ?? '']));
  });
}
