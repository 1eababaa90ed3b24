// The first worksheet of an .xlsx workbook (Office Open XML, ECMA-376) as rows of cell texts,
// for inspection software that exports Excel. Only what a data table needs: shared and inline
// strings, numbers, booleans, and date-formatted numbers as ISO dates (YYYY-MM-DD). fflate
// unzips; the XML is read with a few regular expressions, which the fixed shape of SpreadsheetML
// allows (no formulas are evaluated: a formula cell gives its cached value).
import { strFromU8, unzipSync } from 'fflate';

export class XlsxError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ENTITIES[e] ?? m);
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
/** The text of a string item: its <t> runs, without phonetic guides (<rPh>). */
const textOf = (xml: string) => [...xml.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '').matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)].map((m) => decode(m[1]!)).join('');

/** Built-in number formats that show dates (ECMA-376 §18.8.30, with the CJK ones 27–36 and 50–58). */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
const isDateCode = (code: string) => /[yd]/i.test(code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, ''));

function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of /^[A-Z]+/.exec(ref)?.[0] ?? '') n = n * 26 + ch.charCodeAt(0) - 64;
  return n - 1;
}

/** Excel's day count (the 1900 date system) as an ISO date; right from 1 March 1900 (day 61) on, past Excel's phantom 29 February 1900. */
function serialDate(serial: number): string {
  return new Date(Date.UTC(1899, 11, 30) + Math.floor(serial) * 86_400_000).toISOString().slice(0, 10);
}

export interface SheetRow {
  /** The row number in the sheet (1 = the first row). */
  line: number;
  cells: string[];
}

export function readXlsxRows(data: Uint8Array): SheetRow[] {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(data, { filter: (f) => (f.name.startsWith('xl/') && f.name.endsWith('.xml')) || f.name.endsWith('.rels') });
  } catch (error) {
    throw new XlsxError(`not an .xlsx workbook: ${(error as Error).message}`);
  }
  const text = (name: string) => (files[name] ? strFromU8(files[name]!) : null);
  const workbook = text('xl/workbook.xml');
  if (!workbook) throw new XlsxError('not an .xlsx workbook: xl/workbook.xml is missing');
  const firstSheet = /<sheet\b[^>]*>/.exec(workbook)?.[0];
  const relId = firstSheet && (attr(firstSheet, 'r:id') ?? attr(firstSheet, 'id'));
  const rels = text('xl/_rels/workbook.xml.rels') ?? '';
  const target = [...rels.matchAll(/<Relationship\b[^>]*>/g)].map((m) => m[0]).find((r) => attr(r, 'Id') === relId);
  const targetPath = target ? attr(target, 'Target')! : 'worksheets/sheet1.xml';
  const sheetName = targetPath.startsWith('/') ? targetPath.slice(1) : `xl/${targetPath}`;
  const sheet = text(sheetName);
  if (!sheet) throw new XlsxError(`the workbook's first sheet (${sheetName}) is missing`);

  const shared = [...(text('xl/sharedStrings.xml') ?? '').matchAll(/<si\b[^>]*>([\s\S]*?)<\/si>/g)].map((m) => textOf(m[1]!));
  const styles = text('xl/styles.xml') ?? '';
  const customFormats = new Map([...styles.matchAll(/<numFmt\b[^>]*>/g)].map((m) => [Number(attr(m[0], 'numFmtId')), decode(attr(m[0], 'formatCode') ?? '')]));
  const cellXfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? '';
  const dateStyles = [...cellXfs.matchAll(/<xf\b[^>]*>/g)].map((m) => {
    const id = Number(attr(m[0], 'numFmtId') ?? 0);
    return DATE_FORMAT_IDS.has(id) || (customFormats.has(id) && isDateCode(customFormats.get(id)!));
  });

  const rows: SheetRow[] = [];
  for (const [index, row] of [...sheet.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/g)].entries()) {
    const line = Number(attr(row[1]!, 'r') ?? index + 1);
    const cells: string[] = [];
    let next = 0;
    for (const cell of (row[2] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = cell[1]!;
      const body = cell[2] ?? '';
      const ref = attr(attrs, 'r');
      const col = ref ? columnIndex(ref) : next;
      next = col + 1;
      const type = attr(attrs, 't') ?? 'n';
      const raw = /<v>([\s\S]*?)<\/v>/.exec(body)?.[1];
      let value = '';
      if (type === 's') value = raw === undefined ? '' : shared[Number(raw)] ?? '';
      else if (type === 'inlineStr') value = textOf(body);
      else if (type === 'b') value = raw === '1' ? 'TRUE' : 'FALSE';
      else if (raw !== undefined) {
        value = decode(raw);
        const style = Number(attr(attrs, 's') ?? 0);
        if (type === 'n' && dateStyles[style] && Number.isFinite(Number(value))) value = serialDate(Number(value));
      }
      cells[col] = value;
    }
    rows.push({ line, cells: Array.from(cells, (c) => c ?? '') });
  }
  return rows;
}
