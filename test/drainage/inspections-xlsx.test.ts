// Excel exports: workbooks written by openpyxl (an independent writer; test/fixtures/inspections/
// make-xlsx.py) read to the same inspections as the CSV of the same rows, date cells as dates,
// a title row above the header skipped, bad rows reported by their Excel row number.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseInspectionCsv, parseInspectionRows, readXlsxRows, readXlsxSheet, type ParseContext, type SegmentInfo } from '../../src/drainage/inspections/index.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/inspections');
const segment = (id: string, ownerId = 'drain-co'): SegmentInfo =>
  ({ id, name: id, ownerId, network: 'drainage', assetType: 'pipe', lengthM: 40, diameterMm: 800, region: null, soil: null });
const context: ParseContext = {
  segments: new Map(['T-P1', 'T-P2', 'T-P3', 'T-S1'].map((id) => [id, segment(id)])), stored: new Map(), method: 'cctv', ownerScope: null,
};

describe('.xlsx inspection exports', () => {
  it('reads a workbook to the same inspections as the CSV of its rows', () => {
    const fromXlsx = parseInspectionRows(readXlsxSheet(readFileSync(path.join(FIXTURES, 'good.xlsx'))), context);
    const fromCsv = parseInspectionCsv(readFileSync(path.join(FIXTURES, 'good.csv'), 'utf8'), context);
    expect(fromXlsx.rejected).toEqual([]);
    expect(fromXlsx.rows).toBe(10);
    expect(fromXlsx.inspections).toEqual(fromCsv.inspections);
    expect(fromXlsx.inspections.map((i) => [i.segmentId, i.inspectedOn, i.defects.length])).toEqual([
      ['T-P1', '2026-10-12', 5], ['T-P2', '2026-10-12', 2], ['T-P3', '2026-10-13', 0], ['T-S1', '2026-10-13', 2],
    ]);
  });

  it('skips a title row and reports bad rows by their row in the sheet', () => {
    const { inspections, rejected } = parseInspectionRows(readXlsxSheet(readFileSync(path.join(FIXTURES, 'bad.xlsx'))), context);
    expect(rejected).toEqual([
      { line: 4, field: 'code', reason: expect.stringMatching(/^unknown defect code "ZZ"/), segmentId: 'T-P3' },
      { line: 5, field: 'date', reason: '"2026-11-31" is not a date (YYYY-MM-DD)', segmentId: 'T-P3' },
    ]);
    expect(inspections.map((i) => [i.segmentId, i.inspectedOn, i.defects.map((d) => d.atM)])).toEqual([['T-P3', '2026-11-03', [4.5]]]);
  });

  it('reads inline strings, booleans, entities and the 1900 date system of a minimal hand-made workbook', () => {
    const xml = (s: string) => strToU8(`<?xml version="1.0" encoding="UTF-8"?>${s}`);
    const book = zipSync({
      'xl/workbook.xml': xml('<workbook><sheets><sheet name="S" sheetId="1" r:id="rId7"/></sheets></workbook>'),
      'xl/_rels/workbook.xml.rels': xml('<Relationships><Relationship Id="rId7" Target="worksheets/data.xml"/></Relationships>'),
      'xl/styles.xml': xml('<styleSheet><numFmts><numFmt numFmtId="170" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="170"/><xf numFmtId="14"/></cellXfs></styleSheet>'),
      'xl/worksheets/data.xml': xml('<worksheet><sheetData>'
        + '<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; b</t></is></c><c r="C1" t="b"><v>1</v></c></row>'
        + '<row r="3"><c r="B3" s="1"><v>46307</v></c><c r="C3" s="2"><v>61</v></c><c r="D3"><v>12.5</v></c></row>'
        + '</sheetData></worksheet>'),
    });
    expect(readXlsxRows(book)).toEqual([
      { line: 1, cells: ['a & b', '', 'TRUE'] },
      { line: 3, cells: ['', '2026-10-12', '1900-03-01', '12.5'] },
    ]);
    expect(() => readXlsxRows(strToU8('not a zip'))).toThrow(/not an \.xlsx workbook/);
  });
});
