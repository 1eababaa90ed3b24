export * from './grading.ts';
export * from './types.ts';
export { importInspections, insertInspection, loadSegments, parseInspectionCsv, segmentLocation } from './import.ts';
export type { ImportInspectionsRequest, InspectionImportReport, ParseContext, ParsedDefect, ParsedInspection, RowRejection, SegmentInfo } from './import.ts';
export { createCampaign, listCampaigns, listDefects, listInspections } from './repository.ts';
export type { DefectFilter, DefectListing, InspectionFilter, NewCampaign } from './repository.ts';
