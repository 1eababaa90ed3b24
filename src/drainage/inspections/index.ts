export * from './grading.ts';
export * from './types.ts';
export { importInspections, insertInspection, loadSegments, parseInspectionCsv, parseInspectionRows, readCsvRows, readXlsxSheet, segmentLocation } from './import.ts';
export type { ImportInspectionsRequest, InspectionImportReport, ParseContext, ParsedDefect, ParsedInspection, RowRejection, SegmentInfo, SourceRow } from './import.ts';
export { readXlsxRows, XlsxError, type SheetRow } from './xlsx.ts';
export { createCampaign, listCampaigns, listDefects, listInspections } from './repository.ts';
export type { DefectFilter, DefectListing, InspectionFilter, NewCampaign } from './repository.ts';
